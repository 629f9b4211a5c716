"""Members blocking members. A block is private: the blocked member is never told and sees
nothing change, except that conversations with the blocker can't be started and their
replies and quotes no longer reach the blocker as notifications. The blocker may also fold
the blocked member's posts away ("post by a member you blocked — show").

Below the content and conversation services, which ask it who blocked whom.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from ..database import commit
from ..errors import require
from ..extensions import db
from ..models import User, UserBlock, utcnow
from ..policy import Policy
from . import data_export


def block(actor: User, target: User, collapse_posts: bool = False,
          now: datetime | None = None) -> UserBlock:
    """Block ``target`` (or change whether their posts are folded, when already blocked).
    Blocking twice at once leaves one block.

    Refuses: guests (login), oneself or a deleted account (403).
    """
    require(Policy(actor).can_block(target))
    values = {"blocker_id": actor.id, "blocked_id": target.id,
              "collapse_posts": bool(collapse_posts), "created_at": now or utcnow()}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(UserBlock).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["blocker_id", "blocked_id"],
        set_={"collapse_posts": statement.excluded.collapse_posts})
    db.session.execute(statement)
    commit()
    return db.session.scalar(select(UserBlock).where(UserBlock.blocker_id == actor.id,
                                                     UserBlock.blocked_id == target.id))


def unblock(actor: User, target: User) -> bool:
    """Lift a block; False when there was none."""
    require(Policy(actor).can_use_messages())
    removed = db.session.execute(
        delete(UserBlock).where(UserBlock.blocker_id == actor.id,
                                UserBlock.blocked_id == target.id)
        .execution_options(synchronize_session=False)).rowcount
    commit()
    return bool(removed)


def block_of(blocker: User, blocked: User) -> UserBlock | None:
    """The block ``blocker`` holds on ``blocked``, if any (for the profile's button)."""
    if blocker is None or not getattr(blocker, "is_authenticated", False):
        return None
    return db.session.get(UserBlock, (blocker.id, blocked.id))


def blocked_by_me(user: User) -> list[UserBlock]:
    """The members ``user`` blocked, newest first, with their accounts: one query."""
    return list(db.session.scalars(
        select(UserBlock).where(UserBlock.blocker_id == user.id)
        .options(joinedload(UserBlock.blocked))
        .order_by(UserBlock.created_at.desc(), UserBlock.blocked_id)))


def blockers_among(blocked_id: int, user_ids: Iterable[int]) -> set[int]:
    """Which of ``user_ids`` blocked ``blocked_id``: one query, none for an empty list."""
    ids = sorted(set(user_ids))
    if not ids:
        return set()
    return set(db.session.scalars(
        select(UserBlock.blocker_id).where(UserBlock.blocked_id == blocked_id,
                                           UserBlock.blocker_id.in_(ids))))


def forget_member(user_id: int) -> None:
    """A deleted account blocks nobody and is blocked by nobody (no commit)."""
    db.session.execute(delete(UserBlock).where(
        (UserBlock.blocker_id == user_id) | (UserBlock.blocked_id == user_id))
        .execution_options(synchronize_session=False))


def set_folding(actor: User, target: User, collapse_posts: bool) -> bool:
    """Fold or unfold a blocked member's posts; False when ``target`` isn't blocked."""
    require(Policy(actor).can_use_messages())
    changed = db.session.execute(
        update(UserBlock).where(UserBlock.blocker_id == actor.id,
                                UserBlock.blocked_id == target.id)
        .values(collapse_posts=bool(collapse_posts))
        .execution_options(synchronize_session=False)).rowcount
    commit()
    return bool(changed)


def blocked_message() -> str:
    """What a blocker reads about a block, the same wherever it shows."""
    return _("Members you block can't start conversations with you, and their replies and "
             "quotes don't notify you. They are not told.")


@data_export.section("blocks")
def export_blocks(user: User) -> list[dict]:
    """The members the member blocked (never who blocked them: that is the blocker's
    private choice): one query."""
    rows = db.session.execute(
        select(UserBlock.blocked_id, User.username, UserBlock.collapse_posts,
               UserBlock.created_at)
        .join(User, User.id == UserBlock.blocked_id)
        .where(UserBlock.blocker_id == user.id)
        .order_by(UserBlock.created_at, UserBlock.blocked_id))
    return [{"member_id": row.blocked_id, "username": row.username,
             "posts_folded": row.collapse_posts, "created_at": data_export.iso(row.created_at)}
            for row in rows]
