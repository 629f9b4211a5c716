"""Administrators promote and demote members and choose the boards a board moderator looks
after. Every change is logged and the member is told."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import Board, BoardModerator, NotificationKind, Role, User, utcnow
from ...policy import Policy
from .. import audit, notifications
from .last_admin import lock_admins, usable_admin_count

# The key of the member's notification of their new role.
_ROLE_KEYS = {Role.MEMBER: "role.member", Role.MODERATOR: "role.moderator",
              Role.ADMIN: "role.admin"}


def parse_role(value: Role | str | int) -> Role:
    """A role from a form value ("moderator"), a number or a Role. Refuses (400) anything else."""
    if isinstance(value, Role):
        return value
    try:
        return Role(int(value)) if str(value).isdigit() else Role[str(value).strip().upper()]
    except (KeyError, ValueError):
        raise Refused(_("That isn't a role."), status=400) from None


def set_role(actor: User, user: User, role: Role | str | int, reason: str | None = None,
             now: datetime | None = None) -> User:
    """Make ``user`` a member, moderator or administrator (``user.role``, before/after).

    Refuses: anyone but administrators (403), an unknown role or the role they already have
    (400), a change that would leave no administrator able to log in (403; also when two
    administrators demote each other at the same moment).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_roles())
    role = parse_role(role)
    old = user.role
    if role == old:
        if role == Role.MEMBER:
            raise Refused(_("%(name)s is already a member.", name=user.username), status=400)
        if role == Role.MODERATOR:
            raise Refused(_("%(name)s is already a moderator.", name=user.username), status=400)
        raise Refused(_("%(name)s is already an administrator.", name=user.username), status=400)
    demoting_admin = old == Role.ADMIN
    if demoting_admin:
        lock_admins()
    db.session.execute(update(User).where(User.id == user.id).values(role_value=int(role)))
    # Counted after the write, inside it: a concurrent demotion has either committed (and is
    # counted) or waits for ours.
    if demoting_admin and usable_admin_count(now) == 0:
        db.session.rollback()
        raise Refused(_("That would leave the forum without an administrator who can log in."))
    audit.record(actor, "user.role", user, reason, before={"role": old.name.lower()},
                 after={"role": role.name.lower()}, now=now)
    notifications.notify(user, NotificationKind.ROLE, _ROLE_KEYS[role], None,
                         user.url, actor=actor, now=now)
    commit()
    return user


def _slugs(board_ids: Iterable[int]) -> list[str]:
    ids = list(board_ids)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Board.slug).where(Board.id.in_(ids)).order_by(Board.slug)
    ))


def assign_board_moderator(actor: User, user: User, boards: Iterable[Board],
                           reason: str | None = None, now: datetime | None = None) -> User:
    """Set exactly which boards ``user`` moderates (none ends the assignment), keeping
    ``User.is_board_moderator`` in step; logged as ``user.boards`` with before/after slugs.

    Refuses: anyone but administrators (403), a change that changes nothing (400).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_roles())
    wanted = {board.id for board in boards}
    current = set(db.session.scalars(
        select(BoardModerator.board_id).where(BoardModerator.user_id == user.id)
    ))
    if wanted == current:
        raise Refused(_("Those are already the boards this member moderates."), status=400)
    before = _slugs(current)
    removed, added = current - wanted, wanted - current
    if removed:
        db.session.execute(
            delete(BoardModerator).where(BoardModerator.user_id == user.id,
                                         BoardModerator.board_id.in_(removed))
        )
    for board_id in sorted(added):
        db.session.add(BoardModerator(user_id=user.id, board_id=board_id))
    user.is_board_moderator = bool(wanted)
    db.session.flush()
    after = _slugs(wanted)
    audit.record(actor, "user.boards", user, reason, before={"boards": before},
                 after={"boards": after}, now=now)
    key, params = ("role.boards", {"boards": after}) if after else ("role.no_boards", None)
    notifications.notify(user, NotificationKind.ROLE, key, params, user.url,
                         actor=actor, now=now)
    commit()
    db.session.expire(user, ["moderated_boards"])
    return user
