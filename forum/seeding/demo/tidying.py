"""The demo's tidied threads: one moved to the board it belongs in, leaving a "moved" notice
in the board it left, and a repeated question merged into the thread that already answered it.

Runs inside ``seed()`` after the heated threads are calmed, through the thread tools, so the
log, the authors' notifications and the boards' pages are what a moderator's clicks would
leave.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from ...extensions import db
from ...models import Board, Thread, User
from ...services.content import posting
from ...services.moderation import thread_merging, thread_moving
from .calming import Clock

MOVED_THREAD = "ESP devices keep dropping off my mesh Wi-Fi"
MOVED_TO = "microcontrollers"
MERGE_TARGET = "Quietest way to run a 2U server in a flat?"
REPEATED_TITLE = "Any way to make a rack server quiet enough for a bedroom?"

REPEATED_BODY = textwrap.dedent("""
    Just picked up a 2U box for cheap and it sounds like a hair dryer. It has to live in the
    spare bedroom. Is there anything short of a different server that makes it bearable?
""").strip()
REPEATED_REPLY = textwrap.dedent("""
    Same boat last year. Look through the older thread on this: the fan-curve and Noctua
    swap advice there is what got mine down to a hum.
""").strip()


@dataclass(frozen=True)
class Tidied:
    """The moved thread and the merged question, by title, in one language."""

    moved_thread: str
    moved_to: str  # the destination board's slug
    moved_because: str
    merge_target: str
    asker: str
    repeated_title: str
    repeated_body: str
    replier: str
    repeated_reply: str
    merged_because: str


ENGLISH = Tidied(
    moved_thread=MOVED_THREAD,
    moved_to=MOVED_TO,
    moved_because="It's about the ESP's Wi-Fi settings more than the network: the firmware "
                  "people are in Microcontrollers.",
    merge_target=MERGE_TARGET,
    asker="gus",
    repeated_title=REPEATED_TITLE,
    repeated_body=REPEATED_BODY,
    replier="rackjack",
    repeated_reply=REPEATED_REPLY,
    merged_because="Same question as the existing thread; keeping the answers in one place.",
)


def _thread(title: str) -> Thread:
    return db.session.scalar(select(Thread).where(Thread.title == title))


def play(users: dict[str, User], now: datetime, tidied: Tidied = ENGLISH) -> tuple[int, int]:
    """Move one thread with a notice and merge one; returns (moved, merged)."""
    mod = users["mod"]
    clock = Clock(now, hours_ago=2)
    moved = _thread(tidied.moved_thread)
    destination = db.session.scalar(select(Board).where(Board.slug == tidied.moved_to))
    at = clock.after(moved)
    thread_moving.move_thread(
        mod, moved, destination, tidied.moved_because,
        now=at, leave_notice=True, notice_until=now + timedelta(days=7),
    )

    target = _thread(tidied.merge_target)
    merged_at = clock.after(target)
    # Asked after the thread's last answer (so the merged posts read on in time order).
    asked = max(target.last_post_at + timedelta(minutes=2), merged_at - timedelta(hours=2))
    repeated = posting.create_thread(users[tidied.asker], target.board, tidied.repeated_title,
                                     tidied.repeated_body, now=asked)
    posting.reply(users[tidied.replier], repeated, tidied.repeated_reply,
                  now=asked + (merged_at - asked) / 2)
    thread_merging.merge_threads(mod, repeated, target, tidied.merged_because, now=merged_at)
    return 1, 1
