"""How fast a member may post here: the limits that apply (flood interval, stricter for new
members; slow mode per thread and board) and, for the page, whether a counter still runs.
Counting a post happens atomically in ``services.content.cooldowns``; both sides word their
refusals with the messages here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _

from ..common.timefmt import duration
from ..models import (
    Board,
    Thread,
    User,
    utcnow,
)
from ..stores import ratelimit, settings
from .decision import ALLOW, Decision, deny

if TYPE_CHECKING:
    from . import Policy


@dataclass(frozen=True)
class Pace:
    """The limits that apply to one member posting in one place."""

    flood: int  # seconds between any two of their posts; 0 for none
    slow: int  # seconds between their posts in this thread (slow mode); 0 for none
    max_links: int | None  # most links in one post; None for no limit
    is_new: bool = False


EXEMPT = Pace(flood=0, slow=0, max_links=None)


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


def flood_key(user: User) -> str:
    return f"post:flood:{user.id}"


def slow_key(user: User, thread: Thread) -> str:
    return f"post:slow:{thread.id}:{user.id}"


def slow_message(limits: Pace, retry: int) -> str:
    return _("Slow mode is on in this thread: one post every %(interval)s. "
             "You can reply again in %(wait)s.",
             interval=duration(limits.slow), wait=duration(retry))


def flood_message(limits: Pace, thread: Thread | None, retry: int) -> str:
    interval, wait = duration(limits.flood), duration(retry)
    if limits.is_new and thread is not None:
        return _("New members can post once every %(interval)s. "
                 "You can reply again in %(wait)s.", interval=interval, wait=wait)
    if limits.is_new:
        return _("New members can post once every %(interval)s. "
                 "You can post again in %(wait)s.", interval=interval, wait=wait)
    if thread is not None:
        return _("Members can post once every %(interval)s. "
                 "You can reply again in %(wait)s.", interval=interval, wait=wait)
    return _("Members can post once every %(interval)s. "
             "You can post again in %(wait)s.", interval=interval, wait=wait)


def wait(viewer: Policy, board: Board, thread: Thread | None = None,
         now: datetime | None = None) -> Decision:
    """Whether the member could post here right now, and if not, for how long they wait.
    Reads the counters that apply in one query and counts nothing."""
    now = now or viewer.now or utcnow()
    limits = pace(viewer, board, thread, now)
    asked = {}
    if limits.slow and thread is not None:
        asked[slow_key(viewer.user, thread)] = (1, limits.slow)
    if limits.flood:
        asked[flood_key(viewer.user)] = (1, limits.flood)
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
            message = (slow_message(limits, retry) if key.startswith("post:slow:")
                       else flood_message(limits, thread, retry))
            refusals.append((retry, message))
    if not refusals:
        return ALLOW
    retry, message = max(refusals)
    return deny(message, retry_after=retry)
