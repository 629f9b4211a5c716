"""Announcements: what the community must know, shown to an audience inside a time window."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Severity(StrEnum):
    INFO = "info"
    SUCCESS = "success"
    WARNING = "warning"
    CRITICAL = "critical"


class Audience(StrEnum):
    EVERYONE = "everyone"
    MEMBERS = "members"  # signed-in accounts, staff included
    MODERATORS = "moderators"  # moderators of any kind and administrators


class Placement(StrEnum):
    BANNER = "banner"  # a banner on every page
    ALL_BOARDS = "all_boards"  # pinned at the top of every board
    BOARD = "board"  # pinned above one board's threads


class Announcement(db.Model):
    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    body: Mapped[str] = mapped_column(Text, default="")
    # Rendered when saved, like posts, so showing it costs no Markdown work.
    body_html: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(16), default=Severity.INFO)
    audience: Mapped[str] = mapped_column(String(16), default=Audience.EVERYONE)
    placement: Mapped[str] = mapped_column(String(16), default=Placement.BANNER)
    board_id: Mapped[int | None] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), index=True
    )
    # An optional thread where the announcement is discussed.
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None: shown until someone ends it.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_dismissible: Mapped[bool] = mapped_column(Boolean, default=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    author = relationship("User")
    board = relationship("Board")
    thread = relationship("Thread")

    __table_args__ = (Index("ix_announcements_window", "placement", "starts_at", "ends_at"),)

    def is_current(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    def is_scheduled(self, now: datetime) -> bool:
        return now < self.starts_at

    def is_past(self, now: datetime) -> bool:
        return self.ends_at is not None and self.ends_at <= now

    def __repr__(self) -> str:
        return f"<Announcement {self.id} {self.title!r}>"


class AnnouncementDismissal(db.Model):
    """A member closed a dismissible announcement; it stays closed on every device."""

    __tablename__ = "announcement_dismissals"

    announcement_id: Mapped[int] = mapped_column(
        ForeignKey("announcements.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    dismissed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
