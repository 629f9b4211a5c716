"""Creating, editing and cancelling events, each with its discussion thread.

Times arrive as the wall-clock text a ``datetime-local`` control sends, read in the zone the
author chose; they are stored in UTC and the zone is kept for calendar files. Answers (RSVPs)
live in ``event_rsvp``; the pages' queries in ``event_listing``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select, update

from ...common import markup, timefmt
from ...common.numfmt import number
from ...database import commit
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import (
    Board,
    Event,
    EventKind,
    EventRsvp,
    NotificationKind,
    RsvpStatus,
    Thread,
    User,
    WebhookEvent,
    utcnow,
)
from ...policy import Policy
from .. import audit, notifications, text, webhooks
from ..content import posting
from ..notification_texts import moment

TITLE_MAX = 150
DESCRIPTION_MAX = 20_000
LOCATION_MAX = 200
URL_MAX = 500
REASON_MAX = 500
CAPACITY_MAX = 100_000
# Far enough for any real plan; beyond it, a year-9999 date overflows when shown in a zone east
# of UTC and makes calendar files huge.
HORIZON = timedelta(days=10 * 366)

InvalidInput = posting.InvalidInput

# Who hears about a new time or a cancellation: everyone who answered other than "can't go".
INTERESTED = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.WAITLISTED)


@dataclass(frozen=True)
class EventData:
    """An event as a form sends it: text throughout, times as local wall-clock text."""

    title: str = ""
    description: str = ""
    kind: str = EventKind.OTHER
    starts_at: str = ""
    ends_at: str = ""
    timezone: str = "UTC"
    location: str = ""
    online_url: str = ""
    capacity: str = ""
    rsvp_deadline: str = ""


def local_input(value: datetime | None, tz_name: str) -> str:
    """A stored time as a ``datetime-local`` value in ``tz_name`` (for edit forms)."""
    if value is None:
        return ""
    return timefmt.local(value, tz_name).strftime("%Y-%m-%dT%H:%M")


def _moment(raw: str, tz_name: str, field: str) -> datetime:
    try:
        return timefmt.parse_local(raw, tz_name)
    except ValueError as error:
        problem = str(error)
        if field == "starts_at":
            message = _("Start: %(problem)s", problem=problem)
        elif field == "ends_at":
            message = _("End: %(problem)s", problem=problem)
        else:
            message = _("Answer by: %(problem)s", problem=problem)
        raise InvalidInput(field, message) from None


def _capacity(raw: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    # ASCII only: str.isdigit also accepts "²", which int() then rejects.
    digits = raw[1:] if raw.startswith("-") else raw
    if not (digits.isascii() and digits.isdigit()) or len(raw) > 9:
        raise InvalidInput("capacity", _("Capacity must be a whole number of places, or empty."))
    value = int(raw)
    if value < 1:
        raise InvalidInput("capacity", _("Capacity must be at least 1 (leave it empty for no "
                                       "limit)."))
    if value > CAPACITY_MAX:
        raise InvalidInput("capacity",
                           _("Capacity can be at most %(max)s.", max=number(CAPACITY_MAX)))
    return value


def _online_url(raw: str) -> str | None:
    url = (raw or "").strip()
    if not url:
        return None
    if len(url) > URL_MAX:
        raise InvalidInput("online_url", _("Links can be at most %(max)s characters.",
                                             max=URL_MAX))
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise InvalidInput("online_url",
                           _("The online link must start with http:// or https://."))
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise InvalidInput("online_url", _("The online link can't contain spaces."))
    return url


def clean(data: EventData, now: datetime, event: Event | None = None) -> dict:
    """Column values for the event, or ``InvalidInput`` (400) naming the field at fault.

    Refuses: empty or oversized title, description, location or link; an unknown kind or time
    zone; malformed times; an end not after the start; a start (or deadline) in the past when
    it is new or moved; an end more than ten years ahead; a deadline after the start; a
    capacity below 1; a link that isn't http(s).
    """
    title = posting.normalize_title(data.title)
    if not title:
        raise InvalidInput("title", _("An event needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput("title", _("Titles can be at most %(max)s characters.",
                                        max=TITLE_MAX))
    description = text.multiline(data.description)
    if len(description) > DESCRIPTION_MAX:
        raise InvalidInput("description",
                           _("Descriptions can be at most %(max)s characters.",
                             max=number(DESCRIPTION_MAX)))
    try:
        kind = EventKind(data.kind)
    except ValueError:
        raise InvalidInput("kind", _("Choose a kind of event from the list.")) from None
    tz_name = (data.timezone or "").strip()
    if not timefmt.is_zone(tz_name):
        raise InvalidInput("timezone", _("Choose a time zone from the list."))
    starts_at = _moment(data.starts_at, tz_name, "starts_at")
    ends_at = _moment(data.ends_at, tz_name, "ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("ends_at", _("The event must end after it starts."))
    if ends_at > now + HORIZON:
        raise InvalidInput("ends_at" if starts_at <= now + HORIZON else "starts_at",
                           _("Events can be planned at most ten years ahead."))
    moved = event is None or starts_at != event.starts_at
    if moved and starts_at <= now:
        raise InvalidInput("starts_at", _("The start must be in the future."))
    deadline = None
    if (data.rsvp_deadline or "").strip():
        deadline = _moment(data.rsvp_deadline, tz_name, "rsvp_deadline")
        if deadline > starts_at:
            raise InvalidInput("rsvp_deadline", _("The deadline for answers can't be after the "
                                                "start."))
        changed = event is None or deadline != event.rsvp_deadline
        if changed and deadline <= now:
            raise InvalidInput("rsvp_deadline", _("The deadline for answers must be in the "
                                                "future."))
    location = " ".join((data.location or "").split()) or None
    if location is not None and len(location) > LOCATION_MAX:
        raise InvalidInput("location", _("Locations can be at most %(max)s characters.",
                                           max=LOCATION_MAX))
    return {
        "title": title,
        "description": description,
        "description_html": markup.render(description) if description else "",
        "kind": str(kind),
        "timezone": tz_name,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": location,
        "online_url": _online_url(data.online_url),
        "capacity": _capacity(data.capacity),
        "rsvp_deadline": deadline,
    }


# What a calendar shows: a change to any of these bumps the event's SEQUENCE.
CALENDAR_FIELDS = ("title", "description", "kind", "timezone", "starts_at", "ends_at",
                   "location", "online_url")
LOGGED_FIELDS = (*CALENDAR_FIELDS, "capacity", "rsvp_deadline")


def _snapshot(values: dict | Event) -> dict:
    def read(name):
        value = values[name] if isinstance(values, dict) else getattr(values, name)
        return value.isoformat() if isinstance(value, datetime) else value

    return {name: read(name) for name in LOGGED_FIELDS if name != "description"}


def _opening_post(event: Event) -> str:
    """The discussion thread's first post, written like any post in its author's language."""
    when = timefmt.format_datetime(event.starts_at, event.timezone)
    lines = [
        _("%(kind)s, starting %(when)s (%(zone)s).", kind=f"**{event.kind_label}**",
          when=when, zone=event.timezone),
        "",
        "[{}]({})".format(_("Details, times in your zone and RSVP"), event.url),
    ]
    if event.description:
        lines += ["", event.description]
    return "\n".join(lines)


def create_event(actor: User, board: Board, data: EventData,
                 now: datetime | None = None) -> Event:
    """A new event and its discussion thread in ``board``, whose opening post links the event.

    Refuses: as ``Policy.can_create_event`` (guest, board not visible, read-only, members'
    events not allowed, sanctions); as ``clean`` (400); as ``posting.create_thread`` (flood
    limits). Nothing is saved on refusal.
    """
    now = now or utcnow()
    require(Policy(actor, now).can_create_event(board))
    values = clean(data, now)
    event = Event(**values, board_id=board.id, author_id=actor.id, created_at=now, sequence=0,
                  going_count=0, maybe_count=0, declined_count=0, waitlist_count=0)
    db.session.add(event)
    db.session.flush()
    audit.record(actor, "event.create", event, after=_snapshot(values), now=now)

    def link(thread: Thread) -> None:
        db.session.execute(update(Event).where(Event.id == event.id).values(thread_id=thread.id))
        webhooks.event_changed(WebhookEvent.EVENT_CREATED, event, now)

    try:
        # One commit, the thread's: the event, its log entry and its link to the thread go
        # with it, or nothing does.
        posting.create_thread(actor, board, event.title, _opening_post(event), now=now, then=link)
    except InvalidInput as error:
        db.session.rollback()
        raise InvalidInput("description", error.reason) from None
    except BaseException:
        db.session.rollback()
        raise
    return event


def _interested(event: Event) -> list[User]:
    users = db.session.scalars(
        select(User).join(EventRsvp, EventRsvp.user_id == User.id)
        .where(EventRsvp.event_id == event.id, EventRsvp.status.in_(INTERESTED))
        .order_by(User.id)
    )
    # The board may have closed to some of them since they answered: they hear nothing more.
    return [user for user in users if Policy(user).can_view_event(event)]


def edit_event(actor: User, event: Event, data: EventData,
               now: datetime | None = None) -> Event:
    """Change an event. A change calendars show bumps ``sequence``; a new start or end tells
    everyone who answered going, maybe or waitlisted, and a new start also clears sent
    reminders. More places let waiting members in.

    Refuses: as ``Policy.can_edit_event`` (cancelled, not author or moderator); as ``clean``.
    """
    now = now or utcnow()
    require(Policy(actor, now).can_edit_event(event))
    values = clean(data, now, event)
    before = _snapshot(event)
    changed = {name for name, value in values.items()
               if name != "description_html" and getattr(event, name) != value}
    if not changed:
        return event
    rescheduled = bool(changed & {"starts_at", "ends_at"})
    bump = 1 if changed & set(CALENDAR_FIELDS) else 0
    # Counters stay out of it: only answers change them, in SQL.
    db.session.execute(
        update(Event).where(Event.id == event.id, Event.cancelled_at.is_(None))
        .values(**values, updated_at=now, sequence=Event.sequence + bump)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(event)
    if event.is_cancelled:
        db.session.rollback()
        raise Conflict(_("This event was cancelled while you were editing it."))
    if "starts_at" in changed:
        # Reminders are per start: a new end alone must not send a second "starting soon".
        db.session.execute(
            update(EventRsvp).where(EventRsvp.event_id == event.id).values(reminded_at=None)
        )
    if rescheduled:
        for user in _interested(event):
            notifications.notify(
                user, NotificationKind.EVENT, "event.rescheduled",
                {"title": event.title, "starts_at": moment(event.starts_at)}, event.url,
                actor=actor, now=now,
            )
    if "capacity" in changed:
        from .event_rsvp import promote_waiting

        promote_waiting(event, now)
    audit.record(actor, "event.edit", event, before=before, after=_snapshot(event), now=now)
    webhooks.event_changed(WebhookEvent.EVENT_UPDATED, event, now)
    commit()
    return event


def cancel_event(actor: User, event: Event, reason: str, now: datetime | None = None) -> Event:
    """Cancel an event; it stays listed as cancelled, and everyone who answered going, maybe
    or waitlisted is told why.

    Refuses: as ``Policy.can_edit_event``; an empty or oversized reason (400); an event
    cancelled by someone else at the same moment (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_edit_event(event))
    reason = text.checked(reason, REASON_MAX, missing=_("Say why the event is cancelled."),
                          too_long=_("Keep the reason under %(max)s characters.",
                                     max=REASON_MAX))
    reason = " ".join(reason.split())
    done = db.session.execute(
        update(Event).where(Event.id == event.id, Event.cancelled_at.is_(None))
        .values(cancelled_at=now, cancel_reason=reason, updated_at=now,
                sequence=Event.sequence + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Conflict(_("This event was already cancelled."))
    db.session.refresh(event)
    for user in _interested(event):
        notifications.notify(user, NotificationKind.EVENT, "event.cancelled",
                             {"title": event.title, "reason": reason}, event.url, actor=actor,
                             now=now)
    audit.record(actor, "event.cancel", event, reason=reason, now=now)
    webhooks.event_changed(WebhookEvent.EVENT_CANCELLED, event, now)
    commit()
    return event


def board_for_new_event(board_id: int) -> Board:
    """The board an event is created in; 400 when it doesn't exist. Whether the author may
    create events there is ``create_event``'s question."""
    board = db.session.get(Board, board_id)
    if board is None:
        raise Refused(_("Choose the board where the event's discussion goes."), status=400)
    return board
