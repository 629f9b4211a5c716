"""The demo's running poll: the thread that asks which printer to buy gets a public poll,
closing in a few days, and a dozen members have voted.

Runs inside ``seed()`` through the poll services, so the counts, ballots and the thread's
page are what members' clicks would leave. Voters are the demo's members who may vote
there, taken in name order, so the set plays the same in every language.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import Thread, User
from ...policy import Policy
from ...services.community.polls import making, specs, voting

BAMBU_THREAD = "Bambu or Prusa? (Yes, this question again)"


@dataclass(frozen=True)
class Polled:
    """The poll, by its thread's title, in one language; ``votes`` says how many members
    choose each option, in the options' order."""

    thread: str
    question: str
    options: tuple[str, ...]
    votes: tuple[int, ...]


ENGLISH = Polled(
    thread=BAMBU_THREAD,
    question="Which printer would you buy today?",
    options=("Bambu Lab P1S", "Prusa MK4S", "Something else", "Repair the old one"),
    votes=(5, 4, 2, 1),
)


def play(users: dict[str, User], now: datetime, polled: Polled = ENGLISH) -> int:
    """Add the poll and cast the votes; returns how many members voted."""
    thread = db.session.scalar(select(Thread).where(Thread.title == polled.thread))
    opened = now - timedelta(days=2)
    poll = making.add_poll(thread.author, thread, specs.PollSpec(
        question=polled.question, options=polled.options, is_public=True,
        closes_at=now + timedelta(days=5)), now=opened)
    choices = [index for index, count in enumerate(polled.votes) for _ in range(count)]
    voters = [user for _name, user in sorted(users.items())
              if user.id != thread.author_id and Policy(user, now).can_vote(poll)]
    for n, (user, index) in enumerate(zip(voters, choices, strict=False)):
        voting.vote(user, poll, [poll.options[index].id],
                    now=opened + timedelta(hours=3 * n + 1))
    return min(len(voters), len(choices))
