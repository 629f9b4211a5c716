"""A member's account over HTTP: the administrator's account section (details, reset link,
sessions, deletion), the reset page, deleting one's own account and downloading one's data."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModAction, Post, User
from forum.services.accounts import logins, password_reset
from tests import factories
from tests.factories import text


def refreshed(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def log(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


@pytest.fixture
def thread(app, member):
    board = factories.make_board(slug="lounge")
    return factories.make_thread(board, author=member, title="Hello all", body="Hi there")


# -- account details ---------------------------------------------------------------------------

def test_the_member_page_has_the_account_section(client, login, admin, member):
    login(admin)
    html = text(client.get("/admin/users/member"))
    assert 'value="member@example.com"' in html
    assert "/admin/users/member/password-reset" in html
    assert "/admin/users/member/sessions" in html
    assert 'href="/admin/users/member/delete"' in html


def test_renaming_redirects_the_old_profile(client, login, admin, member):
    login(admin)
    response = client.post("/admin/users/member/account", data={
        "username": "Maker", "email": "maker@example.org", "display_name": "The Maker",
        "reason": "Asked"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users/Maker"
    assert refreshed(member).username == "Maker"
    moved = client.get("/u/member")
    assert moved.status_code == 301 and moved.headers["Location"] == "/u/Maker"
    # The picture is drawn from the address without a query, so an old one still answers.
    assert client.get("/u/member/avatar.svg").status_code == 200
    assert client.get("/u/nobody-here").status_code == 404
    assert log("user.account")[0].after["username"] == "Maker"


@pytest.mark.parametrize(("data", "message"), [
    ({"username": "OTHER"}, "That username is taken"),
    ({"username": "two words"}, "Usernames can&#39;t contain spaces."),
    ({"username": "semi;colon"}, "Usernames are 3–32 characters"),
    ({"email": "OTHER@example.com"}, "Another account already uses that email address"),
    ({"email": "nope"}, "That email address isn&#39;t valid"),
    ({"username": ""}, "Please enter a username."),
    ({"display_name": "x" * 100}, "Display names can be at most 64 characters."),
])
def test_bad_account_details_come_back_with_a_message(client, login, admin, member,
                                                      other_member, data, message):
    login(admin)
    form = {"username": "member", "email": "member@example.com", "display_name": "New"}
    response = client.post("/admin/users/member/account", data={**form, **data})
    assert response.status_code == 400
    assert message in text(response)
    assert refreshed(member).display_name is None
    assert not log("user.account")


def test_nothing_changed_is_a_400(client, login, admin, member):
    login(admin)
    response = client.post("/admin/users/member/account",
                           data={"username": "member", "email": "member@example.com"})
    assert response.status_code == 400 and "Nothing to change" in text(response)


# -- reset links and sessions -------------------------------------------------------------------

def test_a_reset_link_is_shown_once_and_works_once(app, client, login, admin, member):
    login(admin)
    response = client.post("/admin/users/member/password-reset", data={"reason": "Locked out"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    link = re.search(r'value="(http://[^"]+/account/reset/[^"]+)"', text(response)).group(1)
    path = link.split("localhost", 1)[1]
    assert log("user.password_reset")[0].reason == "Locked out"

    stranger = app.test_client()
    page = stranger.get(path)
    assert page.status_code == 200 and "@member" in text(page)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    mismatch = stranger.post(path, data={"new_password": "new password 123",
                                         "confirm": "other password 1"})
    assert mismatch.status_code == 400 and "don&#39;t match" in text(mismatch)
    short = stranger.post(path, data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 400 and "at least 10 characters" in text(short)
    done = stranger.post(path, data={"new_password": "new password 123",
                                     "confirm": "new password 123"})
    assert done.status_code == 302 and done.headers["Location"] == "/login"
    spent = stranger.get(path)
    assert spent.status_code == 410 and "already been used" in text(spent)
    assert factories.password_matches("member", "new password 123")


def test_an_expired_or_unknown_link_is_a_clear_page(client, admin, member):
    from datetime import timedelta

    from forum.models import utcnow

    token = password_reset.create_reset_link(admin, member,
                                             now=utcnow() - timedelta(hours=25))
    expired = client.get(f"/account/reset/{token}")
    assert expired.status_code == 410 and "expired" in text(expired)
    unknown = client.get("/account/reset/made-up-token")
    assert unknown.status_code == 404 and "isn&#39;t valid" in text(unknown)


def test_ending_sessions_logs_the_member_out(app, client, login, admin, member):
    theirs = app.test_client()
    logins.start(member, True, "127.0.0.1", None)
    with theirs.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(member)
    assert theirs.get("/account/profile").status_code == 200
    login(admin)
    response = client.post("/admin/users/member/sessions", data={"reason": "Stolen phone"})
    assert response.status_code == 302
    assert theirs.get("/account/profile").status_code == 302  # sent to log in
    assert log("user.sessions")[0].reason == "Stolen phone"


# -- deleting an account from the panel ----------------------------------------------------------

def test_the_delete_page_says_what_will_happen(client, login, admin, member, thread):
    login(admin)
    html = text(client.get("/admin/users/member/delete"))
    assert re.search(r"Posts</dt><dd>1<.*Threads they started</dt><dd>1<", html, re.S)
    assert "deleted-" in html and "Type their username to confirm" in html


def test_deleting_needs_the_typed_username(client, login, admin, member, thread):
    login(admin)
    response = client.post("/admin/users/member/delete", data={"posts": "keep",
                                                               "confirm": "someone"})
    assert response.status_code == 400 and "That isn&#39;t their username" in text(response)
    bad_choice = client.post("/admin/users/member/delete", data={"posts": "burn",
                                                                 "confirm": "member"})
    assert bad_choice.status_code == 400
    assert not refreshed(member).is_deleted


def test_anonymised_posts_show_deleted_member(client, login, admin, member, thread):
    login(admin)
    response = client.post("/admin/users/member/delete", data={"posts": "keep",
                                                               "confirm": "MEMBER"})
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    page = text(client.get(f"/t/{thread.id}"))
    assert "Deleted member" in page and "Hi there" in page
    assert client.get("/u/member").status_code == 404
    profile = client.get(f"/u/deleted-{member.id}")
    assert profile.status_code == 200 and "Deleted member" in text(profile)
    assert "member@example.com" not in text(profile)
    # Acting on it again is out of order: a clear 409.
    again = client.post(f"/admin/users/deleted-{member.id}/delete",
                        data={"posts": "keep", "confirm": f"deleted-{member.id}"})
    assert again.status_code == 409 and "already been deleted" in text(again)
    late = client.post(f"/admin/users/deleted-{member.id}/sessions")
    assert late.status_code == 409
    assert "This account was deleted" in text(client.get(f"/admin/users/deleted-{member.id}"))


def test_deleting_with_posts_removes_them(client, login, admin, member, thread):
    login(admin)
    client.post("/admin/users/member/delete", data={"posts": "delete", "confirm": "member"})
    assert db.session.get(Post, thread.first_post_id).is_deleted
    assert log("user.delete")[0].after["posts"] == "deleted"


def test_the_last_administrator_cannot_be_deleted(client, login, admin):
    other = factories.make_user(username="other_admin", role="admin")
    logins.start(other, False, "127.0.0.1", None)
    old_session = other.get_id()
    login(admin)
    assert client.post("/admin/users/other_admin/delete",
                       data={"posts": "keep", "confirm": "other_admin"}).status_code == 302
    own = client.get("/admin/users/admin/delete")
    assert own.status_code == 403 and "account settings" in text(own)
    with client.session_transaction() as session:
        session["_user_id"] = old_session  # the deleted administrator's session ended
    assert client.get("/admin/users").status_code == 302


# -- a member's own account ------------------------------------------------------------------

def test_the_profile_editor_links_export_and_delete(client, login, member):
    login(member)
    html = text(client.get("/account/profile"))
    assert 'href="/account/export"' in html and 'href="/account/delete"' in html


def test_a_member_downloads_their_data(client, login, member, thread):
    login(member)
    response = client.get("/account/export")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="agora-member-')
    data = json.loads(response.get_data())
    assert data["profile"]["email"] == "member@example.com"
    assert data["posts"][0]["body"] == "Hi there"


def test_a_member_deletes_their_account(client, login, member, thread):
    login(member)
    page = client.get("/account/delete")
    assert page.status_code == 200 and "You have 1 post" in text(page)
    wrong = client.post("/account/delete", data={"posts": "delete", "password": "not it"})
    assert wrong.status_code == 400 and "That password is not correct." in text(wrong)
    assert not refreshed(member).is_deleted
    done = client.post("/account/delete", data={"posts": "delete",
                                                "password": factories.PASSWORD})
    assert done.status_code == 302 and done.headers["Location"] == "/"
    assert refreshed(member).is_deleted
    assert db.session.get(Post, thread.first_post_id).is_deleted
    assert client.get("/account/profile").status_code == 302  # logged out
    assert log("account.delete")[0].actor_id == member.id


def test_the_last_administrator_keeps_their_account(client, login, admin):
    login(admin)
    page = client.get("/account/delete")
    assert "last administrator" in text(page)
    response = client.post("/account/delete", data={"posts": "keep",
                                                    "password": factories.PASSWORD})
    assert response.status_code == 403 and "last administrator" in text(response)
    assert not refreshed(admin).is_deleted


def test_the_moderation_log_shows_account_changes(client, login, admin, member, thread):
    login(admin)
    client.post("/admin/users/member/account", data={
        "username": "member", "email": "changed@example.org", "display_name": ""})
    client.post("/admin/users/member/password-reset")
    client.post("/admin/users/member/sessions")
    client.post("/admin/users/member/delete", data={"posts": "delete", "confirm": "member"})
    response = client.get(f"/mod/log?member=deleted-{member.id}")
    assert response.status_code == 200
    html = text(response)
    for action in ("user.account", "user.password_reset", "user.sessions", "user.delete"):
        assert action in html or action.replace("user.", "") in html
    csv = client.get("/mod/log.csv")
    assert csv.status_code == 200 and "user.delete" in csv.get_data(as_text=True)
