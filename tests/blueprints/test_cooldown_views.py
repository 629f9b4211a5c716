"""Cooldowns over HTTP: the same refusal for pages and JSON, and two replies sent at the same
instant into a slow-mode thread giving exactly one post."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post
from forum.services.moderation import sanctions
from tests import factories


@pytest.fixture
def slow_thread(app):
    thread = factories.make_thread(factories.make_board(), title="Heated")
    thread.slow_mode_seconds = 600
    db.session.commit()
    return thread


def _posts(thread) -> int:
    return db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id))


def test_json_reply_in_slow_mode_is_429_with_retry_after(client, login, member, slow_thread):
    login(member)
    first = client.post(f"/t/{slow_thread.id}/reply", data={"body": "First"})
    assert first.status_code == 302
    refused = client.post(f"/t/{slow_thread.id}/reply", data={"body": "Second"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    assert "You can reply again in" in refused.get_json()["message"]
    assert _posts(slow_thread) == 2


def test_a_timeout_refuses_like_a_cooldown(client, login, member, moderator, slow_thread):
    """A moderator's timeout is one more wait: 429, Retry-After, "You can post again in"."""
    sanctions.timeout(moderator, member, "Cool off", timedelta(hours=2))
    login(member)
    refused = client.post(f"/t/{slow_thread.id}/reply", data={"body": "Let me in"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert 7190 <= int(refused.headers["Retry-After"]) <= 7200
    assert "You can post again in 2 h" in refused.get_json()["message"]
    page = client.post(f"/t/{slow_thread.id}/reply", data={"body": "Let me in"})
    assert page.status_code == 429 and "You can post again in" in page.get_data(as_text=True)
    assert "Let me in" in page.get_data(as_text=True)
    assert _posts(slow_thread) == 1


def test_page_reply_in_slow_mode_keeps_the_draft(client, login, member, slow_thread):
    login(member)
    client.post(f"/t/{slow_thread.id}/reply", data={"body": "First"})
    refused = client.post(f"/t/{slow_thread.id}/reply", data={"body": "My <b>draft</b>"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    html = refused.get_data(as_text=True)
    assert "My &lt;b&gt;draft&lt;/b&gt;" in html and "You can reply again in" in html


def test_json_reply_to_a_locked_thread_is_403(client, login, member, slow_thread):
    slow_thread.is_locked = True
    db.session.commit()
    login(member)
    refused = client.post(f"/t/{slow_thread.id}/reply", data={"body": "Hi"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 403
    assert refused.get_json()["message"].startswith("Locked by a moderator")
    assert "Retry-After" not in refused.headers


def test_new_member_link_limit_keeps_the_draft(app, client, login, slow_thread):
    app.config["MEMBER_COOLDOWNS"] = True
    newcomer = login(factories.make_user())
    body = "See https://a.example https://b.example https://c.example"
    response = client.post(f"/b/{slow_thread.board.slug}/new",
                           data={"title": "Links", "body": body})
    assert response.status_code == 400
    assert "at most 2 links" in response.get_data(as_text=True)
    assert newcomer.thread_count == 0


def test_two_simultaneous_replies_give_one_post(app, member, slow_thread):
    db.session.commit()
    url = f"/t/{slow_thread.id}/reply"
    clients = []
    for _ in range(2):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.login_cookie(member)
            session["_fresh"] = True
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client, n: int) -> None:
        barrier.wait(30)
        statuses.append(client.post(url, data={"body": f"At once {n}"}).status_code)

    workers = [threading.Thread(target=send, args=(client, n)) for n, client in
               enumerate(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [302, 429]
    db.session.expire_all()
    assert _posts(slow_thread) == 2  # the opening post and exactly one reply


def test_slow_mode_thread_page_keeps_the_query_budget(app, client, login, member, slow_thread,
                                                      count_queries):
    from tests.blueprints.test_thread_page import THREAD_BUDGET

    app.config["MEMBER_COOLDOWNS"] = True  # both the flood interval and slow mode are asked
    login(member)
    client.post(f"/t/{slow_thread.id}/reply", data={"body": "First"})
    url = slow_thread.url
    client.get(url)
    with count_queries() as queries:
        html = client.get(url).get_data(as_text=True)
    assert "You can reply again in" in html
    assert len(queries) <= THREAD_BUDGET, [q[:60] for q in queries]
