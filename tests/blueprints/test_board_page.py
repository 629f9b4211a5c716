"""A board's page over HTTP: header, thread order, pages, access and the query budget."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Access, utcnow
from forum.services.content import posting
from forum.services.search import sync
from tests import factories
from tests.factories import quick_users, text

BOARD_BUDGET = 6
PAGE_MESSAGE = "Page must be a positive whole number."






@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat",
                                description="Anything goes <here>")


def test_header_and_new_thread_button_for_members(client, login, board, member):
    login(member)
    html = text(client.get("/b/general"))
    assert "<h1>General chat</h1>" in html
    assert "Anything goes &lt;here&gt;" in html
    assert 'href="/b/general/new"' in html and "New thread" in html
    assert "Log in to post" not in html


def test_guest_is_invited_to_log_in(client, board):
    html = text(client.get("/b/general"))
    assert "Log in to post" in html and "/login?next=" in html
    assert 'href="/b/general/new"' not in html


@pytest.mark.parametrize(("role", "button"), [("member", False), ("moderator", True)])
def test_read_only_board_button_only_for_moderators(client, login, app, role, button):
    factories.make_board(slug="news", is_read_only=True)
    login(factories.make_user(role=role))
    html = text(client.get("/b/news"))
    assert ('href="/b/news/new"' in html) is button
    assert "read-only" in html


SETTINGS_LINK = 'href="/mod/boards/general"'


@pytest.mark.parametrize(("who", "linked"), [
    ("guest", False), ("member", False), ("other board's moderator", False),
    ("board moderator", True), ("moderator", True), ("admin", True),
])
def test_board_settings_are_linked_for_the_boards_moderators_only(client, login, board, who,
                                                                  linked):
    if who == "member":
        login(factories.make_user())
    elif who == "other board's moderator":
        login(factories.make_board_moderator(factories.make_user(), factories.make_board()))
    elif who == "board moderator":
        login(factories.make_board_moderator(factories.make_user(), board))
    elif who != "guest":
        login(factories.make_user(role=who))
    html = text(client.get("/b/general"))
    assert (SETTINGS_LINK in html) is linked
    assert ("Board settings" in html) is linked
    if linked:
        assert client.get("/mod/boards/general").status_code == 200


def test_empty_board_shows_empty_state(client, board):
    response = client.get("/b/general")
    assert response.status_code == 200
    assert 'class="empty' in text(response)


def test_threads_pinned_first_then_latest_activity(client, board, member, other_member):
    start = utcnow() - timedelta(hours=1)
    old = posting.create_thread(member, board, "Old but bumped", "x", now=start)
    posting.create_thread(member, board, "Middle", "x", now=start + timedelta(minutes=1))
    posting.create_thread(member, board, "Newest", "x", now=start + timedelta(minutes=2))
    rules = posting.create_thread(member, board, "Rules", "x", now=start - timedelta(days=3))
    rules.is_pinned = True
    locked = posting.create_thread(member, board, "Closed", "x", now=start - timedelta(days=4))
    locked.is_locked = True
    db.session.commit()
    bump = posting.reply(other_member, old, "bump", now=start + timedelta(minutes=3))

    html = text(client.get("/b/general"))
    order = [html.index(t) for t in ("Rules", "Old but bumped", "Newest", "Middle", "Closed")]
    assert order == sorted(order)
    assert 'class="badge badge-pinned"' in html and 'class="badge badge-locked"' in html
    row = html[html.index("Old but bumped"):]
    row = row[: row.index("</li>")]
    assert f'href="/p/{bump.id}"' in row
    assert 'href="/u/other"' in row and 'href="/u/member"' in row
    assert "<dd>1</dd>" in row


def test_pages_of_threads(client, app, board, member):
    app.config["THREADS_PER_PAGE"] = 4
    for n in range(10):
        factories.make_thread(board, author=member, title=f"Thread number {n:02d}")
    first = text(client.get("/b/general"))
    assert first.count('class="thread-row') == 4
    assert 'aria-current="page">1<' in first and 'href="/b/general?page=3"' in first
    last = text(client.get("/b/general?page=3"))
    assert last.count('class="thread-row') == 2
    assert "Thread number 00" in last and "Thread number 09" not in last
    assert client.get("/b/general?page=4").status_code == 404


@pytest.mark.parametrize("page", ["0", "-3", "abc", "1.5", "", "٣"])
def test_bad_page_numbers_are_a_clear_400(client, board, page):
    response = client.get(f"/b/general?page={page}")
    assert response.status_code == 400
    assert PAGE_MESSAGE in text(response)


def test_page_past_the_end_of_an_empty_board(client, board):
    assert client.get("/b/general?page=1").status_code == 200
    assert client.get("/b/general?page=2").status_code == 404
    assert client.get("/b/general?page=99999999999999999999").status_code == 404


def test_unknown_board(client, app):
    assert client.get("/b/nowhere").status_code == 404


def test_members_board_sends_guests_to_log_in(client, app, member):
    factories.make_board(slug="lounge", access=Access.MEMBERS)
    response = client.get("/b/lounge")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("board moderator", 200), ("moderator", 200), ("admin", 200)],
)
def test_staff_board(client, login, app, who, status):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    if who == "board moderator":
        user = factories.make_board_moderator(factories.make_user(), staff)
    else:
        user = factories.make_user(role=who)
    login(user)
    response = client.get("/b/staff")
    assert response.status_code == status
    if status == 403:
        assert "moderation team" in text(response)


def test_deleted_threads_only_for_moderators(client, login, board, member, moderator):
    thread = factories.make_thread(board, author=member, title="Regrettable")
    posting.delete_post(member, thread.first_post)
    login(member)
    assert "Regrettable" not in text(client.get("/b/general"))
    login(moderator)
    html = text(client.get("/b/general"))
    assert "Regrettable" in html and "badge-deleted" in html


def test_long_threads_link_their_pages(client, app, board, member):
    app.config["POSTS_PER_PAGE"] = 5
    thread = factories.make_thread(board, author=member, title="Long one")
    for _ in range(11):
        posting.reply(member, thread, "more")
    html = text(client.get("/b/general"))
    assert f'href="/t/{thread.id}-long-one?page=3"' in html


@pytest.mark.parametrize("grouped", [False, True], ids=["no groups", "groups"])
@pytest.mark.parametrize("per_page", [5, 25])
@pytest.mark.parametrize("viewer", ["guest", "member", "board moderator"])
def test_board_page_query_budget(client, login, app, count_queries, per_page, viewer,
                                 grouped):
    app.config["THREADS_PER_PAGE"] = per_page
    boards = [factories.make_board(slug=f"b{n}") for n in range(3)]
    authors = quick_users(40)
    with sync.paused():
        for board in boards:
            for i in range(30):
                thread = posting.create_thread(authors[i], board, f"Thread {i}", "Hello")
                posting.reply(authors[(i + 11) % 40], thread, "Reply")
                if i % 10 == 0:
                    thread.is_pinned = True
                    db.session.commit()
    user = factories.make_user() if viewer != "guest" else None
    if grouped and user is not None:
        # The board read and posted in only by groups (the member in one of them; a board
        # moderator needs none), beside many other groups and limited boards.
        mine = factories.make_group(members=[user] if viewer == "member" else [])
        others = [factories.make_group(members=authors[:3]) for _ in range(6)]
        factories.limit_board(boards[0], read=[mine, *others[:3]], post=[mine, others[3]])
        for board in boards[1:]:
            factories.limit_board(board, read=others[3:], post=others)
    elif grouped:
        # Guests never read a board limited to groups: their board has post groups only.
        factories.limit_board(boards[0], post=[factories.make_group() for _ in range(4)])
    if viewer == "member":
        login(user)
    elif viewer == "board moderator":
        login(factories.make_board_moderator(user, boards[0]))

    for url in ("/b/b0", "/b/b0?page=2"):
        for attempt in ("first request", "later request"):
            with count_queries() as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, attempt)
            assert len(queries) <= BOARD_BUDGET, (url, attempt, queries)
    assert text(client.get("/b/b0")).count('class="thread-row') == per_page
