"""Answering an event: going, maybe or can't go, with a waitlist when it is full.

A place is taken by one conditional UPDATE on the event row (``going_count < capacity`` in its
WHERE); no row changed means the event is full and the member waits. Every transaction here
touches the event row before any answer row, so concurrent answers queue on one lock and can
never deadlock, and capacity holds however many arrive at once.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ...database import commit
from ...errors import Conflict, Refused
from ...extensions import db
from ...models import Event, EventRsvp, NotificationKind, RsvpStatus, User, utcnow
from ...policy import Policy
from .. import data_export, notifications

ANSWERS = (RsvpStatus.GOING, RsvpStatus.MAYBE, RsvpStatus.DECLINED)
COUNTERS = {
    RsvpStatus.GOING: "going_count",
    RsvpStatus.MAYBE: "maybe_count",
    RsvpStatus.DECLINED: "declined_count",
    RsvpStatus.WAITLISTED: "waitlist_count",
}
# However the waitlist moves underneath, one answer never promotes more than this many times.
PROMOTIONS_MAX = 10_000


def _count(event_id: int, status: str, delta: int) -> None:
    column = getattr(Event, COUNTERS[RsvpStatus(status)])
    db.session.execute(
        update(Event).where(Event.id == event_id).values({column: column + delta})
        .execution_options(synchronize_session=False)
    )


def _take_place(event_id: int) -> bool:
    """One place, if there is one: the rule lives in the WHERE, so it holds under races."""
    taken = db.session.execute(
        update(Event)
        .where(
            Event.id == event_id,
            Event.cancelled_at.is_(None),
            (Event.capacity.is_(None)) | (Event.going_count < Event.capacity),
        )
        .values(going_count=Event.going_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    return taken == 1


def parse_answer(answer: str) -> RsvpStatus:
    try:
        status = RsvpStatus(answer)
    except ValueError:
        status = None
    if status not in ANSWERS:
        raise Refused(_("Answer going, maybe or can't go."), status=400)
    return status


def answer_event(actor: User, event: Event, answer: str, now: datetime | None = None) -> str:
    """Record the member's answer; returns the status they end up with ("waitlisted" when they
    want to go and the event is full). Leaving "going" gives the place to the first member
    waiting (by when they last answered, then by id), who is notified.

    Refuses: as ``Policy.can_rsvp``: a guest (login), an event out of sight or a member under a
    timeout or other sanction (403), a cancelled or started event or one past its deadline
    (400); an answer other than going, maybe or can't go (400); the same member answering
    twice at once (409).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    decision = viewer.can_rsvp(event)
    if not decision:
        if (decision.login_required or not viewer.can_view_event(event)
                or not viewer.acting_sanction()):
            raise Refused(decision)
        # A member who can see the event asked too late or of a cancelled one: a request
        # that can't be granted as it stands, not a matter of rank.
        raise Refused(decision.reason, status=400)
    wanted = parse_answer(answer)
    current = db.session.execute(
        select(EventRsvp.id, EventRsvp.status)
        .where(EventRsvp.event_id == event.id, EventRsvp.user_id == actor.id)
    ).first()
    old = current.status if current is not None else None
    if old == wanted or (old == RsvpStatus.WAITLISTED and wanted == RsvpStatus.GOING):
        return old
    if wanted == RsvpStatus.GOING:
        new = RsvpStatus.GOING if _take_place(event.id) else RsvpStatus.WAITLISTED
        if new == RsvpStatus.WAITLISTED:
            _count(event.id, new, +1)
            # An UPDATE that matched nothing took no lock: a place freed (and nobody waiting
            # promoted) before this one did would be missed. Asked again under the lock.
            if _take_place(event.id):
                _count(event.id, new, -1)
                new = RsvpStatus.GOING
    else:
        new = wanted
        _count(event.id, new, +1)
    if old is not None:
        _count(event.id, old, -1)
    try:
        if current is None:
            db.session.add(EventRsvp(event_id=event.id, user_id=actor.id, status=str(new),
                                     created_at=now, updated_at=now))
            db.session.flush()
            moved = 1
        else:
            moved = db.session.execute(
                update(EventRsvp)
                .where(EventRsvp.id == current.id, EventRsvp.status == old)
                .values(status=str(new), updated_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount
    except IntegrityError:
        moved = 0
    if not moved:
        db.session.rollback()
        raise Conflict(_("Your answer changed in another window at the same moment; "
                       "please look again and answer once more."))
    if old == RsvpStatus.GOING:
        promote_waiting(event, now)
    commit()
    db.session.refresh(event)
    return str(new)


def promote_waiting(event: Event, now: datetime) -> list[int]:
    """Move waiting members into free places, first come first served, and tell each one
    (no commit). Returns the promoted members' ids."""
    promoted: list[int] = []
    # Waiting members who can no longer read the event's board keep their place in the list
    # (the board may reopen) but are passed over.
    passed_over: list[int] = []
    for _attempt in range(PROMOTIONS_MAX):
        candidate = db.session.execute(
            select(EventRsvp.id, EventRsvp.user_id)
            .where(EventRsvp.event_id == event.id, EventRsvp.status == RsvpStatus.WAITLISTED,
                   EventRsvp.id.not_in(passed_over))
            .order_by(EventRsvp.updated_at, EventRsvp.id)
            .limit(1)
        ).first()
        if candidate is None:
            break
        member = db.session.get(User, candidate.user_id)
        if not Policy(member, now).can_view_event(event):
            passed_over.append(candidate.id)
            continue
        if not _take_place(event.id):
            break
        moved = db.session.execute(
            update(EventRsvp)
            .where(EventRsvp.id == candidate.id, EventRsvp.status == RsvpStatus.WAITLISTED)
            .values(status=str(RsvpStatus.GOING), updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not moved:
            # They changed their answer meanwhile: give the place back and ask again.
            _count(event.id, RsvpStatus.GOING, -1)
            continue
        _count(event.id, RsvpStatus.WAITLISTED, -1)
        promoted.append(candidate.user_id)
        notifications.notify(
            member, NotificationKind.EVENT, "event.place", {"title": event.title}, event.url,
            now=now,
        )
    return promoted


def withdraw_member(user: User, now: datetime) -> int:
    """A deleted account leaves the events still to come: its answers go, their counts
    follow, and a place it held goes to the first member waiting. Answers to events that
    started or were cancelled stay as history. A step (no commit); returns the answers
    removed."""
    rows = db.session.execute(
        select(EventRsvp.id, EventRsvp.status, Event)
        .join(Event, Event.id == EventRsvp.event_id)
        .where(EventRsvp.user_id == user.id, Event.starts_at > now,
               Event.cancelled_at.is_(None))
        .order_by(EventRsvp.id)
    ).all()
    for rsvp_id, status, event in rows:
        removed = db.session.execute(
            delete(EventRsvp).where(EventRsvp.id == rsvp_id, EventRsvp.status == status)
        ).rowcount
        if not removed:
            continue
        _count(event.id, status, -1)
        if status == RsvpStatus.GOING:
            promote_waiting(event, now)
    return len(rows)


# -- the member's own data ------------------------------------------------------------------

@data_export.section("rsvps")
def export_rsvps(user: User) -> list[dict]:
    """The member's answers to events, with each event's title and start: one query."""
    rows = db.session.execute(
        select(EventRsvp.event_id, Event.title, Event.starts_at, EventRsvp.status,
               EventRsvp.created_at, EventRsvp.updated_at)
        .join(Event, Event.id == EventRsvp.event_id)
        .where(EventRsvp.user_id == user.id)
        .order_by(Event.starts_at, EventRsvp.id)
    )
    return [
        {"event_id": row.event_id, "event_title": row.title,
         "event_starts_at": data_export.iso(row.starts_at), "answer": row.status,
         "answered_at": data_export.iso(row.created_at),
         "changed_at": data_export.iso(row.updated_at)}
        for row in rows
    ]
