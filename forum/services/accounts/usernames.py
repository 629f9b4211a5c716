"""Old usernames: a renamed member's old profile address keeps leading to them until someone
else takes the name."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select

from ...common import usernames
from ...extensions import db
from ...models import OldUsername, User
from .account import free_old_username


def find_by_old_name(username: str) -> User | None:
    """The member who had this name before, if nobody has taken it since."""
    return db.session.scalar(
        select(User).join(OldUsername, OldUsername.user_id == User.id)
        .where(OldUsername.username_key == usernames.key(username))
    )


def rename(user: User, new: str, now: datetime) -> None:
    """Give ``user`` the name ``new`` (checked and free) and keep the old one redirecting.
    A member taking back a name of their own, or another member's old name, ends that
    redirect. No commit: the caller's transaction holds the change."""
    old = user.username
    free_old_username(new)
    if user.username_key != usernames.key(new):
        db.session.add(OldUsername(user_id=user.id, username=old, username_key=user.username_key,
                                   retired_at=now))
    user.username = new
    user.username_key = usernames.key(new)
    user.username_skeleton = usernames.skeleton(new)


def forget_old_names(user: User) -> None:
    """A deleted account's old names lead nowhere and are free for anyone."""
    db.session.execute(delete(OldUsername).where(OldUsername.user_id == user.id))
