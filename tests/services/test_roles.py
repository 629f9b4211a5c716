"""Promotions, demotions and board moderator assignments."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Refused
from forum.extensions import db
from forum.models import BoardModerator, Notification, NotificationKind, Role, User
from forum.policy import Policy
from forum.services.accounts import roles
from forum.services.moderation import sanctions
from tests import factories
from tests.factories import said

from .moderation_kit import T0, actions, race


def admin_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role_value == int(Role.ADMIN))
    )


def test_promote_logs_and_tells_the_member(admin, member):
    roles.set_role(admin, member, "moderator", reason="Helpful for years", now=T0)

    assert member.role == Role.MODERATOR
    [entry] = actions("user.role")
    assert (entry.actor_id, entry.target_user_id, entry.reason) == (
        admin.id, member.id, "Helpful for years")
    assert (entry.before, entry.after) == ({"role": "member"}, {"role": "moderator"})
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id))
    assert (note.kind, said(note), note.actor_id) == (
        NotificationKind.ROLE, "You are now a moderator.", admin.id)


@pytest.mark.parametrize("value, role", [
    (Role.ADMIN, Role.ADMIN), ("admin", Role.ADMIN), (" Moderator ", Role.MODERATOR),
    (2, Role.MODERATOR), ("2", Role.MODERATOR),
])
def test_roles_from_form_values(value, role):
    assert roles.parse_role(value) == role


@pytest.mark.parametrize("value", ["king", "", "7", 0])
def test_unknown_roles_are_refused(admin, member, value):
    with pytest.raises(Refused, match="isn't a role") as refused:
        roles.set_role(admin, member, value)
    assert refused.value.status == 400


def test_only_admins_change_roles(moderator, member):
    with pytest.raises(Refused, match="Only administrators") as refused:
        roles.set_role(moderator, member, "moderator")
    assert refused.value.status == 403
    assert member.role == Role.MEMBER


def test_setting_the_same_role_is_refused(admin, moderator):
    with pytest.raises(Refused, match="already a moderator"):
        roles.set_role(admin, moderator, Role.MODERATOR)


def test_the_last_admin_cannot_be_demoted(admin):
    with pytest.raises(Refused, match="without an administrator") as refused:
        roles.set_role(admin, admin, "member", now=T0)
    assert refused.value.status == 403
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN
    assert actions("user.role") == []


def test_an_admin_may_step_down_while_another_remains(admin):
    other = factories.make_user(role="admin")
    roles.set_role(admin, admin, "moderator", now=T0)
    assert admin.role == Role.MODERATOR
    with pytest.raises(Refused, match="without an administrator"):
        roles.set_role(other, other, "member", now=T0)


def test_a_suspended_admin_does_not_count(admin):
    other = factories.make_user(role="admin")
    sanctions.suspend(admin, other, "Away", T0 + timedelta(days=3), now=T0)
    with pytest.raises(Refused, match="without an administrator"):
        roles.set_role(admin, admin, "member", now=T0 + timedelta(days=1))
    # Once the suspension is over, the other admin counts again.
    roles.set_role(admin, admin, "member", now=T0 + timedelta(days=4))


def test_two_admins_demoting_each_other_at_once_leave_one(app):
    first, second = factories.make_user(role="admin"), factories.make_user(role="admin")
    pairs = [(first.id, second.id), (second.id, first.id)]

    def demote(actor_id, target_id):
        def prepare():
            actor, target = db.session.get(User, actor_id), db.session.get(User, target_id)
            return lambda: roles.set_role(actor, target, "member").id

        return prepare

    results = race(app, *(demote(a, t) for a, t in pairs))

    assert sorted(r[0] for r in results) == ["error", "ok"], results
    [error] = [r[1] for r in results if r[0] == "error"]
    assert isinstance(error, Refused) and "without an administrator" in error.reason, error
    assert admin_count() == 1
    assert len(actions("user.role")) == 1


def test_assign_board_moderator(admin, member):
    first, second, third = (factories.make_board(slug=s) for s in ("art", "books", "cars"))

    roles.assign_board_moderator(admin, member, [first, second], now=T0)

    assert member.is_board_moderator
    assert Policy(member).moderated_board_ids == {first.id, second.id}
    assert [b.slug for b in member.moderated_boards] == ["art", "books"]

    roles.assign_board_moderator(admin, member, [second, third], reason="Rotation", now=T0)
    assert Policy(member).moderated_board_ids == {second.id, third.id}

    roles.assign_board_moderator(admin, member, [], now=T0)
    assert not member.is_board_moderator
    assert db.session.scalar(select(func.count()).select_from(BoardModerator)) == 0

    logged = [(e.before, e.after) for e in actions("user.boards")]
    assert logged == [
        ({"boards": []}, {"boards": ["art", "books"]}),
        ({"boards": ["art", "books"]}, {"boards": ["books", "cars"]}),
        ({"boards": ["books", "cars"]}, {"boards": []}),
    ]
    texts = [said(note) for note in db.session.scalars(
        select(Notification).where(Notification.recipient_id == member.id)
        .order_by(Notification.id)
    )]
    assert texts == ["You now moderate /b/art, /b/books.", "You now moderate /b/books, /b/cars.",
                     "You no longer moderate any boards."]


def test_assign_board_moderator_refusals(admin, moderator, member):
    board = factories.make_board()
    with pytest.raises(Refused, match="Only administrators"):
        roles.assign_board_moderator(moderator, member, [board])
    with pytest.raises(Refused, match="already the boards") as refused:
        roles.assign_board_moderator(admin, member, [])
    assert refused.value.status == 400
    assert actions("user.boards") == []
