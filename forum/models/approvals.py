"""Posts waiting for a moderator's approval, and the watched words that may send them there.

A waiting post is not a ``Post``: it has no place in a thread, no counter knows it, search,
feeds and notifications never see it. Approving it writes the post the ordinary way (a new
position at the end of the thread, counters, notifications), so everything that reads posts
stays as it was and a kept page of posts can never contain one.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class PendingState(StrEnum):
    WAITING = "waiting"
    APPROVED = "approved"
    REJECTED = "rejected"


class HoldCause(StrEnum):
    NEW_MEMBER = "new_member"  # one of a new member's first posts
    MEMBER = "member"  # the member's record says "always review"
    BOARD = "board"  # the board wants every new thread approved
    WORDS = "words"  # a watched word with the action "review"


class PendingPost(db.Model):
    __tablename__ = "pending_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    # The thread a reply waits to join; null for a new thread (``title`` is then set).
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                                  index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    cause: Mapped[str] = mapped_column(String(16))
    # The watched words that matched, for the moderator's eyes (cause ``words``).
    words: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    state: Mapped[str] = mapped_column(String(16), default=PendingState.WAITING)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str | None] = mapped_column(String(500))
    # The post an approval wrote (the opening post for a thread).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"),
                                                index=True)

    board = relationship("Board")
    thread = relationship("Thread")
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (Index("ix_pending_posts_state_created", "state", "created_at"),)

    @property
    def is_thread(self) -> bool:
        return self.thread_id is None

    @property
    def is_waiting(self) -> bool:
        return self.state == PendingState.WAITING

    def __repr__(self) -> str:
        return f"<PendingPost {self.id} {self.state}>"


class WordAction(StrEnum):
    BLOCK = "block"  # refused, the draft kept in the form
    REVIEW = "review"  # waits for approval
    REPLACE = "replace"  # censored
    FLAG = "flag"  # posted, and a queue item opened


class WatchedWord(db.Model):
    """A word, phrase or link domain the administrators watch for. ``pattern`` is what they
    typed (``*`` is the only wildcard); a domain matches itself and its subdomains."""

    __tablename__ = "watched_words"

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(100))
    is_domain: Mapped[bool] = mapped_column(Boolean, default=False)
    action: Mapped[str] = mapped_column(String(16))
    replacement: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    __table_args__ = (UniqueConstraint("pattern", "is_domain"),)

    def __repr__(self) -> str:
        return f"<WatchedWord {self.pattern!r} {self.action}>"
