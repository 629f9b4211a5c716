"""How quickly threads get their first response, from the time stored when it happened
(``Thread.first_response_at``): a board's usual response time for the member who asked, and
the whole forum's for the team page. Kept per process for a few minutes, so a thread page
asks at most one query now and then."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ...common.ttlcache import TtlCache
from ...extensions import db
from ...models import Thread, utcnow
from ...policy import Policy

WINDOW = timedelta(days=30)
KEEP_SECONDS = 600


def _kept() -> TtlCache:
    """Kept with the app, so each app (and each test's) has its own."""
    return current_app.extensions.setdefault("agora_response_times", TtlCache(512))


def percentile(values: list[float], share: float) -> float | None:
    """The value below which ``share`` of ``values`` lie (nearest rank); None for none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))
    return ordered[rank]


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def response_seconds(board_id: int | None, since: datetime) -> list[float]:
    """Seconds to the first response of the threads opened since ``since`` that have one (in
    one board, or everywhere): one query."""
    query = (select(Thread.created_at, Thread.first_response_at)
             .where(Thread.created_at >= since, Thread.first_response_at.is_not(None),
                    Thread.is_deleted.is_(False)))
    if board_id is not None:
        query = query.where(Thread.board_id == board_id)
    return [max(0.0, (answered - created).total_seconds())
            for created, answered in db.session.execute(query)]


def usual_response(board_id: int | None, now: datetime | None = None) -> int | None:
    """The median seconds to a first response over the last 30 days (None: no answered
    thread), kept per process for ten minutes."""
    key = ("usual", board_id)
    kept = _kept().get(key)
    if kept is not None:
        return kept[0]
    now = now or utcnow()
    value = median(response_seconds(board_id, now - WINDOW))
    value = int(value) if value is not None else None
    _kept().put(key, (value,), KEEP_SECONDS)
    return value


def usual_response_for(viewer: Policy, thread: Thread) -> int | None:
    """What the member who asked sees on their thread while it waits for a first response:
    the board's usual response time. None for everyone else, and once someone replied."""
    if (not viewer.is_member or thread.author_id != viewer.user.id
            or thread.first_response_at is not None or thread.is_deleted):
        return None
    return usual_response(thread.board_id)
