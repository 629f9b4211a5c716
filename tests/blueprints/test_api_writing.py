"""Writing through the API: the same services and refusals as the pages, bad input answered
with problem details and nothing saved, and two replies at once into a slow-mode thread
giving one post."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ModAction, Post, Reaction, Thread, utcnow
from forum.services import notifications
from forum.services.moderation import reports
from tests import factories
from tests.api_kit import API, auth, call, token_for


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General")


@pytest.fixture
def thread(board):
    return factories.make_thread(board, author=factories.make_user(username="starter"),
                                 title="Clocks")


@pytest.fixture
def writer(member):
    return token_for(member, ("read", "write"))


def _count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_start_a_thread(client, board, member, writer):
    response = call(client, "POST", "/boards/general/threads", writer,
                    json={"title": "Hello there", "body": "First words"})
    assert response.status_code == 201
    assert response.json["title"] == "Hello there"
    assert response.json["author"]["username"] == "member"
    assert _count(Thread, Thread.board_id == board.id) == 1


def test_no_csrf_token_is_needed_nor_a_cookie_accepted(client, login, thread, member, writer,
                                                       enable_csrf):
    """The API takes no cookie, so a page elsewhere can't make a browser act through it: with
    CSRF protection on, a call with a token needs no CSRF token, and a logged-in browser's
    call without one is a guest's."""
    login(member)
    as_browser = client.post(f"{API}/threads/{thread.id}/posts", json={"body": "Hi"})
    assert as_browser.status_code == 401
    with_token = call(client, "POST", f"/threads/{thread.id}/posts", writer, json={"body": "Hi"})
    assert with_token.status_code == 201
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Hi"}).status_code == 400


def test_reply_and_read_it_back(client, thread, writer):
    response = call(client, "POST", f"/threads/{thread.id}/posts", writer, json={"body": "Tick"})
    assert response.status_code == 201
    assert response.json["position"] == 2 and response.json["body"] == "Tick"
    again = call(client, "GET", f"/posts/{response.json['id']}")
    assert again.json["body_html"].strip() == "<p>Tick</p>"


# -- bad input: a clear 4xx, never a 500, nothing saved --------------------------------------
BAD_BODIES = [
    ("malformed JSON", b'{"title": "x", "body": ', "application/json", 400),
    ("not JSON at all", b"title=x&body=y", "application/x-www-form-urlencoded", 400),
    ("a list", b'["x"]', "application/json", 422),
    ("wrong types", b'{"title": 5, "body": true}', "application/json", 422),
    ("unknown field", b'{"title": "x", "body": "y", "pinned": true}', "application/json", 422),
    ("missing field", b'{"title": "x"}', "application/json", 422),
    ("empty text", b'{"title": "", "body": "y"}', "application/json", 422),
    ("a NUL", b'{"title": "x\\u0000", "body": "y"}', "application/json", 422),
    ("too long a title", b'{"title": "' + b"x" * 201 + b'", "body": "y"}', "application/json",
     422),
    ("oversized", b'{"title": "x", "body": "' + b"y" * 300_000 + b'"}', "application/json",
     413),
    ("not UTF-8", b'{"title": "\xff", "body": "y"}', "application/json", 400),
    ("deeply nested", b"[" * 100_000 + b"]" * 100_000, "application/json", 400),
]


@pytest.mark.parametrize("name,data,mimetype,status", BAD_BODIES,
                         ids=[case[0] for case in BAD_BODIES])
def test_bad_bodies(client, board, writer, name, data, mimetype, status):
    response = client.post(f"{API}/boards/general/threads", data=data,
                           headers={**auth(writer), "Content-Type": mimetype})
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    assert response.json["detail"]
    assert _count(Thread) == 0


def test_422_names_every_field_that_is_wrong(client, board, writer):
    response = call(client, "POST", "/boards/general/threads", writer,
                    json={"title": 1, "extra": 2})
    fields = {error["field"] for error in response.json["errors"]}
    assert fields == {"title", "body", "extra"}


def test_a_blank_body_is_the_services_refusal(client, thread, writer):
    """Text the shape allows but the service refuses (only spaces) gets the page's reason."""
    response = call(client, "POST", f"/threads/{thread.id}/posts", writer, json={"body": "   "})
    assert response.status_code == 400
    assert response.json["detail"] == "A post can't be empty."
    assert response.json["errors"][0]["field"] == "body"


# -- the same refusals as the pages -------------------------------------------------------------
def test_slow_mode_is_429_with_retry_after(client, thread, writer):
    thread.slow_mode_seconds = 600
    db.session.commit()
    assert call(client, "POST", f"/threads/{thread.id}/posts", writer,
                json={"body": "First"}).status_code == 201
    refused = call(client, "POST", f"/threads/{thread.id}/posts", writer,
                   json={"body": "Second"})
    assert refused.status_code == 429
    assert 590 <= int(refused.headers["Retry-After"]) <= 600
    assert refused.json["retry_after"] == int(refused.headers["Retry-After"])
    assert "You can reply again in" in refused.json["detail"]


def test_a_locked_thread_is_403_with_the_pages_reason(client, thread, writer):
    thread.is_locked = True
    db.session.commit()
    refused = call(client, "POST", f"/threads/{thread.id}/posts", writer, json={"body": "Hi"})
    assert refused.status_code == 403
    assert refused.json["detail"].startswith("Locked by a moderator")


def test_a_timed_out_member_is_refused(client, thread, member, writer, moderator):
    from forum.services.moderation import sanctions

    sanctions.timeout(moderator, member, "Cool down", timedelta(hours=1))
    refused = call(client, "POST", f"/threads/{thread.id}/posts", writer, json={"body": "Hi"})
    assert refused.status_code == 429
    assert "timeout" in refused.json["detail"]


def test_two_simultaneous_api_replies_into_slow_mode_give_one_post(app, thread, writer):
    thread.slow_mode_seconds = 600
    db.session.commit()
    url = f"{API}/threads/{thread.id}/posts"
    clients = [app.test_client() for _ in range(2)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client, n: int) -> None:
        barrier.wait(30)
        statuses.append(client.post(url, json={"body": f"At once {n}"},
                                    headers=auth(writer)).status_code)

    workers = [threading.Thread(target=send, args=(client, n))
               for n, client in enumerate(clients)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [201, 429]
    assert _count(Post, Post.thread_id == thread.id) == 2  # the opening post and one reply


# -- editing -----------------------------------------------------------------------------------
def test_edit_own_post(client, thread, member, writer):
    post = factories.make_post(thread, author=member, body="Frist")
    response = call(client, "PATCH", f"/posts/{post.id}", writer, json={"body": "First"})
    assert response.status_code == 200 and response.json["body"] == "First"
    assert response.json["edited_at"] is not None


def test_someone_elses_post_is_refused_with_the_policys_reason(client, thread, writer):
    post = factories.make_post(thread, body="Theirs")
    refused = call(client, "PATCH", f"/posts/{post.id}", writer, json={"body": "Mine now"})
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Post, post.id).body == "Theirs"


def test_a_moderators_edit_needs_the_scope_and_a_reason(client, thread, moderator):
    post = factories.make_post(thread, body="Buy watches http://spam.example")
    without_scope = token_for(moderator, ("read", "write"))
    refused = call(client, "PATCH", f"/posts/{post.id}", without_scope,
                   json={"body": "Buy watches", "reason": "Spam link"})
    assert refused.status_code == 403 and "moderate" in refused.json["detail"]
    full = token_for(moderator, ("read", "write", "moderate"))
    no_reason = call(client, "PATCH", f"/posts/{post.id}", full, json={"body": "Buy watches"})
    assert no_reason.status_code == 400 and "reason" in no_reason.json["detail"]
    done = call(client, "PATCH", f"/posts/{post.id}", full,
                json={"body": "Buy watches", "reason": "Spam link"})
    assert done.status_code == 200
    entry = db.session.scalars(select(ModAction).where(ModAction.action == "post.edit")).one()
    assert entry.actor_id == moderator.id and entry.reason == "Spam link"


# -- reactions, reports, events, notifications -------------------------------------------------
def test_react_and_take_it_back(client, thread, member, writer):
    post = factories.make_post(thread, body="Nice clock")
    added = call(client, "POST", f"/posts/{post.id}/reactions", writer, json={"kind": "thanks"})
    assert added.json == {"changed": True, "reactions": {"thanks": 1}}
    again = call(client, "POST", f"/posts/{post.id}/reactions", writer, json={"kind": "thanks"})
    assert again.json == {"changed": False, "reactions": {"thanks": 1}}
    removed = call(client, "DELETE", f"/posts/{post.id}/reactions/thanks", writer)
    assert removed.json == {"changed": True, "reactions": {}}
    assert call(client, "DELETE", f"/posts/{post.id}/reactions/nope", writer).status_code == 400
    assert call(client, "POST", f"/posts/{post.id}/reactions", writer,
                json={"kind": "nope"}).status_code == 422
    assert _count(Reaction) == 0


def test_reacting_to_ones_own_post_is_refused(client, thread, member, writer):
    post = factories.make_post(thread, author=member)
    refused = call(client, "POST", f"/posts/{post.id}/reactions", writer, json={"kind": "love"})
    assert refused.status_code == 403


def test_report_once(client, thread, writer):
    post = factories.make_post(thread, body="Rude words")
    body = {"target": "post", "id": post.id, "reason": "harassment", "note": "Mean"}
    filed = call(client, "POST", "/reports", writer, json=body)
    assert filed.status_code == 201
    again = call(client, "POST", "/reports", writer, json=body)
    assert again.status_code == 409 and "already reported" in again.json["detail"]
    missing = call(client, "POST", "/reports", writer, json={**body, "id": 999999})
    assert missing.status_code == 404


def test_rsvp_counts(client, board, writer):
    from forum.services.community import events as event_service
    from forum.services.community.events import EventData

    start = utcnow() + timedelta(days=2)
    event = event_service.create_event(factories.make_user(role="admin"), board, EventData(
        title="Meetup", kind="meetup", starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"), capacity="1"))
    answered = call(client, "PUT", f"/events/{event.id}/rsvp", writer, json={"answer": "going"})
    assert answered.status_code == 200
    assert answered.json["answer"] == "going" and answered.json["event"]["rsvp"]["going"] == 1
    second = token_for(factories.make_user(), ("write",))
    waiting = call(client, "PUT", f"/events/{event.id}/rsvp", second, json={"answer": "going"})
    assert waiting.json["answer"] == "waitlisted"
    assert waiting.json["event"]["rsvp"]["waitlist"] == 1
    assert call(client, "PUT", f"/events/{event.id}/rsvp", writer,
                json={"answer": "waitlisted"}).status_code == 422


def test_mark_notifications_read(client, member, writer):
    for n in range(3):
        notifications.notify(member, "reply", "post.reply", {"title": f"T{n}", "name": "Ann"},
                             link=f"/t/1#p{n}")
    db.session.commit()
    listed = call(client, "GET", "/notifications", writer).json["items"]
    assert listed[0]["url"] == "http://localhost/t/1#p2"
    assert [item["is_read"] for item in listed] == [False] * 3
    assert "Ann replied to" in listed[0]["text"]
    one = call(client, "POST", "/notifications/read", writer, json={"ids": [listed[0]["id"]]})
    assert one.json == {"marked": 1}
    assert call(client, "POST", "/notifications/read", writer,
                json={"all": True}).json == {"marked": 2}
    neither = call(client, "POST", "/notifications/read", writer, json={})
    assert neither.status_code == 400


# -- the report queue --------------------------------------------------------------------------
@pytest.fixture
def item(thread):
    post = factories.make_post(thread, author=factories.make_user(username="spammer"),
                               body="Cheap watches")
    return reports.file_report(factories.make_user(), post, "spam").item


def test_the_queue_lists_items_for_the_team(client, item, moderator):
    token = token_for(moderator, ("moderate",))
    listed = call(client, "GET", "/reports", token).json
    assert [entry["id"] for entry in listed["items"]] == [item.id]
    assert listed["items"][0]["reasons"] == [{"reason": "spam", "count": 1}]
    assert call(client, "GET", "/reports", token,
                query_string={"status": "nonsense"}).status_code == 422


def test_resolve_hides_and_times_out_in_one_step(client, item, moderator):
    token = token_for(moderator, ("moderate",))
    response = call(client, "POST", f"/reports/{item.id}/resolve", token, json={
        "actions": ["hide_post"], "reason": "Spam", "sanction": "timeout", "timeout": "24h"})
    assert response.status_code == 200, response.json
    assert response.json["item"]["status"] == "resolved"
    actions = set(db.session.scalars(select(ModAction.action)))
    assert {"post.hide", "user.timeout"} <= actions
    again = call(client, "POST", f"/reports/{item.id}/resolve", token,
                 json={"actions": ["dismiss"], "reason": "Fine"})
    assert again.status_code == 409


@pytest.mark.parametrize("body,status,field", [
    ({"actions": [], "reason": "Spam"}, 400, None),
    ({"actions": ["hide_post"], "reason": ""}, 400, None),
    ({"actions": ["move_thread"], "reason": "Wrong place"}, 400, "destination"),
    ({"actions": [], "reason": "x", "sanction": "timeout"}, 400, "timeout"),
    ({"actions": ["hide_post", "hide_post"], "reason": "x"}, 422, "actions"),
    ({"actions": ["explode"], "reason": "x"}, 422, "actions[0]"),
])
def test_resolve_refusals_save_nothing(client, item, moderator, body, status, field):
    token = token_for(moderator, ("moderate",))
    response = call(client, "POST", f"/reports/{item.id}/resolve", token, json=body)
    assert response.status_code == status, response.json
    if field is not None:
        assert response.json["errors"][0]["field"] == field
    assert _count(ModAction, ModAction.action != "user.timeout") == 0
    db.session.expire_all()
    assert db.session.get(type(item), item.id).status == "open"


def test_a_board_moderator_elsewhere_may_not_resolve(client, item):
    elsewhere = factories.make_board(slug="elsewhere")
    keeper = factories.make_board_moderator(factories.make_user(), elsewhere)
    token = token_for(keeper, ("moderate",))
    assert call(client, "GET", "/reports", token).json["items"] == []
    refused = call(client, "POST", f"/reports/{item.id}/resolve", token,
                   json={"actions": ["dismiss"], "reason": "Fine"})
    assert refused.status_code == 403


@pytest.mark.parametrize("size", [1, 30])
def test_the_queue_keeps_its_query_budget(client, thread, moderator, count_queries, size):
    """The token's member and the rate counter, then the queue's own three (count, items with
    their targets, reasons), whatever its length."""
    for n in range(size):
        post = factories.make_post(thread, author=factories.make_user(), body=f"Spam {n}")
        reports.file_report(factories.make_user(), post, "spam")
    token = token_for(moderator, ("moderate",))
    call(client, "GET", "/me", token)
    with count_queries() as queries:
        response = call(client, "GET", "/reports", token)
    assert response.status_code == 200 and len(response.json["items"]) == min(size, 25)
    assert len(queries) <= 5, [q[:80] for q in queries]


def test_a_thread_waiting_for_approval_is_202(client, writer):
    factories.make_board(slug="careful", threads_need_approval=True)
    response = call(client, "POST", "/boards/careful/threads", writer,
                    json={"title": "Hello", "body": "Please approve"})
    assert response.status_code == 202
    assert response.json["pending_id"] >= 1 and "moderator" in response.json["detail"]
    assert _count(Thread) == 0
