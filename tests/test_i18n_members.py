"""The members' pages in German mode: every page of the boards, accounts, profiles, search,
notifications, reports and events renders, says ``<html lang="de">``, and its forms still
answer bad input with a 4xx and a message."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import utcnow
from forum.services import notifications
from tests import factories
from tests.factories import text
from tests.services import event_kit

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def _lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', text(response)).group(1)


@pytest.fixture
def scene(app, member, other_member):
    board = factories.make_board(slug="general", title="General talk")
    thread = factories.make_thread(board, author=member, title="Soldering irons")
    reply = factories.make_post(thread, author=other_member, body="Mine is **great**.")
    db.session.commit()
    return board, thread, reply


def _pages(thread, reply) -> list[str]:
    return [
        "/", "/b/general", "/b/general?page=1", f"/t/{thread.id}",
        "/u/member", "/members", "/members?q=mem", "/members?q=nobody-at-all", "/search",
        "/search?q=soldering", "/search?q=zzzz", "/events", "/rules", "/privacy",
    ]


def test_guest_pages_render_in_german(client, scene):
    board, thread, reply = scene
    for path in [*_pages(thread, reply), "/login", "/register"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path


def test_member_pages_render_in_german(client, login, member, scene):
    board, thread, reply = scene
    notifications.notify(member, "reply", "post.reply", {"name": "ann", "title": "Hi"},
                         link=f"/t/{thread.id}")
    own = factories.make_post(thread, author=member, body="A later word.")
    member.language = "de"
    db.session.commit()
    login(member)
    for path in [*_pages(thread, reply), "/notifications", "/account/profile",
                 "/account/password", "/account/delete", "/b/general/new",
                 f"/t/{thread.id}/reply", f"/t/{thread.id}/reply?quote={reply.id}",
                 f"/p/{thread.first_post_id}/edit", f"/p/{own.id}/delete",
                 f"/p/{thread.first_post_id}/history",
                 f"/report/post/{reply.id}", "/report/user/2",
                 "/accept"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path


def test_german_forms_still_answer_bad_input(client, login, member, scene):
    board, thread, reply = scene
    assert client.post("/login", data={}, headers=GERMAN).status_code == 400
    login(member)
    member.language = "de"
    db.session.commit()
    for path, data in [
        ("/b/general/new", {"title": "", "body": ""}),
        (f"/t/{thread.id}/reply", {"body": ""}),
        ("/account/password", {}),
        ("/account/profile", {"timezone": "Mars/Olympus", "language": "xx"}),
        (f"/report/post/{reply.id}", {"reason": "nonsense"}),
    ]:
        response = client.post(path, data=data)
        assert response.status_code == 400, path
        assert _lang(response) == "de", path


def test_german_error_pages(client, scene):
    for path, status in [("/t/999999", 404), ("/b/general?page=x", 400), ("/u/nobody", 404)]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == status, path
        assert _lang(response) == "de", path


def test_german_event_pages(client, login, scene):
    board, thread, reply = scene
    now = utcnow()
    event = event_kit.make_event(board=board, start=now + timedelta(days=3), now=now,
                                 capacity="2")
    login(event.author)
    for path in [f"/events/{event.id}", f"/events/{event.id}/edit", f"/events/{event.id}/cancel",
                 "/events", "/events/new", "/"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path
