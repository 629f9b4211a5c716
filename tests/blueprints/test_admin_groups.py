"""Groups over HTTP: the list and a new group, a group's page (rename, members added and
removed), deleting one, the board form's two lists of groups, a member's groups on their page,
and every bad request a clear 4xx with nothing saved."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import BoardGroup, Group, GroupMember, ModAction
from forum.services.accounts import groups
from tests import factories
from tests.factories import text as raw_text


def text(response) -> str:
    return html.unescape(raw_text(response))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def log(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


@pytest.fixture
def club(admin):
    return groups.create_group(admin, "Makers Club", "People who build things")


def board_form(board, **fields) -> dict:
    form = {"title": board.title, "slug": board.slug, "description": board.description,
            "category": str(board.category_id), "position": "", "access": "everyone",
            "thread_access": "members", "slow_mode_seconds": "0"}
    form.update(fields)
    return form


# -- the list ------------------------------------------------------------------------------
def test_the_panel_links_the_groups(as_admin):
    page = text(as_admin.get("/admin/"))
    assert 'href="/admin/groups"' in page


def test_an_empty_list_invites_a_first_group(as_admin):
    page = text(as_admin.get("/admin/groups"))
    assert "No groups yet." in page and "New group" in page
    assert '<label for="name">Name</label>' in page


def test_creating_a_group(as_admin):
    response = as_admin.post("/admin/groups", data={"name": "  Beta   testers ",
                                                    "description": "Try things first"})
    group = db.session.scalar(select(Group))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/groups/{group.id}")
    assert group.name == "Beta testers" and len(log("group.create")) == 1
    page = text(as_admin.get("/admin/groups"))
    assert "Beta testers" in page and "Try things first" in page


@pytest.mark.parametrize(("name", "status", "words"), [
    ("", 400, "A group needs a name."),
    ("x" * 61, 400, "at most 60 characters"),
    ("makers CLUB", 409, "There is already a group called “Makers Club”."),
])
def test_bad_names_are_refused_on_the_form(as_admin, club, name, status, words):
    response = as_admin.post("/admin/groups", data={"name": name})
    assert response.status_code == status
    assert words in text(response)
    assert count(Group) == 1


# -- a group's page ---------------------------------------------------------------------------
def test_a_groups_page_lists_members_and_boards(as_admin, admin, club, member):
    groups.add_member(admin, club, member.username)
    board = factories.make_board(slug="club", title="Club room")
    factories.limit_board(board, read=[club])
    page = text(as_admin.get(f"/admin/groups/{club.id}"))
    assert "<h1>Makers Club</h1>" in page and "People who build things" in page
    assert "Members (1)" in page and f'href="/admin/users/{member.username}"' in page
    assert f"by {admin.username}" in page
    assert f'action="/admin/groups/{club.id}/members/{member.id}/remove"' in page
    assert "Club room</a></p>" in page and "none.</span></p>" in page  # read yes, post no


def test_renaming_a_group(as_admin, club):
    response = as_admin.post(f"/admin/groups/{club.id}",
                             data={"name": "Makers Guild", "description": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert club.name == "Makers Guild" and club.description is None
    assert log("group.update")[0].after == {"name": "Makers Guild", "description": ""}


def test_renaming_to_nothing_new_or_taken_is_refused(as_admin, admin, club):
    groups.create_group(admin, "Beta testers")
    same = as_admin.post(f"/admin/groups/{club.id}",
                         data={"name": "Makers Club", "description": "People who build things"})
    assert same.status_code == 400 and "Nothing changed" in text(same)
    taken = as_admin.post(f"/admin/groups/{club.id}", data={"name": "beta testers"})
    assert taken.status_code == 409 and "already a group called “Beta testers”" in text(taken)
    empty = as_admin.post(f"/admin/groups/{club.id}", data={"name": " "})
    assert empty.status_code == 400 and "A group needs a name." in text(empty)
    assert not log("group.update")


def test_adding_and_removing_a_member(as_admin, club, member):
    added = as_admin.post(f"/admin/groups/{club.id}/members", data={"username": "member"})
    assert added.status_code == 302
    assert "Added member to Makers Club." in text(as_admin.get(added.headers["Location"]))
    assert count(GroupMember) == 1
    removed = as_admin.post(f"/admin/groups/{club.id}/members/{member.id}/remove")
    assert removed.status_code == 302
    assert "Removed member from Makers Club." in text(as_admin.get(removed.headers["Location"]))
    assert count(GroupMember) == 0
    assert len(log("group.add_member")) == len(log("group.remove_member")) == 1


@pytest.mark.parametrize(("username", "status", "words"), [
    ("", 400, "Type the username of the member to add."),
    ("nobody", 400, "No member is called “nobody”."),
    ("y" * 129, 400, "No member has a username that long."),
])
def test_adding_someone_unknown_is_refused(as_admin, club, username, status, words):
    response = as_admin.post(f"/admin/groups/{club.id}/members", data={"username": username})
    assert response.status_code == status and words in text(response)
    assert count(GroupMember) == 0


def test_adding_twice_and_removing_an_outsider_are_refused(as_admin, admin, club, member,
                                                           other_member):
    groups.add_member(admin, club, member.username)
    twice = as_admin.post(f"/admin/groups/{club.id}/members", data={"username": "MEMBER"})
    assert twice.status_code == 409
    assert "member is already in the group Makers Club." in text(twice)
    outsider = as_admin.post(f"/admin/groups/{club.id}/members/{other_member.id}/remove")
    assert outsider.status_code == 409
    assert "That member is not in the group Makers Club." in text(outsider)
    assert count(GroupMember) == 1 and not log("group.remove_member")


@pytest.mark.parametrize(("method", "url"), [
    ("GET", "/admin/groups/999"),
    ("POST", "/admin/groups/999"),
    ("POST", "/admin/groups/999/members"),
    ("POST", "/admin/groups/999/members/1/remove"),
    ("GET", "/admin/groups/999/delete"),
    ("POST", "/admin/groups/999/delete"),
])
def test_an_unknown_group_is_404(as_admin, method, url):
    response = as_admin.get(url) if method == "GET" else as_admin.post(url, data={"name": "x"})
    assert response.status_code == 404
    assert "That group doesn't exist (any more)." in text(response)


def test_expired_forms_are_400(client, login, admin, club, member, enable_csrf):
    login(admin)
    groups.add_member(admin, club, member.username)
    for url in (f"/admin/groups/{club.id}/members/{member.id}/remove",
                f"/admin/groups/{club.id}/delete", f"/admin/groups/{club.id}/members",
                "/admin/groups"):
        response = client.post(url, data={"username": "member", "name": "Other"})
        assert response.status_code == 400, url
    assert count(Group) == 1 and count(GroupMember) == 1


# -- deleting -----------------------------------------------------------------------------------
def test_deleting_a_group_asks_first_then_goes_with_its_limits(as_admin, admin, club, member):
    groups.add_member(admin, club, member.username)
    board = factories.make_board(slug="club", title="Club room")
    factories.limit_board(board, read=[club], post=[club])
    page = text(as_admin.get(f"/admin/groups/{club.id}/delete"))
    assert "Delete “Makers Club”?" in page
    assert "The group has one member; they stay a member of the forum" in page
    assert "It is the read limit of “Club room”." in page
    response = as_admin.post(f"/admin/groups/{club.id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/groups")
    assert count(Group) == count(GroupMember) == count(BoardGroup) == 0
    assert log("group.delete")[0].before["members"] == ["member"]


# -- the board form ------------------------------------------------------------------------------
def test_the_board_form_has_two_lists_of_groups(as_admin, admin, club):
    other = groups.create_group(admin, "Beta testers")
    board = factories.make_board(slug="club", title="Club room")
    factories.limit_board(board, read=[club], post=[other])
    page = text(as_admin.get(f"/admin/structure/boards/{board.id}/edit"))
    assert "<legend>Only these groups may read</legend>" in page
    assert "<legend>Only these groups may post</legend>" in page
    assert f'name="read_groups" value="{club.id}" checked' in page
    assert f'name="read_groups" value="{other.id}">' in page
    assert f'name="post_groups" value="{other.id}" checked' in page


def test_the_board_form_sets_the_groups(as_admin, admin, club):
    other = groups.create_group(admin, "Beta testers")
    board = factories.make_board(slug="club", title="Club room")
    response = as_admin.post(f"/admin/structure/boards/{board.id}/edit", data=board_form(
        board, read_groups=[str(club.id), str(other.id)], post_groups=[str(club.id)]))
    assert response.status_code == 302
    db.session.expire_all()
    assert board.read_group_ids == {club.id, other.id} and board.post_group_ids == {club.id}
    [entry] = log("board.update")
    assert entry.after == {"read_groups": ["Beta testers", "Makers Club"],
                           "post_groups": ["Makers Club"]}
    # Nothing ticked: no limits.
    as_admin.post(f"/admin/structure/boards/{board.id}/edit", data=board_form(board))
    db.session.expire_all()
    assert board.read_group_ids == board.post_group_ids == frozenset()


@pytest.mark.parametrize("value", ["999", "abc", "-1"])
def test_the_board_form_refuses_unknown_groups(as_admin, club, value):
    board = factories.make_board(slug="club", title="Club room")
    response = as_admin.post(f"/admin/structure/boards/{board.id}/edit", data=board_form(
        board, title="Renamed", read_groups=[str(club.id), value]))
    assert response.status_code == 400
    assert "One of the chosen groups doesn't exist (any more)" in text(response)
    db.session.expire_all()
    assert board.title == "Club room" and count(BoardGroup) == 0


def test_a_new_board_with_groups(as_admin, club):
    category = factories.make_category("Shop")
    page = text(as_admin.get("/admin/structure/boards/new"))
    assert f'name="post_groups" value="{club.id}">' in page
    response = as_admin.post("/admin/structure/boards/new", data={
        "title": "Club room", "category": str(category.id), "access": "members",
        "thread_access": "members", "slow_mode_seconds": "0", "post_groups": str(club.id)})
    assert response.status_code == 302
    assert db.session.scalar(select(BoardGroup.kind)) == "post"


def test_without_groups_the_board_form_points_to_them(as_admin):
    board = factories.make_board(slug="club")
    page = text(as_admin.get(f"/admin/structure/boards/{board.id}/edit"))
    assert "There are no groups yet" in page and 'href="/admin/groups"' in page


# -- a member's page -----------------------------------------------------------------------------
def test_a_members_page_shows_their_groups(as_admin, admin, club, member):
    assert "Groups:" in text(as_admin.get("/admin/users/member"))
    groups.add_member(admin, club, member.username)
    page = text(as_admin.get("/admin/users/member"))
    assert f'<a href="/admin/groups/{club.id}">Makers Club</a>' in page
