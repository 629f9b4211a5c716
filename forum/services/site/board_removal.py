"""Deleting a board, which first moves everything that lives in it to another board.

One transaction: the threads (deleted ones too) and events move with set-based UPDATEs, the
destination's counters grow by what the moved threads add (the count ``thread_moving.move_thread``
makes per thread: each visible thread, its replies and its opening post) and its latest post is
worked out again in SQL; the board's moderators lose it, its pinned announcements end with it,
its old slugs are freed, and the log keeps what the board was. The search index follows after
the commit on its own (``threads.board_id`` is a watched column), and search results are
checked against the database, so a moved thread shows only to readers of its new board.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import Announcement, Board, BoardModerator, Event, Thread, User, utcnow
from ...policy import Policy
from .. import audit
from .boards import board_values
from .structure import board_order, lock_categories, renumber, undone_on_refusal


@dataclass(frozen=True)
class Removal:
    """What deleting ``board`` involves, for the confirmation page."""

    board: Board
    threads: int  # deleted ones included: they move too
    events: int
    announcements: int
    destinations: list[Board]


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def removal_plan(viewer: Policy, board: Board) -> Removal:
    """Refuses: anyone but administrators."""
    require(viewer.can_manage_structure())
    destinations = list(db.session.scalars(
        select(Board).where(Board.id != board.id)
        .order_by(Board.is_archived, Board.title, Board.id)
    ))
    return Removal(
        board=board,
        threads=_count(Thread, Thread.board_id == board.id),
        events=_count(Event, Event.board_id == board.id),
        announcements=_count(Announcement, Announcement.board_id == board.id),
        destinations=destinations,
    )


def _latest_post(board_id):
    """The board's latest post as a subquery (as ``posting.latest_board_post_id`` finds it)."""
    return (
        select(Thread.last_post_id)
        .where(Thread.board_id == board_id, Thread.is_deleted.is_(False))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@undone_on_refusal
def delete_board(actor: User, board: Board, destination_id: int | None,
                 reason: str | None = None, now: datetime | None = None) -> int:
    """Move the board's threads and events to the board ``destination_id``, then delete it
    (``board.delete``). Returns how many threads moved.

    Refuses: anyone but administrators (403); no destination while the board has threads or
    events, the board itself as destination, a destination that doesn't exist (any more) (400).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_structure())
    destination = db.session.get(Board, destination_id) if destination_id else None
    if destination_id and destination is None:
        raise Refused(_("The board to move the threads to doesn't exist (any more). Choose "
                      "another."), status=400)
    if destination is not None and destination.id == board.id:
        raise Refused(_("Choose another board to move the threads to: they can't stay in the "
                      "board being deleted."), status=400)
    lock_categories(board.category_id, *([destination.category_id] if destination else []))
    threads = _count(Thread, Thread.board_id == board.id)
    events = _count(Event, Event.board_id == board.id)
    if (threads or events) and destination is None:
        raise Refused(_("“%(title)s” has %(threads)s thread(s) and %(events)s event(s). Choose "
                        "the board they move to.", title=board.title, threads=threads,
                        events=events), status=400)
    before = {**board_values(board), "threads": threads, "events": events}
    after: dict = {}
    if destination is not None:
        visible, posts = db.session.execute(
            select(func.count(Thread.id), func.coalesce(func.sum(Thread.reply_count + 1), 0))
            .where(Thread.board_id == board.id, Thread.is_deleted.is_(False))
        ).one()
        db.session.execute(update(Thread).where(Thread.board_id == board.id)
                           .values(board_id=destination.id)
                           .execution_options(synchronize_session=False))
        db.session.execute(update(Event).where(Event.board_id == board.id)
                           .values(board_id=destination.id)
                           .execution_options(synchronize_session=False))
        db.session.execute(
            update(Board).where(Board.id == destination.id)
            .values(thread_count=Board.thread_count + visible,
                    post_count=Board.post_count + posts,
                    last_post_id=_latest_post(destination.id))
            .execution_options(synchronize_session=False)
        )
        after = {"moved_to": destination.slug, "threads": threads, "events": events}
    _forget_moderators(board)
    db.session.execute(delete(Announcement).where(Announcement.board_id == board.id)
                       .execution_options(synchronize_session=False))
    audit.record(actor, "board.delete", board, reason, before=before, after=after or None,
                 now=now)
    category_id = board.category_id
    db.session.delete(board)
    db.session.flush()
    renumber(Board, board_order(category_id), Board.category_id == category_id)
    commit()
    db.session.expire_all()
    return threads


def _forget_moderators(board: Board) -> None:
    """The board's moderators lose it; those left with no board lose the flag too."""
    user_ids = list(db.session.scalars(
        select(BoardModerator.user_id).where(BoardModerator.board_id == board.id)))
    if not user_ids:
        return
    db.session.execute(delete(BoardModerator).where(BoardModerator.board_id == board.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(
        update(User).where(User.id.in_(user_ids))
        .values(is_board_moderator=exists().where(BoardModerator.user_id == User.id))
        .execution_options(synchronize_session=False)
    )
