"""The demo's heated threads and how the moderators calmed them: one in slow mode with a
moderator's notice, one locked for a day (it reopens by itself), one locked for good.

Runs inside ``seed()`` after the moderation week, through the thread tools, so the log, the
authors' notifications and the thread notices are what a moderator's clicks would leave.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models import ModAction, Thread, User
from ...services.moderation import thread_tools

SLOW_THREAD = "Reverse proxy: Caddy, Traefik or nginx?"
PAUSED_THREAD = "OPNsense or pfSense for a first firewall?"
CLOSED_THREAD = "Docker on Proxmox: LXC or VM?"

SLOW_NOTICE = textwrap.dedent("""
    This thread drew two personal remarks this week, so it's in slow mode for a few days:
    one post every 10 minutes each. Take the time to read the answers before replying;
    the comparison itself is a good one and stays open.
""").strip()


@dataclass(frozen=True)
class Heated:
    """The three threads (by title) and what the moderator says, in one language."""

    closed_thread: str
    closed_reason: str
    slow_thread: str
    slow_reason: str
    slow_notice: str
    paused_thread: str
    paused_reason: str


ENGLISH = Heated(
    closed_thread=CLOSED_THREAD,
    closed_reason="Answered: the author went with a VM. Please start a new thread for new "
                  "questions.",
    slow_thread=SLOW_THREAD,
    slow_reason="Two personal remarks in a week in this thread.",
    slow_notice=SLOW_NOTICE,
    paused_thread=PAUSED_THREAD,
    paused_reason="Going in circles. A day's pause, then back to helping the original poster.",
)


def _thread(title: str) -> Thread:
    return db.session.scalar(select(Thread).where(Thread.title == title))


class Clock:
    """Each step after the moderation log's latest entry and the thread's last post, in the
    order written, and before now: the log keeps reading as a story."""

    def __init__(self, now: datetime, hours_ago: float) -> None:
        self.now = now
        latest = db.session.scalar(select(func.max(ModAction.created_at)))
        self.cursor = max(filter(None, (latest, now - timedelta(hours=hours_ago))))

    def after(self, thread: Thread) -> datetime:
        moment = max(self.cursor + timedelta(minutes=7), thread.last_post_at + timedelta(minutes=5))
        self.cursor = min(moment, self.now - timedelta(minutes=1))
        return self.cursor


def play(users: dict[str, User], now: datetime, heated: Heated = ENGLISH) -> int:
    """Apply the three; returns how many threads were calmed."""
    mod = users["mod"]
    clock = Clock(now, hours_ago=3)

    closed = _thread(heated.closed_thread)
    thread_tools.lock_thread(mod, closed, heated.closed_reason, now=clock.after(closed))

    slow = _thread(heated.slow_thread)
    thread_tools.cool_down(mod, slow, thread_tools.CoolDown(
        reason=heated.slow_reason,
        slow_seconds=10 * 60,
        slow_for=timedelta(days=3),
        notice=heated.slow_notice,
    ), now=clock.after(slow))

    paused = _thread(heated.paused_thread)
    at = clock.after(paused)
    thread_tools.lock_thread(mod, paused, heated.paused_reason,
                             ends_at=at + timedelta(hours=24), now=at)
    return 3
