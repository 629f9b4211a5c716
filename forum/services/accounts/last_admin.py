"""Never leave the forum without an administrator who can log in: demoting (``roles``) and
suspending or banning (``moderation.sanctions``) an administrator both hold this guard."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, func, or_, select

from ...extensions import db
from ...models import Role, Sanction, User
from ...models.moderation import LOGIN_BLOCKED_BY


def lock_admins() -> None:
    """Serialise changes that could leave the forum without an administrator: on PostgreSQL
    the admin rows stay locked until commit, so two admins demoting or suspending each other
    at once take turns and the second sees the first's change. (SQLite writers take turns
    anyway; there the count after the write is what protects.)"""
    db.session.execute(
        select(User.id).where(User.role_value == int(Role.ADMIN)).with_for_update()
    )


def usable_admin_count(now: datetime) -> int:
    """Administrators who can log in: not suspended or banned at ``now``."""
    blocked = exists().where(
        Sanction.user_id == User.id,
        Sanction.kind.in_([str(k) for k in LOGIN_BLOCKED_BY]),
        Sanction.lifted_at.is_(None),
        Sanction.starts_at <= now,
        or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
    )
    return db.session.scalar(
        select(func.count(User.id)).where(User.role_value == int(Role.ADMIN), ~blocked)
    ) or 0
