"""Undoing a soft delete: the mirror of ``posting.delete_post``, counters included.

These are steps, not entry points: the caller (``services.moderation.post_tools.restore_post``
or ``thread_tools.restore_thread``) has checked the policy, logs the action and commits. Every
counter changes in SQL (``n = n + 1``), and the flags flip with a conditional ``UPDATE``, so two
moderators restoring at once bring a count back only once.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ...errors import Refused
from ...extensions import db
from ...models import Board, Post, Thread, User
from . import response_stamps
from .posting import last_visible_post, latest_board_post_id


def _claim_post(post: Post) -> None:
    claimed = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.is_deleted.is_(True))
        .values(is_deleted=False, deleted_at=None, deleted_by_id=None, delete_reason=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise Refused(_("This post isn't deleted."), status=409)
    db.session.execute(
        update(User).where(User.id == post.author_id).values(post_count=User.post_count + 1)
    )
    db.session.flush()
    db.session.expire(post)


def restore_post(post: Post) -> bool:
    """Bring a deleted post back with its counts; the opening post brings its thread back too
    (``restore_thread``). Returns whether the thread was restored.

    Refuses: a post that isn't deleted (409).
    """
    thread = post.thread
    if post.id == thread.first_post_id and thread.is_deleted:
        restore_thread(thread)
        return True
    _claim_post(post)
    if post.id == thread.first_post_id:
        return False
    response_stamps.restamp(thread.id)  # it may answer the thread again
    if thread.is_deleted:
        # The thread is out of the board's counts; only its own reply count follows.
        db.session.execute(
            update(Thread).where(Thread.id == thread.id)
            .values(reply_count=Thread.reply_count + 1)
        )
    else:
        last_id, last_at = last_visible_post(thread.id)
        db.session.execute(
            update(Thread).where(Thread.id == thread.id)
            .values(reply_count=Thread.reply_count + 1, last_post_id=last_id,
                    last_post_at=last_at or thread.created_at)
        )
        db.session.execute(
            update(Board).where(Board.id == thread.board_id)
            .values(post_count=Board.post_count + 1)
        )
        _point_board_at_latest(thread.board_id)
    db.session.expire(thread)
    return False


def restore_thread(thread: Thread) -> None:
    """Bring a deleted thread back into its board's counts, with its opening post (when that
    is deleted, as a thread deleted through it is).

    Refuses: a thread that isn't deleted (409).
    """
    claimed = db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id, Thread.is_deleted.is_(True))
        .values(is_deleted=False, deleted_at=None, deleted_by_id=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        raise Refused(_("This thread isn't deleted."), status=409)
    opening = db.session.get(Post, thread.first_post_id) if thread.first_post_id else None
    if opening is not None and opening.is_deleted:
        _claim_post(opening)
    visible = db.session.scalar(
        select(func.count()).select_from(Post)
        .where(Post.thread_id == thread.id, Post.is_deleted.is_(False))
    )
    last_id, last_at = last_visible_post(thread.id)
    db.session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(last_post_id=last_id, last_post_at=last_at or thread.created_at)
    )
    db.session.execute(
        update(Board).where(Board.id == thread.board_id)
        .values(thread_count=Board.thread_count + 1, post_count=Board.post_count + visible)
    )
    db.session.execute(
        update(User).where(User.id == thread.author_id).values(thread_count=User.thread_count + 1)
    )
    _point_board_at_latest(thread.board_id)
    db.session.expire(thread)


def _point_board_at_latest(board_id: int) -> None:
    db.session.flush()
    db.session.execute(
        update(Board).where(Board.id == board_id)
        .values(last_post_id=latest_board_post_id(board_id))
        .execution_options(synchronize_session=False)
    )
    board = db.session.get(Board, board_id)
    if board is not None:
        db.session.expire(board)
