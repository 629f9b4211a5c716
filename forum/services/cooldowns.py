"""How fast a member may post: the site-wide flood interval (stricter for new members, who may
also add only a few links), and slow mode per thread and per board. Moderators of the board are
exempt from all of it.

Where the board and the thread both set a slow mode, the stricter (longer) interval applies: a
moderator slowing one heated thread can't loosen the board's rule by accident, and a board
default can't be undercut by a thread.

Two sides, one set of messages: ``wait`` peeks at the counters to tell a member on the page
when they may post again; ``take`` counts the post atomically inside the posting transaction,
so two replies sent at the same instant give exactly one post.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import case, update

from ..errors import Refused
from ..extensions import db
from ..models import Board, Thread, User, utcnow
from ..permissions import ALLOW, Decision, Policy, deny
from ..timefmt import duration
from . import ratelimit, settings

# Counted the way a reader sees links: autolinked addresses and Markdown links alike.
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]]+|\]\([^)\s]+")


@dataclass(frozen=True)
class Pace:
    """The limits that apply to one member posting in one place."""

    flood: int  # seconds between any two of their posts; 0 for none
    slow: int  # seconds between their posts in this thread (slow mode); 0 for none
    max_links: int | None  # most links in one post; None for no limit
    is_new: bool = False


EXEMPT = Pace(flood=0, slow=0, max_links=None)


@contextmanager
def suspended():
    """Writing history rather than taking posts (the demo seed): no flood or new-member
    limits meanwhile. Slow mode still applies, as it is a moderator's explicit choice."""
    config = current_app.config
    saved = config["MEMBER_COOLDOWNS"]
    config["MEMBER_COOLDOWNS"] = False
    try:
        yield
    finally:
        config["MEMBER_COOLDOWNS"] = saved


def is_new_member(user: User, now: datetime) -> bool:
    hours = settings.get("new_member_hours")
    posts = settings.get("new_member_posts")
    young = hours > 0 and user.created_at > now - timedelta(hours=hours)
    few = user.post_count < posts
    return young or few


def slow_mode(board: Board, thread: Thread | None, now: datetime) -> int:
    """The slow-mode interval in force: the stricter of the board's and the thread's."""
    own = thread.own_slow_mode(now) if thread is not None else 0
    return max(board.slow_mode_seconds or 0, own)


def pace(viewer: Policy, board: Board, thread: Thread | None = None,
         now: datetime | None = None) -> Pace:
    now = now or viewer.now or utcnow()
    if not viewer.is_member or viewer.moderates(board):
        return EXEMPT
    if not current_app.config["MEMBER_COOLDOWNS"]:
        return Pace(flood=0, slow=slow_mode(board, thread, now), max_links=None)
    new = is_new_member(viewer.user, now)
    flood = settings.get("new_member_interval_seconds" if new else "flood_interval_seconds")
    return Pace(
        flood=flood,
        slow=slow_mode(board, thread, now),
        max_links=settings.get("new_member_max_links") if new else None,
        is_new=new,
    )


def _flood_key(user: User) -> str:
    return f"post:flood:{user.id}"


def _slow_key(user: User, thread: Thread) -> str:
    return f"post:slow:{thread.id}:{user.id}"


def _verb(thread: Thread | None) -> str:
    return "reply" if thread is not None else "post"


def _slow_message(limits: Pace, retry: int) -> str:
    return (f"Slow mode is on in this thread: one post every {duration(limits.slow)}. "
            f"You can reply again in {duration(retry)}.")


def _flood_message(limits: Pace, thread: Thread | None, retry: int) -> str:
    who = "New members" if limits.is_new else "Members"
    return (f"{who} can post once every {duration(limits.flood)}. "
            f"You can {_verb(thread)} again in {duration(retry)}.")


def wait(viewer: Policy, board: Board, thread: Thread | None = None,
         now: datetime | None = None) -> Decision:
    """Whether the member could post here right now, and if not, for how long they wait.
    Reads the counters that apply in one query and counts nothing."""
    now = now or viewer.now or utcnow()
    limits = pace(viewer, board, thread, now)
    asked = {}
    if limits.slow and thread is not None:
        asked[_slow_key(viewer.user, thread)] = (1, limits.slow)
    if limits.flood:
        asked[_flood_key(viewer.user)] = (1, limits.flood)
    if not asked:
        return ALLOW
    paced_until = viewer.user.paced_until
    if paced_until is None or paced_until <= now:
        return ALLOW  # every counter this member took has run out: nothing to ask
    peeked = ratelimit.peek_many(asked, now)
    refusals = []
    for key, decision in peeked.items():
        if not decision:
            retry = decision.retry_after
            message = (_slow_message(limits, retry) if key.startswith("post:slow:")
                       else _flood_message(limits, thread, retry))
            refusals.append((retry, message))
    if not refusals:
        return ALLOW
    retry, message = max(refusals)
    return deny(message, retry_after=retry)


def count_links(body: str) -> int:
    return len(_LINK.findall(body or ""))


def check_links(viewer: Policy, board: Board, body: str, now: datetime | None = None) -> None:
    """Refuses (400) a new member's post with more links than allowed."""
    limits = pace(viewer, board, None, now)
    if limits.max_links is None:
        return
    found = count_links(body)
    if found > limits.max_links:
        allowed = "no links" if limits.max_links == 0 else (
            f"at most {limits.max_links} link{'s' if limits.max_links != 1 else ''}")
        raise Refused(f"New members can include {allowed} in a post; this one has {found}. "
                      "The limit lifts after your first few posts.", status=400)


@dataclass
class Ticket:
    """The counters one post took, to give back if the post fails after all."""

    keys: list[str]

    def give_back(self, now: datetime | None = None) -> None:
        """Take the counts back within the open transaction."""
        for key in self.keys:
            ratelimit.refund(key, now, commit=False)

    def cancel(self, now: datetime | None = None) -> None:
        """The post failed: roll its transaction back, and with it the counts; counters kept
        outside the database (Redis) are given back one by one."""
        db.session.rollback()
        if not ratelimit.in_transaction():
            self.give_back(now)


def take(viewer: Policy, board: Board, thread: Thread | None = None,
         now: datetime | None = None) -> Ticket:
    """Count one post against the limits, in the caller's transaction (no commit).

    Refuses (429 with ``retry_after``) when a limit is reached; the counters taken so far are
    given back first. Counting and checking are one atomic statement per counter, so of two
    simultaneous posts only one fits.
    """
    now = now or viewer.now or utcnow()
    limits = pace(viewer, board, thread, now)
    ticket = Ticket([])
    checks = []
    if limits.slow and thread is not None:
        checks.append((_slow_key(viewer.user, thread), limits.slow, "slow"))
    if limits.flood:
        checks.append((_flood_key(viewer.user), limits.flood, "flood"))
    for key, window, kind in checks:
        decision = ratelimit.hit(key, 1, window, now, commit=False)
        if not decision:
            # This hit counted nothing useful: the window was full already.
            ratelimit.refund(key, now, commit=False)
            ticket.give_back(now)
            retry = decision.retry_after or 1
            message = (_slow_message(limits, retry) if kind == "slow"
                       else _flood_message(limits, thread, retry))
            raise Refused(message, status=429, retry_after=retry)
        ticket.keys.append(key)
    if checks:
        # Never earlier than before: a counter taken under a longer interval may still run.
        until = now + timedelta(seconds=max(window for _, window, _ in checks))
        db.session.execute(
            update(User).where(User.id == viewer.user.id)
            .values(paced_until=case((User.paced_until > until, User.paced_until), else_=until))
            .execution_options(synchronize_session=False))
    return ticket
