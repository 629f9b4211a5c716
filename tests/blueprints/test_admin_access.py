"""Who may open the administrator panel: every page and form, for every kind of viewer.

Guests are sent to log in, everyone but administrators gets 403 (and nothing changes), and
administrators get the page.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Board, CannedResponse, ModAction, Role, Setting, User
from forum.services.moderation import modnotes
from tests import factories

GET_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/target",
    "/admin/canned",
    "/admin/canned/{canned}/edit",
    "/admin/canned/{canned}/delete",
    "/admin/settings",
]

POSTS = [
    ("/admin/users/target/role", {"role": "moderator"}),
    ("/admin/users/target/boards", {"boards": ["{board}"]}),
    ("/admin/canned", {"title": "New", "body": "Text"}),
    ("/admin/canned/{canned}/edit", {"title": "Changed", "body": "Changed"}),
    ("/admin/canned/{canned}/delete", {}),
    ("/admin/settings", {"report_limit_per_hour": "42", "auto_hide_threshold": "3"}),
]


@pytest.fixture
def world(app, admin):
    """A member to act on, a board and a canned response, made by the administrator."""
    target = factories.make_user("target")
    board = factories.make_board(slug="general")
    canned = modnotes.create_canned(admin, "Welcome", "Hello {username}")
    return {"target": target, "board": board.id, "canned": canned.id}


def _fill(value, world):
    if isinstance(value, list):
        return [_fill(item, world) for item in value]
    return value.format(canned=world["canned"], board=world["board"])


def _snapshot(world):
    db.session.expire_all()
    return (
        world["target"].role,
        world["target"].is_board_moderator,
        db.session.scalar(select(func.count(CannedResponse.id))),
        db.session.get(CannedResponse, world["canned"]).title,
        db.session.scalar(select(func.count(Setting.name))),
        db.session.scalar(select(func.count(ModAction.id))),
    )


@pytest.mark.parametrize("path", GET_PAGES)
def test_guests_are_sent_to_log_in(client, world, path):
    response = client.get(_fill(path, world))
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize("path, data", POSTS)
def test_guests_posting_are_sent_to_log_in_and_nothing_changes(client, world, path, data):
    before = _snapshot(world)
    response = client.post(_fill(path, world), data={k: _fill(v, world) for k, v in data.items()})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert _snapshot(world) == before


def _staff(kind: str, board_id: int):
    if kind == "board moderator":
        user = factories.make_user("boardmod")
        board = db.session.get(Board, board_id)
        return factories.make_board_moderator(user, board)
    return factories.make_user(kind, role=kind)


@pytest.mark.parametrize("kind", ["member", "moderator", "board moderator"])
@pytest.mark.parametrize("path", GET_PAGES)
def test_everyone_but_administrators_is_refused(client, login, world, kind, path):
    login(_staff(kind, world["board"]))
    response = client.get(_fill(path, world))
    assert response.status_code == 403
    assert "Only administrators can" in response.get_data(as_text=True)


@pytest.mark.parametrize("kind", ["member", "moderator", "board moderator"])
@pytest.mark.parametrize("path, data", POSTS)
def test_everyone_but_administrators_changes_nothing(client, login, world, kind, path, data):
    login(_staff(kind, world["board"]))
    before = _snapshot(world)
    response = client.post(_fill(path, world), data={k: _fill(v, world) for k, v in data.items()})
    assert response.status_code == 403
    assert _snapshot(world) == before


@pytest.mark.parametrize("path", GET_PAGES)
def test_administrators_see_every_page(client, login, admin, world, path):
    login(admin)
    response = client.get(_fill(path, world))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Every page sits in the panel: the tab bar, with a way to the moderation log.
    assert 'aria-label="Administration"' in html
    for href in ("/admin/", "/admin/users", "/admin/canned", "/admin/settings", "/mod/log"):
        assert f'href="{href}"' in html


def test_a_demoted_administrator_loses_the_panel(client, login, admin, world):
    login(admin)
    assert client.get("/admin/").status_code == 200
    db.session.get(User, admin.id).role = Role.MODERATOR
    db.session.commit()
    assert client.get("/admin/").status_code == 403
