"""Work queues kept in a table (the mail outbox, webhook deliveries): rows wait as *queued*
until their ``next_attempt_at``, a worker claims a batch with one conditional UPDATE
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL picks the rows, so workers never wait on each
other), tries each, and records the outcome in a commit of its own. However many workers run,
a row is handed on at most once per claim.

A queue's table has the columns ``id``, ``status``, ``attempts``, ``next_attempt_at``,
``claimed_by`` and ``claimed_at``; the statuses are the queue's own words for waiting and
being worked on.
"""
from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Table, update
from sqlalchemy import select as sql_select

from ..extensions import db


def backoff(attempts: int, first: float, cap: float) -> timedelta:
    """The wait after ``attempts`` failed attempts: ``first``, doubling each time, at most
    ``cap`` seconds."""
    return timedelta(seconds=min(cap, first * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class WorkQueue:
    table: Table
    queued: str = "queued"
    sending: str = "sending"

    def _due_ids(self, now: datetime, limit: int, where: Sequence[ColumnElement[bool]]):
        c = self.table.c
        query = (sql_select(c.id)
                 .where(c.status == self.queued, c.next_attempt_at <= now, *where)
                 .order_by(c.next_attempt_at, c.id).limit(limit))
        if db.session.get_bind().dialect.name != "postgresql":
            return query.scalar_subquery()
        # PostgreSQL may run an IN (… LIMIT n FOR UPDATE SKIP LOCKED) subquery more than once
        # while updating, each run picking rows the last one locked past: more than n rows
        # were claimed. A materialised CTE is run exactly once.
        due = query.with_for_update(skip_locked=True).cte("due").prefix_with("MATERIALIZED")
        return sql_select(due.c.id).scalar_subquery()

    def claim(self, now: datetime, limit: int,
              where: Sequence[ColumnElement[bool]] = ()) -> str:
        """Take up to ``limit`` due rows (matching ``where`` too) for this run, count the
        attempt, and commit before anything is tried. Returns the claim's token: the rows
        are those whose ``claimed_by`` holds it."""
        c = self.table.c
        token = secrets.token_hex(8)
        db.session.execute(
            update(self.table)
            .where(c.id.in_(self._due_ids(now, limit, where)), c.status == self.queued)
            .values(status=self.sending, claimed_by=token, claimed_at=now,
                    attempts=c.attempts + 1)
        )
        db.session.commit()
        return token

    def finish(self, row_id: int, token: str, **values) -> bool:
        """Record a claimed row's outcome (``values``: its new status and the rest); False
        when the claim was lost meanwhile (marked interrupted)."""
        c = self.table.c
        done = db.session.execute(
            update(self.table).where(c.id == row_id, c.claimed_by == token,
                                     c.status == self.sending)
            .values(claimed_by=None, **values)
        ).rowcount
        db.session.commit()
        return bool(done)

    def put_back(self, row_ids: Sequence[int], token: str, when: datetime) -> None:
        """Rows claimed but never tried (the other end could not be reached): their attempt
        is taken back and they wait until ``when``."""
        c = self.table.c
        if row_ids:
            db.session.execute(
                update(self.table).where(c.id.in_(list(row_ids)), c.claimed_by == token)
                .values(status=self.queued, claimed_by=None, next_attempt_at=when,
                        attempts=c.attempts - 1)
            )
        db.session.commit()

    def mark_interrupted(self, now: datetime, seconds: float, **values) -> int:
        """Rows claimed longer than ``seconds`` ago (their worker died while sending) get
        ``values`` (a final status: they may have arrived, so they are not tried again)."""
        c = self.table.c
        result = db.session.execute(
            update(self.table)
            .where(c.status == self.sending, c.claimed_at < now - timedelta(seconds=seconds))
            .values(claimed_by=None, **values)
        )
        db.session.commit()
        return result.rowcount
