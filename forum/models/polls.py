"""Polls attached to threads: the question and its options, each member's ballot and the
options it chose.

Counts live beside the rows and change in SQL (``votes = votes + 1``) in the voting
transaction; the primary keys make a second ballot per member and poll, and a second vote
per member and option, impossible whatever races.
"""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class ResultsShown(StrEnum):
    ALWAYS = "always"
    VOTED = "voted"  # to members who voted (and everyone once the poll closes)
    CLOSED = "closed"  # to everyone once the poll closes


RESULTS_SHOWN_LABELS = {
    ResultsShown.ALWAYS: _l("Always"),
    ResultsShown.VOTED: _l("After voting"),
    ResultsShown.CLOSED: _l("After the poll closes"),
}


class Poll(db.Model):
    """One poll per thread. ``max_choices`` 1 is a single-choice poll. Whether votes are
    public is decided when the poll is made and never changes: voters were told before they
    voted."""

    __tablename__ = "polls"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                  index=True)
    question: Mapped[str] = mapped_column(String(300))
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    results_shown: Mapped[str] = mapped_column(String(10), default=ResultsShown.ALWAYS.value)
    is_public: Mapped[bool] = mapped_column(Boolean, default=False)
    is_changeable: Mapped[bool] = mapped_column(Boolean, default=True)
    # Closing is read against the clock (``closed_now``); closing early sets ``closed_at``.
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"),
                                                     index=True)
    # Members who voted, kept in SQL beside the ballots: the percentages' whole.
    voter_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    thread = relationship("Thread")
    options = relationship("PollOption", order_by="PollOption.position",
                           back_populates="poll", cascade="all, delete-orphan",
                           passive_deletes=True)

    __table_args__ = (CheckConstraint("voter_count >= 0", name="voter_count_not_negative"),
                      CheckConstraint("max_choices >= 1", name="max_choices_positive"))

    @property
    def is_multiple(self) -> bool:
        return self.max_choices > 1

    def closed_now(self, now: datetime) -> bool:
        return self.closed_at is not None or (self.closes_at is not None
                                              and self.closes_at <= now)

    def ended_at(self, now: datetime) -> datetime | None:
        """When it closed (early or on time), None while open."""
        if self.closed_at is not None:
            return self.closed_at
        if self.closes_at is not None and self.closes_at <= now:
            return self.closes_at
        return None


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    votes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    poll = relationship("Poll", back_populates="options")

    __table_args__ = (UniqueConstraint("poll_id", "position"),
                      CheckConstraint("votes >= 0", name="votes_not_negative"))


class PollBallot(db.Model):
    """That a member voted in a poll (whatever they chose): one per member and poll, claimed
    by an ``INSERT … ON CONFLICT DO NOTHING`` that says whether this request cast it."""

    __tablename__ = "poll_ballots"

    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"),
                                         primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PollVote(db.Model):
    """One option a member chose: the primary key allows one per member and option."""

    __tablename__ = "poll_votes"

    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"),
                                           primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    # The option's poll again, so a member's choices in a poll are one index range away
    # (changing a vote deletes them with one statement).
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")

    __table_args__ = (Index("ix_poll_votes_poll_user", "poll_id", "user_id"),)
