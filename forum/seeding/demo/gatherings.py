"""The demo's announcements and events: a banner everyone sees, a board announcement, and the
coming weeks' calendar (an expert Q&A, a livestream, a nearly full meetup and a contest), with
members' answers.

Written through the announcement, event and RSVP services, after the rest of the demo and
dated just before "now" in order, so the moderation log keeps reading as a story. Event times
are typed the way their authors would, in their own time zones.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ...common.timefmt import local
from ...extensions import db
from ...models import Audience, Board, Event, ModAction, Placement, Post, Severity, User
from ...services.community import announcements, event_rsvp, events
from ...services.content import posting
from ...services.moderation import thread_tools


def _text(value: str) -> str:
    return textwrap.dedent(value).strip()


class Clock:
    """``steps`` moments in order after everything already written, evenly spaced (at most a
    few minutes apart) and all before now."""

    def __init__(self, now: datetime, steps: int) -> None:
        latest = [db.session.scalar(select(func.max(ModAction.created_at))),
                  db.session.scalar(select(func.max(Post.created_at)))]
        self.cursor = max(filter(None, latest), default=now - timedelta(hours=2))
        room = now - timedelta(seconds=30) - self.cursor
        self.step = min(timedelta(minutes=3), room / (steps + 1))

    def tick(self) -> datetime:
        self.cursor += self.step
        return self.cursor


@dataclass(frozen=True)
class Plan:
    """One event: who organises it, where, and when (days from now at a local hour)."""

    author: str
    board: str
    kind: str
    title: str
    description: str
    in_days: int
    hour: int
    hours: float
    location: str = ""
    online_url: str = ""
    capacity: int | None = None
    deadline_days_before: int | None = None
    going: tuple[str, ...] = ()
    maybe: tuple[str, ...] = ()
    declined: tuple[str, ...] = ()
    # The discussion thread's first replies: (author, text).
    replies: tuple[tuple[str, str], ...] = ()


QA = Plan(
    "mod", "microcontrollers", "qa", "Ask an expert: low-power ESP32 design with Ines",
    _text("""
        Ines (**kestrel**) has shipped battery-powered sensor boards for years. Bring your
        questions about deep sleep, brown-outs, regulators and measuring microamps.

        Post questions in the discussion thread beforehand; we'll take them in order, then
        open the floor.
    """), in_days=4, hour=19, hours=1.5, online_url="https://meet.example.org/agora-esp32",
    going=("kestrel", "ohm_my", "beepboop", "volt_age", "member", "lumen"),
    maybe=("gus", "fennec"),
    replies=(
        ("ohm_my", "My board draws 1.2 mA in deep sleep instead of the 10 µA the datasheet "
                   "promises. Is it the LDO's quiescent current or the USB-serial chip?"),
        ("volt_age", "How do you measure the wake-up spikes without a €1,000 power analyser?"),
    ),
)
STREAM = Plan(
    "admin", "servers", "livestream", "Livestream: rebuilding the Agora server rack",
    _text("""
        Rosa moves the forum's own servers to a new rack, live: cabling, Proxmox migration,
        and what the power meter says afterwards. Chat along in the discussion thread.
    """), in_days=9, hour=18, hours=2, online_url="https://video.example.org/agora-live",
    going=("rackjack", "okapi", "quietfan", "packetloss"), maybe=("nyx",),
    replies=(("quietfan", "Please show the fan curve settings; asking for my bedroom."),),
)
MEETUP = Plan(
    "printfarm", "3d-printing", "meetup", "Print & repair café in Oslo",
    _text("""
        An afternoon at the makerspace: bring a broken print or a printer that misbehaves, and
        we'll fix it together. Coffee and waffles provided. Room for twelve.
    """), in_days=12, hour=14, hours=4, location="Oslo Makerspace, Grønland 12, Oslo",
    capacity=12, deadline_days_before=2,
    going=("printfarm", "tinkerbelle", "hobbs", "lena.m", "ziggy", "fennec", "okapi", "gus",
           "kestrel", "nyx", "member"),
    declined=("quietfan",),
    replies=(("tinkerbelle", "I'll bring the Prusa with the clogged hotend. And waffle "
                             "toppings!"),),
)
CONTEST = Plan(
    "mod", "introductions", "contest", "Winter build challenge: something useful under €20",
    _text("""
        Build something you actually use, for under €20 in parts. Post your entry in the
        discussion thread with photos and a parts list before the end; members vote in the
        last week. The thread closes for entries when the challenge ends.
    """), in_days=1, hour=9, hours=24 * 21,
    going=("volt_age", "beepboop", "tinkerbelle", "lumen", "hobbs"), maybe=("member", "ohm_my"),
    replies=(
        ("lumen", "Does a 3D-printed enclosure count towards the €20 if the filament was "
                  "already on the shelf?"),
        ("mod", "Count the filament you use at about €0.02 a gram; everything else at what you "
                "paid."),
    ),
)
PLANS = (QA, STREAM, MEETUP, CONTEST)

BANNER = announcements.Draft(
    title="The winter build challenge starts tomorrow",
    body=_text("""
        Three weeks, €20 of parts, one useful thing. Read the rules and join in on the
        [events page](/events); entries go in the challenge's thread.
    """),
    severity=Severity.SUCCESS, audience=Audience.EVERYONE, placement=Placement.BANNER,
    is_dismissible=True,
)


@dataclass(frozen=True)
class Calendar:
    """The events, the banner and the board announcement, in one language. The board
    announcement is posted by the meetup's author in the meetup's board and points to it."""

    plans: tuple[Plan, ...]
    meetup: Plan
    contest: Plan
    contest_closed: str  # the lock reason when the contest's thread closes
    banner: announcements.Draft
    meetup_note_title: str
    meetup_note_body: str


ENGLISH = Calendar(
    plans=PLANS,
    meetup=MEETUP,
    contest=CONTEST,
    contest_closed="The challenge has ended: entries are closed. Thanks for taking part!",
    banner=BANNER,
    meetup_note_title="Print & repair café: a few places left",
    meetup_note_body=_text("""
        Bring a broken print or a stubborn printer to the Oslo makerspace. Answer on the
        event page so we know how many waffles to make.
    """),
)


def _local_text(moment: datetime, tz_name: str) -> str:
    return local(moment, tz_name).strftime("%Y-%m-%dT%H:%M")


def plan_event(plan: Plan, users: dict[str, User], boards: dict[str, Board], now: datetime,
           clock: Clock) -> Event:
    author = users[plan.author]
    tz_name = author.timezone
    day = local(now, tz_name) + timedelta(days=plan.in_days)
    starts = day.replace(hour=plan.hour, minute=0, second=0, microsecond=0)
    ends = starts + timedelta(hours=plan.hours)
    deadline = (starts - timedelta(days=plan.deadline_days_before)
                if plan.deadline_days_before else None)
    data = events.EventData(
        title=plan.title, description=plan.description, kind=plan.kind,
        starts_at=_local_text(starts, tz_name), ends_at=_local_text(ends, tz_name),
        timezone=tz_name, location=plan.location, online_url=plan.online_url,
        capacity=str(plan.capacity or ""),
        rsvp_deadline=_local_text(deadline, tz_name) if deadline else "",
    )
    event = events.create_event(author, boards[plan.board], data, now=clock.tick())
    for name, body in plan.replies:
        posting.reply(users[name], event.thread, body, now=clock.tick())
    for answer, names in (("going", plan.going), ("maybe", plan.maybe),
                          ("declined", plan.declined)):
        for name in names:
            event_rsvp.answer_event(users[name], event, answer, now=clock.tick())
    return event


def play(users: dict[str, User], boards: dict[str, Board], now: datetime,
         calendar: Calendar = ENGLISH) -> tuple[int, int]:
    """Write them; returns (announcements, events)."""
    steps = sum(1 + len(plan.replies) + len(plan.going) + len(plan.maybe)
                + len(plan.declined) for plan in calendar.plans) + 3
    clock = Clock(now, steps)
    admin = users["admin"]
    made = {plan.title: plan_event(plan, users, boards, now, clock) for plan in calendar.plans}

    contest = made[calendar.contest.title]
    # The challenge's thread takes entries until the end, then closes by itself.
    thread_tools.lock_thread(users["mod"], contest.thread, calendar.contest_closed,
                             starts_at=contest.ends_at, now=clock.tick())

    at = clock.tick()
    announcements.create_announcement(admin, replace(
        calendar.banner, starts_at=at - timedelta(minutes=1),
        ends_at=contest.starts_at + timedelta(days=3)), now=at)
    at = clock.tick()
    meetup = calendar.meetup
    announcements.create_announcement(users[meetup.author], announcements.Draft(
        title=calendar.meetup_note_title,
        body=calendar.meetup_note_body,
        severity=Severity.INFO, audience=Audience.EVERYONE, placement=Placement.BOARD,
        board_id=boards[meetup.board].id, thread_id=made[meetup.title].thread_id,
        starts_at=at - timedelta(minutes=1), ends_at=made[meetup.title].starts_at,
        is_dismissible=False,
    ), now=at)
    return 2, len(made)
