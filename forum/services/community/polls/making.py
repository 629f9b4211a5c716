"""Making and managing polls: a new thread with its poll, a poll added to a thread later,
changing, closing early and deleting one. What a moderator does to a poll is logged in the
same transaction (``poll.*``, with the thread as the target)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.exc import IntegrityError

from .... import database
from ....errors import Conflict, InvalidField, Refused
from ....extensions import db
from ....models import (
    Board,
    PendingPost,
    Poll,
    PollBallot,
    PollOption,
    PollVote,
    Thread,
    User,
    utcnow,
)
from ....policy import Policy
from ... import audit
from ...content import posting
from . import specs
from .specs import PollSpec


def create_thread_with_poll(actor: User, board: Board, title: str, body: str, spec: PollSpec,
                            now: datetime | None = None) -> Thread:
    """Start a thread with a poll, in one transaction: both or neither.

    Refuses: whatever ``posting.create_thread`` refuses; a thread that would wait for
    approval (400 under the poll's question, nothing saved: a poll can't wait with it).
    """
    now = now or utcnow()
    with database.joined():
        created = posting.create_thread(actor, board, title, body, now=now)
        if isinstance(created, PendingPost):
            raise InvalidField("poll_question", _(
                "New threads here wait for a moderator's approval, and a poll can't wait "
                "with them: post the thread without the poll and add it once the thread is "
                "up."))
        _attach(actor, created, spec, now)
    database.commit()
    return created


def add_poll(actor: User, thread: Thread, spec: PollSpec, now: datetime | None = None) -> Poll:
    """Add a poll to a thread that has none; a moderator adding one to someone else's thread
    is logged (``poll.add``).

    Refuses: as ``Policy.can_add_poll`` (guests, other members, a deleted thread, the author
    of a locked thread or under a sanction); a thread that has a poll already (409, also when
    two are added at once).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    decision = viewer.can_add_poll(thread)
    if not decision:
        raise Refused(decision)
    if db.session.scalar(select(exists().where(Poll.thread_id == thread.id))):
        raise Conflict(_("This thread has a poll already."))
    try:
        poll = _attach(actor, thread, spec, now)
        if thread.author_id != actor.id:
            audit.record(actor, "poll.add", thread, after=_summary(poll), now=now)
        database.commit()
    except IntegrityError:
        # Another poll was added meanwhile: the unique thread id refused this one.
        db.session.rollback()
        raise Conflict(_("This thread has a poll already.")) from None
    return poll


def _attach(actor: User, thread: Thread, spec: PollSpec, now: datetime) -> Poll:
    poll = Poll(thread_id=thread.id, author_id=actor.id, question=spec.question,
                max_choices=spec.max_choices, results_shown=spec.results_shown,
                is_public=spec.is_public, is_changeable=spec.is_changeable,
                closes_at=spec.closes_at, created_at=now, voter_count=0)
    poll.options = [PollOption(position=n, label=label, votes=0)
                    for n, label in enumerate(spec.options, start=1)]
    db.session.add(poll)
    db.session.flush()
    return poll


def _summary(poll: Poll) -> dict:
    return {"question": poll.question, "options": [option.label for option in poll.options],
            "closes_at": poll.closes_at.isoformat() if poll.closes_at else None}


def _has_votes(poll: Poll) -> bool:
    """Whether anyone voted, decided with the poll's row held: a vote's first write is to
    that row, so a vote sent meanwhile is counted before this reads or waits until the
    change is done (an author never rewords options someone just voted for, and a vote and a
    delete never lock each other's rows in turn)."""
    db.session.execute(update(Poll).where(Poll.id == poll.id)
                       .values(voter_count=Poll.voter_count)
                       .execution_options(synchronize_session=False))
    return bool(db.session.scalar(select(Poll.voter_count).where(Poll.id == poll.id)))


def _as_moderator(viewer: Policy, poll: Poll, has_votes: bool) -> bool:
    """Whether the act is the moderator's rather than the author's own (and so logged)."""
    return viewer.moderates(poll.thread.board) and (
        poll.thread.author_id != viewer.user.id or has_votes)


def edit_poll(actor: User, poll: Poll, question: str, options: str,
              closes_at: datetime | None, reason: str | None = None,
              now: datetime | None = None) -> None:
    """Change a poll's question, its options' wording (one line each, the same number, in
    order: the votes stay with their options) and its closing time. Whether votes are public,
    the choices allowed and when results show stay as made, since voters relied on them.

    Refuses: as ``Policy.can_change_poll`` (after the first vote only moderators, logged as
    ``poll.edit`` with before and after); fields as ``specs`` checks them (400).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    has_votes = _has_votes(poll)
    decision = viewer.can_change_poll(poll, has_votes)
    if not decision:
        raise Refused(decision)
    question = specs.clean_question(question)
    labels = specs.relabel(options, len(poll.options))
    if closes_at != poll.closes_at:
        specs.check_closing(closes_at, now)
    before = _summary(poll)
    poll.question = question
    for option, label in zip(poll.options, labels, strict=True):
        option.label = label
    poll.closes_at = closes_at
    if _as_moderator(viewer, poll, has_votes):
        after = _summary(poll)
        changed = [key for key in before if before[key] != after[key]]
        audit.record(actor, "poll.edit", poll.thread, reason=reason,
                     before={key: before[key] for key in changed},
                     after={key: after[key] for key in changed}, now=now)
    database.commit()


def close_poll(actor: User, poll: Poll, reason: str | None = None,
               now: datetime | None = None) -> None:
    """Close a poll now. A conditional ``UPDATE``: of two closing at once one does it, and a
    vote sent meanwhile is counted before or refused after. A moderator's is logged
    (``poll.close``).

    Refuses: as ``Policy.can_manage_poll``; a poll already closed (409).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    decision = viewer.can_manage_poll(poll)
    if not decision:
        raise Refused(decision)
    closed = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.closed_at.is_(None),
                           or_(Poll.closes_at.is_(None), Poll.closes_at > now))
        .values(closed_at=now, closed_by_id=actor.id)
        .execution_options(synchronize_session=False)).rowcount
    if not closed:
        db.session.rollback()
        raise Conflict(_("This poll is closed already."))
    if _as_moderator(viewer, poll, True):
        audit.record(actor, "poll.close", poll.thread, reason=reason,
                     before={"closes_at": poll.closes_at.isoformat() if poll.closes_at else None},
                     after={"closed_at": now.isoformat()}, now=now)
    database.commit()


def delete_poll(actor: User, poll: Poll, reason: str | None = None,
                now: datetime | None = None) -> None:
    """Delete a poll with its votes. A moderator's is logged (``poll.delete``, with the
    question, the options and their counts).

    Refuses: as ``Policy.can_change_poll`` (after the first vote only moderators).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    has_votes = _has_votes(poll)
    decision = viewer.can_change_poll(poll, has_votes)
    if not decision:
        raise Refused(decision)
    if _as_moderator(viewer, poll, has_votes):
        summary = _summary(poll)
        summary["votes"] = [option.votes for option in poll.options]
        audit.record(actor, "poll.delete", poll.thread, reason=reason, before=summary, now=now)
    db.session.execute(delete(PollVote).where(PollVote.poll_id == poll.id))
    db.session.execute(delete(PollBallot).where(PollBallot.poll_id == poll.id))
    db.session.execute(delete(PollOption).where(PollOption.poll_id == poll.id))
    db.session.execute(delete(Poll).where(Poll.id == poll.id)
                       .execution_options(synchronize_session=False))
    database.commit()
