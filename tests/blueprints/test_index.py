"""The board index over HTTP: what each viewer sees, the empty state and the query budget."""
from __future__ import annotations

import pytest

from forum.models import Access
from forum.services.content import posting
from forum.services.search import sync
from tests import factories
from tests.factories import quick_users, text

INDEX_BUDGET = 6




@pytest.fixture
def forum(app):
    news = factories.make_category("News", position=1)
    talk = factories.make_category("Talk", position=2)
    staff = factories.make_category("Back office", position=3)
    return {
        "announcements": factories.make_board(news, slug="announcements", title="Announcements",
                                              description="What's new", is_read_only=True),
        "general": factories.make_board(talk, slug="general", title="General chat"),
        "members": factories.make_board(talk, slug="members", title="Members lounge",
                                        access=Access.MEMBERS),
        "staff": factories.make_board(staff, slug="staff", title="Staff room",
                                      access=Access.STAFF),
    }




def test_guest_sees_public_boards_in_order(client, forum):
    response = client.get("/")
    assert response.status_code == 200
    html = text(response)
    assert html.index("News") < html.index("Announcements") < html.index("Talk")
    assert html.index("Talk") < html.index("General chat")
    assert "What&#39;s new" in html
    assert 'href="/b/general"' in html
    assert "Members lounge" not in html and "Staff room" not in html
    assert "Back office" not in html  # a category with nothing visible is left out


@pytest.mark.parametrize(
    ("role", "members", "staff"),
    [("member", True, False), ("moderator", True, True), ("admin", True, True)],
)
def test_boards_follow_the_viewer(client, login, forum, role, members, staff):
    login(factories.make_user(role=role))
    html = text(client.get("/"))
    assert ("Members lounge" in html) is members
    assert ("Staff room" in html) is staff


def test_board_moderator_sees_their_staff_board(client, login, forum):
    login(factories.make_board_moderator(factories.make_user(), forum["staff"]))
    assert "Staff room" in text(client.get("/"))


def test_board_row_shows_counts_and_latest_post(client, forum, member, other_member):
    thread = factories.make_thread(forum["general"], author=member, title="Tea <or> coffee?")
    reply = factories.make_post(thread, author=other_member)
    factories.make_post(factories.make_thread(forum["general"], author=member, title="Older"),
                        author=member)
    # Make the tea thread the latest again.
    reply = factories.make_post(thread, author=other_member)
    html = text(client.get("/"))
    row = html[html.index('href="/b/general"'):]
    row = row[: row.index("</li>")]
    assert "<dd>2</dd>" in row and "<dd>5</dd>" in row
    assert f'href="/p/{reply.id}"' in row
    assert "Tea &lt;or&gt; coffee?" in row
    assert 'href="/u/other"' in row
    assert "just now" in row
    assert "No posts yet" in html  # the announcements board is still empty


def test_empty_forum_has_a_friendly_empty_state(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'class="empty' in text(response)


@pytest.mark.parametrize("grouped", [False, True], ids=["no groups", "groups"])
@pytest.mark.parametrize("viewer", ["guest", "member", "member in groups"])
def test_index_query_budget(client, login, count_queries, app, viewer, grouped):
    categories = [factories.make_category(f"Category {n}") for n in range(3)]
    authors = quick_users(30)
    with sync.paused():
        for n, category in enumerate(categories):
            board = factories.make_board(category, slug=f"b{n}")
            for i in range(30):
                thread = posting.create_thread(authors[i], board, f"Thread {n}.{i}", "Hello")
                posting.reply(authors[(i + 7) % 30], thread, "Reply")
    factories.make_board(categories[0], slug="members-only", access=Access.MEMBERS)
    user = factories.make_user() if viewer != "guest" else None
    expected = 3 if viewer == "guest" else 4
    if grouped:
        # Eight groups, the member in three of them when "in groups"; five boards read only by
        # some of them (one of the viewer's), and post limits on the open boards.
        mine = [factories.make_group(members=[user] if viewer == "member in groups" else [])
                for _ in range(3)]
        theirs = [factories.make_group(members=authors[:5]) for _ in range(5)]
        for n in range(5):
            limited = factories.make_board(categories[n % 3], slug=f"club{n}")
            factories.limit_board(limited, read=[theirs[n]] + ([mine[0]] if n < 2 else []))
        for slug_board in categories[0].boards:
            factories.limit_board(slug_board, post=theirs[:2] + mine[:1])
        if viewer == "member in groups":
            expected += 2
    if user is not None:
        login(user)

    for attempt in ("first request", "later request"):
        with count_queries() as queries:
            response = client.get("/")
        assert response.status_code == 200, attempt
        assert len(queries) <= INDEX_BUDGET, (attempt, queries)
    assert text(response).count('class="board-row"') == expected


def test_index_queries_do_not_grow_with_groups(client, login, count_queries, app):
    category = factories.make_category("Workshop")
    user = login(factories.make_user())

    def measured() -> int:
        client.get("/")
        with count_queries() as queries:
            assert client.get("/").status_code == 200
        return len(queries)

    factories.make_board(category, slug="open")
    plain = measured()
    for n in range(12):
        group = factories.make_group(members=[user] if n % 2 else [])
        factories.limit_board(factories.make_board(category, slug=f"club{n}"), read=[group],
                              post=[group])
    assert measured() == plain
    assert text(client.get("/")).count('class="board-row"') == 7
