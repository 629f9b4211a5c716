"""How closely members follow threads and boards, and who hears of a new post.

Levels (``WatchLevel``): watching (told of every new post), tracking (counted as unread),
normal, muted (never new, never told). A thread's own level wins over its board's; neither set
means normal. A member watches the threads they start and tracks the ones they reply to, unless
their account says otherwise (``User.watch_started``, ``User.track_replied``).

Telling watchers is one ``UPDATE`` (an unread notification for the thread counts one more
post) and one ``INSERT … SELECT`` (everyone else), however many watch: the posting request
never writes a row per watcher from Python.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, exists, func, insert, literal, select, union, update
from sqlalchemy.types import JSON

from ...database import commit, insert_for
from ...errors import Refused
from ...extensions import db
from ...models import (
    Board,
    BoardWatch,
    Notification,
    NotificationKind,
    Post,
    Thread,
    ThreadRead,
    User,
    UserBlock,
    WatchLevel,
    utcnow,
)
from ...policy import Policy
from ...policy.content import readers_of_board

WATCHED_KEY = "thread.posts"


def thread_link(thread_id: int) -> str:
    """Where a grouped notification about new posts leads: the first post the member hasn't
    read (``/t/<id>/unread``), and what groups them: one unread per member and thread."""
    return f"/t/{thread_id}/unread"


def parse_level(value: str | None) -> WatchLevel:
    """A level from a form. Refuses (400) anything else."""
    try:
        return WatchLevel(value or "")
    except ValueError:
        raise Refused(_("Choose watching, tracking, normal or muted."), status=400) from None


def effective(thread_level: str | None, board_level: str | None) -> WatchLevel:
    return WatchLevel(thread_level or board_level or WatchLevel.NORMAL)


# -- setting levels -----------------------------------------------------------------------------
def set_thread_level(actor: User, thread: Thread, level: str | None,
                     now: datetime | None = None) -> WatchLevel:
    """Set how the member follows a thread (one UPSERT; their reading position stays).

    Refuses: guests (login), a thread they may not read (404 or 403, from the policy), an
    unknown level (400).
    """
    chosen = parse_level(level)
    viewer = Policy(actor, now)
    _require_member(viewer)
    decision = viewer.can_view_thread(thread)
    if not decision:
        raise Refused(decision)
    statement = insert_for(ThreadRead).values(
        user_id=actor.id, thread_id=thread.id, last_position=0, level=chosen.value,
        updated_at=now or utcnow())
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={"level": statement.excluded.level}))
    commit()
    return chosen


def set_board_level(actor: User, board: Board, level: str | None,
                    now: datetime | None = None) -> WatchLevel:
    """Set how the member follows a board's threads (those without a level of their own).

    Refuses: guests (login), a board they may not read (from the policy), an unknown level (400).
    """
    chosen = parse_level(level)
    viewer = Policy(actor, now)
    _require_member(viewer)
    decision = viewer.can_view_board(board)
    if not decision:
        raise Refused(decision)
    statement = insert_for(BoardWatch).values(user_id=actor.id, board_id=board.id,
                                              level=chosen.value)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[BoardWatch.user_id, BoardWatch.board_id],
        set_={"level": statement.excluded.level}))
    commit()
    return chosen


def _require_member(viewer: Policy) -> None:
    decision = viewer.can_keep_up()
    if not decision:
        raise Refused(decision)


def set_defaults(actor: User, watch_started: bool, track_replied: bool) -> None:
    """The member's defaults for threads they start and threads they reply to."""
    db.session.execute(update(User).where(User.id == actor.id)
                       .values(watch_started=bool(watch_started),
                               track_replied=bool(track_replied)))
    commit()


# -- the writer's own state, in the posting transaction ------------------------------------------
def started(actor: User, thread: Thread, now: datetime) -> None:
    """The author of a new thread has read it, and watches it if their account says so."""
    db.session.execute(insert_for(ThreadRead).values(
        user_id=actor.id, thread_id=thread.id, last_position=1,
        level=WatchLevel.WATCHING.value if actor.watch_started else None, updated_at=now))


def replied(actor: User, post: Post, now: datetime) -> None:
    """The author of a reply has read the thread up to it, and tracks the thread unless they
    chose a level for it already or their account says not to."""
    statement = insert_for(ThreadRead).values(
        user_id=actor.id, thread_id=post.thread_id, last_position=post.position,
        level=WatchLevel.TRACKING.value if actor.track_replied else None, updated_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[ThreadRead.user_id, ThreadRead.thread_id],
        set_={
            "last_position": func.max(ThreadRead.last_position, statement.excluded.last_position)
            if db.engine.dialect.name == "sqlite"
            else func.greatest(ThreadRead.last_position, statement.excluded.last_position),
            "level": func.coalesce(ThreadRead.level, statement.excluded.level),
            "updated_at": statement.excluded.updated_at,
        }))


# -- telling the watchers -----------------------------------------------------------------------
def _watchers(thread: Thread, board: Board, actor_id: int, told: Iterable[int]):
    """The ids of members who watch the thread (its own level, else its board's), may read its
    board now, and are neither the writer nor already told about this post otherwise."""
    own = (select(ThreadRead.level)
           .where(ThreadRead.user_id == User.id, ThreadRead.thread_id == thread.id)
           .scalar_subquery())
    boards = (select(BoardWatch.level)
              .where(BoardWatch.user_id == User.id, BoardWatch.board_id == board.id)
              .scalar_subquery())
    candidates = union(
        select(ThreadRead.user_id).where(ThreadRead.thread_id == thread.id,
                                         ThreadRead.level == WatchLevel.WATCHING.value),
        select(BoardWatch.user_id).where(BoardWatch.board_id == board.id,
                                         BoardWatch.level == WatchLevel.WATCHING.value),
    )
    told = sorted(set(told) | {actor_id})
    # A member who blocked the writer hears nothing of their posts.
    blocked_writer = exists().where(UserBlock.blocker_id == User.id,
                                    UserBlock.blocked_id == actor_id)
    return (select(User.id)
            .where(User.id.in_(candidates),
                   func.coalesce(own, boards) == WatchLevel.WATCHING.value,
                   readers_of_board(board), User.id.not_in(told), ~blocked_writer))


def tell_watchers(actor: User, thread: Thread, post: Post, told: Iterable[int],
                  now: datetime) -> None:
    """Tell everyone watching the thread about a new post, grouped: a member with an unread
    notification for the thread has it count one more post (and name the latest writer);
    the others get one. Two statements whatever the number of watchers. Nobody hears of a
    post in a deleted thread, nor of one in a board they can no longer read."""
    if thread.is_deleted:
        return
    board = thread.board
    link = thread_link(thread.id)
    params = {"name": actor.name, "title": thread.title}
    watchers = _watchers(thread, board, actor.id, told)
    grouped = and_(Notification.kind == NotificationKind.WATCHED.value,
                   Notification.link == link, Notification.read_at.is_(None))
    db.session.execute(
        update(Notification)
        .where(grouped, Notification.recipient_id.in_(watchers))
        .values(count=Notification.count + 1, actor_id=actor.id, created_at=now,
                params=params)
        .execution_options(synchronize_session=False))
    already = exists().where(grouped, Notification.recipient_id == User.id)
    fresh = watchers.where(~already).with_only_columns(
        User.id,
        literal(NotificationKind.WATCHED.value),
        literal(WATCHED_KEY),
        bindparam("params", params, type_=JSON),
        literal(""),
        literal(link),
        literal(actor.id),
        bindparam("now", now, type_=Notification.__table__.c.created_at.type),
        literal(1),
    )
    db.session.execute(insert(Notification).from_select(
        ["recipient_id", "kind", "key", "params", "text", "link", "actor_id", "created_at",
         "count"], fresh))
