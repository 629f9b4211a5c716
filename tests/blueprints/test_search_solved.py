"""Solved questions in search: marked in the results, and the "solved" filter (only solved or
only unsolved questions), which never shows what the viewer may not see."""
from __future__ import annotations

import re

import pytest

from forum.extensions import db
from forum.models import Access, Post, Thread
from forum.services.content import answers, posting
from forum.services.search import index

from .. import factories
from ..factories import text

pytestmark = [pytest.mark.search, pytest.mark.engines]


@pytest.fixture
def questions(app):
    return factories.make_board(slug="help", title="Help", is_questions=True)


@pytest.fixture
def asked(questions, member, other_member):
    """A solved and an unsolved question, and a chat thread in an ordinary board, all about
    quinces."""
    solved = factories.make_thread(questions, member, title="Quince jelly sets?",
                                   body="My quince jelly won't set.")
    answer = factories.make_post(solved, other_member, body="More quince pectin.")
    answers.mark_answer(member, db.session.get(Post, answer.id))
    unsolved = factories.make_thread(questions, member, title="Quince tree pruning?",
                                     body="When do I prune a quince?")
    factories.make_post(unsolved, other_member, body="Quince in winter, I think.")
    chat = factories.make_thread(factories.make_board(slug="chat", title="Chat"), member,
                                 title="Quince harvest", body="Look at my quinces.")
    return solved, unsolved, chat


def _threads(page: str, *threads: Thread) -> set[int]:
    """Which of ``threads`` have a result on the page."""
    linked = {int(post_id) for post_id in re.findall(r'href="/p/(\d+)"', page)}
    found = set()
    for thread in threads:
        post_ids = set(db.session.scalars(
            db.select(Post.id).where(Post.thread_id == thread.id)))
        if post_ids & linked:
            found.add(thread.id)
    return found


def test_solved_questions_are_marked_in_the_results(client, asked):
    solved, unsolved, _chat = asked
    page = text(client.get("/search?q=quince"))
    hits = re.findall(r'<li class="thread-row search-hit">.*?</li>', page, re.S)
    marked = [hit for hit in hits if "badge-solved" in hit]
    assert marked and all("jelly sets?" in hit for hit in marked)
    assert len(marked) == 2  # the question and its answer
    assert all("badge-solved" not in hit for hit in hits if "pruning" in hit)


def test_the_filter_finds_only_solved_or_only_unsolved_questions(client, asked):
    solved, unsolved, chat = asked
    everything = text(client.get("/search?q=quince"))
    assert _threads(everything, *asked) == {solved.id, unsolved.id, chat.id}
    only_solved = text(client.get("/search?q=quince&solved=solved"))
    assert _threads(only_solved, *asked) == {solved.id}
    # Unsolved means a question still waiting: the chat board's thread is no question.
    only_unsolved = text(client.get("/search?q=quince&solved=unsolved"))
    assert _threads(only_unsolved, *asked) == {unsolved.id}
    assert "2 results" in only_unsolved


def test_marking_and_unmarking_the_answer_moves_the_thread_between_the_filters(
        client, asked, member):
    _solved, unsolved, _chat = asked
    reply = db.session.scalar(db.select(Post).where(Post.thread_id == unsolved.id,
                                                    Post.position == 2))
    answers.mark_answer(member, reply)
    assert unsolved.id in _threads(text(client.get("/search?q=quince&solved=solved")), unsolved)
    assert not _threads(text(client.get("/search?q=quince&solved=unsolved")), unsolved)
    answers.unmark_answer(member, db.session.get(Thread, unsolved.id))
    assert not _threads(text(client.get("/search?q=quince&solved=solved")), unsolved)
    assert _threads(text(client.get("/search?q=quince&solved=unsolved")), unsolved)


def test_a_question_moved_to_an_ordinary_board_is_no_unsolved_question(client, asked, admin):
    _solved, unsolved, chat = asked
    from forum.services.moderation import thread_moving

    thread_moving.move_thread(admin, db.session.get(Thread, unsolved.id), chat.board,
                              "Not a question after all.")
    assert not _threads(text(client.get("/search?q=quince&solved=unsolved")), unsolved)


def test_the_filter_keeps_to_what_the_viewer_may_read(client, login, member, other_member,
                                                     moderator):
    members = factories.make_board(slug="members-help", title="Members' help",
                                   access=Access.MEMBERS, is_questions=True)
    staff = factories.make_board(slug="staff-help", title="Staff help", access=Access.STAFF,
                                 is_questions=True)
    hidden_from_guests = factories.make_thread(members, member, title="Medlar question",
                                               body="Medlar jelly?")
    answer = factories.make_post(hidden_from_guests, other_member, body="Medlar pectin.")
    answers.mark_answer(member, db.session.get(Post, answer.id))
    staff_only = factories.make_thread(staff, moderator, title="Medlar policy",
                                       body="Medlar spam?")
    factories.make_post(staff_only, moderator, body="Medlar: ask again.")
    both = (hidden_from_guests, staff_only)

    # Guests read no question board here: no filter to pick, and asking for it finds nothing.
    page = text(client.get("/search?q=medlar&solved=solved"))
    assert not _threads(page, *both)
    assert not _threads(text(client.get("/search?q=medlar&solved=unsolved")), *both)
    assert 'name="solved"' not in text(client.get("/search"))
    login(member)
    assert 'name="solved"' in text(client.get("/search"))
    assert _threads(text(client.get("/search?q=medlar&solved=solved")), *both) == {
        hidden_from_guests.id}
    assert not _threads(text(client.get("/search?q=medlar&solved=unsolved")), *both)
    login(moderator)
    assert _threads(text(client.get("/search?q=medlar&solved=unsolved")), *both) == {
        staff_only.id}


def test_deleted_posts_stay_out_of_a_filtered_search(client, login, asked, other_member,
                                                     moderator):
    solved, _unsolved, _chat = asked
    reply = db.session.scalar(db.select(Post).where(Post.thread_id == solved.id,
                                                    Post.position == 2))
    posting.delete_post(other_member, reply)
    assert f"/p/{reply.id}" not in text(client.get("/search?q=pectin&solved=solved"))
    login(moderator)
    assert f"/p/{reply.id}" not in text(client.get("/search?q=pectin&solved=solved"))
    page = text(client.get("/search?q=pectin&solved=solved&hidden=y"))
    assert f"/p/{reply.id}" in page and "badge-deleted" in page


@pytest.mark.parametrize("value", ["maybe", "SOLVED", "1", "x" * 500])
def test_an_unknown_choice_is_a_400_with_a_message(client, asked, value):
    response = client.get("/search", query_string={"q": "quince", "solved": value})
    assert response.status_code == 400
    assert "Not a valid choice" in text(response)
    assert "search-hit" not in text(response)


def test_the_service_refuses_an_unknown_choice_itself(app, asked, member):
    from forum.services.search import query

    outcome = query.search(member, query.SearchParams(q="quince", solved="maybe"))
    assert outcome.error and outcome.hits is None


def test_the_filter_costs_no_extra_query(client, asked, count_queries):
    client.get("/search?q=quince")
    with count_queries() as plain:
        client.get("/search?q=quince")
    with count_queries() as filtered:
        assert client.get("/search?q=quince&solved=unsolved").status_code == 200
    assert len(filtered) == len(plain) <= 6


def test_a_post_document_says_whether_its_thread_is_solved():
    from datetime import UTC, datetime

    record = index.PostRecord(1, 2, 3, 4, "asker", 1, datetime(2024, 1, 1, tzinfo=UTC),
                              "Title", "<p>Body</p>")
    assert "solved" not in index.document(record)
    solved = index.PostRecord(**{**record.__dict__, "solved": True})
    assert index.document(solved)["solved"] == index.SOLVED


def test_the_filter_and_the_mark_in_german(client, login, asked, member):
    from tests.test_no_english import assert_german

    member.language = "de"
    db.session.commit()
    login(member)
    for url in ("/search", "/search?q=jelly", "/search?q=jelly&solved=solved"):
        response = client.get(url)
        assert response.status_code == 200
        assert_german(response, url)
    page = text(client.get("/search?q=jelly&solved=solved"))
    assert "Nur gelöste Fragen" in page and "Gelöst</span>" in page
