"""Groups kept by administrators, and the boards they limit: every action logged, members told,
every refusal with its status and nothing half-saved."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import (
    BoardGroup,
    Group,
    GroupMember,
    ModAction,
    Notification,
    NotificationKind,
)
from forum.policy import Policy
from forum.services.accounts import groups
from forum.services.content import reading
from forum.services.site import board_removal, boards
from forum.services.site.boards import BoardDraft

from .. import factories
from ..factories import said


def entries(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)
                                   .order_by(ModAction.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def told(user) -> list[str]:
    return [said(note) for note in db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id,
                                   Notification.kind == NotificationKind.GROUP)
        .order_by(Notification.id))]


@pytest.fixture
def club(admin):
    return groups.create_group(admin, "Makers Club", "People who build things")


# -- who may --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_administrators_manage_groups(app, club, role):
    actor = factories.make_user(role=role)
    target = factories.make_user()
    for attempt in (
        lambda: groups.create_group(actor, "Beta testers"),
        lambda: groups.update_group(actor, club, "Renamed", ""),
        lambda: groups.delete_group(actor, club),
        lambda: groups.add_member(actor, club, target.username),
        lambda: groups.remove_member(actor, club, target.id),
        lambda: groups.overview(Policy(actor)),
        lambda: groups.get_group(Policy(actor), club.id),
    ):
        with pytest.raises(Refused) as refused:
            attempt()
        assert refused.value.status == 403
    assert not groups.get_group(Policy(factories.make_user(role="admin")), club.id).memberships
    assert count(Group) == 1 and not entries("group.add_member")


def test_a_guest_is_asked_to_log_in(club):
    with pytest.raises(Refused) as refused:
        groups.overview(Policy(AnonymousUserMixin()))
    assert refused.value.login_required


# -- groups ---------------------------------------------------------------------------------
def test_a_group_is_created_and_logged(admin, club):
    assert (club.name, club.name_key, club.description) == (
        "Makers Club", "makers club", "People who build things")
    [entry] = entries("group.create")
    assert entry.actor_id == admin.id and entry.target_kind == "group"
    assert entry.target_label == "group “Makers Club”"
    assert entry.after == {"name": "Makers Club", "description": "People who build things"}


@pytest.mark.parametrize("name", ["Makers Club", "makers club", "  MAKERS   club "])
def test_names_are_unique_whatever_the_case(admin, club, name):
    with pytest.raises(groups.InvalidField) as refused:
        groups.create_group(admin, name)
    assert refused.value.status == 409 and refused.value.field == "name"
    assert "already a group called “Makers Club”" in refused.value.reason
    assert count(Group) == 1 and len(entries("group.create")) == 1


@pytest.mark.parametrize(("name", "description", "field"), [
    ("", "", "name"),
    ("   ", "", "name"),
    ("x" * 61, "", "name"),
    ("Fine", "d" * 301, "description"),
])
def test_bad_group_input_is_refused_with_its_field(admin, name, description, field):
    with pytest.raises(groups.InvalidField) as refused:
        groups.create_group(admin, name, description)
    assert refused.value.status == 400 and refused.value.field == field
    assert count(Group) == 0 and not entries("group.create")


def test_renaming_logs_what_changed(admin, club):
    groups.update_group(admin, club, "Makers Guild", "People who build things")
    [entry] = entries("group.update")
    assert entry.before == {"name": "Makers Club"} and entry.after == {"name": "Makers Guild"}
    assert club.name_key == "makers guild"
    # A group may change the case of its own name.
    groups.update_group(admin, club, "makers guild", "")
    assert club.name == "makers guild" and club.description is None


def test_a_rename_to_another_groups_name_or_to_nothing_new_is_refused(admin, club):
    groups.create_group(admin, "Beta testers")
    with pytest.raises(Refused) as taken:
        groups.update_group(admin, club, "BETA testers", "")
    assert taken.value.status == 409
    with pytest.raises(Refused) as same:
        groups.update_group(admin, club, "Makers Club", "People who build things")
    assert same.value.status == 400
    db.session.expire_all()
    assert club.name == "Makers Club" and not entries("group.update")


def test_an_unknown_group_is_404(admin):
    with pytest.raises(NotFound):
        groups.get_group(Policy(admin), 999)


def test_deleting_takes_memberships_and_board_limits_along(admin, club, member):
    board = factories.make_board(slug="club")
    other = groups.create_group(admin, "Beta testers")
    groups.add_member(admin, club, member.username)
    groups.add_member(admin, other, member.username)
    boards.update_board(admin, board, BoardDraft(
        title=board.title, category_id=board.category_id, slug="club",
        description=board.description, read_groups=(club.id,), post_groups=(club.id, other.id)))
    groups.delete_group(admin, club)
    [entry] = entries("group.delete")
    assert entry.before == {"name": "Makers Club", "description": "People who build things",
                            "members": ["member"], "read_boards": ["club"],
                            "post_boards": ["club"]}
    assert count(Group) == 1
    assert db.session.scalars(select(BoardGroup.group_id)).all() == [other.id]
    assert db.session.scalars(select(GroupMember.group_id)).all() == [other.id]
    db.session.expire_all()
    assert board.read_group_ids == frozenset() and board.post_group_ids == {other.id}
    # With its only read group gone, the board is open again to whoever its access allows.
    assert Policy(factories.make_user()).can_view_board(board)


# -- members --------------------------------------------------------------------------------
def test_adding_and_removing_members_is_logged_and_told(admin, club, member):
    groups.add_member(admin, club, "@Member")
    [membership] = groups.members(Policy(admin), club)
    assert membership.user_id == member.id and membership.added_by_id == admin.id
    assert membership.added_at is not None
    [added] = entries("group.add_member")
    assert added.target_user_id == member.id and added.actor_id == admin.id
    assert added.before == {"group": "Makers Club", "member": False}
    assert added.after == {"group": "Makers Club", "member": True}
    assert groups.groups_of(member) == [club]

    groups.remove_member(admin, club, member.id)
    [removed] = entries("group.remove_member")
    assert removed.before == {"group": "Makers Club", "member": True}
    assert removed.after == {"group": "Makers Club", "member": False}
    assert groups.members(Policy(admin), club) == []
    assert told(member) == ["You were added to the group Makers Club.",
                            "You were removed from the group Makers Club."]


@pytest.mark.parametrize(("username", "status", "words"), [
    ("", 400, "Type the username"),
    ("nobody", 400, "No member is called “nobody”."),
    ("x" * 200, 400, "No member is called"),
])
def test_adding_someone_unknown_is_refused(admin, club, username, status, words):
    with pytest.raises(groups.InvalidField) as refused:
        groups.add_member(admin, club, username)
    assert refused.value.status == status and words in refused.value.reason
    assert count(GroupMember) == 0 and not entries("group.add_member")


def test_adding_someone_twice_is_refused(admin, club, member):
    groups.add_member(admin, club, member.username)
    with pytest.raises(groups.InvalidField) as refused:
        groups.add_member(admin, club, "MEMBER")
    assert refused.value.status == 409
    assert refused.value.reason == "member is already in the group Makers Club."
    assert count(GroupMember) == 1 and len(entries("group.add_member")) == 1
    assert len(told(member)) == 1


def test_a_deleted_account_is_not_added(admin, club, member):
    from forum.services.site import account_removal

    account_removal.delete_account(admin, member, "keep")
    with pytest.raises(groups.InvalidField) as refused:
        groups.add_member(admin, club, member.username)
    assert refused.value.status == 409 and "was deleted" in refused.value.reason
    assert count(GroupMember) == 0 and not entries("group.add_member")


def test_removing_someone_not_in_it_is_refused(admin, club, member):
    with pytest.raises(Refused) as refused:
        groups.remove_member(admin, club, member.id)
    assert refused.value.status == 409
    assert refused.value.reason == "That member is not in the group Makers Club."
    with pytest.raises(Refused):
        groups.remove_member(admin, club, 999)
    assert not entries("group.remove_member") and told(member) == []


def test_overview_counts_members_and_boards(admin, club, member):
    groups.create_group(admin, "Beta testers")
    groups.add_member(admin, club, member.username)
    factories.limit_board(factories.make_board(), read=[club], post=[club])
    factories.limit_board(factories.make_board(), post=[club])
    rows = groups.overview(Policy(admin))
    assert [(r.group.name, r.members, r.read_boards, r.post_boards) for r in rows] == [
        ("Beta testers", 0, 0, 0), ("Makers Club", 1, 1, 2)]


# -- boards ---------------------------------------------------------------------------------
def test_a_boards_groups_are_set_and_logged(admin, club):
    other = groups.create_group(admin, "Beta testers")
    category = factories.make_category("Shop")
    board = boards.create_board(admin, BoardDraft(title="Club room", category_id=category.id,
                                                  read_groups=(club.id,)))
    [created] = entries("board.create")
    assert created.after["read_groups"] == ["Makers Club"]
    assert created.after["post_groups"] == []
    assert board.read_group_ids == {club.id}
    boards.update_board(admin, board, BoardDraft(
        title="Club room", category_id=category.id, slug=board.slug,
        read_groups=(club.id, other.id), post_groups=(other.id,)))
    [updated] = entries("board.update")
    assert updated.before == {"read_groups": ["Makers Club"], "post_groups": []}
    assert updated.after == {"read_groups": ["Beta testers", "Makers Club"],
                             "post_groups": ["Beta testers"]}
    assert board.read_group_ids == {club.id, other.id} and board.post_group_ids == {other.id}
    # None keeps a list as it is; empty clears it.
    boards.update_board(admin, board, BoardDraft(
        title="Club room", category_id=category.id, slug=board.slug, read_groups=()))
    assert board.read_group_ids == frozenset() and board.post_group_ids == {other.id}


def test_an_unknown_group_on_a_board_is_refused_and_nothing_saved(admin, club):
    board = factories.make_board(slug="club", title="Club")
    with pytest.raises(boards.InvalidField) as refused:
        boards.update_board(admin, board, BoardDraft(
            title="Renamed", category_id=board.category_id, slug="club",
            read_groups=(club.id, 999)))
    assert refused.value.status == 400 and refused.value.field == "read_groups"
    db.session.expire_all()
    assert board.title == "Club" and count(BoardGroup) == 0 and not entries("board.update")


def test_a_group_change_shows_at_once(admin, club, member):
    board = factories.make_board(slug="club")
    factories.limit_board(board, read=[club])
    assert [b.slug for c in reading.board_index(Policy(member)) for b in c.boards] == []
    groups.add_member(admin, club, member.username)
    db.session.expire_all()
    assert [b.slug for c in reading.board_index(Policy(member)) for b in c.boards] == ["club"]


def test_deleting_a_board_takes_its_limits_along(admin, club):
    board = factories.make_board(slug="club")
    factories.limit_board(board, read=[club], post=[club])
    board_removal.delete_board(admin, board, None)
    assert count(BoardGroup) == 0 and count(Group) == 1
