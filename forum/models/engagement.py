"""What contests and expert Q&As collect: entries and their votes, experts, questions and
their votes. Each belongs to an event (``models.events``) and writes into its thread."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Challenge(db.Model):
    """A contest event's schedule and rules: entries are taken from ``entries_open_at`` until
    ``entries_close_at``, votes from then until ``voting_close_at``."""

    __tablename__ = "challenges"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"),
                                          primary_key=True)
    entries_open_at: Mapped[datetime] = mapped_column(UTCDateTime)
    entries_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    voting_close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    votes_per_member: Mapped[int] = mapped_column(Integer, default=3)
    one_entry_per_member: Mapped[bool] = mapped_column(Boolean, default=True)
    # Counted in the row: taking an entry is one conditional UPDATE whose WHERE holds the
    # entry window, so an entry racing the deadline is judged by the row, not a stale read.
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    winners_announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    announcement_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", ondelete="SET NULL"))

    event = relationship("Event")

    def phase(self, now: datetime) -> str:
        """"before", "entries", "voting" or "closed"."""
        if now < self.entries_open_at:
            return "before"
        if now < self.entries_close_at:
            return "entries"
        if now < self.voting_close_at:
            return "voting"
        return "closed"


class ChallengeEntry(db.Model):
    __tablename__ = "challenge_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("challenges.event_id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # 0 while the challenge takes one entry per member, so the unique index below refuses a
    # second one even when two arrive at once; otherwise the member's running number.
    slot: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(120))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    disqualified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disqualified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    disqualify_reason: Mapped[str | None] = mapped_column(String(500))
    place: Mapped[int | None] = mapped_column(Integer)  # 1, 2, 3 once winners are announced

    user = relationship("User", foreign_keys=[user_id])
    post = relationship("Post")

    __table_args__ = (
        Index("uq_challenge_entries_member_slot", "event_id", "user_id", "slot", unique=True),
        Index("ix_challenge_entries_ranking", "event_id", "vote_count"),
    )

    @property
    def is_disqualified(self) -> bool:
        return self.disqualified_at is not None


class ChallengeBallot(db.Model):
    """How many of their votes a member has used in one challenge: the limit is a conditional
    UPDATE on this row, so two votes at once cannot both take the last one."""

    __tablename__ = "challenge_ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("challenges.event_id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    votes_used: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        Index("uq_challenge_ballots_event_user", "event_id", "user_id", unique=True),
    )


class ChallengeVote(db.Model):
    __tablename__ = "challenge_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("challenge_entries.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("challenges.event_id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("uq_challenge_votes_entry_user", "entry_id", "user_id", unique=True),
    )


class EventExpert(db.Model):
    """A guest of an expert Q&A: answers its questions and wears an "Expert" badge in its
    thread."""

    __tablename__ = "event_experts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])

    __table_args__ = (
        Index("uq_event_experts_event_user", "event_id", "user_id", unique=True),
    )


class EventQuestion(db.Model):
    __tablename__ = "event_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                           index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hide_reason: Mapped[str | None] = mapped_column(String(500))
    # A duplicate points at the question it was merged into; its votes went there.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_questions.id", ondelete="SET NULL"))
    answer_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = relationship("User", foreign_keys=[author_id])
    answer_post = relationship("Post")

    __table_args__ = (
        Index("ix_event_questions_event_votes", "event_id", "vote_count"),
    )

    @property
    def is_open(self) -> bool:
        """Listed and open to votes: neither hidden nor merged away."""
        return self.hidden_at is None and self.merged_into_id is None

    @property
    def is_answered(self) -> bool:
        return self.answer_post_id is not None


class QuestionVote(db.Model):
    __tablename__ = "question_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("event_questions.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        Index("uq_question_votes_question_user", "question_id", "user_id", unique=True),
    )
