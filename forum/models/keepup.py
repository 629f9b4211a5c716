"""Keeping up with the forum: how closely a member follows a thread or a board and how far they
have read, reactions to posts, and bookmarks."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class WatchLevel(StrEnum):
    WATCHING = "watching"  # told of every new post
    TRACKING = "tracking"  # counted as unread, never told
    NORMAL = "normal"
    MUTED = "muted"  # never listed as new, never told


WATCH_LEVEL_LABELS = {
    WatchLevel.WATCHING: _l("Watching: tell me about every new post"),
    WatchLevel.TRACKING: _l("Tracking: count new posts, no notifications"),
    WatchLevel.NORMAL: _l("Normal"),
    WatchLevel.MUTED: _l("Muted: never new, never notified"),
}


class ThreadRead(db.Model):
    """A member and a thread: the last position they have read, and the level they follow it
    at (None: their board's level, else normal). One row per pair, written by one UPSERT."""

    __tablename__ = "thread_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           primary_key=True)
    last_position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    level: Mapped[str | None] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        # Fan-out: a thread's watchers, found by one INSERT … SELECT.
        Index("ix_thread_reads_thread_level", "thread_id", "level"),
    )


class BoardWatch(db.Model):
    """A member and a board: the level their threads there follow unless set one by one, and
    when the member last marked the whole board read."""

    __tablename__ = "board_watches"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          primary_key=True)
    level: Mapped[str | None] = mapped_column(String(10))
    read_all_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_board_watches_board_level", "board_id", "level"),)


class ReactionKind(StrEnum):
    THANKS = "thanks"
    LOVE = "love"
    FUNNY = "funny"
    HOORAY = "hooray"
    THINKING = "thinking"


# The one place reactions are defined: the order they are shown in, their emoji and names.
REACTIONS: dict[str, tuple[str, object]] = {
    ReactionKind.THANKS: ("👍", _l("Thanks")),
    ReactionKind.LOVE: ("❤️", _l("Love it")),
    ReactionKind.FUNNY: ("😂", _l("Funny")),
    ReactionKind.HOORAY: ("🎉", _l("Hooray")),
    ReactionKind.THINKING: ("🤔", _l("Thinking")),
}


class Reaction(db.Model):
    """One member's reaction of one kind to one post: the primary key makes a second one of
    the same kind impossible, whatever races."""

    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")

    __table_args__ = (
        # A new member's daily limit counts their reactions of the last day.
        Index("ix_reactions_user_created", "user_id", "created_at"),
    )


class ReactionCount(db.Model):
    """How many reactions of a kind a post has, kept in SQL (``n = n + 1``) beside the rows."""

    __tablename__ = "reaction_counts"

    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (CheckConstraint("n >= 0", name="n_not_negative"),)


class Bookmark(db.Model):
    """A post a member keeps, with a note and, optionally, a time to be reminded of it (sent
    by ``forum run-timers``)."""

    __tablename__ = "bookmarks"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"),
                                         index=True)
    note: Mapped[str | None] = mapped_column(String(500))
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post = relationship("Post")

    __table_args__ = (
        Index("uq_bookmarks_user_post", "user_id", "post_id", unique=True),
        # run-timers: reminders that fell due and were not sent yet.
        Index("ix_bookmarks_due", "reminded_at", "remind_at"),
    )
