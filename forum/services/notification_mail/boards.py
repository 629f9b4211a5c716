"""Which boards a member's digest looks at for its busiest threads.

The one place to change when members can watch boards: until then, the boards they posted in
(their own posts still standing), the ones they most recently wrote in first."""
from __future__ import annotations

from sqlalchemy import func, select

from ...extensions import db
from ...models import Post, Thread, User

BOARDS_MAX = 20


def digest_boards(user: User) -> list[int]:
    return list(db.session.scalars(
        select(Thread.board_id)
        .join(Post, Post.thread_id == Thread.id)
        .where(Post.author_id == user.id, Post.is_deleted.is_(False))
        .group_by(Thread.board_id)
        .order_by(func.max(Post.created_at).desc())
        .limit(BOARDS_MAX)
    ))
