"""PostgreSQL's search engine: choosing it, vectors written in the post's transaction, its own
query syntax, the bounded ranking and the statement timeout. The behaviour both engines share
is tested in test_search*.py, once per engine on PostgreSQL."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, delete, select
from sqlalchemy import text as sql

from forum.extensions import db
from forum.models import Post, PostSearch
from forum.services.content import posting
from forum.services.search import backend, postgres, query

from .. import factories
from ..databases import USING_PG
from ..factories import text

on_postgres = pytest.mark.skipif(not USING_PG, reason="PostgreSQL's engine needs PostgreSQL")


# -- choosing the engine ------------------------------------------------------------------------
@pytest.mark.parametrize("setting, url, chosen", [
    (None, "sqlite:///x.db", "whoosh"),
    ("auto", "postgresql+psycopg://h/db", "postgres"),
    ("AUTO", "sqlite:///x.db", "whoosh"),
    ("whoosh", "postgresql+psycopg://h/db", "whoosh"),
    (" Postgres ", "postgresql+psycopg://h/db", "postgres"),
])
def test_the_engine_follows_the_database_unless_forced(setting, url, chosen):
    assert backend.choose(setting, url) == chosen


@pytest.mark.parametrize("setting, url, message", [
    ("postgres", "sqlite:///x.db", "needs a PostgreSQL"),
    ("elastic", "postgresql+psycopg://h/db", "must be auto, whoosh or postgres"),
])
def test_an_engine_that_cannot_work_stops_the_start(setting, url, message):
    with pytest.raises(RuntimeError, match=message):
        backend.choose(setting, url)


# -- on PostgreSQL ------------------------------------------------------------------------------
pytestmark = [pytest.mark.search]


def find(actor, q, **params):
    return query.search(actor, query.SearchParams(q=q, **params))


def ids(outcome):
    assert outcome.error is None, outcome.error
    return [hit.post.id for hit in outcome.hits]


@pytest.fixture
def board(app):
    assert backend.name() == backend.POSTGRES
    return factories.make_board(slug="general", title="General")


def _vector(post_id: int) -> str | None:
    return db.session.scalar(select(sql("vector::text")).select_from(PostSearch)
                             .where(PostSearch.post_id == post_id))


@on_postgres
def test_the_vector_is_written_by_the_posts_own_transaction(board, member):
    thread = factories.make_thread(board, member, title="Kubernetes for bakers",
                                   body="Ovens in containers.")
    reply = posting.reply(member, thread, "Proofing baskets.")
    same = db.session.execute(sql(
        "SELECT p.xmin::text = s.xmin::text FROM posts p JOIN post_search s ON s.post_id = p.id "
        "WHERE p.id IN (:a, :b)"), {"a": thread.first_post_id, "b": reply.id}).scalars().all()
    assert same == [True, True]
    # The title on the opening post only, weighted A; the body B.
    assert "'kubernet':1A" in _vector(thread.first_post_id)
    assert "'oven':4B" in _vector(thread.first_post_id)
    assert "A" not in _vector(reply.id).replace("'", "")[-3:]


@on_postgres
def test_another_connection_finds_the_post_once_the_commit_returns(app, board, member):
    thread = factories.make_thread(board, member, title="Fresh", body="Zucchini glut.")
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        with other.connect() as connection:
            found = connection.execute(sql(
                "SELECT post_id FROM post_search WHERE vector @@ "
                "websearch_to_tsquery('english', 'zucchini')")).scalars().all()
    finally:
        other.dispose()
    assert found == [thread.first_post_id]


@on_postgres
def test_a_german_board_is_stemmed_and_folded_in_german(app, member):
    german = factories.make_board(slug="werkstatt", language="de")
    thread = factories.make_thread(german, member, title="Gehäuse", body="Die Lötstationen.")
    row = db.session.get(PostSearch, thread.first_post_id)
    assert row.language == "de"
    assert "'gehaus':1A" in _vector(thread.first_post_id)  # folded, then stemmed in German
    assert "lotstation" in _vector(thread.first_post_id)


@on_postgres
def test_websearch_syntax_quotes_or_and_minus(board, member):
    red = factories.make_thread(board, member, title="Fruit", body="A red apple today.")
    green = factories.make_thread(board, member, title="Fruit", body="A green apple today.")
    pear = factories.make_thread(board, member, title="Fruit", body="A red pear today.")
    assert ids(find(None, '"red apple"')) == [red.first_post_id]
    assert ids(find(None, "apple -green")) == [red.first_post_id]
    assert ids(find(None, "apple NOT green")) == [red.first_post_id]
    assert sorted(ids(find(None, "pear or green"))) == sorted([green.first_post_id,
                                                               pear.first_post_id])
    assert sorted(ids(find(None, "appl*"))) == sorted([red.first_post_id, green.first_post_id])


@on_postgres
def test_past_the_ranked_bound_the_total_is_an_estimate(board, member, monkeypatch):
    for n in range(6):
        factories.make_thread(board, member, title=f"Plums {n}", body="Plums again.")
    exact = find(None, "plums")
    assert (exact.total, exact.estimated) == (6, False)
    monkeypatch.setattr(postgres, "CANDIDATES", 3)
    bounded = find(None, "plums")
    assert bounded.estimated and bounded.total >= 3
    assert len(bounded.hits) == 3 and bounded.pages == 1


@on_postgres
def test_the_page_says_when_its_total_is_an_estimate(client, board, member, monkeypatch):
    for n in range(6):
        factories.make_thread(board, member, title=f"Plums {n}", body="Plums again.")
    assert "6 results for “plums”" in text(client.get("/search?q=plums"))
    monkeypatch.setattr(postgres, "CANDIDATES", 3)
    page = text(client.get("/search?q=plums"))
    # Three matches among the newest three posts of six: about six in all.
    assert "About 6 results for “plums”: the newest 3 of them, best first" in page


@on_postgres
def test_a_search_stuck_past_its_statement_timeout_is_too_broad(app, client, board, member):
    thread = factories.make_thread(board, member, title="Quinces", body="Quince jelly.")
    assert ids(find(None, "quince")) == [thread.first_post_id]
    db.session.commit()
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    locked, release = threading.Event(), threading.Event()

    def hold_the_table():
        with other.begin() as connection:
            connection.execute(sql("LOCK TABLE post_search IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_the_table)
    holder.start()
    try:
        assert locked.wait(10)
        response = client.get("/search?q=quince")
        outcome = find(None, "quince")
    finally:
        release.set()
        holder.join()
        other.dispose()
    assert response.status_code == 400
    assert "too broad" in response.get_data(as_text=True)
    assert outcome.hits is None and "too broad" in outcome.error
    # The transaction was rolled back, not left aborted: the session goes on.
    assert ids(find(None, "quince")) == [thread.first_post_id]


@on_postgres
def test_reindex_refreshes_every_vector_with_a_progress_bar(app, runner, board, member):
    thread = factories.make_thread(board, member, title="Rebuilt", body="Gooseberry fool.")
    factories.make_post(thread, member, body="Another gooseberry.")
    db.session.execute(delete(PostSearch))
    db.session.execute(sql("UPDATE posts SET body_html = '<p>Gooseberry crumble.</p>' "
                            "WHERE id = :id"), {"id": thread.first_post_id})
    db.session.commit()
    assert find(None, "gooseberry").hits == []
    result = runner.invoke(args=["forum", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexing posts" in result.output and "Indexed 2 posts" in result.output
    assert len(find(None, "gooseberry").hits) == 2
    assert ids(find(None, "crumble")) == [thread.first_post_id]


@on_postgres
def test_a_hard_deleted_post_takes_its_vector_along(board, member):
    thread = factories.make_thread(board, member, title="Gone", body="Elderflower.")
    reply = factories.make_post(thread, member, body="Elderflower cordial.")
    db.session.delete(db.session.get(Post, reply.id))
    db.session.commit()
    assert db.session.get(PostSearch, reply.id) is None
    assert ids(find(None, "elderflower")) == [thread.first_post_id]


@on_postgres
def test_a_post_split_into_a_thread_of_its_own_carries_the_new_title(board, member, moderator):
    from forum.services.moderation import thread_merging
    from forum.services.moderation.thread_merging import SplitPlan

    thread = factories.make_thread(board, member, title="Apricots", body="Drying apricots.")
    reply = posting.reply(member, thread, "Jam needs pectin.")
    elsewhere = factories.make_board(slug="preserves")
    assert find(None, "marmalade").hits == []
    created = thread_merging.split_posts(moderator, thread, SplitPlan(
        reason="Own topic", post_ids=(reply.id,), title="Marmalade", board=elsewhere))
    assert "'marmalad':1A" in _vector(reply.id)
    [hit] = find(None, "marmalade").hits
    assert (hit.post.id, hit.thread.id, hit.board.id) == (reply.id, created.id, elsewhere.id)
    assert str(hit.title) == "<mark>Marmalade</mark>"
