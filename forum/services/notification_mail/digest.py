"""The digest: once a day or a week, at the member's local hour, the unread notifications of
the topics they chose for it, and the busiest threads of the boards they take part in. Nothing
is sent when neither has anything new.

Each member's ``digest_due_at`` is both the schedule and the claim: a worker sends a digest
only after moving it on to the next due moment with a conditional UPDATE that names the value
it read, in the transaction that queues the mail. However many workers run, one of them wins
each due moment; the others' UPDATEs match no row (on PostgreSQL they wait for the winner's
commit and then see the new value). A digest covers the time from the due moment before to
this one, so consecutive digests neither overlap nor leave a gap.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...models import Notification, Post, Thread, User, utcnow
from ...policy import Policy
from .. import mail
from . import boards, context, schedule
from .preferences import DIGEST_SCOPE
from .topics import Delivery, Frequency, choices, frequency, topic_of

log = logging.getLogger("forum.mail")

BATCH = 200
NOTES_SHOWN = 20
NOTES_READ = 500
THREADS_SHOWN = 5


@dataclass(frozen=True)
class BusyThread:
    thread: Thread
    posts: int  # new posts in the digest's time, by others


@dataclass(frozen=True)
class Digest:
    notes: list[Notification]
    more_notes: int
    threads: list[BusyThread]

    def __bool__(self) -> bool:
        return bool(self.notes or self.threads)


def _notes(user: User, since: datetime, until: datetime) -> tuple[list[Notification], int]:
    wanted = choices(user)
    rows = db.session.scalars(
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None),
               Notification.created_at >= since, Notification.created_at < until)
        .order_by(Notification.created_at, Notification.id).limit(NOTES_READ))
    chosen = [note for note in rows if wanted[topic_of(note.kind)] == Delivery.DIGEST]
    return chosen[:NOTES_SHOWN], max(0, len(chosen) - NOTES_SHOWN)


def _busy_threads(user: User, since: datetime, until: datetime,
                  now: datetime) -> list[BusyThread]:
    board_ids = boards.digest_boards(user)
    if not board_ids:
        return []
    counted = db.session.execute(
        select(Post.thread_id, func.count(Post.id).label("posts"))
        .join(Thread, Thread.id == Post.thread_id)
        .where(Thread.board_id.in_(board_ids), Thread.is_deleted.is_(False),
               Post.created_at >= since, Post.created_at < until,
               Post.author_id != user.id, Post.is_deleted.is_(False),
               Post.is_hidden.is_(False))
        .group_by(Post.thread_id)
        .order_by(func.count(Post.id).desc(), Post.thread_id.desc())
        .limit(THREADS_SHOWN * 3)
    ).all()
    if not counted:
        return []
    threads = {thread.id: thread for thread in db.session.scalars(
        select(Thread).where(Thread.id.in_([row.thread_id for row in counted]))
        .options(selectinload(Thread.board)))}
    # The boards a member posted in may have closed to them since: asked again, as pages do.
    reader = Policy(user, now)
    busy = [BusyThread(threads[row.thread_id], row.posts) for row in counted
            if row.thread_id in threads and reader.can_view_thread(threads[row.thread_id])]
    return busy[:THREADS_SHOWN]


def gather(user: User, since: datetime, until: datetime, now: datetime | None = None) -> Digest:
    """What a digest covering ``since``–``until`` holds for ``user`` (empty: nothing new)."""
    notes, more = _notes(user, since, until)
    return Digest(notes, more, _busy_threads(user, since, until, now or utcnow()))


def _move_on(user_id: int, seen: datetime, due: datetime | None) -> bool:
    """The claim: True when this run moved the member's due moment on from ``seen``."""
    return db.session.execute(
        update(User).where(User.id == user_id, User.digest_due_at == seen)
        .values(digest_due_at=due).execution_options(synchronize_session=False)
    ).rowcount == 1


def _one(user_id: int, seen: datetime, now: datetime) -> bool:
    """Send (queue) one member's due digest, if it is theirs to send and holds anything."""
    user = db.session.get(User, user_id)
    if (user is None or user.is_deleted or not user.is_admitted
            or user.notification_mail_stopped_at is not None
            or frequency(user) == Frequency.OFF):
        _move_on(user_id, seen, None)  # taken up again when they save their choices
        db.session.commit()
        return False
    plan = schedule.for_member(user)
    if not _move_on(user_id, seen, plan.next_after(now)):
        db.session.rollback()  # another worker has it
        return False
    if plan.last_at_or_before(seen) != seen:
        # Not a moment this schedule set (a new account, a changed zone, hour or setting):
        # the member is only moved on to their real one.
        db.session.commit()
        return False
    found = gather(user, plan.before(seen), seen, now)
    queued = None
    if found:
        queued = mail.queue(
            user, "digest", "notification", unsubscribe_scope=DIGEST_SCOPE, now=now,
            notes=found.notes, more_notes=found.more_notes, threads=found.threads,
            weekly=plan.frequency == Frequency.WEEKLY, **context.common(user))
    db.session.commit()
    return queued is not None


def send_due(now: datetime | None = None) -> int:
    """Queue every digest due at ``now``; returns how many were queued."""
    now = now or utcnow()
    queued = 0
    done: set[int] = set()
    while True:
        due = [row for row in db.session.execute(
            select(User.id, User.digest_due_at).where(User.digest_due_at <= now)
            .order_by(User.digest_due_at, User.id).limit(BATCH)).all()
            if row.id not in done]
        db.session.rollback()
        if not due:
            return queued
        for user_id, seen in due:
            done.add(user_id)
            try:
                queued += _one(user_id, seen, now)
            except Exception:
                # One member's digest that can't be written (an unusable address, a template
                # fault) must not hold up everyone's: it waits for its next due moment.
                db.session.rollback()
                log.exception("The digest of member %s could not be queued", user_id)
                _move_on_after_failure(user_id, seen, now)


def _move_on_after_failure(user_id: int, seen: datetime, now: datetime) -> None:
    try:
        user = db.session.get(User, user_id)
        _move_on(user_id, seen, schedule.first_due(user, now) if user is not None else None)
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("The digest of member %s could not be moved on either", user_id)
