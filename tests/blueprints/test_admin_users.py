"""Members and roles over HTTP: the list, a member's role page, changing roles and boards."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import BoardModerator, ModAction, Notification, NotificationKind, Role, User
from tests import factories
from tests.factories import text


def log(action: str) -> list[ModAction]:
    return list(db.session.scalars(
        select(ModAction).where(ModAction.action == action).order_by(ModAction.id)
    ))


def refreshed(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def rows(html: str) -> list[str]:
    """Usernames in the member table, in order."""
    if "<tbody>" not in html:
        return []
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'href="/admin/users/([^"]+)"', body)


@pytest.fixture
def boards(app):
    shop = factories.make_category("Workshop")
    return [factories.make_board(shop, slug="wood", title="Woodwork"),
            factories.make_board(shop, slug="metal", title="Metalwork")]


# -- the list ---------------------------------------------------------------------------------

def test_list_shows_roles_boards_joined_and_posts(client, login, admin, moderator, boards):
    helper = factories.make_board_moderator(factories.make_user("helper"), boards[0])
    writer = factories.make_user("writer", display_name="Wendy <Writer>")
    factories.make_thread(boards[1], author=writer)
    login(admin)
    response = client.get("/admin/users")
    html = text(response)
    assert response.status_code == 200
    # Staff first, then by name.
    assert rows(html) == ["admin", "moderator", "helper", "writer"]
    assert '<span class="badge badge-admin">Admin</span>' in html
    assert '<span class="badge badge-moderator">Moderator</span>' in html
    assert ">Board moderator</span>" in html
    helper_row = html.split('href="/admin/users/helper"', 1)[1].split("</tr>", 1)[0]
    assert '<a href="/b/wood">Woodwork</a>' in helper_row
    writer_row = html.split('href="/admin/users/writer"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num" data-label="Posts">1</td>' in writer_row
    assert "<time datetime=" in writer_row
    assert "Wendy &lt;Writer&gt;" in html and "<Writer>" not in html
    assert helper.is_board_moderator


@pytest.mark.parametrize("role, expected", [
    ("all", ["admin", "moderator", "helper", "plain"]),
    ("member", ["helper", "plain"]),
    ("moderator", ["moderator"]),
    ("admin", ["admin"]),
    ("board", ["helper"]),
])
def test_role_filter(client, login, admin, moderator, boards, role, expected):
    factories.make_board_moderator(factories.make_user("helper"), boards[0])
    factories.make_user("plain")
    login(admin)
    response = client.get(f"/admin/users?role={role}")
    assert response.status_code == 200
    assert rows(text(response)) == expected


def test_search_by_name_or_display_name(client, login, admin):
    factories.make_user("alice_w")
    factories.make_user("bob", display_name="Alice's brother")
    factories.make_user("carol")
    factories.make_user("percent_100")
    login(admin)
    assert rows(text(client.get("/admin/users?q=ALICE"))) == ["alice_w", "bob"]
    assert rows(text(client.get("/admin/users?q=alice&role=admin"))) == []
    # LIKE wildcards are taken literally.
    assert rows(text(client.get("/admin/users?q=%25"))) == []
    html = text(client.get("/admin/users?q=nobody"))
    assert "No members match “nobody”." in html
    html = text(client.get("/admin/users?q=carol&role=moderator"))
    assert "No members match “carol” among moderators." in html


def test_search_text_stays_inert(client, login, admin):
    login(admin)
    html = text(client.get("/admin/users?q=<script>x</script>"))
    assert "<script>x</script>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


def test_pagination(client, login, app, admin):
    app.config["MEMBERS_PER_PAGE"] = 2
    factories.quick_users(3, prefix="quiet")
    login(admin)
    first = text(client.get("/admin/users"))
    assert rows(first) == ["admin", "quiet0"]
    assert 'href="/admin/users?page=2"' in first
    assert rows(text(client.get("/admin/users?page=2"))) == ["quiet1", "quiet2"]
    assert client.get("/admin/users?page=3").status_code == 404


@pytest.mark.parametrize("query, message", [
    ("role=wizard", "Filter by member, moderator, administrator or board moderator."),
    ("page=abc", "Page must be a positive whole number."),
    ("page=0", "Page must be a positive whole number."),
    ("q=" + "x" * 65, "Searches can be at most 64 characters."),
])
def test_bad_list_requests_are_400(client, login, admin, query, message):
    login(admin)
    response = client.get(f"/admin/users?{query}")
    assert response.status_code == 400
    assert message in text(response)


def _list_queries(client, count_queries) -> int:
    client.get("/admin/users")
    with count_queries() as queries:
        response = client.get("/admin/users")
    assert response.status_code == 200
    return len(queries)


def test_list_query_budget_does_not_grow(client, login, app, admin, boards, count_queries):
    login(admin)
    small = _list_queries(client, count_queries)
    for user in factories.quick_users(25):
        if user.id % 3 == 0:
            for board in boards:
                db.session.add(BoardModerator(user_id=user.id, board_id=board.id))
            user.is_board_moderator = True
    db.session.commit()
    large = _list_queries(client, count_queries)
    assert large == small
    # The user, the header counts, then count, members and their boards.
    assert large <= 5


# -- a member's role page ---------------------------------------------------------------------

def test_role_page(client, login, admin, member, boards):
    factories.make_board_moderator(member, boards[1])
    login(admin)
    response = client.get("/admin/users/member")
    html = text(response)
    assert response.status_code == 200
    assert "is a <strong>member</strong>" in html
    assert '<option selected value="member">Member</option>' in html
    assert 'href="/mod/members/member"' in html and 'href="/u/member"' in html
    assert "<legend>Workshop</legend>" in html
    assert re.search(rf'name="boards" value="{boards[1].id}" checked', html)
    assert re.search(rf'name="boards" value="{boards[0].id}">', html)
    assert 'Moderates <a href="/b/metal">Metalwork</a>.' in html
    assert "No role or board changes recorded yet." in html
    # Two reason fields, two ids.
    assert 'id="role-reason"' in html and 'id="boards-reason"' in html


def test_role_page_unknown_member_is_404(client, login, admin):
    login(admin)
    assert client.get("/admin/users/nobody").status_code == 404
    assert client.post("/admin/users/nobody/role", data={"role": "admin"}).status_code == 404
    assert client.post("/admin/users/nobody/boards", data={}).status_code == 404


def test_role_page_canonical_name(client, login, admin):
    factories.make_user("Alice_W")
    login(admin)
    response = client.get("/admin/users/alice_w")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/admin/users/Alice_W")


def test_role_page_shows_history(client, login, admin, member):
    login(admin)
    client.post("/admin/users/member/role", data={"role": "moderator", "reason": "<b>Trusted</b>"})
    html = text(client.get("/admin/users/member"))
    assert "Role: member → moderator" in html
    assert "&lt;b&gt;Trusted&lt;/b&gt;" in html and "<b>Trusted</b>" not in html


# -- changing the role ------------------------------------------------------------------------

def test_promote(client, login, admin, member):
    login(admin)
    response = client.post("/admin/users/member/role",
                           data={"role": "moderator", "reason": "Helpful for years"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/users/member")
    assert refreshed(member).role == Role.MODERATOR
    [entry] = log("user.role")
    assert (entry.actor_id, entry.target_user_id, entry.reason) == (
        admin.id, member.id, "Helpful for years")
    assert (entry.before, entry.after) == ({"role": "member"}, {"role": "moderator"})
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id))
    assert (note.kind, factories.said(note)) == (NotificationKind.ROLE, "You are now a moderator.")
    html = text(client.get(response.headers["Location"]))
    assert "member is now a moderator." in html
    assert "is a <strong>moderator</strong>" in html


def test_make_administrator_without_a_reason(client, login, admin, member):
    login(admin)
    response = client.post("/admin/users/member/role", data={"role": "admin"})
    assert response.status_code == 302
    assert refreshed(member).role == Role.ADMIN
    assert log("user.role")[0].reason is None
    assert "member is now an administrator." in text(client.get("/admin/users/member"))


@pytest.mark.parametrize("data, message", [
    ({"role": "wizard"}, "Choose member, moderator or administrator."),
    ({}, "Choose member, moderator or administrator."),
    ({"role": "moderator", "reason": "x" * 501}, "Keep the reason under 500 characters."),
])
def test_bad_role_input_is_400(client, login, admin, member, data, message):
    login(admin)
    response = client.post("/admin/users/member/role", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert refreshed(member).role == Role.MEMBER
    assert log("user.role") == []


def test_same_role_is_refused_on_the_form(client, login, admin, moderator):
    login(admin)
    response = client.post("/admin/users/moderator/role", data={"role": "moderator"})
    html = text(response)
    assert response.status_code == 400
    assert "moderator is already a moderator." in html
    assert 'class="flash flash-error" role="alert"' in html
    assert "Change role" in html  # the page, with its forms, not an error page
    assert log("user.role") == []


def test_the_last_administrator_cannot_step_down(client, login, admin):
    login(admin)
    response = client.post("/admin/users/admin/role", data={"role": "member"})
    html = text(response)
    assert response.status_code == 403
    assert "That would leave the forum without an administrator who can log in." in html
    assert "Change role" in html
    assert refreshed(admin).role == Role.ADMIN
    assert log("user.role") == []
    assert db.session.scalar(select(func.count(Notification.id))) == 0
    # Still in charge.
    assert client.get("/admin/users").status_code == 200


def test_an_administrator_may_step_down_when_another_remains(client, login, admin):
    factories.make_user("second", role="admin")
    login(admin)
    response = client.post("/admin/users/admin/role", data={"role": "moderator"})
    assert response.status_code == 302
    # The panel is no longer theirs: they land on their profile.
    assert response.headers["Location"].endswith("/u/admin")
    assert refreshed(admin).role == Role.MODERATOR
    assert client.get("/admin/users").status_code == 403


def test_role_change_needs_csrf(client, login, admin, member, enable_csrf):
    login(admin)
    response = client.post("/admin/users/member/role", data={"role": "admin"})
    assert response.status_code == 400
    assert "did not come from this site" in text(response)
    assert refreshed(member).role == Role.MEMBER


def test_role_change_with_csrf_token(client, login, admin, member, enable_csrf):
    login(admin)
    html = text(client.get("/admin/users/member"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/admin/users/member/role",
                           data={"role": "moderator", "csrf_token": token})
    assert response.status_code == 302
    assert refreshed(member).role == Role.MODERATOR


# -- boards -----------------------------------------------------------------------------------

def moderated(user: User) -> set[int]:
    return set(db.session.scalars(
        select(BoardModerator.board_id).where(BoardModerator.user_id == user.id)
    ))


def test_assign_boards(client, login, admin, member, boards):
    login(admin)
    response = client.post("/admin/users/member/boards",
                           data={"boards": [str(b.id) for b in boards], "reason": "Shop lead"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/users/member")
    assert moderated(member) == {b.id for b in boards}
    assert refreshed(member).is_board_moderator
    [entry] = log("user.boards")
    assert (entry.before, entry.after, entry.reason) == (
        {"boards": []}, {"boards": ["metal", "wood"]}, "Shop lead")
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id))
    assert note.kind == NotificationKind.ROLE and "/b/metal" in factories.said(note)
    assert "member now moderates 2 boards." in text(client.get("/admin/users/member"))


def test_remove_every_board(client, login, admin, member, boards):
    factories.make_board_moderator(member, boards[0])
    login(admin)
    response = client.post("/admin/users/member/boards", data={})
    assert response.status_code == 302
    assert moderated(member) == set()
    assert not refreshed(member).is_board_moderator
    assert "member no longer moderates any boards." in text(client.get("/admin/users/member"))


@pytest.mark.parametrize("value", ["999999", "abc", "-1", "1.5", ""])
def test_unknown_board_is_400(client, login, admin, member, boards, value):
    login(admin)
    response = client.post("/admin/users/member/boards",
                           data={"boards": [str(boards[0].id), value]})
    html = text(response)
    assert response.status_code == 400
    assert "One of the chosen boards doesn&#39;t exist (any more)." in html
    # What was ticked stays ticked.
    assert re.search(rf'name="boards" value="{boards[0].id}" checked', html)
    assert moderated(member) == set()
    assert log("user.boards") == []


def test_unchanged_boards_are_refused_on_the_form(client, login, admin, member, boards):
    factories.make_board_moderator(member, boards[0])
    login(admin)
    response = client.post("/admin/users/member/boards", data={"boards": [str(boards[0].id)]})
    assert response.status_code == 400
    assert "Those are already the boards this member moderates." in text(response)
    assert log("user.boards") == []


def test_overlong_board_reason_is_400(client, login, admin, member, boards):
    login(admin)
    response = client.post("/admin/users/member/boards",
                           data={"boards": [str(boards[0].id)], "reason": "x" * 501})
    assert response.status_code == 400
    assert "Keep the reason under 500 characters." in text(response)
    assert moderated(member) == set()


def test_boards_need_csrf(client, login, admin, member, boards, enable_csrf):
    login(admin)
    response = client.post("/admin/users/member/boards", data={"boards": [str(boards[0].id)]})
    assert response.status_code == 400
    assert moderated(member) == set()
