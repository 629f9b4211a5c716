"""How far each member has read: the last position per thread, "new" marks and counts, the
lists of threads with unread posts, marking a board or everything read.

A page view marks what it showed with one UPSERT, and none when the member had already read
that far (the thread's query brought their position along). It is written on a connection of
its own, outside the page's session: a commit there would expire what the page loaded, and
the guests' page cache empties on every commit through the session, which a member's reading
must not do.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Integer, String, and_, bindparam, cast, func, or_, select, update
from sqlalchemy.orm import joinedload, with_expression

from ...common.paging import page_count
from ...database import commit, insert_for
from ...errors import NotFound, Refused
from ...extensions import db
from ...models import (
    Board,
    BoardWatch,
    Post,
    Reaction,
    Thread,
    ThreadRead,
    User,
    WatchLevel,
    utcnow,
)
from ...policy import Policy
from .. import data_export


# -- what a page loads with its threads ---------------------------------------------------------
def _viewer_param():
    # With a value of its own: an object loaded with these options and later refreshed
    # (expired by a commit) runs them again without the page's parameters.
    return bindparam("viewer_id", None, type_=Integer)


def thread_options(with_board_level: bool = True) -> list:
    """Loader options putting the viewing member's (``viewer_id`` parameter) position and
    levels on each thread of a query, as correlated subqueries of the same statement. A board
    page knows the member's level for its board already (``board_options``)."""
    viewer = _viewer_param()
    options = [
        with_expression(Thread.read_position, select(ThreadRead.last_position).where(
            ThreadRead.user_id == viewer, ThreadRead.thread_id == Thread.id).scalar_subquery()),
        with_expression(Thread.watch_level, select(ThreadRead.level).where(
            ThreadRead.user_id == viewer, ThreadRead.thread_id == Thread.id).scalar_subquery()),
    ]
    if with_board_level:
        options.append(with_expression(Thread.board_watch_level, select(BoardWatch.level).where(
            BoardWatch.user_id == viewer, BoardWatch.board_id == Thread.board_id)
            .scalar_subquery()))
    return options


def page_reactions_option():
    """The viewing member's reactions to the posts at positions ``first`` … ``last`` of the
    thread, as "post id:kind,…", on the thread (so the page pays no query for them)."""
    mine = (select(func.aggregate_strings(cast(Reaction.post_id, String) + ":" + Reaction.kind,
                                          ","))
            .join(Post, Post.id == Reaction.post_id)
            .where(Reaction.user_id == _viewer_param(), Post.thread_id == Thread.id,
                   Post.position.between(bindparam("first", 0, type_=Integer),
                                         bindparam("last", 0, type_=Integer)))
            .scalar_subquery())
    return with_expression(Thread.my_reactions, mine)


def my_reactions(thread: Thread) -> dict[int, frozenset[str]]:
    found: dict[int, set[str]] = {}
    for part in (thread.my_reactions or "").split(","):
        post_id, _sep, kind = part.partition(":")
        if post_id.isdigit():
            found.setdefault(int(post_id), set()).add(kind)
    return {post_id: frozenset(kinds) for post_id, kinds in found.items()}


def board_options() -> list:
    """The viewing member's level for a board and when they marked it read, on the board."""
    viewer = _viewer_param()
    return [
        with_expression(Board.viewer_level, select(BoardWatch.level).where(
            BoardWatch.user_id == viewer, BoardWatch.board_id == Board.id).scalar_subquery()),
        with_expression(Board.viewer_read_all_at, select(BoardWatch.read_all_at).where(
            BoardWatch.user_id == viewer, BoardWatch.board_id == Board.id).scalar_subquery()),
    ]


@dataclass(frozen=True, slots=True)
class Unread:
    """A thread's mark in a list: how many posts are new (None: new, but never opened before
    the member's last "mark read", so not counted) and the position to jump to."""

    count: int | None
    first: int


def cutoff(user: User, board_read_all_at: datetime | None = None) -> datetime:
    """Activity before this is read for the member: their sign-up, their last "mark everything
    read", their last "mark this board read"."""
    return max(moment for moment in (user.created_at, user.read_all_at, board_read_all_at)
               if moment is not None)


def unread_of(user: User, thread: Thread, board_read_all_at: datetime | None,
              board_level: str | None = None) -> Unread | None:
    """The thread's mark for the member, from what its query loaded (``thread_options``)."""
    level = WatchLevel(thread.watch_level or board_level or thread.board_watch_level
                       or WatchLevel.NORMAL)
    if level == WatchLevel.MUTED or thread.is_deleted:
        return None
    read = thread.read_position or 0
    if thread.post_seq <= read or thread.last_post_at <= cutoff(user, board_read_all_at):
        return None
    if read == 0 and thread.created_at <= cutoff(user, board_read_all_at):
        return Unread(None, 1)
    return Unread(thread.post_seq - read, read + 1)


def unread_marks(viewer: Policy, board: Board, threads: list[Thread]) -> dict[int, Unread]:
    if not viewer.is_member:
        return {}
    marks = {}
    for thread in threads:
        # A thread pinned everywhere from another board follows that board's level, which
        # the page didn't load: its own level, else normal.
        here = thread.board_id == board.id
        mark = unread_of(viewer.user, thread, board.viewer_read_all_at if here else None,
                         board.viewer_level if here else None)
        if mark is not None:
            marks[thread.id] = mark
    return marks


# -- marking ------------------------------------------------------------------------------------
def mark_read(viewer: Policy, thread: Thread, position: int, now: datetime | None = None) -> bool:
    """Mark the thread read up to ``position`` for the member: one UPSERT that never moves the
    position back, none at all when the thread's query showed they had read that far (or
    for guests). Returns whether it wrote."""
    if not viewer.is_member or position <= (thread.read_position or 0):
        return False
    statement = insert_for(ThreadRead).values(
        user_id=viewer.user.id, thread_id=thread.id, last_position=position,
        updated_at=now or utcnow())
    statement = statement.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={"last_position": statement.excluded.last_position,
              "updated_at": statement.excluded.updated_at},
        where=ThreadRead.last_position < statement.excluded.last_position)
    with db.engine.begin() as connection:
        connection.execute(statement)
    thread.read_position = position
    return True


def mark_board_read(actor: User, board: Board, now: datetime | None = None) -> None:
    """Everything in the board is read for the member as of now (one UPSERT).

    Refuses: guests (login), a board they may not read (from the policy).
    """
    viewer = Policy(actor, now)
    _require(viewer.can_keep_up())
    _require(viewer.can_view_board(board))
    now = now or utcnow()
    statement = insert_for(BoardWatch).values(user_id=actor.id, board_id=board.id,
                                              read_all_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[BoardWatch.user_id, BoardWatch.board_id],
        set_={"read_all_at": statement.excluded.read_all_at}))
    commit()


def mark_everything_read(actor: User, now: datetime | None = None) -> None:
    """Everything everywhere is read for the member as of now.

    Refuses: guests (login).
    """
    _require(Policy(actor, now).can_keep_up())
    db.session.execute(update(User).where(User.id == actor.id)
                       .values(read_all_at=now or utcnow()))
    commit()


def _require(decision) -> None:
    if not decision:
        raise Refused(decision)


def first_unread(viewer: Policy, thread: Thread) -> int:
    """The position of the first post the member hasn't read (the last post when they read
    everything, the first for guests)."""
    if not viewer.is_member:
        return 1
    read = db.session.scalar(select(ThreadRead.last_position).where(
        ThreadRead.user_id == viewer.user.id, ThreadRead.thread_id == thread.id)) or 0
    return max(1, min(read + 1, thread.post_seq))


def post_at(thread: Thread, position: int) -> int | None:
    """The id of the post at a position (the thread keeps every slot)."""
    return db.session.scalar(select(Post.id).where(Post.thread_id == thread.id,
                                                   Post.position == position))


# -- the lists ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnreadPage:
    items: list[tuple[Thread, Unread]]
    page: int
    pages: int


def unread_threads(viewer: Policy, only_followed: bool, page: int = 1,
                   per_page: int = 25) -> UnreadPage:
    """Threads with posts the member hasn't read, newest activity first, in boards they may
    read, none muted: every such thread (``/new``) or those they watch or track (``/unread``).
    Two statements.

    Refuses: guests (login), a page past the last one (404).
    """
    _require(viewer.can_keep_up())
    user = viewer.user
    mine = and_(ThreadRead.user_id == user.id, ThreadRead.thread_id == Thread.id)
    boards = and_(BoardWatch.user_id == user.id, BoardWatch.board_id == Thread.board_id)
    level = func.coalesce(ThreadRead.level, BoardWatch.level, WatchLevel.NORMAL.value)
    since = cutoff(user)
    read = func.coalesce(ThreadRead.last_position, 0)
    conditions = [
        Thread.is_deleted.is_(False), Thread.merged_into_id.is_(None),
        Thread.last_post_at > since, Thread.post_seq > read,
        or_(BoardWatch.read_all_at.is_(None), Thread.last_post_at > BoardWatch.read_all_at),
        level != WatchLevel.MUTED.value,
    ]
    if only_followed:
        conditions.append(level.in_([WatchLevel.WATCHING.value, WatchLevel.TRACKING.value]))
    base = viewer.visible_boards(
        select(Thread).join(Thread.board).outerjoin(ThreadRead, mine)
        .outerjoin(BoardWatch, boards).where(*conditions))
    total = db.session.scalar(base.with_only_columns(func.count(Thread.id))) or 0
    pages = page_count(total, per_page)
    if page > pages:
        raise NotFound(_("That page of the list doesn't exist."))
    rows = db.session.execute(
        base.add_columns(read, BoardWatch.read_all_at)
        .options(joinedload(Thread.last_post).joinedload(Post.author))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).unique().all()
    items = []
    for thread, position, board_read in rows:
        before = position == 0 and thread.created_at <= cutoff(user, board_read)
        items.append((thread, Unread(None if before else thread.post_seq - position,
                                     position + 1)))
    return UnreadPage(items=items, page=page, pages=pages)



@data_export.section("threads_read")
def export_thread_reading(user: User) -> list[dict]:
    """How far the member read each thread and the level they follow it at (one query)."""
    rows = db.session.execute(
        select(ThreadRead.thread_id, ThreadRead.last_position, ThreadRead.level,
               ThreadRead.updated_at)
        .where(ThreadRead.user_id == user.id).order_by(ThreadRead.thread_id))
    return [{"thread_id": row.thread_id, "last_position_read": row.last_position,
             "level": row.level, "updated_at": data_export.iso(row.updated_at)}
            for row in rows]


@data_export.section("boards_followed")
def export_board_watching(user: User) -> list[dict]:
    """The member's level for each board and when they marked it read (one query)."""
    rows = db.session.execute(
        select(BoardWatch.board_id, BoardWatch.level, BoardWatch.read_all_at)
        .where(BoardWatch.user_id == user.id).order_by(BoardWatch.board_id))
    return [{"board_id": row.board_id, "level": row.level,
             "marked_read_at": data_export.iso(row.read_all_at)} for row in rows]
