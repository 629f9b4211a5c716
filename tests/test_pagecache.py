"""Guests' pages kept whole for a few seconds: served without a query, never to members,
never stale after a write in this process, never holding anything personal."""
from __future__ import annotations

import pytest
from sqlalchemy import update

from forum.extensions import db
from forum.models import Thread
from forum.services.content import posting
from tests import factories
from tests.factories import text


@pytest.fixture
def thread(app):
    board = factories.make_board(slug="general")
    return factories.make_thread(board, title="Cached thread", body="The opening words.")


def test_a_guests_second_visit_costs_no_query(client, thread, count_queries):
    first = client.get(f"/t/{thread.id}")
    with count_queries() as queries:
        second = client.get(f"/t/{thread.id}")
    assert queries == []
    assert second.status_code == 200 and second.data == first.data
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert "Set-Cookie" not in second.headers


def test_a_reply_is_seen_at_once(client, thread, member):
    assert "Fresh words" not in text(client.get(f"/t/{thread.id}"))
    posting.reply(member, thread, "Fresh words from a member.")
    assert "Fresh words from a member." in text(client.get(f"/t/{thread.id}"))


def test_a_plain_update_statement_empties_it_too(client, thread):
    assert "Renamed" not in text(client.get("/b/general"))
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(title="Renamed"))
    db.session.commit()
    assert "Renamed" in text(client.get("/b/general"))


def test_a_rolled_back_write_keeps_it(app, client, thread, count_queries):
    client.get("/")
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(title="Never"))
    db.session.rollback()
    db.session.commit()
    with count_queries() as queries:
        assert "Never" not in text(client.get("/"))
    assert queries == []


def test_members_are_never_served_from_it(client, login, thread, member, count_queries):
    client.get(f"/t/{thread.id}")
    login(member)
    with count_queries() as queries:
        html = text(client.get(f"/t/{thread.id}"))
    assert queries and member.username in html


def test_a_flashed_message_is_shown_and_not_kept(app, client, thread, count_queries):
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Only for this guest.")]
    assert "Only for this guest." in text(client.get("/"))
    with count_queries() as queries:
        assert "Only for this guest." not in text(client.get("/"))
    assert queries == []


def test_closed_banners_are_part_of_the_key(client, admin, thread):
    from forum.services.community import announcements

    shown = announcements.create_announcement(admin, announcements.Draft(title="Closable"))
    assert "Closable" in text(client.get("/"))
    client.post(f"/announcements/{shown.id}/dismiss", data={"next": "/"})
    assert "Closable" not in text(client.get("/"))
    assert "Closable" in text(_another_browser(client).get("/"))


def _another_browser(client):
    return client.application.test_client()


def test_only_listed_pages_and_successes_are_kept(app, client, thread):
    client.get("/login")
    client.get("/b/no-such-board")
    client.get(f"/t/{thread.id}?page=abc")
    cache = app.extensions["agora_page_cache"]
    assert len(cache) == 0
    client.get("/events")
    assert len(cache) == 1


def test_each_host_has_its_own_copy(app, client, thread):
    client.get("/", headers={"Host": "forum.example"})
    client.get("/", headers={"Host": "evil.example"})
    assert len(app.extensions["agora_page_cache"]) == 2


def test_json_requests_pass_by(app, client, thread):
    client.get("/", headers={"Accept": "application/json"})
    assert len(app.extensions["agora_page_cache"]) == 0


def test_turned_off_with_zero(app, client, thread, count_queries):
    app.config["GUEST_PAGE_CACHE_SECONDS"] = 0
    client.get("/")
    with count_queries() as queries:
        client.get("/")
    assert queries
