"""Sending what is due, by ``forum run-timers`` and ``forum worker``: deliveries are claimed
like mail (``services.claims``), so however many workers run, each attempt is made once.

An answer 2xx delivers. 5xx, 408, 429, timeouts and refused connections are tried again with
a wait that doubles (``WEBHOOK_RETRY_DELAY``) until ``WEBHOOK_MAX_ATTEMPTS``; other answers
(4xx, a redirect, which is never followed) and a refused address fail the delivery at once.
410 Gone stops the hook. Every failed attempt counts against the hook; ``WEBHOOK_DISABLE_AFTER``
in a row stop it, with a log entry and a notice to every administrator. When a host can't be
reached at all, its other deliveries of the batch wait with the one tried."""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select, update

from ...extensions import db
from ...models import (
    DeliveryStatus,
    NotificationKind,
    Role,
    User,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from .. import audit, claims, notifications
from ..mail.transport import ConnectionFailed, DeliveryError
from . import addresses, signing, transport

INTERRUPTED = "interrupted: the worker stopped while sending; it may have arrived"
HOOK_DISABLED = "hook_disabled: the hook was stopped before this was sent"
_table = WebhookDelivery.__table__
_c = _table.c
QUEUE = claims.WorkQueue(_table, DeliveryStatus.QUEUED.value, DeliveryStatus.SENDING.value)
# Why the forum stopped a hook (``Webhook.disabled_reason``; worded by ``texts``).
GONE = "gone"
FAILING = "failing"


@dataclass
class HookRun:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    interrupted: int = 0
    disabled: int = 0

    @property
    def handled(self) -> int:
        return self.delivered + self.retrying + self.failed

    def add(self, other: HookRun) -> None:
        for name in ("delivered", "retrying", "failed", "interrupted", "disabled"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary(self) -> str:
        return (f"webhooks: delivered {self.delivered}, to retry {self.retrying}, "
                f"failed {self.failed}" + (f", hooks stopped {self.disabled}"
                                           if self.disabled else ""))


@dataclass(frozen=True)
class _Claimed:
    id: int
    webhook_id: int
    event: str
    attempts: int
    body: str
    url: str
    secret: str


def _active_hook():
    return _c.webhook_id.in_(select(Webhook.id).where(Webhook.is_active.is_(True)))


def _claimed(token: str) -> list[_Claimed]:
    rows = db.session.execute(
        select(_c.id, _c.webhook_id, _c.event, _c.attempts, _c.body, Webhook.url,
               Webhook.secret)
        .join(Webhook, Webhook.id == _c.webhook_id)
        .where(_c.claimed_by == token, _c.status == DeliveryStatus.SENDING.value)
        .order_by(_c.id)
    ).all()
    db.session.commit()
    return [_Claimed(*row) for row in rows]


def _attempt(row: _Claimed) -> int:
    """Send once; the status code, or ``DeliveryError``."""
    config = current_app.config
    try:
        target = addresses.target(row.url)
    except addresses.AddressRefused as refused:
        raise DeliveryError(f"{refused.code}: {refused.reason}",
                            permanent=refused.code != "dns") from None
    body = row.body.encode("utf-8")
    stamp = int(time.time())
    return transport.post(target, body, {
        signing.HEADER: signing.header(row.secret, stamp, body),
        "X-Agora-Event": row.event,
        "X-Agora-Delivery": str(row.id),
    }, timeout=config["WEBHOOK_TIMEOUT"], max_bytes=config["WEBHOOK_MAX_RESPONSE_BYTES"])


def _judge(status: int) -> DeliveryError | None:
    if 200 <= status < 300:
        return None
    if 300 <= status < 400:
        return DeliveryError(f"redirect: answered {status}; redirects are not followed",
                             permanent=True)
    temporary = status >= 500 or status in (408, 425, 429)
    return DeliveryError(f"http_status: answered {status}", permanent=not temporary)


def _backoff(attempts: int) -> timedelta:
    return claims.backoff(attempts, *current_app.config["WEBHOOK_RETRY_DELAY"])


def disable(hook_id: int, reason: str, now: datetime) -> bool:
    """Stop a hook on the forum's own account (``reason``: GONE or FAILING): its waiting
    deliveries fail, the log says so, and every administrator is told. False when it was
    stopped already (another worker was first)."""
    limit = current_app.config["WEBHOOK_DISABLE_AFTER"]
    condition = [Webhook.id == hook_id, Webhook.is_active.is_(True)]
    if reason == FAILING:
        condition.append(Webhook.failure_count >= limit)
    stopped = db.session.execute(
        update(Webhook).where(*condition)
        .values(is_active=False, disabled_at=now, disabled_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not stopped:
        db.session.rollback()
        return False
    fail_waiting(hook_id, now)
    hook = db.session.get(Webhook, hook_id)
    db.session.refresh(hook)
    audit.record(None, "webhook.auto_disable", hook, now=now,
                 after={"state": "disabled", "reason": reason,
                        "failures": hook.failure_count})
    admins = db.session.scalars(
        select(User).where(User.role_value == int(Role.ADMIN), User.deleted_at.is_(None))).all()
    for admin in admins:
        notifications.notify(admin, NotificationKind.SITE, f"webhook.disabled.{reason}",
                             {"host": _host(hook.url), "num": hook.failure_count},
                             f"/admin/webhooks/{hook.id}", now=now)
    db.session.commit()
    return True


def _host(url: str) -> str:
    try:
        return addresses.parse(url).hostname or "?"
    except addresses.AddressRefused:
        return "?"


def fail_waiting(hook_id: int, now: datetime) -> None:
    """Deliveries of a stopped hook that still wait fail (in the caller's transaction)."""
    db.session.execute(
        update(_table).where(_c.webhook_id == hook_id,
                             _c.status == DeliveryStatus.QUEUED.value)
        .values(status=DeliveryStatus.FAILED.value, finished_at=now, last_error=HOOK_DISABLED))


def _failed(row: _Claimed, token: str, problem: DeliveryError, status: int | None,
            now: datetime, run: HookRun) -> None:
    final = problem.permanent or row.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    values = dict(last_error=problem.text, response_code=status)
    if final:
        values.update(status=DeliveryStatus.FAILED.value, finished_at=now)
    else:
        values.update(status=DeliveryStatus.QUEUED.value,
                      next_attempt_at=now + _backoff(row.attempts))
    db.session.execute(
        update(Webhook).where(Webhook.id == row.webhook_id)
        .values(failure_count=Webhook.failure_count + 1)
        .execution_options(synchronize_session=False))
    if QUEUE.finish(row.id, token, **values):
        run.failed += final
        run.retrying += not final
    if status == 410:
        run.disabled += disable(row.webhook_id, GONE, now)
    elif _failures(row.webhook_id) >= current_app.config["WEBHOOK_DISABLE_AFTER"]:
        run.disabled += disable(row.webhook_id, FAILING, now)


def _failures(hook_id: int) -> int:
    count = db.session.scalar(select(Webhook.failure_count).where(Webhook.id == hook_id))
    db.session.commit()
    return count or 0


def _delivered(row: _Claimed, token: str, status: int, now: datetime, run: HookRun) -> None:
    db.session.execute(
        update(Webhook).where(Webhook.id == row.webhook_id)
        .values(failure_count=0, last_success_at=now)
        .execution_options(synchronize_session=False))
    if QUEUE.finish(row.id, token, status=DeliveryStatus.DELIVERED.value, finished_at=now,
                    response_code=status, last_error=None):
        run.delivered += 1


def deliver(rows: list[_Claimed], token: str, now: datetime | None = None) -> HookRun:
    run = HookRun()
    unreachable: dict[int, datetime] = {}
    stopped: set[int] = set()
    for row in rows:
        moment = now or utcnow()
        if row.webhook_id in stopped:
            # Its hook stopped during this batch: never tried, failed like the waiting ones.
            QUEUE.finish(row.id, token, status=DeliveryStatus.FAILED.value, finished_at=moment,
                         last_error=HOOK_DISABLED, attempts=_c.attempts - 1)
            continue
        if row.webhook_id in unreachable:
            QUEUE.put_back([row.id], token, unreachable[row.webhook_id])
            continue
        disabled_before = run.disabled
        try:
            status = _attempt(row)
        except DeliveryError as problem:
            _failed(row, token, problem, None, moment, run)
            if isinstance(problem, ConnectionFailed):
                unreachable[row.webhook_id] = moment + _backoff(row.attempts)
        else:
            problem = _judge(status)
            if problem is None:
                _delivered(row, token, status, moment, run)
            else:
                _failed(row, token, problem, status, moment, run)
        if run.disabled > disabled_before:
            stopped.add(row.webhook_id)
    return run


def mark_interrupted(now: datetime) -> int:
    return QUEUE.mark_interrupted(now, current_app.config["WEBHOOK_CLAIM_SECONDS"],
                                  status=DeliveryStatus.FAILED.value, finished_at=now,
                                  last_error=INTERRUPTED)


def deliver_due(now: datetime | None = None, limit: int | None = None) -> HookRun:
    """Send due deliveries, a batch at a time, until none is due (or ``limit`` were
    handled)."""
    run = HookRun(interrupted=mark_interrupted(now or utcnow()))
    batch = current_app.config["WEBHOOK_BATCH"]
    while limit is None or run.handled < limit:
        size = batch if limit is None else min(batch, limit - run.handled)
        token = QUEUE.claim(now or utcnow(), size, where=[_active_hook()])
        rows = _claimed(token)
        if not rows:
            break
        done = deliver(rows, token, now)
        run.add(done)
        if not done.delivered and not done.failed:
            break  # nothing got through (hosts down): the rest waits for the next run
    return run


def deliver_one(delivery_id: int, now: datetime | None = None) -> HookRun:
    """Send one queued delivery at once (the "send test" button), if no worker has it."""
    token = QUEUE.claim(now or utcnow(), 1, where=[_c.id == delivery_id, _active_hook()])
    return deliver(_claimed(token), token, now)


def purge_finished(now: datetime | None = None) -> int:
    """Delete delivered ones older than ``WEBHOOK_KEEP_DAYS`` (for ``forum run-timers``);
    failed ones stay for the log until their hook goes."""
    limit = (now or utcnow()) - timedelta(days=current_app.config["WEBHOOK_KEEP_DAYS"])
    result = db.session.execute(
        delete(_table).where(_c.status == DeliveryStatus.DELIVERED.value,
                             _c.finished_at < limit))
    db.session.commit()
    return result.rowcount
