"""Events (expert Q&As, livestreams, meetups, contests) and who is coming."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class EventKind(StrEnum):
    MEETUP = "meetup"
    QA = "qa"
    LIVESTREAM = "livestream"
    CONTEST = "contest"
    OTHER = "other"

    @property
    def label(self):
        """Lazy: the event form declared at import offers it."""
        return EVENT_KIND_LABELS[self]


EVENT_KIND_LABELS = {
    EventKind.MEETUP: _l("Meetup"),
    EventKind.QA: _l("Expert Q&A"),
    EventKind.LIVESTREAM: _l("Livestream"),
    EventKind.CONTEST: _l("Contest or challenge"),
    EventKind.OTHER: _l("Other"),
}


class RsvpStatus(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    DECLINED = "declined"  # "can't go"
    WAITLISTED = "waitlisted"  # wants to go; the event is full


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(150))
    description: Mapped[str] = mapped_column(Text, default="")
    description_html: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default=EventKind.OTHER)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The zone the author entered the times in; calendar files carry it.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    location: Mapped[str | None] = mapped_column(String(200))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None] = mapped_column(Integer)
    rsvp_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The discussion thread; its board decides who may see the event.
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"), index=True)
    thread_id: Mapped[int | None] = mapped_column(
        ForeignKey("threads.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # Bumped on every change a calendar should pick up (iCalendar SEQUENCE).
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Counted in the row so a place is taken by one conditional UPDATE: capacity holds under
    # concurrent RSVPs without locking the table.
    going_count: Mapped[int] = mapped_column(Integer, default=0)
    maybe_count: Mapped[int] = mapped_column(Integer, default=0)
    declined_count: Mapped[int] = mapped_column(Integer, default=0)
    waitlist_count: Mapped[int] = mapped_column(Integer, default=0)

    board = relationship("Board")
    thread = relationship("Thread")
    author = relationship("User")

    __table_args__ = (Index("ix_events_starts_at", "starts_at"),)

    @property
    def url(self) -> str:
        return f"/events/{self.id}"

    @property
    def kind_label(self) -> str:
        """The kind's name as plain text in the current language."""
        try:
            return str(EventKind(self.kind).label)
        except ValueError:
            return str(EventKind.OTHER.label)

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.going_count >= self.capacity

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.going_count, 0)

    def has_started(self, now: datetime) -> bool:
        return self.starts_at <= now

    def is_over(self, now: datetime) -> bool:
        return self.ends_at <= now

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.title!r}>"


class EventRsvp(db.Model):
    __tablename__ = "event_rsvps"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the answer last changed; the waitlist is served in this order.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the reminder for the event's current start went out; cleared on reschedule.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event = relationship("Event")
    user = relationship("User")

    __table_args__ = (
        Index("uq_event_rsvps_event_user", "event_id", "user_id", unique=True),
        Index("ix_event_rsvps_event_status", "event_id", "status", "updated_at"),
    )
