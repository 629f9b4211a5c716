"""Email "at once": a few minutes after a notification, unless the member read it meanwhile.

Nothing is written for this when the notification is made: the request that causes it pays
no INSERT at all. Instead the scan below (run by ``forum run-timers`` and ``forum worker``)
looks at notifications older than the setting ``mail_at_once_minutes`` that it has not looked
at yet (``Notification.mail_checked_at`` is None; a partial index holds just those rows). It
stamps a batch with one conditional UPDATE … RETURNING, which is also the claim: on
PostgreSQL the rows are picked with ``FOR UPDATE SKIP LOCKED`` and a second worker's UPDATE
finds them stamped, on SQLite writers take turns, so each notification is handled by one
worker. The mail joins the outbox in that same transaction, so a notification is mailed at
most once and never lost between the stamp and the queue. A per-row stamp rather than one
watermark id: notifications commit out of id order, and a watermark would skip the late ones.

Read notifications, those the member wants in-app or in the digest, and those older than a
day (a worker that was stopped; the news is stale) are stamped and left. What remains is
mailed one message per member and topic per run, so five replies in a minute are one mail.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...extensions import db
from ...models import Notification, User, utcnow
from ...stores import settings
from .. import mail
from . import context
from .preferences import topic_scope
from .topics import BY_NAME, Delivery, choice, topic_of

log = logging.getLogger("forum.mail")

BATCH = 200
STALE = timedelta(days=1)
_table = Notification.__table__
_c = _table.c


def _claim(now: datetime, cutoff: datetime):
    waiting = (select(_c.id)
               .where(_c.mail_checked_at.is_(None), _c.created_at <= cutoff)
               .order_by(_c.created_at, _c.id).limit(BATCH))
    if db.session.get_bind().dialect.name == "postgresql":
        waiting = waiting.with_for_update(skip_locked=True)
    return db.session.execute(
        update(_table)
        .where(_c.id.in_(waiting.scalar_subquery()), _c.mail_checked_at.is_(None))
        .values(mail_checked_at=now)
        .returning(_c.id, _c.recipient_id, _c.kind, _c.read_at, _c.created_at)
    ).all()


def _mail(claimed, now: datetime) -> int:
    fresh = [row for row in claimed if row.read_at is None and row.created_at >= now - STALE]
    if not fresh:
        return 0
    members = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_({row.recipient_id for row in fresh})))}
    wanted: dict[tuple[int, str], list[int]] = defaultdict(list)
    for row in fresh:
        user, topic = members.get(row.recipient_id), topic_of(row.kind)
        if user is not None and choice(user, topic) == Delivery.NOW:
            wanted[(user.id, topic)].append(row.id)
    if not wanted:
        return 0
    notes = {note.id: note for note in db.session.scalars(
        select(Notification).where(Notification.id.in_(
            [note_id for ids in wanted.values() for note_id in ids])))}
    queued = 0
    for (user_id, topic), ids in wanted.items():
        user = members[user_id]
        try:
            row = mail.queue(user, "notification_now", "notification",
                             unsubscribe_scope=topic_scope(topic), now=now,
                             notes=[notes[i] for i in sorted(ids)], topic=BY_NAME[topic],
                             **context.common(user))
        except Exception:
            # One mail that can't be written (an address the outbox refuses, a template fault)
            # must not hold up everyone else's: the member still has it on the site.
            log.exception("No notification mail for member %s", user_id)
            continue
        queued += row is not None
    return queued


def send_due(now: datetime | None = None) -> int:
    """Queue the at-once mail that is due; returns how many messages were queued. One
    transaction per batch (the stamps and their mail together)."""
    now = now or utcnow()
    cutoff = now - timedelta(minutes=settings.get("mail_at_once_minutes"))
    queued = 0
    while True:
        claimed = _claim(now, cutoff)
        if not claimed:
            db.session.rollback()
            return queued
        queued += _mail(claimed, now)
        db.session.commit()
