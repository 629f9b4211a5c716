"""The search page: results, filters, visibility, bad input, query budget."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from forum.extensions import db
from forum.models import Access, Post
from forum.services.content import posting
from forum.services.search import backend

from .. import factories
from ..factories import text

# Every write in these tests reaches the index, as in the app: searching is the subject, and a
# check that something is *not* found means nothing against an index that was never written.
pytestmark = [pytest.mark.search, pytest.mark.engines]


@pytest.fixture
def board(app):
    return factories.make_board(slug="garden", title="Garden")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, member, title="Tomato blight",
                                 body="Brown spots on the leaves of my tomatoes.")




# -- the page ---------------------------------------------------------------------------------
def test_empty_search_shows_the_form_and_tips(client, board):
    response = client.get("/search")
    assert response.status_code == 200
    page = text(response)
    assert "Search tips" in page
    assert '<label for="q">Search for</label>' in page
    assert 'value="">All boards</option>' in page
    assert ">Garden</option>" in page
    assert "Include deleted" not in page


def test_results_show_thread_board_author_and_a_highlighted_snippet(client, thread, member):
    response = client.get("/search?q=spots")
    assert response.status_code == 200
    page = text(response)
    assert "1 result for “spots”" in page
    assert "Tomato blight" in page and "Garden" in page and member.name in page
    assert "Brown <mark>spots</mark> on the leaves" in page
    assert f'href="/p/{thread.first_post_id}"' in page


def test_title_words_are_highlighted(client, thread):
    assert "Tomato <mark>blight</mark>" in text(client.get("/search?q=blight"))


def test_the_header_search_box_is_on_every_page(client, thread):
    for path in ("/", "/b/garden", "/search?q=blight"):
        page = text(client.get(path, follow_redirects=True))
        assert 'action="/search"' in page and 'name="q"' in page
    assert 'value="blight"' in text(client.get("/search?q=blight"))


def test_nothing_found_says_so(client, thread):
    response = client.get("/search?q=zucchini")
    assert response.status_code == 200
    assert "Nothing found for “zucchini”" in text(response)


def test_unknown_author_is_a_friendly_notice(client, thread):
    response = client.get("/search?q=spots&author=nobody")
    assert response.status_code == 200
    assert "No member is called “nobody”" in text(response)


def test_filters_by_author_board_and_dates(client, board, thread, member, other_member):
    elsewhere = factories.make_board(slug="kitchen", title="Kitchen")
    other = factories.make_thread(elsewhere, other_member, title="Tomato soup",
                                  body="Spots of cream on top.")
    both = text(client.get("/search?q=spots"))
    assert "Tomato blight" in both and "Tomato soup" in both
    by_author = text(client.get("/search?q=spots&author=other"))
    assert "Tomato soup" in by_author and "Tomato blight" not in by_author
    in_board = text(client.get(f"/search?q=spots&board={board.id}"))
    assert "Tomato blight" in in_board and "Tomato soup" not in in_board
    today = other.created_at.date()
    dated = client.get(f"/search?q=spots&date_from={today}&date_to={today}")
    assert dated.status_code == 200 and "Tomato soup" in text(dated)
    future = today + timedelta(days=1)
    assert "Nothing found" in text(client.get(f"/search?q=spots&date_from={future}"))


def test_newest_first(client, board, member):
    thread = factories.make_thread(board, member, title="Harvest log", body="Day zero.")
    start = datetime(2024, 5, 1, tzinfo=UTC)
    old = posting.reply(member, thread, "Picked courgettes.", now=start)
    new = posting.reply(member, thread, "Picked courgettes again.", now=start + timedelta(days=3))
    page = text(client.get("/search?q=courgettes&sort=newest"))
    assert page.index(f"/p/{new.id}") < page.index(f"/p/{old.id}")


def test_pages_of_twenty(client, board, member):
    thread = factories.make_thread(board, member, title="Counting", body="Start.")
    for n in range(25):
        posting.reply(member, thread, f"Snail number {n}.")
    first = text(client.get("/search?q=snail"))
    assert first.count('class="thread-row search-hit"') == 20
    assert 'aria-label="Pages"' in first and "page=2" in first and "q=snail" in first
    second = client.get("/search?q=snail&page=2")
    assert text(second).count('class="thread-row search-hit"') == 5
    assert client.get("/search?q=snail&page=3").status_code == 404


# -- in this thread ---------------------------------------------------------------------------
def test_search_in_a_thread(client, board, thread, member):
    elsewhere = factories.make_thread(board, member, title="Spots elsewhere", body="Spots.")
    page = text(client.get(f"/search?q=spots&thread={thread.id}"))
    assert "Searching in the thread" in page
    assert f'<input type="hidden" name="thread" value="{thread.id}">' in page
    assert "Tomato blight" in page and f"/p/{elsewhere.first_post_id}" not in page


def test_search_in_a_thread_refuses_what_cannot_be_seen(client, login, member):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    hidden = factories.make_thread(staff, factories.make_user(role="moderator"))
    assert client.get("/search?q=x&thread=999999").status_code == 404
    guest = client.get(f"/search?q=x&thread={hidden.id}")
    assert guest.status_code == 302 and "/login" in guest.headers["Location"]
    login(member)
    assert client.get(f"/search?q=x&thread={hidden.id}").status_code == 403


# -- who sees what ----------------------------------------------------------------------------
@pytest.fixture
def secret_boards(app):
    author = factories.make_user(username="keeper", role="moderator")
    members = factories.make_board(slug="members", title="Members", access=Access.MEMBERS)
    staff = factories.make_board(slug="staff", title="Staff room", access=Access.STAFF)
    factories.make_thread(members, author, title="Members quince", body="Quince jelly.")
    factories.make_thread(staff, author, title="Staff quince", body="Quince paste.")
    return members, staff


def test_guests_see_no_member_or_staff_posts(client, secret_boards):
    page = text(client.get("/search?q=quince"))
    assert "Members <mark>quince" not in page and "Staff <mark>quince" not in page
    assert "Staff room" not in page  # not even in the board list


def test_members_see_member_boards_only(client, login, member, secret_boards):
    login(member)
    page = text(client.get("/search?q=quince"))
    assert "Members <mark>quince" in page and "Staff <mark>quince" not in page
    _, staff = secret_boards
    assert client.get(f"/search?q=quince&board={staff.id}").status_code == 400


def test_moderators_see_staff_boards(client, login, moderator, secret_boards):
    login(moderator)
    page = text(client.get("/search?q=quince"))
    assert "Members <mark>quince" in page and "Staff <mark>quince" in page


def test_deleted_posts_only_for_moderators_who_ask(client, login, board, thread, member,
                                                   other_member, moderator):
    reply = factories.make_post(thread, other_member, body="Rotten spots everywhere.")
    posting.delete_post(other_member, db.session.get(Post, reply.id))
    login(member)
    assert f"/p/{reply.id}" not in text(client.get("/search?q=rotten&hidden=y"))
    login(moderator)
    assert f"/p/{reply.id}" not in text(client.get("/search?q=rotten"))
    page = text(client.get("/search?q=rotten&hidden=y"))
    assert "Include deleted and hidden posts" in page
    assert f"/p/{reply.id}" in page and "badge-deleted" in page


def test_board_moderators_may_include_deleted_posts_of_their_boards_only(
    client, login, board, member, other_member
):
    mine = factories.make_thread(board, other_member, title="Mine", body="Gone walnut.")
    posting.delete_post(other_member, db.session.get(Post, mine.first_post_id))
    other_board = factories.make_board(slug="other", title="Other")
    theirs = factories.make_thread(other_board, other_member, title="Theirs", body="Gone walnut.")
    posting.delete_post(other_member, db.session.get(Post, theirs.first_post_id))
    factories.make_board_moderator(member, board)
    login(member)
    page = text(client.get("/search?q=walnut&hidden=y"))
    assert f"/p/{mine.first_post_id}" in page
    assert f"/p/{theirs.first_post_id}" not in page


def test_snippets_cannot_inject_markup(client, board, member):
    factories.make_thread(board, member, title='Evil "><img src=x onerror=alert(1)> title',
                          body='<script>alert("evil")</script> "><img onerror=alert(2)> evil')
    page = text(client.get("/search?q=evil"))
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "<img onerror" not in page
    assert "&lt;script&gt;" in page and "<mark>evil</mark>" in page


# -- bad input --------------------------------------------------------------------------------
@pytest.mark.parametrize("query", ["title:(", '"unclosed', "AND OR", "(((", "*", "the"])
def test_bad_syntax_is_a_friendly_400(client, thread, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 400
    assert 'class="flash flash-error"' in text(response)


@pytest.mark.parametrize("args, message", [
    ("date_from=2024-13-01", "YYYY-MM-DD"),
    ("date_to=yesterday", "YYYY-MM-DD"),
    ("date_from=2024-05-02&date_to=2024-05-01", "must not be before"),
    ("page=abc", "Page"),
    ("page=0", "Page"),
    ("sort=random", "Sort"),
    ("board=abc", "Board"),
    ("board=99999", "no such board"),
    ("thread=abc", "Thread"),
    ("q=" + "x" * 201, "200 characters"),
])
def test_bad_parameters_are_a_400_with_a_message(client, thread, args, message):
    response = client.get(f"/search?{args}" if args.startswith("q=") else f"/search?q=spots&{args}")
    assert response.status_code == 400
    assert message in text(response)


def test_a_page_far_past_the_end_is_a_cheap_404(client, thread):
    response = client.get("/search?q=spots&page=1000000000000000000000")
    assert response.status_code == 404
    assert "not that many pages" in text(response)


def test_nul_bytes_are_refused(client):
    assert client.get("/search?q=a%00b").status_code == 400


# -- query budget -----------------------------------------------------------------------------
def test_a_results_page_has_a_fixed_query_budget(client, login, board, member, count_queries):
    # One of them counts the search against the searches-per-minute limit. PostgreSQL's engine
    # runs two of its own: the statement timeout (SET LOCAL) and the page's headlines, whose
    # text is made from the posts the ranking statement loaded.
    budget = 6 if backend.name() == backend.WHOOSH else 8
    for n in range(25):
        author = member if n % 2 else factories.make_user()
        thread = factories.make_thread(board, author, title=f"Budget {n}", body="Pumpkin pie.")
        factories.make_post(thread, body="More pumpkin.")
    with count_queries() as queries:
        assert client.get("/search?q=pumpkin").status_code == 200
    assert len(queries) <= budget, queries
    login(member)
    client.get("/search")  # the first request of a session records "last seen"
    with count_queries() as queries:
        response = client.get("/search?q=pumpkin&author=member&sort=newest")
    assert response.status_code == 200
    assert len(queries) <= budget, queries


# -- languages --------------------------------------------------------------------------------
def test_a_board_switched_to_german_is_searched_in_german(client, login, admin, board, member):
    thread = factories.make_thread(board, member, title="Bauteile",
                                   body="Die neuen Platinen aus Straßburg.")
    assert "Nothing found" in text(client.get("/search?q=Platine"))
    login(admin)
    form = {"title": "Garden", "slug": "garden", "description": "A board for tests",
            "category": str(board.category_id), "access": "everyone",
            "thread_access": "members", "slow_mode_seconds": "0", "language": "de"}
    assert client.post(f"/admin/structure/boards/{board.id}/edit", data=form).status_code == 302
    page = text(client.get("/search?q=Platine"))
    assert f'href="/p/{thread.first_post_id}"' in page
    assert "Die neuen <mark>Platinen</mark> aus" in page
    page = text(client.get("/search?q=Strassburg"))
    assert "aus <mark>Straßburg</mark>" in page


def test_the_unknown_author_notice_is_translated(client, thread):
    page = text(client.get("/search?q=spots&author=nobody",
                           headers={"Accept-Language": "de"}))
    assert "Kein Mitglied heißt „nobody“." in page
