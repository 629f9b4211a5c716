"""Fixed-window counters shared by every worker and host: failed logins now, flood limits later.

A window opens with the first hit on a key and lasts ``window_seconds``; hits inside it add up,
and the first hit after it ends opens a new one. Counters live in the database (``RateCounter``)
or, when ``REDIS_URL`` is set, in Redis (in the database while Redis does not answer); never
in process memory, which each worker has its own copy of.

    decision = ratelimit.hit("report:user:42", limit=10, window_seconds=3600)
    if not decision:
        raise Refused("…", retry_after=decision.retry_after)

``hit`` counts and answers whether that hit fitted in the limit; ``peek`` answers whether one
more hit would fit, without counting. Both are single atomic statements, so concurrent callers
never lose an increment nor all slip through on the same stale count.
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, Protocol

from flask import current_app, g
from sqlalchemy import bindparam, case, delete, select, update

from ..database import commit
from ..extensions import db
from ..models import RateCounter, utcnow
from . import redis_link

KEY_MAX = 200


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int  # hits in the current window, this one included for ``hit``
    limit: int
    retry_after: int | None = None  # seconds until the window ends, set when refused

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.count)


class Backend(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int, now: datetime) -> RateDecision: ...

    def peek(self, limits: dict[str, int], now: datetime) -> dict[str, RateDecision]: ...

    def reset(self, *keys: str) -> None: ...

    def refund(self, key: str, now: datetime) -> None: ...


def _seconds_until(end: datetime, now: datetime) -> int:
    return max(1, math.ceil((end - now).total_seconds()))


def _decide(count: int, limit: int, seconds_left: int | None, *, counted: bool) -> RateDecision:
    # After a hit the count includes it; before one (peek) it must leave room for it.
    allowed = count <= limit if counted else count < limit
    return RateDecision(allowed, count, limit, None if allowed else seconds_left)


@cache
def _peek_statement():
    """Built once: pages that show "you can post again in …" peek on every request."""
    c = RateCounter.__table__.c
    return select(c.key, c.count, c.window_ends_at).where(
        c.key.in_(bindparam("keys", expanding=True)), c.window_ends_at > bindparam("now"))


class DatabaseBackend:
    """``RateCounter`` rows, changed by one upsert per hit (SQLite ≥ 3.35 and PostgreSQL)."""

    table = RateCounter.__table__

    def _insert(self):
        dialect = db.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise NotImplementedError(f"rate limits have no upsert for {dialect}; set REDIS_URL")
        return insert(self.table)

    def hit(self, key: str, limit: int, window_seconds: int, now: datetime) -> RateDecision:
        count, ends_at = db.session.execute(self._hit_statement(key, window_seconds, now)).one()
        commit()
        return _decide(count, limit, _seconds_until(ends_at, now), counted=True)

    def hit_apart(self, key: str, limit: int, window_seconds: int, now: datetime
                  ) -> RateDecision:
        with db.engine.begin() as connection:
            count, ends_at = connection.execute(
                self._hit_statement(key, window_seconds, now)).one()
        return _decide(count, limit, _seconds_until(ends_at, now), counted=True)

    def _hit_statement(self, key: str, window_seconds: int, now: datetime):
        c = self.table.c
        stmt = self._insert().values(
            key=key, count=1, window_ends_at=now + timedelta(seconds=window_seconds)
        )
        # The window test sits inside the statement, so the row lock (PostgreSQL) or the write
        # lock (SQLite) covers the read: no caller acts on a count another has already changed.
        expired = c.window_ends_at <= now
        stmt = stmt.on_conflict_do_update(
            index_elements=[c.key],
            set_={
                "count": case((expired, 1), else_=c.count + 1),
                "window_ends_at": case(
                    (expired, stmt.excluded.window_ends_at), else_=c.window_ends_at
                ),
            },
        ).returning(c.count, c.window_ends_at)
        return stmt

    def peek(self, limits: dict[str, int], now: datetime) -> dict[str, RateDecision]:
        rows = db.session.execute(_peek_statement(), {"keys": list(limits), "now": now})
        found = {row.key: row for row in rows}
        decisions = {}
        for key, limit in limits.items():
            row = found.get(key)
            decisions[key] = (
                _decide(0, limit, None, counted=False) if row is None
                else _decide(row.count, limit, _seconds_until(row.window_ends_at, now),
                             counted=False)
            )
        return decisions

    def reset(self, *keys: str) -> None:
        db.session.execute(delete(self.table).where(self.table.c.key.in_(keys)))
        commit()

    def refund(self, key: str, now: datetime) -> None:
        c = self.table.c
        db.session.execute(
            update(self.table)
            .where(c.key == key, c.count > 0, c.window_ends_at > now)
            .values(count=c.count - 1)
        )
        commit()

    def purge_expired(self, now: datetime) -> int:
        result = db.session.execute(
            delete(self.table).where(self.table.c.window_ends_at <= now)
        )
        db.session.commit()
        return result.rowcount


# Takes back one hit without creating a key or letting it go negative; DECR keeps the TTL.
_REFUND_SCRIPT = """
local value = redis.call('GET', KEYS[1])
if value and tonumber(value) > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
"""


class RedisBackend:
    """One Redis string per key whose TTL is the window. Redis keeps the clock: ``now`` only
    matters to the database backend."""

    def __init__(self, client: Any, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def hit(self, key: str, limit: int, window_seconds: int, now: datetime) -> RateDecision:
        name = self.prefix + key
        window_ms = window_seconds * 1000
        pipe = self.client.pipeline(transaction=True)
        # SET NX opens the window with its expiry only when none is open; INCR keeps the TTL.
        # MULTI/EXEC runs the three together, and this works on Redis before 7 (no EXPIRE NX).
        pipe.set(name, 0, px=window_ms, nx=True)
        pipe.incr(name)
        pipe.pttl(name)
        _, count, ttl_ms = pipe.execute()
        if ttl_ms < 0:
            # A key left without expiry (written by hand, say) would otherwise block forever.
            self.client.pexpire(name, window_ms)
            ttl_ms = window_ms
        return _decide(int(count), limit, max(1, math.ceil(ttl_ms / 1000)), counted=True)

    def peek(self, limits: dict[str, int], now: datetime) -> dict[str, RateDecision]:
        pipe = self.client.pipeline(transaction=True)
        for key in limits:
            pipe.get(self.prefix + key)
            pipe.pttl(self.prefix + key)
        replies = pipe.execute()
        decisions = {}
        for (key, limit), value, ttl_ms in zip(limits.items(), replies[::2], replies[1::2],
                                               strict=True):
            seconds_left = max(1, math.ceil(ttl_ms / 1000)) if ttl_ms > 0 else None
            decisions[key] = _decide(int(value or 0), limit, seconds_left, counted=False)
        return decisions

    def reset(self, *keys: str) -> None:
        self.client.delete(*(self.prefix + key for key in keys))

    def refund(self, key: str, now: datetime) -> None:
        self.client.eval(_REFUND_SCRIPT, 1, self.prefix + key)


def redis_client(url: str) -> Any:
    """A client per app and URL; its connection pool is what we reuse across requests."""
    return redis_link.client(url)


_FELL_BACK = "_agora_rate_fallback"


def in_transaction() -> bool:
    """Whether hits live in the database, so a rollback also takes them back: without Redis,
    or when Redis failed during this request and the counters fell back to the database."""
    return not current_app.config.get("REDIS_URL") or bool(g.get(_FELL_BACK))


def _redis() -> RedisBackend | None:
    client = redis_link.available()
    if client is None:
        return None
    return RedisBackend(client, current_app.config.get("RATELIMIT_PREFIX", "agora:rl:"))


def backend() -> Backend:
    return _redis() or DatabaseBackend()


def _run(op: Callable[[Backend], Any]) -> Any:
    """``op`` on Redis when it is configured and answers, else on the database's counters.

    A Redis that does not answer must not turn a login into a 500, nor switch the limits off
    (a password guesser would love that): the counters go to the database meanwhile, as
    without Redis, and a warning is logged. Counts taken in Redis before it went away are not
    carried over, so a window may start afresh once when Redis goes or comes back.
    """
    chosen = _redis()
    if chosen is not None:
        try:
            return op(chosen)
        except redis_link.DOWN as error:
            redis_link.warn(error, "rate limits count in the database meanwhile")
    if redis_link.is_configured():
        g.setdefault(_FELL_BACK, True)
    return op(DatabaseBackend())


def _key(key: str) -> str:
    if not key:
        raise ValueError("a rate-limit key can't be empty")
    if len(key) <= KEY_MAX:
        return key
    # Callers may build keys from user input (an email, say); keep them within the column.
    return key[:100] + "#" + hashlib.sha256(key.encode()).hexdigest()


def _check(limit: int, window_seconds: int) -> None:
    if limit < 1 or window_seconds < 1:
        raise ValueError("a rate limit needs limit >= 1 and window_seconds >= 1")


def hit(key: str, limit: int, window_seconds: int, now: datetime | None = None
        ) -> RateDecision:
    """Count one hit on ``key``; allowed while the window holds at most ``limit`` hits.

    The database backend commits the count at once (a failed login stays counted though the
    request fails), or, inside ``database.joined()``, makes it part of the caller's transaction.
    """
    _check(limit, window_seconds)
    return _run(lambda chosen: chosen.hit(_key(key), limit, window_seconds, now or utcnow()))


def hit_apart(key: str, limit: int, window_seconds: int, now: datetime | None = None
              ) -> RateDecision:
    """``hit``, committed at once on a connection of its own, outside the caller's unit of
    work: for counting reads (a search), where committing the page's session would expire what
    the page had loaded (the member) and load it again."""
    _check(limit, window_seconds)
    def op(chosen: Backend) -> RateDecision:
        if isinstance(chosen, DatabaseBackend):
            return chosen.hit_apart(_key(key), limit, window_seconds, now or utcnow())
        return chosen.hit(_key(key), limit, window_seconds, now or utcnow())

    return _run(op)


def peek(key: str, limit: int, window_seconds: int, now: datetime | None = None) -> RateDecision:
    """Whether one more hit would be allowed, counting nothing."""
    return peek_many({key: (limit, window_seconds)}, now)[key]


def peek_many(limits: dict[str, tuple[int, int]], now: datetime | None = None
              ) -> dict[str, RateDecision]:
    """``peek`` for several keys (key → (limit, window_seconds)) in one round trip."""
    for limit, window_seconds in limits.values():
        _check(limit, window_seconds)
    stored = {key: _key(key) for key in limits}
    decisions = _run(lambda chosen: chosen.peek(
        {stored[key]: limit for key, (limit, _) in limits.items()}, now or utcnow()))
    return {key: decisions[stored[key]] for key in limits}


def reset(*keys: str) -> None:
    """Forget the keys' windows, as after a successful login."""
    _run(lambda chosen: chosen.reset(*(_key(key) for key in keys)))


def refund(key: str, now: datetime | None = None) -> None:
    """Take back one hit in the current window: an attempt counted up front turned out fine."""
    _run(lambda chosen: chosen.refund(_key(key), now or utcnow()))


def purge_expired(now: datetime | None = None) -> int:
    """Delete database counters whose window has ended (for ``forum run-timers``); with
    Redis, those left from a time Redis did not answer (Redis expires its own keys)."""
    return DatabaseBackend().purge_expired(now or utcnow())
