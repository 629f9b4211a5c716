"""The administration pages in German mode: every page of the panel renders for an
administrator whose language is German, says ``<html lang="de">``, and its forms still answer
bad input with a 4xx and a message; the moderators' announcement pages share its templates."""
from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.services.community import announcements
from forum.services.community.announcements import Draft
from forum.services.moderation import modnotes
from tests import factories
from tests.factories import text

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def _lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', text(response)).group(1)


@pytest.fixture
def scene(admin, member):
    category = factories.make_category("Workshop")
    board = factories.make_board(category, slug="general", title="General talk")
    factories.make_board(category, slug="archive", title="Old things")
    thread = factories.make_thread(board, author=member, title="Soldering irons")
    factories.make_post(thread, author=member, body="A reply.")
    factories.make_board_moderator(member, board)
    group = factories.make_group("Testers", members=[member])
    factories.limit_board(board, read=[group])
    canned = modnotes.create_canned(admin, "Off topic", "Hi {username}, {thread} is off topic.")
    notice = announcements.create_announcement(admin, Draft(title="Welcome"))
    db.session.commit()
    return category, board, group, canned, notice


def _admin_pages(category, board, group, canned, notice) -> list[str]:
    return [
        "/admin/", "/admin/structure", "/admin/structure/boards/new",
        f"/admin/structure/boards/{board.id}/edit", f"/admin/structure/boards/{board.id}/delete",
        f"/admin/structure/categories/{category.id}/edit",
        f"/admin/structure/categories/{category.id}/delete",
        "/admin/users", "/admin/users?role=moderator", "/admin/users?q=nobody-at-all",
        "/admin/users?q=mem&role=board", "/admin/users/member", "/admin/users/member/delete",
        "/admin/groups", f"/admin/groups/{group.id}", f"/admin/groups/{group.id}/delete",
        "/admin/canned", f"/admin/canned/{canned.id}/edit", f"/admin/canned/{canned.id}/delete",
        "/admin/announcements", "/admin/announcements/new",
        f"/admin/announcements/{notice.id}/edit",
        "/admin/pages", "/admin/pages/rules", "/admin/pages/privacy",
        "/admin/invitations", "/admin/settings",
    ]


def test_admin_pages_render_in_german(client, login, admin, scene):
    admin.language = "de"
    db.session.commit()
    login(admin)
    for path in _admin_pages(*scene):
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path


def test_admin_pages_follow_the_browser_too(client, login, admin, scene):
    login(admin)
    for path in ["/admin/", "/admin/users", "/admin/structure", "/admin/settings"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path


def test_admin_forms_refuse_bad_input_in_german(client, login, admin, scene):
    category, board, group, canned, notice = scene
    admin.language = "de"
    db.session.commit()
    login(admin)
    for path, data in [
        ("/admin/canned", {"title": "", "body": ""}),
        ("/admin/groups", {"name": ""}),
        ("/admin/announcements/new", {"title": "", "severity": "loud"}),
        ("/admin/users/member/account", {"username": "", "email": ""}),
        ("/admin/users/member/delete", {"posts": "keep", "confirm": "someone-else"}),
        ("/admin/structure/boards/new", {"title": ""}),
    ]:
        response = client.post(path, data=data, headers=GERMAN)
        assert 400 <= response.status_code < 500, path
        assert _lang(response) == "de", path
        assert "field-error" in text(response) or "flash-error" in text(response), path


def test_actions_answer_in_german_mode(client, login, admin, scene):
    category, board, group, canned, notice = scene
    admin.language = "de"
    db.session.commit()
    login(admin)
    for path, data in [
        ("/admin/users/member/role", {"role": "moderator"}),
        ("/admin/users/member/boards", {"boards": [str(board.id)]}),
        (f"/admin/announcements/{notice.id}/end", {}),
        (f"/admin/structure/boards/{board.id}/archive", {}),
        ("/admin/settings", {}),
    ]:
        response = client.post(path, data=data, headers=GERMAN, follow_redirects=True)
        assert response.status_code in (200, 400), path
        assert _lang(response) == "de", path


def test_moderators_announcement_pages_render_in_german(client, login, moderator):
    moderator.language = "de"
    db.session.commit()
    login(moderator)
    for path in ["/mod/announcements", "/mod/announcements/new"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path


def test_language_switch_refuses_an_unknown_language(client):
    response = client.get("/language/xx", headers=GERMAN)
    assert response.status_code == 404
    assert _lang(response) == "de"
