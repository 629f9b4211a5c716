"""The demo's contest in its voting week and its expert Q&A collecting questions.

A photo challenge whose entries closed a moment ago, right after the last one came in, and
whose votes are coming in. The expert Q&A from the calendar
gets its expert and the questions members submitted, with their up-votes. Written through the
contest and Q&A services after the calendar, so every rule (one entry each, no vote for one's
own entry, new accounts out) holds in the demo too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import Board, Event, User
from ...services.community import challenge_votes, challenges, expert_qa
from .gatherings import Clock, Plan, plan_event


@dataclass(frozen=True)
class Engaging:
    """The contest, its entries and votes; the Q&A's expert, questions and votes. Votes name
    the voter and the indexes of the entries (or questions) they vote for."""

    challenge: Plan
    entries: tuple[tuple[str, str, str], ...]  # (author, title, text)
    votes: tuple[tuple[str, tuple[int, ...]], ...]
    qa_title: str  # the calendar's expert Q&A
    expert: str
    questions: tuple[tuple[str, str], ...]  # (author, text)
    question_votes: tuple[tuple[str, tuple[int, ...]], ...]


def _local(moment: datetime, tz_name: str) -> str:
    """A moment as a ``datetime-local`` value to the microsecond: entries close right after
    the last one, and voting is open when the demo is ready."""
    from ...common.timefmt import local

    return local(moment, tz_name).strftime("%Y-%m-%dT%H:%M:%S.%f")


def _contest(users: dict[str, User], boards: dict[str, Board], now: datetime,
             plan: Engaging, clock: Clock) -> Event:
    challenge = plan.challenge
    event = plan_event(challenge, users, boards, now, clock)
    opened = clock.tick()
    tz = event.timezone
    entered = [clock.tick() for _ in plan.entries]
    challenges.schedule(users[challenge.author], event, challenges.ChallengeData(
        entries_open_at=_local(opened - timedelta(days=6), tz),
        entries_close_at=_local(entered[-1] + timedelta(microseconds=1), tz),
        voting_close_at=_local(event.starts_at, tz),
        votes_per_member="2", one_entry_per_member=True), now=opened)
    made = [challenges.enter(users[author], event, title, body, now=at)
            for (author, title, body), at in zip(plan.entries, entered, strict=True)]
    for voter, picks in plan.votes:
        for index in picks:
            challenge_votes.vote(users[voter], event, made[index], now=now)
    return event


def _questions(users: dict[str, User], plan: Engaging, clock: Clock) -> int:
    event = db.session.scalar(select(Event).where(Event.title == plan.qa_title))
    expert_qa.add_expert(users["mod"], event, plan.expert, now=clock.tick())
    asked = [expert_qa.ask(users[author], event, body, now=clock.tick())
             for author, body in plan.questions]
    for voter, picks in plan.question_votes:
        for index in picks:
            expert_qa.vote(users[voter], event, asked[index], now=clock.tick())
    return len(asked)


def play(users: dict[str, User], boards: dict[str, Board], now: datetime,
         plan: Engaging) -> tuple[int, int]:
    """Write them, after everything else and in order; returns (entries, questions)."""
    challenge = plan.challenge
    steps = (2 + len(challenge.replies) + len(challenge.going) + len(challenge.maybe)
             + len(challenge.declined) + len(plan.entries) + 1 + len(plan.questions)
             + sum(len(picks) for _, picks in plan.question_votes))
    clock = Clock(now, steps)
    _contest(users, boards, now, plan, clock)
    return len(plan.entries), _questions(users, plan, clock)


CHALLENGE = Plan(
    "mod", "introductions", "contest", "Tidy bench photo challenge",
    "Show the corner of your workbench you are proudest of. Entries are closed; vote for up "
    "to two favourites on the entries page until the winners are announced.",
    in_days=3, hour=18, hours=1, going=("tinkerbelle", "hobbs", "lumen", "beepboop"),
    replies=(("nyx", "Voting for the one with the cable comb, obviously."),),
)

ENGLISH = Engaging(
    challenge=CHALLENGE,
    entries=(
        ("tinkerbelle", "Pegboard wall with printed hooks",
         "Forty printed hooks, one per tool, and an outline drawn behind each one."),
        ("hobbs", "Label-maker drawer fronts",
         "Every drawer of the parts cabinet labelled, finally. Resistors sorted by decade."),
        ("lumen", "LED strip under the shelf",
         "A 4000 K strip with a diffuser: no more shadows on the board I'm soldering."),
        ("beepboop", "Cable comb for the bench supply",
         "Printed comb that keeps the test leads apart. Three hours of printing, no tangles."),
    ),
    votes=(("volt_age", (0, 2)), ("ohm_my", (0,)), ("kestrel", (1, 0)), ("member", (2,)),
           ("gus", (3, 0))),
    qa_title="Ask an expert: low-power ESP32 design with Ines",
    expert="kestrel",
    questions=(
        ("ohm_my", "My board draws 1.2 mA in deep sleep instead of 10 µA. Is it the LDO's "
                   "quiescent current or the USB-serial chip?"),
        ("volt_age", "How do you measure wake-up current spikes without an expensive power "
                     "analyser?"),
        ("beepboop", "Is it worth moving from the ESP32 to the ESP32-C3 for battery projects?"),
        ("lumen", "Which brown-out threshold do you set for a single LiFePO4 cell?"),
    ),
    question_votes=(("member", (0, 1)), ("gus", (0,)), ("hobbs", (0, 3)), ("nyx", (1,)),
                    ("lumen", (2,))),
)
