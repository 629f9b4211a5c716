"""Categories and boards over HTTP: the overview, every form's happy path and refusals, old
addresses redirecting, archived boards on the index, delete-with-move, caches showing the new
structure at once, and two administrators reordering at the same instant."""
from __future__ import annotations

import html
import threading

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Board, BoardSlug, Category, ModAction, Thread
from forum.services.content import posting
from forum.services.search import sync
from forum.services.site import boards, structure
from tests import factories
from tests.factories import quick_users
from tests.factories import text as raw_text

from .test_board_page import BOARD_BUDGET
from .test_index import INDEX_BUDGET


def text(response) -> str:
    """The page with its entities decoded, so messages read as written."""
    return html.unescape(raw_text(response))


def board_form(where: Category, **fields) -> dict:
    form = {"title": "Workshop", "slug": "", "description": "", "category": str(where.id),
            "position": "", "access": "everyone", "thread_access": "members",
            "slow_mode_seconds": "0"}
    form.update(fields)
    return form


def log(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


def board_count() -> int:
    return db.session.scalar(select(func.count(Board.id)))


@pytest.fixture
def shop(app):
    return factories.make_category("Shop", position=1)


@pytest.fixture
def as_admin(client, login, admin):
    login(admin)
    return client


# -- the overview ------------------------------------------------------------------------------
def test_the_panel_links_the_structure_page(as_admin):
    html = text(as_admin.get("/admin/"))
    assert 'href="/admin/structure"' in html and "Categories & boards" in html


def test_an_empty_forum_starts_with_a_category(as_admin):
    html = text(as_admin.get("/admin/structure"))
    assert "No categories yet." in html and "New category" in html
    refused = as_admin.get("/admin/structure/boards/new")
    assert refused.status_code == 302  # a board needs a category first


def test_the_overview_lists_categories_boards_and_old_addresses(as_admin, admin, shop):
    board = factories.make_board(shop, slug="bench", title="Bench")
    boards.update_board(admin, board, boards.BoardDraft(title="Bench", category_id=shop.id,
                                                        slug="workbench"))
    html = text(as_admin.get("/admin/structure"))
    assert f'<h2 id="category-{shop.id}-title">Shop</h2>' in html
    assert "/b/workbench" in html and "<code>/b/bench</code>" in html
    assert 'name="direction" value="up"' in html  # plain forms, no script needed


# -- categories --------------------------------------------------------------------------------
def test_a_category_is_added_edited_moved_and_deleted(as_admin, shop):
    added = as_admin.post("/admin/structure/categories",
                          data={"title": "Games", "description": "Play"})
    assert added.status_code == 302
    games = db.session.scalar(select(Category).where(Category.title == "Games"))
    assert as_admin.get(f"/admin/structure/categories/{games.id}/edit").status_code == 200
    edited = as_admin.post(f"/admin/structure/categories/{games.id}/edit",
                           data={"title": "Board games", "description": ""})
    assert edited.status_code == 302
    assert as_admin.post(f"/admin/structure/categories/{games.id}/move",
                         data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert db.session.scalars(select(Category.title).order_by(Category.position)).all() == [
        "Board games", "Shop"]
    assert as_admin.get(f"/admin/structure/categories/{games.id}/delete").status_code == 200
    games_id = games.id
    assert as_admin.post(f"/admin/structure/categories/{games_id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Category, games_id) is None
    assert [len(log(a)) for a in ("category.create", "category.update", "category.move",
                                  "category.delete")] == [1, 1, 1, 1]


@pytest.mark.parametrize("data, message", [
    ({"title": ""}, "Give it a title."),
    ({"title": "x" * 101}, "at most 100 characters"),
    ({"title": "Fine", "description": "d" * 301}, "at most 300 characters"),
])
def test_bad_category_input_is_a_400_on_the_form(as_admin, data, message):
    response = as_admin.post("/admin/structure/categories", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert db.session.scalar(select(func.count(Category.id))) == 0


def test_a_category_with_boards_is_not_deleted(as_admin, shop):
    factories.make_board(shop, slug="tools")
    page = text(as_admin.get(f"/admin/structure/categories/{shop.id}/delete"))
    assert "still has 1 board" in page
    refused = as_admin.post(f"/admin/structure/categories/{shop.id}/delete")
    assert refused.status_code == 409
    assert "only an empty category can be deleted" in text(refused)
    assert db.session.get(Category, shop.id) is not None


@pytest.mark.parametrize("direction, status", [("up", 409), ("sideways", 400), ("", 400)])
def test_bad_moves_are_refused(as_admin, shop, direction, status):
    response = as_admin.post(f"/admin/structure/categories/{shop.id}/move",
                             data={"direction": direction})
    assert response.status_code == status
    assert response.status_code != 500


def test_missing_things_are_404(as_admin):
    assert as_admin.get("/admin/structure/categories/999/edit").status_code == 404
    assert as_admin.post("/admin/structure/boards/999/move",
                         data={"direction": "up"}).status_code == 404
    assert as_admin.get("/admin/structure/boards/999/delete").status_code == 404


# -- boards ------------------------------------------------------------------------------------
def test_a_board_is_created_and_shown_on_the_index(as_admin, client, shop):
    assert as_admin.get(f"/admin/structure/boards/new?category={shop.id}").status_code == 200
    response = as_admin.post("/admin/structure/boards/new", data=board_form(
        shop, title="Café Corner", thread_access="staff", is_questions="y",
        slow_mode_seconds="60"))
    assert response.status_code == 302
    board = db.session.scalar(select(Board))
    assert (board.slug, board.thread_access, board.is_questions) == ("cafe-corner", "staff",
                                                                     True)
    index = text(client.get("/"))
    assert "Café Corner" in index and "Questions" in index
    assert len(log("board.create")) == 1


def test_only_staff_start_threads_where_the_board_says_so(client, login, shop, member,
                                                         moderator):
    board = factories.make_board(shop, slug="news", thread_access="staff")
    thread = factories.make_thread(board, moderator, title="Release notes")
    login(member)
    assert "Only the moderation team starts threads" in text(client.get("/b/news"))
    assert client.get("/b/news/new").status_code == 403
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Thanks!"}).status_code == 302
    login(moderator)
    assert client.get("/b/news/new").status_code == 200


@pytest.mark.parametrize("fields, status, message", [
    ({"slug": "Taken"}, 409, "already has the address /b/taken"),
    ({"slug": "NEW"}, 409, "reserved for the site"),
    ({"slug": "api"}, 409, "reserved for the site"),
    ({"slug": "?!-"}, 400, "at least one letter or digit"),
    ({"slug": "s" * 65}, 400, "at most 64 characters"),
    ({"title": ""}, 400, "Give it a title."),
    ({"title": "t" * 500}, 400, "at most 100 characters"),
    ({"description": "d" * 5000}, 400, "at most 300 characters"),
    ({"category": "999999"}, 400, "Choose one of the categories."),
    ({"category": "abc"}, 400, "Choose one of the categories."),
    ({"access": "friends"}, 400, "Choose who may read the board."),
    ({"thread_access": "everyone"}, 400, "Choose who may start threads."),
    ({"slow_mode_seconds": "5"}, 400, "from 30 seconds to 24 hours"),
    ({"slow_mode_seconds": "999999999999"}, 400, "from 30 seconds to 24 hours"),
    ({"slow_mode_seconds": "soon"}, 400, "Not a valid integer"),
    ({"position": "7"}, 400, "The position is a number from 1 to 2."),
    ({"position": "-1"}, 400, "The position is a number from 1 up."),
    ({"language": "fr"}, 400, "Choose one of the languages, or the forum's default."),
])
def test_bad_board_input_is_refused_on_the_form(as_admin, shop, fields, status, message):
    factories.make_board(shop, slug="taken", title="Taken")
    response = as_admin.post("/admin/structure/boards/new", data=board_form(shop, **fields))
    assert response.status_code == status
    assert message in text(response)
    assert board_count() == 1


def test_renaming_a_board_redirects_its_old_address(as_admin, client, shop, admin):
    board = factories.make_board(shop, slug="bench", title="Bench")
    response = as_admin.post(f"/admin/structure/boards/{board.id}/edit",
                             data=board_form(shop, title="Workbench", slug="workbench"))
    assert response.status_code == 302
    moved = client.get("/b/bench?page=2")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/b/workbench?page=2")
    assert client.get("/b/Workbench").status_code == 301
    assert client.get("/b/nowhere").status_code == 404
    # The board's other addresses follow: a new-thread link (a form sent there stays a POST).
    new = client.get("/b/bench/new")
    assert new.status_code == 301 and new.headers["Location"].endswith("/b/workbench/new")
    sent = client.post("/b/bench/new", data={"title": "T", "body": "B"})
    assert sent.status_code == 308 and sent.headers["Location"].endswith("/b/workbench/new")
    assert client.get("/b/nowhere/new").status_code == 404
    [entry] = log("board.update")
    assert entry.before["slug"] == "bench" and entry.after["slug"] == "workbench"
    # Another board may not take the old address while it still redirects.
    taken = as_admin.post("/admin/structure/boards/new",
                          data=board_form(shop, title="Bench"))
    assert taken.status_code == 409 and "still leads to the board" in text(taken)


def test_the_edit_form_shows_the_board(as_admin, shop):
    board = factories.make_board(shop, slug="bench", title="Bench", description="Tools")
    games = factories.make_category("Games")
    html = text(as_admin.get(f"/admin/structure/boards/{board.id}/edit"))
    assert 'value="Bench"' in html and 'value="bench"' in html and "Tools" in html
    assert f'<option selected value="{shop.id}">Shop</option>' in html
    assert f'<option value="{games.id}">Games</option>' in html
    assert 'name="position" type="number" value=""' in html


def test_the_edit_form_saves_as_shown(as_admin, shop, admin):
    """Submitting the form unchanged keeps everything, whatever positions the rows had."""
    board = factories.make_board(shop, slug="bench", title="Bench", position=57,
                                 thread_access="staff", is_questions=True)
    page = text(as_admin.get(f"/admin/structure/boards/{board.id}/edit"))
    assert 'name="thread_access"' in page
    response = as_admin.post(f"/admin/structure/boards/{board.id}/edit", data=board_form(
        shop, title="Bench", slug="bench", description="A board for tests",
        thread_access="staff", is_questions="y"))
    assert response.status_code == 302
    assert not log("board.update")


def test_a_boards_language_is_shown_saved_and_logged(as_admin, shop):
    board = factories.make_board(shop, slug="werkstatt", title="Werkstatt")
    page = text(as_admin.get(f"/admin/structure/boards/{board.id}/edit"))
    assert '<option selected value="">Forum default</option>' in page
    assert '<option value="de">Deutsch</option>' in page
    response = as_admin.post(f"/admin/structure/boards/{board.id}/edit", data=board_form(
        shop, title="Werkstatt", slug="werkstatt", description="A board for tests",
        language="de"))
    assert response.status_code == 302
    db.session.refresh(board)
    assert board.language == "de"
    [entry] = log("board.update")
    assert entry.before == {"language": ""} and entry.after == {"language": "de"}
    page = text(as_admin.get(f"/admin/structure/boards/{board.id}/edit"))
    assert '<option selected value="de">Deutsch</option>' in page


def test_a_refused_language_changes_nothing(as_admin, shop):
    board = factories.make_board(shop, slug="werkstatt", title="Werkstatt", language="de")
    response = as_admin.post(f"/admin/structure/boards/{board.id}/edit", data=board_form(
        shop, title="Werkstatt", slug="werkstatt", language="klingon"))
    assert response.status_code == 400
    assert "Choose one of the languages" in text(response)
    db.session.refresh(board)
    assert board.language == "de" and not log("board.update")


def test_boards_move_up_and_down(as_admin, shop):
    a, b = factories.make_board(shop, slug="a"), factories.make_board(shop, slug="b")
    assert as_admin.post(f"/admin/structure/boards/{b.id}/move",
                         data={"direction": "up"}).status_code == 302
    db.session.expire_all()
    assert (a.position, b.position) == (2, 1)
    refused = as_admin.post(f"/admin/structure/boards/{b.id}/move", data={"direction": "up"})
    assert refused.status_code == 409 and "already first" in text(refused)


def test_an_archived_board_is_listed_last_and_read_only(as_admin, client, login, shop,
                                                       member):
    board = factories.make_board(shop, slug="old", title="Old things")
    factories.make_board(shop, slug="new-things", title="New things")
    assert as_admin.post(f"/admin/structure/boards/{board.id}/archive").status_code == 302
    client.get("/")  # the flashed message
    index = text(client.get("/"))
    assert index.index("New things") < index.index(">Archived<") < index.index("Old things")
    assert "This board is archived" in text(client.get("/b/old"))
    login(member)
    assert client.get("/b/old/new").status_code == 403
    login(factories.make_user(role="admin"))
    assert client.post(f"/admin/structure/boards/{board.id}/archive").status_code == 409
    assert client.post(f"/admin/structure/boards/{board.id}/unarchive",
                       data={"reopen": "y"}).status_code == 302
    db.session.expire_all()
    assert not board.is_archived and not board.is_read_only


def test_the_index_shows_a_change_at_once_to_guests(as_admin, client, shop):
    board = factories.make_board(shop, slug="bench", title="Bench")
    assert "Bench" in text(client.get("/"))  # now kept in the guest page cache
    as_admin.post(f"/admin/structure/boards/{board.id}/edit",
                  data=board_form(shop, title="Workbench", slug="bench"))
    assert "Workbench" in text(client.get("/"))


# -- deleting ----------------------------------------------------------------------------------
@pytest.fixture
def crowded(shop, member):
    source = factories.make_board(shop, slug="source", title="Source")
    target = factories.make_board(shop, slug="target", title="Target")
    for n in range(3):
        factories.make_thread(source, member, title=f"Thread {n}")
    return source, target


def test_delete_asks_where_the_threads_go(as_admin, crowded):
    source, target = crowded
    source_id = source.id
    page = text(as_admin.get(f"/admin/structure/boards/{source_id}/delete"))
    assert "has 3 threads" in page and "Move 3 threads, then delete" in page
    assert f'value="{target.id}"' in page and f'value="{source_id}"' not in page
    response = as_admin.post(f"/admin/structure/boards/{source_id}/delete",
                             data={"destination": str(target.id), "reason": "Merged"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Board, source_id) is None
    assert db.session.scalar(select(func.count(Thread.id))
                             .where(Thread.board_id == target.id)) == 3
    assert db.session.get(Board, target.id).thread_count == 3
    log_page = text(as_admin.get("/mod/log"))
    assert "board.delete" in log_page and "board “Source” (/b/source)" in log_page


@pytest.mark.parametrize("destination, message", [
    ("0", "Choose the board they move to."),
    ("", "Choose the board they move to."),
    ("999999", "doesn't exist (any more)"),
    ("self", "can't stay in the board being deleted"),
    ("abc", "Choose the board they move to."),
])
def test_a_bad_destination_deletes_nothing(as_admin, crowded, destination, message):
    source = crowded[0]
    value = str(source.id) if destination == "self" else destination
    response = as_admin.post(f"/admin/structure/boards/{source.id}/delete",
                             data={"destination": value})
    assert response.status_code == 400
    assert message in text(response)
    db.session.expire_all()
    assert db.session.get(Board, source.id) is not None
    assert db.session.scalar(select(func.count(Thread.id))
                             .where(Thread.board_id == source.id)) == 3


def test_oversized_reason_is_refused(as_admin, crowded):
    source, target = crowded
    response = as_admin.post(f"/admin/structure/boards/{source.id}/delete",
                             data={"destination": str(target.id), "reason": "r" * 501})
    assert response.status_code == 400
    assert db.session.get(Board, source.id) is not None


# -- query budgets after structure changes ----------------------------------------------------
def test_index_and_board_pages_keep_their_budgets(client, admin, count_queries, shop):
    games = structure.create_category(admin, "Games")
    authors = quick_users(10)
    with sync.paused():
        for n, category in enumerate((shop, games, shop)):
            board = factories.make_board(category, slug=f"b{n}")
            for i in range(10):
                posting.create_thread(authors[i], board, f"Thread {n}.{i}", "Hello")
    boards.archive_board(admin, db.session.scalar(select(Board).where(Board.slug == "b1")))
    old = db.session.scalar(select(Board).where(Board.slug == "b2"))
    boards.update_board(admin, old, boards.BoardDraft(title="Renamed", category_id=shop.id,
                                                      slug="renamed"))
    for url, budget in (("/", INDEX_BUDGET), ("/b/b0", BOARD_BUDGET),
                        ("/b/renamed", BOARD_BUDGET)):
        for attempt in ("first request", "later request"):
            with count_queries() as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, attempt)
            assert len(queries) <= budget, (url, attempt, queries)
    assert client.get("/b/b2").status_code == 301


# -- two administrators at once ----------------------------------------------------------------
def test_concurrent_reorders_never_duplicate_or_lose_positions(app, admin, shop):
    for n in range(6):
        factories.make_board(shop, slug=f"r{n}")
    ids = list(db.session.scalars(select(Board.id).order_by(Board.position)))
    admins = [admin] + [factories.make_user(role="admin") for _ in range(3)]
    clients = []
    for user in admins:
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.login_cookie(user)
            session["_fresh"] = True
        clients.append(client)
    # Each administrator moves a different board, neighbours overlapping, all at once.
    moves = [(ids[1], "up"), (ids[2], "up"), (ids[3], "down"), (ids[4], "up")]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client, board_id: int, direction: str) -> None:
        barrier.wait(30)
        statuses.append(client.post(f"/admin/structure/boards/{board_id}/move",
                                    data={"direction": direction}).status_code)

    workers = [threading.Thread(target=send, args=(client, *move))
               for client, move in zip(clients, moves, strict=True)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(statuses) == 4 and set(statuses) <= {302, 409}, statuses
    db.session.expire_all()
    assert sorted(db.session.scalars(select(Board.position))) == [1, 2, 3, 4, 5, 6]
    assert len(log("board.move")) == statuses.count(302)


def test_slugs_kept_from_renames_are_unique(admin, shop):
    board = factories.make_board(shop, slug="one")
    for slug in ("two", "three", "one"):
        boards.update_board(admin, board, boards.BoardDraft(title="Board", category_id=shop.id,
                                                            slug=slug))
    assert sorted(db.session.scalars(select(BoardSlug.slug))) == ["three", "two"]
