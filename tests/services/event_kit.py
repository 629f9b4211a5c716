"""Helpers shared by the event tests: a fixed clock, form-shaped event data, events."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from forum.common import timefmt
from forum.extensions import db
from forum.models import Event, EventRsvp, Notification, NotificationKind
from forum.services.community import events
from tests import factories

T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def local_text(moment: datetime, tz: str = "UTC") -> str:
    return timefmt.local(moment, tz).strftime("%Y-%m-%dT%H:%M")


def event_data(start: datetime, hours: float = 2, tz: str = "UTC", **overrides) -> events.EventData:
    fields = {
        "title": "Soldering meetup",
        "description": "Bring a **project**.",
        "kind": "meetup",
        "starts_at": local_text(start, tz),
        "ends_at": local_text(start + timedelta(hours=hours), tz),
        "timezone": tz,
        "location": "Makerspace, Room 2",
        "online_url": "",
        "capacity": "",
        "rsvp_deadline": "",
    }
    fields.update(overrides)
    return events.EventData(**fields)


def make_event(author=None, board=None, start: datetime | None = None, now: datetime = T0,
               **overrides) -> Event:
    board = board or factories.make_board()
    author = author or factories.make_user(role="moderator")
    start = start or now + timedelta(days=7)
    return events.create_event(author, board, event_data(start, **overrides), now=now)


def rsvp_status(event: Event, user) -> str | None:
    row = db.session.query(EventRsvp).filter_by(event_id=event.id, user_id=user.id).first()
    return row.status if row is not None else None


def event_notes(user) -> list[Notification]:
    return list(db.session.query(Notification).filter_by(
        recipient_id=user.id, kind=NotificationKind.EVENT).order_by(Notification.id))
