"""What pages show of a poll: the thread page's box (one statement, only for a thread that
has a poll) and the list of who voted for what in a public poll."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from ....errors import NotFound, require
from ....extensions import db
from ....models import Poll, PollBallot, PollOption, PollVote, Thread, User
from ....policy import Policy
from ....policy.decision import Decision


@dataclass(frozen=True)
class OptionResult:
    id: int
    label: str
    votes: int
    # Of the members who voted (several choices each can add up to more than 100).
    share: float
    chosen: bool


@dataclass(frozen=True)
class PollBox:
    poll: Poll
    options: list[OptionResult]
    voted: bool
    results_visible: bool
    ended_at: datetime | None
    vote_decision: Decision
    may_manage: bool


def _mine(viewer: Policy):
    if not viewer.is_member:
        return false()
    return exists().where(PollVote.option_id == PollOption.id,
                          PollVote.user_id == viewer.user.id)


def box_for(viewer: Policy, thread: Thread) -> PollBox | None:
    """The thread's poll with its options and the viewer's choices: one statement. The
    thread is one the viewer may read (``reading.get_thread``)."""
    rows = db.session.execute(
        select(Poll, PollOption, _mine(viewer).label("mine"))
        .join(PollOption, PollOption.poll_id == Poll.id)
        .where(Poll.thread_id == thread.id)
        .order_by(PollOption.position)).all()
    if not rows:
        return None
    poll = rows[0][0]
    # Hand over what the rows brought, so nothing below asks again.
    set_committed_value(poll, "thread", thread)
    set_committed_value(poll, "options", [option for _poll, option, _mine_ in rows])
    return _box(viewer, poll, {option.id for _poll, option, mine in rows if mine})


def _box(viewer: Policy, poll: Poll, chosen: set[int]) -> PollBox:
    voted = bool(chosen)
    whole = poll.voter_count or 0
    options = [OptionResult(id=option.id, label=option.label, votes=option.votes,
                            share=(option.votes / whole) if whole else 0.0,
                            chosen=option.id in chosen)
               for option in poll.options]
    return PollBox(poll=poll, options=options, voted=voted,
                   results_visible=viewer.sees_poll_results(poll, voted),
                   ended_at=poll.ended_at(viewer.clock), vote_decision=viewer.can_vote(poll),
                   may_manage=bool(viewer.is_member and viewer.can_manage_poll(poll)))


def get_poll(viewer: Policy, poll_id: int) -> Poll:
    """The poll with its thread, board and options, if the viewer may read the thread.

    Refuses: an unknown poll (404), a board the viewer may not read (login or 403), a
    deleted thread for anyone but its moderators (404).
    """
    poll = db.session.scalar(
        select(Poll).where(Poll.id == poll_id)
        .options(joinedload(Poll.thread).joinedload(Thread.board),
                 joinedload(Poll.options)))
    if poll is None:
        raise NotFound(_("That poll doesn't exist."))
    require(viewer.can_view_board(poll.thread.board))
    seen = viewer.can_view_thread(poll.thread)
    if not seen:
        raise NotFound(seen.reason)
    return poll


def has_voted(viewer: Policy, poll: Poll) -> bool:
    if not viewer.is_member:
        return False
    return bool(db.session.scalar(select(exists().where(
        and_(PollBallot.poll_id == poll.id, PollBallot.user_id == viewer.user.id)))))


def box(viewer: Policy, poll: Poll) -> PollBox:
    """The box for a poll loaded by ``get_poll`` (the voting page after a refusal)."""
    chosen: set[int] = set()
    if viewer.is_member:
        chosen = set(db.session.scalars(select(PollVote.option_id).where(
            PollVote.poll_id == poll.id, PollVote.user_id == viewer.user.id)))
    return _box(viewer, poll, chosen)


@dataclass(frozen=True)
class OptionVoters:
    option: PollOption
    voters: list[User]
    # Voters the viewer blocked: counted, not named.
    blocked: int


def voters(viewer: Policy, poll: Poll) -> list[OptionVoters]:
    """Who voted for what in a public poll, earliest first under each option: one
    statement. Members the viewer blocked are counted, not named.

    Refuses: an anonymous poll, or one whose results the viewer may not see yet (403).
    """
    require(viewer.can_view_poll_voters(poll, has_voted(viewer, poll)))
    rows = db.session.execute(
        select(PollVote.option_id, User).join(User, User.id == PollVote.user_id)
        .where(PollVote.poll_id == poll.id)
        .order_by(PollVote.created_at, User.id)).all()
    named: dict[int, list[User]] = {option.id: [] for option in poll.options}
    blocked: dict[int, int] = dict.fromkeys(named, 0)
    for option_id, user in rows:
        if viewer.is_member and viewer.has_blocked(user):
            blocked[option_id] += 1
        else:
            named[option_id].append(user)
    return [OptionVoters(option=option, voters=named[option.id], blocked=blocked[option.id])
            for option in poll.options]
