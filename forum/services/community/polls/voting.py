"""Voting in a poll, changing the vote and taking it back.

Race-safe without reading first: the poll's row is taken by a conditional ``UPDATE`` whose
WHERE says the poll is open (0 rows: closed or gone), which also makes ballots on one poll
take turns (a row lock on PostgreSQL, the write lock on SQLite). The member's ballot is then
claimed with ``INSERT … ON CONFLICT DO NOTHING``, which says whether this request cast it,
and the counts change in SQL (``votes = votes + 1``) beside the rows, whose primary keys
allow one ballot per member and poll and one vote per member and option.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, delete, insert, or_, select, update

from ....database import commit, insert_for
from ....errors import Conflict, InvalidField, Refused
from ....extensions import db
from ....models import Board, Poll, PollBallot, PollOption, PollVote, Thread, User, utcnow
from ....policy import Policy
from ... import data_export


def parse_choices(values: Iterable[str]) -> list[int]:
    """Option ids as a form sends them. Refuses (400) anything but whole numbers."""
    values = list(values)
    if not values:
        raise InvalidField("choice", _("Choose an option to vote for."))
    if len(values) > 100 or not all(value.isascii() and value.isdigit() and len(value) < 12
                                    for value in values):
        raise InvalidField("choice", _("That choice isn't one of this poll's options."))
    return [int(value) for value in values]


def _check_choices(poll: Poll, option_ids: list[int]) -> list[int]:
    if not option_ids:
        raise InvalidField("choice", _("Choose an option to vote for."))
    if len(set(option_ids)) != len(option_ids):
        raise InvalidField("choice", _("Choose each option at most once."))
    own = {option.id for option in poll.options}
    if not set(option_ids) <= own:
        raise InvalidField("choice", _("That choice isn't one of this poll's options."))
    if len(option_ids) > poll.max_choices:
        raise InvalidField("choice", ngettext("Choose at most %(num)d option.",
                                              "Choose at most %(num)d options.",
                                              poll.max_choices))
    return sorted(option_ids)


def _take_poll(poll: Poll, now: datetime) -> None:
    """The first write: the poll's row, only while it is open."""
    taken = db.session.execute(
        update(Poll).where(Poll.id == poll.id, Poll.closed_at.is_(None),
                           or_(Poll.closes_at.is_(None), Poll.closes_at > now))
        .values(voter_count=Poll.voter_count)
        .execution_options(synchronize_session=False)).rowcount
    if not taken:
        db.session.rollback()
        raise Conflict(_("This poll closed before your vote arrived; nothing was counted."))


def _count(option_ids: Iterable[int], step: int) -> None:
    option_ids = list(option_ids)
    if option_ids:
        db.session.execute(update(PollOption).where(PollOption.id.in_(option_ids))
                           .values(votes=PollOption.votes + step)
                           .execution_options(synchronize_session=False))


def _clear_choices(actor: User, poll: Poll) -> None:
    removed = db.session.execute(
        delete(PollVote).where(PollVote.poll_id == poll.id, PollVote.user_id == actor.id)
        .returning(PollVote.option_id)).scalars().all()
    _count(removed, -1)


def vote(actor: User, poll: Poll, option_ids: list[int], now: datetime | None = None) -> bool:
    """Cast the member's vote, or change it where the poll allows. Returns True for a new
    ballot, False for a changed one.

    Refuses: as ``Policy.can_vote`` (guests, a board or thread the member may not read, a
    closed poll, a locked or deleted thread, a sanction); no choice, a repeated one, more
    than the poll allows or an option of another poll (400); a second vote where votes can't
    be changed, or a poll closed meanwhile (409). Nothing is saved when refused.
    """
    now = now or utcnow()
    decision = Policy(actor, now).can_vote(poll)
    if not decision:
        raise Refused(decision)
    chosen = _check_choices(poll, option_ids)
    _take_poll(poll, now)
    cast = db.session.execute(
        insert_for(PollBallot).values(poll_id=poll.id, user_id=actor.id, created_at=now,
                                      updated_at=now)
        .on_conflict_do_nothing().returning(PollBallot.poll_id)).first()
    if cast is None:
        if not poll.is_changeable:
            db.session.rollback()
            raise Conflict(_("You have voted in this poll already, and its votes can't be "
                             "changed."))
        _clear_choices(actor, poll)
        db.session.execute(update(PollBallot)
                           .where(PollBallot.poll_id == poll.id, PollBallot.user_id == actor.id)
                           .values(updated_at=now))
    else:
        db.session.execute(update(Poll).where(Poll.id == poll.id)
                           .values(voter_count=Poll.voter_count + 1)
                           .execution_options(synchronize_session=False))
    db.session.execute(insert(PollVote), [
        {"option_id": option_id, "user_id": actor.id, "poll_id": poll.id, "created_at": now}
        for option_id in chosen])
    _count(chosen, +1)
    commit()
    return cast is not None


def withdraw(actor: User, poll: Poll, now: datetime | None = None) -> bool:
    """Take the member's vote back, where votes can be changed. Returns whether there was
    one.

    Refuses: as ``vote``; a poll whose votes can't be changed (409).
    """
    now = now or utcnow()
    decision = Policy(actor, now).can_vote(poll)
    if not decision:
        raise Refused(decision)
    if not poll.is_changeable:
        raise Conflict(_("Votes in this poll can't be changed or taken back."))
    _take_poll(poll, now)
    removed = db.session.execute(
        delete(PollBallot).where(PollBallot.poll_id == poll.id, PollBallot.user_id == actor.id)
    ).rowcount
    if not removed:
        db.session.rollback()
        return False
    _clear_choices(actor, poll)
    db.session.execute(update(Poll).where(Poll.id == poll.id)
                       .values(voter_count=Poll.voter_count - 1)
                       .execution_options(synchronize_session=False))
    commit()
    return True


@data_export.section("poll_votes")
def export_votes(user: User) -> list[dict]:
    """The member's votes: the poll, its question and the option chosen where the member may
    read the poll's board now, and when (one query)."""
    readable = Policy(user).visible_boards(select(Board.id)).scalar_subquery()
    may_read = Board.id.in_(readable)
    rows = db.session.execute(
        select(Poll.id, Poll.thread_id,
               case((may_read, Poll.question), else_=None).label("question"),
               case((may_read, PollOption.label), else_=None).label("option"),
               PollVote.created_at)
        .join(PollOption, PollOption.id == PollVote.option_id)
        .join(Poll, Poll.id == PollVote.poll_id)
        .join(Thread, Thread.id == Poll.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .where(PollVote.user_id == user.id)
        .order_by(PollVote.created_at, Poll.id, PollOption.position))
    return [{"poll_id": row.id, "thread_id": row.thread_id, "question": row.question,
             "option": row.option, "voted_at": data_export.iso(row.created_at)}
            for row in rows]
