"""The desk's pages: the list with its counts and filters, one item with its reply box (canned
responses and the welcome text filled in), hand actions and their conflicts, a fixed number
of statements whatever the number of items, and two team members acting at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import DeskState, ModAction, Post, User, utcnow
from forum.services.accounts import logins
from forum.services.moderation import modnotes
from forum.services.site import settings as site_settings
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import race

# The desk page: the boards, one statement per kind, the hand state, the team, the counts of
# reports and appeals, and what every page of a logged-in member asks.
DESK_BUDGET = 10
ITEM_BUDGET = 10


@pytest.fixture
def board(app):
    return factories.make_board(title="Help")


@pytest.fixture
def mod(app):
    return factories.make_user("deskmod", role="moderator")


def _old_thread(board, title="Soldering fumes", hours=30):
    return factories.make_thread(board, author=factories.make_established_user(), title=title,
                                 created_at=utcnow() - timedelta(hours=hours))


def test_the_desk_lists_items_with_counts_links_and_ages(client, login, board, mod):
    thread = _old_thread(board)
    newcomer = factories.make_user("newbie")
    first = factories.make_post(thread, author=newcomer, body="Hi all")
    login(mod)
    html = text(client.get("/desk/"))
    assert "Soldering fumes" in html and 'id="count-total">1<' in html
    assert f'id="item-first_post-{first.id}"' in html
    assert f"/desk/first_post/{first.id}?welcome=1" in html
    assert f'href="/p/{first.id}"' in html
    # The thread has a reply now (the newcomer's), so it is no longer unanswered.
    assert f'id="item-unanswered-{thread.id}"' not in html
    assert 'id="count-reports">0<' in html and 'id="count-appeals">0<' in html


def test_filters_by_kind_board_and_mine(client, login, board, mod):
    one = _old_thread(board, "First question")
    other_board = factories.make_board(title="Other")
    two = _old_thread(other_board, "Second question")
    login(mod)
    html = text(client.get(f"/desk/?board={other_board.id}"))
    assert "Second question" in html and "First question" not in html
    html = text(client.get("/desk/?kind=first_post"))
    assert "First question" not in html and "Second question" not in html
    client.post(f"/desk/unanswered/{one.id}/assign",
                data={"version": "0", "assignee": str(mod.id)})
    html = text(client.get("/desk/?view=mine"))
    assert "First question" in html and "Second question" not in html
    html = text(client.get("/desk/?assignee=none"))
    assert "Second question" in html and "First question" not in html
    assert two.id


@pytest.mark.parametrize("query", ["kind=nothing", "board=abc", "assignee=x1", "view=all"])
def test_malformed_filters_are_refused_clearly(client, login, mod, query):
    login(mod)
    response = client.get(f"/desk/?{query}")
    assert response.status_code == 400


@pytest.mark.parametrize("count", [2, 12])
def test_the_desk_costs_the_same_whatever_the_number_of_items(client, login, board, mod,
                                                              count_queries, count):
    board.is_questions = True
    db.session.commit()
    for n in range(count):
        thread = _old_thread(board, f"Question {n}", hours=200)
        factories.make_post(thread, author=factories.make_user(), body="Maybe this?")
        _old_thread(board, f"Silent {n}")
    helper = factories.make_user(role="moderator")
    for thread_id in db.session.scalars(select(Post.thread_id).distinct()).all()[:3]:
        db.session.add(DeskState(kind="question", subject_id=thread_id, assignee_id=helper.id,
                                 looking_id=helper.id, looking_at=utcnow()))
    db.session.commit()
    login(mod)
    client.get("/desk/")
    with count_queries() as queries:
        response = client.get("/desk/")
    assert response.status_code == 200
    assert text(response).count('data-kind="question"') == count
    assert text(response).count('data-kind="first_post"') == count
    assert text(response).count('data-kind="unanswered"') == count
    assert len(queries) == DESK_BUDGET, len(queries)


def test_the_item_page_costs_a_fixed_number_of_statements(client, login, board, mod,
                                                          count_queries):
    thread = _old_thread(board)
    for n in range(3):
        modnotes.create_canned(factories.make_user(role="admin"), f"Reply {n}", "Hi {username}")
    login(mod)
    client.get(f"/desk/unanswered/{thread.id}")
    with count_queries() as queries:
        response = client.get(f"/desk/unanswered/{thread.id}")
    assert response.status_code == 200
    assert len(queries) == ITEM_BUDGET, len(queries)


def test_the_item_page_fills_the_welcome_text_and_canned_responses(client, login, board, mod):
    thread = _old_thread(board, "Introduce yourself")
    newcomer = factories.make_user("ada")
    first = factories.make_post(thread, author=newcomer, body="Hello, I'm Ada")
    canned = modnotes.create_canned(factories.make_user(role="admin"), "Thanks",
                                    "Thanks {username}, see {thread}.")
    login(mod)
    html = text(client.get(f"/desk/first_post/{first.id}?welcome=1"))
    assert "Welcome to the forum, ada!" in html and "Hello, I'm Ada" in html
    site_settings.update(factories.make_user(role="admin"),
                         {"desk_welcome_text": "Hallo {username} in {thread}!"})
    html = text(client.get(f"/desk/first_post/{first.id}?welcome=1"))
    assert "Hallo ada in Introduce yourself!" in html
    html = text(client.get(f"/desk/first_post/{first.id}?canned={canned.id}"))
    assert "Thanks ada, see Introduce yourself." in html
    assert client.get(f"/desk/first_post/{first.id}?canned=zz").status_code == 400


def test_answering_from_the_desk_posts_and_closes_the_item(client, login, board, mod):
    thread = _old_thread(board)
    login(mod)
    response = client.post(f"/desk/unanswered/{thread.id}/reply",
                           data={"version": "0", "body": "Open a window."})
    assert response.status_code == 302
    db.session.expire_all()
    assert thread.reply_count == 1 and thread.team_replied_at is not None
    assert f"unanswered-{thread.id}" not in text(client.get("/desk/"))
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action == "desk.reply")) == 1


def test_an_empty_reply_keeps_the_page_with_its_message(client, login, board, mod):
    thread = _old_thread(board)
    login(mod)
    response = client.post(f"/desk/unanswered/{thread.id}/reply",
                           data={"version": "0", "body": ""})
    assert response.status_code == 400
    response = client.post(f"/desk/unanswered/{thread.id}/done", data={"version": "x"})
    assert response.status_code == 400
    response = client.post(f"/desk/unanswered/{thread.id}/snooze",
                           data={"version": "0", "until": "2026-02-30 10:00"})
    assert response.status_code == 400
    response = client.post(f"/desk/unanswered/{thread.id}/assign",
                           data={"version": "0", "assignee": "999999"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(DeskState)
                             .where(DeskState.version > 0)) == 0


def test_a_stale_page_is_told_who_acted_and_keeps_the_draft(client, login, board, mod):
    thread = _old_thread(board)
    other = factories.make_user("ben", role="moderator")
    login(other)
    client.post(f"/desk/unanswered/{thread.id}/assign",
                data={"version": "0", "assignee": str(other.id)})
    login(mod)
    response = client.post(f"/desk/unanswered/{thread.id}/reply",
                           data={"version": "0", "body": "My careful answer"})
    assert response.status_code == 409
    html = text(response)
    assert "ben gave this item to a team member just now." in html
    assert "My careful answer" in html
    db.session.expire_all()
    assert thread.reply_count == 0


def test_opening_an_item_shows_the_others_who_is_looking(client, login, board, mod):
    thread = _old_thread(board)
    other = factories.make_user("carla", role="moderator")
    login(other)
    client.get(f"/desk/unanswered/{thread.id}")
    login(mod)
    assert "carla is looking at it" in text(client.get("/desk/"))
    html = text(client.get(f"/desk/unanswered/{thread.id}"))
    assert "carla opened this item" in html


def test_a_done_item_can_be_put_back(client, login, board, mod):
    thread = _old_thread(board)
    login(mod)
    client.post(f"/desk/unanswered/{thread.id}/done", data={"version": "0"})
    assert f"unanswered-{thread.id}" not in text(client.get("/desk/"))
    assert "Put it back on the desk" in text(client.get(f"/desk/unanswered/{thread.id}"))
    client.post(f"/desk/unanswered/{thread.id}/reopen", data={"version": "1"})
    assert f"unanswered-{thread.id}" in text(client.get("/desk/"))


def _as_member(app, user_id: int, path: str, data: dict):
    def prepare():
        client = app.test_client()
        user = db.session.get(User, user_id)
        logins.start(user, False, "127.0.0.1", None)
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        return lambda: client.post(path, data=data).status_code
    return prepare


def test_two_team_members_acting_at_once_one_wins(app, board):
    thread = _old_thread(board)
    first = factories.make_user(username="mod1", role="moderator")
    second = factories.make_user(username="mod2", role="moderator")
    # Ids read here: the racing threads must not touch this thread's session.
    thread_id, first_id, second_id = thread.id, first.id, second.id
    results = race(
        app,
        _as_member(app, first_id, f"/desk/unanswered/{thread_id}/assign",
                   {"version": "0", "assignee": str(first_id)}),
        _as_member(app, second_id, f"/desk/unanswered/{thread_id}/done", {"version": "0"}),
    )
    statuses = sorted(value for kind, value in results if kind == "ok")
    assert statuses == [302, 409], results
    db.session.expire_all()
    state = db.session.scalar(select(DeskState))
    assert state.version == 1
    logged = db.session.scalars(select(ModAction.action)
                                .where(ModAction.action.like("desk.%"))).all()
    assert logged == [{"assign": "desk.assign", "done": "desk.done"}[state.last_action]]


def test_two_team_members_answering_at_once_post_one_reply(app, board):
    thread = _old_thread(board)
    first = factories.make_user(username="mod1", role="moderator")
    second = factories.make_user(username="mod2", role="moderator")
    thread_id, first_id, second_id = thread.id, first.id, second.id
    path = f"/desk/unanswered/{thread_id}/reply"
    results = race(
        app,
        _as_member(app, first_id, path, {"version": "0", "body": "Use a fume extractor."}),
        _as_member(app, second_id, path, {"version": "0", "body": "Open the window."}),
    )
    statuses = sorted(value for kind, value in results if kind == "ok")
    # The loser is told someone acted (409), or finds the item answered already (404).
    assert statuses[0] == 302 and statuses[1] in (404, 409), results
    replies = db.session.scalar(select(func.count()).select_from(Post)
                                .where(Post.thread_id == thread_id, Post.position > 1))
    assert replies == 1
    assert db.session.scalar(select(func.count()).select_from(ModAction)
                             .where(ModAction.action == "desk.reply")) == 1


def test_marking_and_unmarking_the_answer_from_the_thread(client, login, board):
    board.is_questions = True
    db.session.commit()
    asker = factories.make_user("asker")
    thread = factories.make_thread(board, author=asker, title="Which tip?")
    reply = factories.make_post(thread, author=factories.make_user(), body="A chisel tip.")
    login(asker)
    html = text(client.get(f"/t/{thread.id}"))
    assert "Mark as the answer" in html
    assert client.post(f"/p/{reply.id}/answer").status_code == 302
    html = text(client.get(f"/t/{thread.id}"))
    assert "Accepted answer" in html and "Solved" in html
    assert "Solved" in text(client.get(f"/b/{board.slug}"))
    assert client.post(f"/t/{thread.id}/answer/remove").status_code == 302
    assert "Accepted answer" not in text(client.get(f"/t/{thread.id}"))
    login(factories.make_user())
    assert client.post(f"/p/{reply.id}/answer").status_code == 403


def test_the_asker_sees_the_boards_usual_response_time(client, login, board):
    answered = factories.make_thread(board, author=factories.make_user(),
                                     created_at=utcnow() - timedelta(hours=3))
    factories.make_post(answered, author=factories.make_user())
    asker = factories.make_user()
    waiting = factories.make_thread(board, author=asker)
    login(asker)
    html = text(client.get(f"/t/{waiting.id}"))
    assert "In this board the team usually answers within 3 hr" in html
    login(factories.make_user())
    assert "usually answers" not in text(client.get(f"/t/{waiting.id}"))


def test_the_team_page_lists_the_team_and_its_response_time(client, board):
    keeper = factories.make_board_moderator(factories.make_user("keeper"), board)
    factories.make_user("chiefmod", role="moderator")
    thread = factories.make_thread(board, author=factories.make_user(),
                                   created_at=utcnow() - timedelta(minutes=90))
    factories.make_post(thread, author=keeper)
    html = text(client.get("/team"))
    assert "keeper" in html and "chiefmod" in html and "Help" in html
    assert "within 1 hr 30 min" in html


def test_an_administrator_sets_a_boards_response_hours(client, login, board):
    login(factories.make_user(role="admin"))
    form = {"title": board.title, "slug": board.slug, "category": str(board.category_id),
            "access": "everyone", "thread_access": "members", "slow_mode_seconds": "0",
            "response_hours": "6"}
    assert client.post(f"/admin/structure/boards/{board.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert board.response_hours == 6
    form["response_hours"] = "0"
    assert client.post(f"/admin/structure/boards/{board.id}/edit", data=form).status_code == 400
    del form["response_hours"]
    client.post(f"/admin/structure/boards/{board.id}/edit", data=form)
    db.session.expire_all()
    assert board.response_hours == 6
