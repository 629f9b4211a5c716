"""Read-side queries for the event pages: one query per list, whatever the number of events or
answers, and only events the viewer may see."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from ...common import timefmt
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import Board, Category, Event, EventRsvp, RsvpStatus
from ...policy import Policy
from ...policy.decision import need_login

UPCOMING_MAX = 50
PAST_MAX = 20
FEED_MAX = 500
# How many events one calendar day lists before "and N more".
DAY_MAX = 4


def _visible(viewer: Policy) -> Select:
    return viewer.visible_events(select(Event)).options(contains_eager(Event.board))


def get_event(viewer: Policy, event_id: int) -> Event:
    """The event with its board, thread and author, if the viewer may see it.

    Refuses: unknown event (404); a board the viewer may not read (login or 403).
    """
    event = db.session.scalar(
        select(Event).where(Event.id == event_id)
        .options(joinedload(Event.board), joinedload(Event.thread), joinedload(Event.author))
    )
    if event is None:
        raise NotFound(_("That event doesn't exist."))
    require(viewer.can_view_event(event))
    return event


def upcoming(viewer: Policy, now: datetime, limit: int = UPCOMING_MAX) -> list[Event]:
    """Events not yet over, soonest first (cancelled ones too: they say so)."""
    return list(db.session.scalars(
        _visible(viewer).where(Event.ends_at > now)
        .order_by(Event.starts_at, Event.id).limit(limit)
    ))


def past(viewer: Policy, now: datetime, limit: int = PAST_MAX) -> list[Event]:
    return list(db.session.scalars(
        _visible(viewer).where(Event.ends_at <= now)
        .order_by(Event.starts_at.desc(), Event.id.desc()).limit(limit)
    ))


def public_upcoming(now: datetime, limit: int = FEED_MAX) -> list[Event]:
    """For the public calendar feed: events in boards anyone may read (a guest's), not yet
    over."""
    return list(db.session.scalars(
        Policy(None).visible_events(select(Event))
        .where(Event.ends_at > now)
        .order_by(Event.starts_at, Event.id).limit(limit)
    ))


@dataclass(frozen=True)
class Attendees:
    going: list[EventRsvp]
    maybe: list[EventRsvp]
    waitlisted: list[EventRsvp]
    declined: list[EventRsvp]
    mine: EventRsvp | None


# Names shown per answer; the counts above the lists say how many there are in all. A big
# event's page then costs the same as a small one's.
SHOWN_PER_ANSWER = 60


def attendees(event: Event, viewer: Policy, shown: int | None = None) -> Attendees:
    """The first ``shown`` (default ``SHOWN_PER_ANSWER``) members of each answer, in the order
    they answered (the waitlist in its order), and the viewer's own answer wherever it stands:
    one query."""
    shown = SHOWN_PER_ANSWER if shown is None else shown
    rank = func.row_number().over(partition_by=EventRsvp.status,
                                  order_by=(EventRsvp.updated_at, EventRsvp.id))
    ranked = (select(EventRsvp.id, rank.label("place"))
              .where(EventRsvp.event_id == event.id).subquery())
    wanted = ranked.c.place <= shown
    if viewer.is_member:
        wanted = or_(wanted, EventRsvp.user_id == viewer.user.id)
    rows = list(db.session.execute(
        select(EventRsvp, ranked.c.place).join(ranked, ranked.c.id == EventRsvp.id)
        .where(wanted)
        .options(joinedload(EventRsvp.user))
        .order_by(EventRsvp.updated_at, EventRsvp.id)
    ))
    groups: dict[str, list[EventRsvp]] = {status.value: [] for status in RsvpStatus}
    mine = None
    for row, place in rows:
        if place <= shown:
            groups.setdefault(row.status, []).append(row)
        if viewer.is_member and row.user_id == viewer.user.id:
            mine = row
    return Attendees(going=groups["going"], maybe=groups["maybe"],
                     waitlisted=groups["waitlisted"], declined=groups["declined"], mine=mine)


# -- the month calendar ------------------------------------------------------------------------
@dataclass
class Day:
    date: date
    in_month: bool
    is_today: bool
    events: list[Event] = field(default_factory=list)


@dataclass(frozen=True)
class Month:
    first: date
    weeks: list[list[Day]]

    @property
    def label(self) -> str:
        """'November 2026' / 'November 2026', as the viewer's language names months."""
        return timefmt.write(self.first, "month")

    @property
    def key(self) -> str:
        return self.first.strftime("%Y-%m")

    @property
    def previous(self) -> Month:
        return Month(first=_shift(self.first, -1), weeks=[])

    @property
    def next(self) -> Month:
        return Month(first=_shift(self.first, 1), weeks=[])

    @property
    def days_with_events(self) -> list[Day]:
        return [day for week in self.weeks for day in week if day.in_month and day.events]


def parse_month(raw: str | None, today: date) -> date:
    """``YYYY-MM`` as the first of that month; ValueError with a message for people."""
    raw = (raw or "").strip()
    if not raw:
        return today.replace(day=1)
    year, dash, month = raw.partition("-")
    if not (dash and len(year) == 4 and len(month) == 2 and (year + month).isascii()
            and year.isdigit() and month.isdigit()):
        raise ValueError(_("Give the month as YYYY-MM, for example 2026-11."))
    if not (1 <= int(month) <= 12) or not (1900 <= int(year) <= 9998):
        raise ValueError(_("That month is out of range."))
    return date(int(year), int(month), 1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_view(viewer: Policy, first: date, tz_name: str, now: datetime) -> Month:
    """Weeks (Monday first) covering the month, each day with the events on it in the
    viewer's zone; an event spanning days shows on each."""
    zone = timefmt.zone(tz_name)
    grid = calendar.Calendar(firstweekday=calendar.MONDAY).monthdatescalendar(first.year,
                                                                              first.month)
    start_local = datetime.combine(grid[0][0], datetime.min.time(), zone)
    end_local = datetime.combine(grid[-1][-1] + timedelta(days=1), datetime.min.time(), zone)
    start, end = start_local.astimezone(UTC), end_local.astimezone(UTC)
    events = db.session.scalars(
        _visible(viewer).where(Event.starts_at < end, Event.ends_at > start)
        .order_by(Event.starts_at, Event.id)
    ).all()
    today = timefmt.local(now, tz_name).date()
    days = {day: Day(day, day.month == first.month, day == today) for week in grid
            for day in week}
    for event in events:
        day = max(timefmt.local(event.starts_at, tz_name).date(), grid[0][0])
        # An event ending at midnight doesn't occupy the day that follows.
        last = timefmt.local(event.ends_at - timedelta(microseconds=1), tz_name).date()
        while day <= min(last, grid[-1][-1]):
            days[day].events.append(event)
            day += timedelta(days=1)
    weeks = [[days[day] for day in week] for week in grid]
    return Month(first=first, weeks=weeks)


# -- where a member may create events ----------------------------------------------------------
def creatable_boards(viewer: Policy) -> list[Board]:
    """Boards the viewer may create events in, in index order (one query, plus the policy's
    sanction check once)."""
    if not viewer.is_member:
        return []
    boards = db.session.scalars(
        viewer.visible_boards(select(Board).join(Board.category))
        .order_by(Category.position, Category.id, Board.position, Board.id)
    ).all()
    return [board for board in boards if viewer.can_create_event(board)]


def may_create_events(viewer: Policy) -> bool:
    """Whether the viewer may create an event in some board: what offers "New event"."""
    return bool(creatable_boards(viewer))


def boards_for_new_event(viewer: Policy) -> list[Board]:
    """The boards offered on the new-event form.

    Refuses: a guest (log in), a member who may create events in no board (403)."""
    if not viewer.is_member:
        raise Refused(need_login(_("Log in to create an event.")))
    boards = creatable_boards(viewer)
    if not boards:
        raise Refused(_("You can't create events in any board. Moderators create events; some "
                      "boards let members create them too."))
    return boards
