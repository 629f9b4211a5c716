"""Groups of members, kept by administrators: create, rename and describe, delete; add and
remove members. Which boards a group opens is set on the board (``services.site.boards``);
the policy reads both (``Policy.can_view_board``, ``visible_boards``).

Every action asks ``Policy.can_manage_groups()``, writes its ``group.*`` log entry in its own
transaction (before and after where something changes) and commits once; a member added or
removed is told. Checks come before any write, and a unique-name race is turned into the same
refusal as the check, so nothing is ever half-saved.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...common.usernames import LENGTH_MAX as USERNAME_MAX
from ...common.usernames import key as username_key
from ...common.usernames import normalise as normalise_username
from ...database import commit
from ...errors import InvalidField, NotFound, Refused, require
from ...extensions import db
from ...models import (
    Board,
    BoardGroup,
    Group,
    GroupLimit,
    GroupMember,
    NotificationKind,
    User,
    utcnow,
)
from ...policy import Policy
from .. import audit, data_export, notifications, text

NAME_MAX = 60
DESCRIPTION_MAX = 300



# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class GroupRow:
    group: Group
    members: int
    read_boards: int
    post_boards: int


def _counted(kind: GroupLimit):
    return (select(func.count()).select_from(BoardGroup)
            .where(BoardGroup.group_id == Group.id, BoardGroup.kind == kind.value)
            .correlate(Group).scalar_subquery())


def overview(viewer: Policy) -> list[GroupRow]:
    """Every group by name with how many members it has and how many boards it opens: one
    query. Refuses: anyone but administrators."""
    require(viewer.can_manage_groups())
    members = (select(func.count()).select_from(GroupMember)
               .where(GroupMember.group_id == Group.id).correlate(Group).scalar_subquery())
    rows = db.session.execute(
        select(Group, members, _counted(GroupLimit.READ), _counted(GroupLimit.POST))
        .order_by(Group.name_key)
    ).all()
    return [GroupRow(*row) for row in rows]


def all_groups() -> list[Group]:
    """Every group by name, for the board form's lists."""
    return list(db.session.scalars(select(Group).order_by(Group.name_key)))


def get_group(viewer: Policy, group_id: int) -> Group:
    """Refuses: anyone but administrators (403), an unknown group (404)."""
    require(viewer.can_manage_groups())
    group = db.session.get(Group, group_id)
    if group is None:
        raise NotFound(_("That group doesn't exist (any more)."))
    return group


def members(viewer: Policy, group: Group) -> list[GroupMember]:
    """The group's members by name, with who added them: one query."""
    require(viewer.can_manage_groups())
    return list(db.session.scalars(
        select(GroupMember).join(User, User.id == GroupMember.user_id)
        .where(GroupMember.group_id == group.id)
        .options(joinedload(GroupMember.user), joinedload(GroupMember.added_by))
        .order_by(User.username_key)
    ))


def boards_of(group: Group, kind: GroupLimit) -> list[Board]:
    """The boards whose read (or post) list names the group, by title."""
    return list(db.session.scalars(
        select(Board).join(BoardGroup, BoardGroup.board_id == Board.id)
        .where(BoardGroup.group_id == group.id, BoardGroup.kind == kind.value)
        .order_by(Board.title, Board.id)
    ))


def groups_of(user: User) -> list[Group]:
    """The groups a member belongs to, by name."""
    return list(db.session.scalars(
        select(Group).join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user.id).order_by(Group.name_key)
    ))


# -- groups ------------------------------------------------------------------------------------
def _checked(name: str | None, description: str | None, group: Group | None) -> tuple[str, str]:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidField("name", _("A group needs a name."))
    if len(name) > NAME_MAX:
        raise InvalidField("name", _("A group's name can be at most %(max)s characters.",
                                          max=NAME_MAX))
    description = text.multiline(description)
    if len(description) > DESCRIPTION_MAX:
        raise InvalidField(
            "description", _("A description can be at most %(max)s characters.",
                             max=DESCRIPTION_MAX))
    query = select(Group).where(Group.name_key == name.lower())
    if group is not None:
        query = query.where(Group.id != group.id)
    taken = db.session.scalar(query)
    if taken is not None:
        raise InvalidField("name", _("There is already a group called “%(name)s”.",
                                          name=taken.name), 409)
    return name, description


def _save(name: str) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Another administrator took the name between the check and the write.
        db.session.rollback()
        raise InvalidField(
            "name", _("There is already a group called “%(name)s”.", name=name),
            409) from None


def _values(group: Group) -> dict:
    return {"name": group.name, "description": group.description or ""}


def create_group(actor: User, name: str | None, description: str | None = None,
                 now: datetime | None = None) -> Group:
    """A new, empty group (``group.create``).

    Refuses: anyone but administrators (403); an empty or long name, a long description
    (400); a name another group has in any letter case (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_groups())
    name, description = _checked(name, description, None)
    group = Group(name=name, name_key=name.lower(), description=description or None,
                  created_at=now)
    db.session.add(group)
    _save(name)
    audit.record(actor, "group.create", group, after=_values(group), now=now)
    commit()
    return group


def update_group(actor: User, group: Group, name: str | None, description: str | None,
                 now: datetime | None = None) -> Group:
    """Rename or describe a group (``group.update``, with what changed before and after).

    Refuses: as ``create_group``; a change that changes nothing (400).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_groups())
    name, description = _checked(name, description, group)
    before = _values(group)
    if before == {"name": name, "description": description}:
        raise Refused(_("Nothing changed: that is already the group's name and description."),
                      status=400)
    group.name, group.name_key, group.description = name, name.lower(), description or None
    _save(name)
    after = _values(group)
    audit.record(actor, "group.update", group,
                 before={k: v for k, v in before.items() if after[k] != v},
                 after={k: v for k, v in after.items() if before[k] != v}, now=now)
    commit()
    return group


def delete_group(actor: User, group: Group, now: datetime | None = None) -> None:
    """Delete a group with its memberships and the board limits naming it (``group.delete``;
    the log keeps the name, the members and the boards). A board whose only read group this
    was is readable again by whoever its access allows.

    Refuses: anyone but administrators (403).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_groups())
    names = list(db.session.scalars(
        select(User.username).join(GroupMember, GroupMember.user_id == User.id)
        .where(GroupMember.group_id == group.id).order_by(User.username_key)
    ))
    before = {**_values(group), "members": names,
              "read_boards": [board.slug for board in boards_of(group, GroupLimit.READ)],
              "post_boards": [board.slug for board in boards_of(group, GroupLimit.POST)]}
    audit.record(actor, "group.delete", group, before=before, now=now)
    db.session.execute(delete(BoardGroup).where(BoardGroup.group_id == group.id))
    db.session.execute(delete(GroupMember).where(GroupMember.group_id == group.id))
    db.session.delete(group)
    commit()


# -- members -----------------------------------------------------------------------------------
def _member(group: Group, user_id: int) -> GroupMember | None:
    return db.session.get(GroupMember, (group.id, user_id))


def add_member(actor: User, group: Group, username: str | None,
               now: datetime | None = None) -> User:
    """Add the member called ``username`` to the group (``group.add_member``, logged on the
    member) and tell them.

    Refuses: anyone but administrators (403); no name or no member by that name (400); someone
    already in the group, a deleted (anonymised) account (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_groups())
    typed = normalise_username((username or "").strip().lstrip("@"))
    if not typed:
        raise InvalidField("username", _("Type the username of the member to add."))
    user = None
    if len(typed) <= USERNAME_MAX:
        user = db.session.scalar(select(User).where(User.username_key == username_key(typed)))
    if user is None:
        raise InvalidField("username", _("No member is called “%(name)s”.",
                                                    name=typed[:USERNAME_MAX]))
    if user.deleted_at is not None:
        raise InvalidField(
            "username", _("That account was deleted, so it can't join a group."), 409)
    if _member(group, user.id) is not None:
        raise InvalidField("username",
                                _("%(user)s is already in the group %(group)s.",
                                  user=user.username, group=group.name), 409)
    db.session.add(GroupMember(group_id=group.id, user_id=user.id, added_at=now,
                               added_by_id=actor.id))
    try:
        db.session.flush()
    except IntegrityError:
        # Another administrator added them a moment ago.
        db.session.rollback()
        raise InvalidField(
            "username", _("%(user)s is already in the group %(group)s.",
                          user=user.username, group=group.name), 409) from None
    audit.record(actor, "group.add_member", user, before={"group": group.name, "member": False},
                 after={"group": group.name, "member": True}, now=now)
    notifications.notify(user, NotificationKind.GROUP, "group.added", {"group": group.name},
                         actor=actor, now=now)
    commit()
    return user


def remove_member(actor: User, group: Group, user_id: int,
                  now: datetime | None = None) -> User:
    """Take a member out of the group (``group.remove_member``, logged on the member) and tell
    them.

    Refuses: anyone but administrators (403); someone who is not in the group (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_groups())
    membership = _member(group, user_id)
    if membership is None:
        raise Refused(_("That member is not in the group %(group)s.", group=group.name),
                      status=409)
    user = membership.user
    removed = db.session.execute(
        delete(GroupMember).where(GroupMember.group_id == group.id,
                                  GroupMember.user_id == user_id)
    ).rowcount
    if removed != 1:
        # Another administrator took them out a moment ago.
        db.session.rollback()
        raise Refused(_("That member is not in the group %(group)s.", group=group.name),
                      status=409)
    audit.record(actor, "group.remove_member", user,
                 before={"group": group.name, "member": True},
                 after={"group": group.name, "member": False}, now=now)
    notifications.notify(user, NotificationKind.GROUP, "group.removed", {"group": group.name},
                         actor=actor, now=now)
    commit()
    return user


# -- a board's groups (for the structure service) ----------------------------------------------
def checked_group_ids(ids: Iterable[int]) -> list[int]:
    """``ids`` sorted, each naming a group. Refuses (400) an id with no group."""
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = set(db.session.scalars(select(Group.id).where(Group.id.in_(wanted))))
    if found != set(wanted):
        raise Refused(_("One of the chosen groups doesn't exist (any more); reload the page."),
                      status=400)
    return wanted


def group_names(ids: Iterable[int]) -> list[str]:
    wanted = list(ids)
    if not wanted:
        return []
    return list(db.session.scalars(
        select(Group.name).where(Group.id.in_(wanted)).order_by(Group.name_key)))


@data_export.section("groups")
def _exported_groups(user: User) -> list[dict]:
    """The groups the member belongs to, and since when (one query)."""
    rows = db.session.execute(
        select(Group.name, GroupMember.added_at).join(GroupMember, GroupMember.group_id == Group.id)
        .where(GroupMember.user_id == user.id).order_by(Group.name_key)
    )
    return [{"group": row.name, "member_since": data_export.iso(row.added_at)} for row in rows]
