"""Reading through the API: tokens and guests, problem details, pages of threads and posts,
and their query budgets."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Access, ApiToken, utcnow
from forum.services.accounts import tokens
from forum.services.moderation import sanctions
from forum.services.site import settings
from tests import factories
from tests.api_kit import API, call, token_for


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General")


def test_a_guest_reads_public_boards(client, board):
    response = call(client, "GET", "/boards")
    assert response.status_code == 200
    boards = [b["slug"] for card in response.json["categories"] for b in card["boards"]]
    assert boards == ["general"]


def test_cookies_are_not_accepted(client, login, board, member):
    """A logged-in browser calls the API as a guest: no cookie ever authenticates a call."""
    login(member)
    assert client.get("/notifications").status_code == 200  # the session works on pages
    response = call(client, "GET", "/me")
    assert response.json["member"] is None
    response = call(client, "GET", "/notifications")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="api"'


def test_a_token_authenticates_and_is_marked_used(client, member):
    text = token_for(member, ("read", "write"))
    response = call(client, "GET", "/me", text)
    assert response.status_code == 200
    assert response.json == {"member": {"id": member.id, "username": "member",
                                        "display_name": None}, "scopes": ["read", "write"]}
    db.session.expire_all()
    assert db.session.query(ApiToken).one().last_used_at is not None


@pytest.mark.parametrize("header", ["Bearer agora_1_" + "x" * 43, "Bearer nonsense", "Basic abc",
                                    "Bearer ", "agora_1_xx"])
def test_bad_tokens_are_refused(client, member, header):
    token_for(member)
    response = client.get(f"{API}/boards", headers={"Authorization": header})
    assert response.status_code == 401
    problem = response.json
    assert problem["status"] == 401 and problem["type"] == "about:blank" and problem["detail"]
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_revoked_and_expired_tokens_are_refused(client, member):
    revoked = tokens.create(member, "old", ["read"], "30")
    tokens.revoke(member, revoked.token.id)
    response = call(client, "GET", "/boards", revoked.text)
    assert response.status_code == 401 and "revoked" in response.json["detail"]
    expired = tokens.create(member, "short", ["read"], "30", now=utcnow() - timedelta(days=31))
    response = call(client, "GET", "/boards", expired.text)
    assert response.status_code == 401 and "expired" in response.json["detail"]


def test_a_suspended_members_token_is_refused(client, member, admin):
    text = token_for(member)
    sanctions.suspend(admin, member, "Cooling off", utcnow() + timedelta(days=2))
    response = call(client, "GET", "/boards", text)
    assert response.status_code == 403
    assert "suspended" in response.json["detail"]


def test_scopes_limit_a_token(client, member, board):
    thread = factories.make_thread(board, author=factories.make_user())
    read_only = token_for(member, ("read",))
    response = call(client, "POST", f"/threads/{thread.id}/posts", read_only, json={"body": "Hi"})
    assert response.status_code == 403
    assert "write" in response.json["detail"]


def test_unknown_routes_and_methods_are_problems(client):
    response = call(client, "GET", "/nothing-here")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    response = call(client, "DELETE", "/boards")
    assert response.status_code == 405 and response.mimetype == "application/problem+json"


def test_threads_page_by_cursor(client, board):
    author = factories.make_user()
    start = utcnow() - timedelta(hours=1)
    made = []
    for n in range(7):
        thread = factories.make_thread(board, author=author, title=f"Thread {n}")
        thread.last_post_at = start + timedelta(minutes=n)
        made.append(thread.id)
    db.session.commit()
    seen, cursor = [], None
    while True:
        query = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        response = call(client, "GET", "/boards/general/threads", query_string=query)
        assert response.status_code == 200
        seen += [item["id"] for item in response.json["items"]]
        cursor = response.json["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(made))


@pytest.mark.parametrize("cursor", ["garbage!", "Zm9v", "MjAyNi0xMi0wN3x4"])
def test_a_bad_cursor_is_a_clear_400(client, board, cursor):
    response = call(client, "GET", "/boards/general/threads", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert response.json["errors"][0]["field"] == "cursor"


@pytest.mark.parametrize("limit", ["0", "101", "x", "1.5"])
def test_a_bad_limit_is_422(client, board, limit):
    response = call(client, "GET", "/boards/general/threads", query_string={"limit": limit})
    assert response.status_code == 422
    assert response.json["errors"][0]["field"] == "limit"


def test_a_members_only_board_needs_a_token(client, member):
    factories.make_board(slug="inner", access=Access.MEMBERS)
    assert call(client, "GET", "/boards/inner/threads").status_code == 401
    assert call(client, "GET", "/boards/inner/threads", token_for(member)).status_code == 200


def test_posts_by_position(client, board):
    thread = factories.make_thread(board, author=factories.make_user())
    for n in range(5):
        factories.make_post(thread, body=f"Reply {n}")
    response = call(client, "GET", f"/threads/{thread.id}/posts",
                    query_string={"from": 2, "to": 4})
    assert response.status_code == 200
    assert [post["position"] for post in response.json["items"]] == [2, 3, 4]
    assert response.json["items"][0]["body"] == "Reply 0"
    assert response.json["thread"]["last_position"] == 6


@pytest.mark.parametrize("query,status", [({"from": 7}, 404), ({"from": 3, "to": 2}, 400),
                                          ({"from": 1, "to": 150}, 400), ({"from": 0}, 422),
                                          ({"from": "abc"}, 422)])
def test_positions_out_of_range(client, board, query, status):
    thread = factories.make_thread(board, author=factories.make_user())
    for _n in range(5):
        factories.make_post(thread)
    response = call(client, "GET", f"/threads/{thread.id}/posts", query_string=query)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"


def test_a_hidden_post_is_a_placeholder(client, board, moderator):
    from forum.services.moderation import post_tools

    thread = factories.make_thread(board, author=factories.make_user())
    post = factories.make_post(thread, body="Secret words")
    post_tools.hide_post(moderator, post, "Rude")
    item = call(client, "GET", f"/posts/{post.id}").json
    assert item["state"] == "hidden" and item["body"] is None and item["body_html"] is None
    seen_by_moderator = call(client, "GET", f"/posts/{post.id}", token_for(moderator)).json
    assert seen_by_moderator["body"] == "Secret words"


def test_profiles_and_events(client, member):
    response = call(client, "GET", "/members/MEMBER")
    assert response.status_code == 200 and response.json["username"] == "member"
    assert call(client, "GET", "/members/nobody-here").status_code == 404
    assert call(client, "GET", "/events").json == {"items": []}
    assert call(client, "GET", "/events/12345").status_code == 404


def test_the_rate_limit_counts_per_token(client, member, admin):
    settings.update(admin, {"api_requests_per_minute": 3})
    text = token_for(member)
    for _n in range(3):
        response = call(client, "GET", "/me", text)
        assert response.status_code == 200
    assert response.headers["X-RateLimit-Remaining"] == "0"
    refused = call(client, "GET", "/me", text)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json["retry_after"] == int(refused.headers["Retry-After"])
    # Another token (or a guest) has its own count.
    assert call(client, "GET", "/me", token_for(member)).status_code == 200
    assert call(client, "GET", "/me").status_code == 200


# -- query budgets: the same statements whatever a page's length ----------------------------
def _fill(board, threads: int, posts: int):
    author = factories.make_user()
    thread = None
    for n in range(threads):
        thread = factories.make_thread(board, author=factories.make_user(), title=f"T{n}")
    for _n in range(posts):
        factories.make_post(thread, author=author)
    return thread


LIST_CALLS = {
    "boards": lambda thread: "/boards",
    "threads": lambda thread: "/boards/general/threads?limit=100",
    # From 2: the range leaves out the opening post, so the thread's author is looked up too.
    "posts": lambda thread: f"/threads/{thread.id}/posts?from=2&to=101",
    "events": lambda thread: "/events",
    "notifications": lambda thread: "/notifications",
    "search": lambda thread: "/search?q=reply",
}


@pytest.mark.parametrize("name", sorted(LIST_CALLS))
@pytest.mark.parametrize("size", [2, 40])
def test_list_query_budgets(client, board, member, count_queries, name, size):
    from forum.services import notifications
    from forum.services.community import events as event_service
    from forum.services.community.events import EventData

    thread = _fill(board, size, size)
    for n in range(size):
        factories.make_board(slug=f"b{n}")
        notifications.notify(member, "reply", "post.reply", {"title": f"T{n}", "name": "Ann"},
                             link=f"/t/{thread.id}")
    organiser = factories.make_user(role="admin")
    start = utcnow() + timedelta(days=3)
    for n in range(min(size, 10)):
        event_service.create_event(organiser, board, EventData(
            title=f"Meetup {n}", kind="meetup", starts_at=start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), timezone="UTC"))
    db.session.commit()
    text = token_for(member)
    call(client, "GET", "/me", text)  # the token's "last used" is written now, not below
    url = LIST_CALLS[name](thread)
    with count_queries() as queries:
        response = call(client, "GET", url, text)
    assert response.status_code == 200, response.json
    assert len(queries) <= BUDGETS[name], "\n".join(q[:120].replace("\n", " ") for q in queries)


# Statements per call: the token's member (1), the rate counter (1), then the list's own
# (posts: the thread, its posts, and the thread's author when no post in the range is theirs).
BUDGETS = {"boards": 3, "threads": 4, "posts": 5, "events": 3, "notifications": 4,
           "search": 6}


def test_a_merged_thread_leads_to_the_one_it_went_into(client, board, member, moderator):
    from forum.services.moderation import thread_merging

    source = factories.make_thread(board, author=factories.make_user(), title="Old")
    target = factories.make_thread(board, author=factories.make_user(), title="New")
    source_id, target_id = source.id, target.id
    thread_merging.merge_threads(moderator, source, target, "Same topic")
    moved = call(client, "GET", f"/threads/{source_id}/posts", query_string={"from": 2})
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith(f"/api/v1/threads/{target_id}/posts?from=2")
    refused = call(client, "POST", f"/threads/{source_id}/posts",
                   token_for(member, ("write",)), json={"body": "Hi"})
    assert refused.status_code == 409 and "New" in refused.json["detail"]


@pytest.fixture
def redis_counters(app):
    """The rate counters in Redis (db 15, a prefix of this test's own); skipped without one."""
    import uuid

    from forum.stores import ratelimit

    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    url = "redis://127.0.0.1:6379/15"
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answering at {url} ({error})")
    prefix = f"agora-test-{uuid.uuid4().hex}:"
    app.config.update(REDIS_URL=url, RATELIMIT_PREFIX=prefix)
    yield client, prefix
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
    ratelimit.redis_client(url).close()


def test_the_rate_limit_counts_in_redis_when_configured(client, member, admin, redis_counters):
    redis_client, prefix = redis_counters
    settings.update(admin, {"api_requests_per_minute": 2})
    text = token_for(member)
    assert call(client, "GET", "/me", text).status_code == 200
    assert call(client, "GET", "/me", text).status_code == 200
    assert call(client, "GET", "/me", text).status_code == 429
    token_id = db.session.query(ApiToken).one().id
    assert int(redis_client.get(f"{prefix}api:token:{token_id}")) == 3


def test_a_threads_poll_is_read_only_in_its_posts(client, board, member, count_queries):
    """The poll comes with a thread's posts: counts where the caller sees the results, the
    caller's own choices, one statement more than a thread without one."""
    from forum.services.community.polls import making, specs, voting

    plain = factories.make_thread(board, author=member, title="Plain")
    thread = factories.make_thread(board, author=member, title="Polled")
    poll = making.add_poll(member, thread, specs.PollSpec(
        question="Colour?", options=("Red", "Blue"), results_shown="voted"))
    voter = factories.make_user()
    voting.vote(voter, poll, [poll.options[1].id])
    assert call(client, "GET", f"/threads/{plain.id}/posts").json["poll"] is None
    guest = call(client, "GET", f"/threads/{thread.id}/posts").json["poll"]
    assert guest["question"] == "Colour?" and guest["voter_count"] is None
    assert [option["votes"] for option in guest["options"]] == [None, None]
    text = token_for(voter)
    call(client, "GET", "/me", text)
    with count_queries() as without:
        call(client, "GET", f"/threads/{plain.id}/posts", text)
    with count_queries() as with_poll:
        seen = call(client, "GET", f"/threads/{thread.id}/posts", text).json["poll"]
    assert len(with_poll) == len(without) + 1
    assert seen["voted"] and seen["voter_count"] == 1
    assert [(option["votes"], option["chosen"]) for option in seen["options"]] == [
        (0, False), (1, True)]
