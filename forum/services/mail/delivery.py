"""Sending what is due. Workers claim messages with one conditional UPDATE (``FOR UPDATE SKIP
LOCKED`` on PostgreSQL picks the rows, so workers never wait on each other), then send each
and record the outcome in a commit of its own: however many workers run, a message is handed
to the server at most once.

The claiming itself is ``services.claims``, shared with webhook deliveries.

A temporary failure puts the message back with a wait that doubles per attempt
(``MAIL_RETRY_DELAY``: first wait, cap); a permanent one, or ``MAIL_MAX_ATTEMPTS`` attempts,
marks it failed. A message still claimed after ``MAIL_CLAIM_SECONDS`` (its worker died while
sending) is marked failed rather than sent again, since it may have arrived: an administrator
can send it again from the outbox page.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from ...extensions import db
from ...models import MailStatus, OutboxMessage, utcnow
from .. import claims
from .transport import ConnectionFailed, DeliveryError, FileTransport, Transport, for_config

INTERRUPTED = "interrupted while sending: it may or may not have arrived"
_table = OutboxMessage.__table__
_c = _table.c
QUEUE = claims.WorkQueue(_table, MailStatus.QUEUED.value, MailStatus.SENDING.value)


@dataclass
class DeliveryRun:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0

    @property
    def handled(self) -> int:
        return self.sent + self.retrying + self.failed

    def add(self, other: DeliveryRun) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.interrupted += other.interrupted


def backoff(attempts: int) -> timedelta:
    return claims.backoff(attempts, *current_app.config["MAIL_RETRY_DELAY"])


def claim(now: datetime, limit: int) -> tuple[str, list[OutboxMessage]]:
    """Take up to ``limit`` due messages for this run; committed before anything is sent."""
    token = QUEUE.claim(now, limit)
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.claimed_by == token,
                                    OutboxMessage.status == MailStatus.SENDING.value)
        .order_by(OutboxMessage.id)
    ).all()
    return token, list(rows)


def _finish(row_id: int, token: str, **values) -> None:
    QUEUE.finish(row_id, token, **values)


def _failed_attempt(row_id: int, attempts: int, token: str, problem: DeliveryError,
                    now: datetime, run: DeliveryRun) -> None:
    if problem.permanent or attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        _finish(row_id, token, status=MailStatus.FAILED.value, last_error=problem.text)
        run.failed += 1
    else:
        _finish(row_id, token, status=MailStatus.QUEUED.value, last_error=problem.text,
                next_attempt_at=now + backoff(attempts))
        run.retrying += 1


def _put_back(row_ids: list[int], token: str, when: datetime) -> None:
    """Messages claimed but never tried (the server could not be reached): their attempt is
    taken back and they wait as long as the one that was tried."""
    QUEUE.put_back(row_ids, token, when)


def deliver(rows: list[OutboxMessage], token: str, transport: Transport,
            now: datetime | None = None) -> DeliveryRun:
    run = DeliveryRun()
    sender = current_app.config["MAIL_FROM"]
    # Plain values first: each commit below expires the loaded rows.
    batch = [(row.id, row.attempts, row.to_address, row.message) for row in rows]
    for index, (row_id, attempts, to_address, raw) in enumerate(batch):
        moment = now or utcnow()
        try:
            transport.send(row_id, sender, to_address, raw)
        except ConnectionFailed as problem:
            _failed_attempt(row_id, attempts, token, problem, moment, run)
            _put_back([later[0] for later in batch[index + 1:]], token,
                      moment + backoff(attempts))
            break
        except DeliveryError as problem:
            _failed_attempt(row_id, attempts, token, problem, moment, run)
        else:
            _finish(row_id, token, status=MailStatus.SENT.value, sent_at=moment,
                    last_error=None)
            run.sent += 1
    return run


def mark_interrupted(now: datetime) -> int:
    return QUEUE.mark_interrupted(now, current_app.config["MAIL_CLAIM_SECONDS"],
                                  status=MailStatus.FAILED.value, last_error=INTERRUPTED)


def send_due(now: datetime | None = None, limit: int | None = None,
             transport: Transport | None = None) -> DeliveryRun:
    """Send due messages, a batch at a time, until none is due (or ``limit`` were handled)."""
    run = DeliveryRun(interrupted=mark_interrupted(now or utcnow()))
    transport = transport or for_config(current_app.config)
    batch = current_app.config["MAIL_BATCH"]
    try:
        while limit is None or run.handled < limit:
            moment = now or utcnow()
            size = batch if limit is None else min(batch, limit - run.handled)
            token, rows = claim(moment, size)
            if not rows:
                break
            done = deliver(rows, token, transport, now)
            run.add(done)
            if not done.sent and not done.failed:
                break  # nothing got through (the server is down): try again next time
    finally:
        transport.close()
    return run


def write_files_now(message_ids: list[str]) -> None:
    """Write just-committed messages as files (no SMTP host): development mail appears at once.
    Runs after the commit on a connection of its own; the session is done with its work."""
    now = utcnow()
    token = secrets.token_hex(8)
    transport = FileTransport(current_app.config["MAIL_FOLDER"])
    with db.engine.begin() as connection:
        connection.execute(
            update(_table).where(_c.message_id.in_(message_ids),
                                 _c.status == MailStatus.QUEUED.value)
            .values(status=MailStatus.SENDING.value, claimed_by=token, claimed_at=now,
                    attempts=_c.attempts + 1))
        rows = connection.execute(
            select(_c.id, _c.to_address, _c.message).where(_c.claimed_by == token)).all()
        for row in rows:
            try:
                transport.send(row.id, current_app.config["MAIL_FROM"], row.to_address,
                               row.message)
            except DeliveryError as problem:
                values = {"status": MailStatus.QUEUED.value, "last_error": problem.text}
            else:
                values = {"status": MailStatus.SENT.value, "sent_at": now}
            connection.execute(update(_table).where(_c.id == row.id)
                               .values(claimed_by=None, **values))


def purge_sent(now: datetime | None = None) -> int:
    """Delete sent messages older than ``MAIL_KEEP_DAYS`` (for ``forum run-timers``)."""
    limit = (now or utcnow()) - timedelta(days=current_app.config["MAIL_KEEP_DAYS"])
    result = db.session.execute(
        delete(_table).where(_c.status == MailStatus.SENT.value, _c.sent_at < limit))
    db.session.commit()
    return result.rowcount
