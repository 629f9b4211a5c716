"""Deleting every post of a member at once, when their account is deleted with its posts.

A step, not an entry point: the caller has checked the policy, logs the action and commits.
It is ``posting.delete_post`` for many posts in a fixed number of statements: posts are
soft-deleted (moderators can still see and restore them), the threads the member opened go
with their opening posts, and the counters and latest-post pointers of threads, boards and the
member follow in SQL. The search index follows the session as for any other write.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, update

from ...extensions import db
from ...models import Board, Post, Thread, User
from . import response_stamps
from .posting import LATEST_FIRST, latest_board_post_id

# Stored as written; worded for each reader by ``moderation.system_reasons``.
REASON = "The member's account was deleted with their posts."


@dataclass(frozen=True)
class Purged:
    posts: int
    threads: int


def delete_member_posts(actor: User, user: User, now: datetime,
                        reason: str = REASON) -> Purged:
    """Soft-delete every post of ``user`` that isn't deleted yet (and the threads they
    opened), marked as deleted by ``actor`` at ``now``. No commit."""
    opening = Post.__table__.alias("opening")
    opened = list(db.session.scalars(
        select(Thread.id)
        .join(opening, opening.c.id == Thread.first_post_id)
        .where(opening.c.author_id == user.id, opening.c.is_deleted.is_(False),
               Thread.is_deleted.is_(False))
    ))
    posts = db.session.execute(
        update(Post)
        .where(Post.author_id == user.id, Post.is_deleted.is_(False))
        .values(is_deleted=True, deleted_at=now, deleted_by_id=actor.id,
                delete_reason=reason[:500])
        .execution_options(synchronize_session=False)
    ).rowcount
    if not posts:
        return Purged(0, 0)
    threads = 0
    if opened:
        threads = db.session.execute(
            update(Thread)
            .where(Thread.id.in_(opened), Thread.is_deleted.is_(False))
            .values(is_deleted=True, deleted_at=now, deleted_by_id=actor.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    ours = and_(Post.author_id == user.id, Post.deleted_at == now,
                Post.deleted_by_id == actor.id)
    _recount_boards(ours, opened)
    _recount_threads(ours)
    db.session.execute(
        update(User).where(User.id == user.id)
        .values(post_count=User.post_count - posts, thread_count=User.thread_count - threads)
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    return Purged(posts, threads)


def _recount_boards(ours, opened: list[int]) -> None:
    """What left each board: our posts in threads that stayed or went with us, and everyone
    else's still-visible posts in the threads that went."""
    left = dict(db.session.execute(
        select(Thread.board_id, func.count(Post.id))
        .join(Thread, Thread.id == Post.thread_id)
        .where(or_(
            and_(ours, or_(Thread.is_deleted.is_(False), Thread.id.in_(opened))),
            and_(Thread.id.in_(opened), Post.is_deleted.is_(False)),
        ))
        .group_by(Thread.board_id)
    ).all())
    gone = dict(db.session.execute(
        select(Thread.board_id, func.count(Thread.id))
        .where(Thread.id.in_(opened)).group_by(Thread.board_id)
    ).all()) if opened else {}
    for board_id in sorted(set(left) | set(gone)):
        db.session.execute(
            update(Board).where(Board.id == board_id)
            .values(post_count=Board.post_count - left.get(board_id, 0),
                    thread_count=Board.thread_count - gone.get(board_id, 0))
            .execution_options(synchronize_session=False)
        )
    for board_id in sorted(set(left) | set(gone)):
        db.session.execute(
            update(Board).where(Board.id == board_id)
            .values(last_post_id=latest_board_post_id(board_id))
            .execution_options(synchronize_session=False)
        )


def _recount_threads(ours) -> None:
    """Replies of ours leave their threads' reply counts; the latest visible post moves."""
    affected = select(Post.thread_id).where(ours).distinct().scalar_subquery()
    ours_here = (
        select(func.count(Post.id))
        .where(ours, Post.thread_id == Thread.id, Post.id != Thread.first_post_id)
        .scalar_subquery()
    )
    latest = (
        select(Post.id).where(Post.thread_id == Thread.id, Post.is_deleted.is_(False))
        .order_by(*LATEST_FIRST).limit(1).scalar_subquery()
    )
    latest_at = (
        select(Post.created_at).where(Post.thread_id == Thread.id, Post.is_deleted.is_(False))
        .order_by(*LATEST_FIRST).limit(1).scalar_subquery()
    )
    db.session.execute(
        update(Thread).where(Thread.id.in_(affected))
        .values(reply_count=Thread.reply_count - ours_here, last_post_id=latest,
                last_post_at=func.coalesce(latest_at, Thread.created_at))
        .execution_options(synchronize_session=False)
    )
    response_stamps.restamp_matching(Thread.id.in_(affected))
