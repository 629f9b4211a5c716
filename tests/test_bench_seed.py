"""``forum bench-seed``: a consistent synthetic community, and the page query budgets on it.

Only counts and budgets here: timing belongs to ``bench/run.py``, never to the test suite.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.models import (
    Board,
    Category,
    Event,
    Post,
    Report,
    ReportItem,
    Sanction,
    Thread,
    User,
)
from forum.services.search import query
from tests.conftest import USING_PG, app_on

POSTS = 3000
INDEX_BUDGET = BOARD_BUDGET = 6
THREAD_BUDGET = 7


# The seed takes seconds, so this module's tests seed once between them (and share one xdist
# worker: ONE_WORKER in tests/conftest.py).


def _bench_seed(app) -> None:
    result = app.test_cli_runner().invoke(args=["forum", "bench-seed", "--posts", str(POSTS)])
    assert result.exit_code == 0, result.output
    assert f"Seeded {POSTS} posts" in result.output


@pytest.fixture(scope="module")
def _seed(_databases, tmp_path_factory):
    """``forum bench-seed`` run once for the module (its index built, as the command does);
    each test then gets its own copy of the database and the index."""
    folder = tmp_path_factory.mktemp("bench-seed")
    url = _databases.empty(folder)
    with app_on(url, folder, search=True) as app:
        _bench_seed(app)
    snapshot = _databases.snapshot(url, "bench_seed", search=folder / "search")
    yield snapshot
    _databases.discard(snapshot)


@pytest.fixture
def app(request, _databases, tmp_path):
    search = request.node.get_closest_marker("search") is not None
    if USING_PG and request.node.get_closest_marker("seeded_in_place"):
        # PostgreSQL's activity statistics (when a table was last analysed) stay with the
        # database the command wrote to; a copy starts without them.
        with app_on(_databases.empty(tmp_path), tmp_path, search=search) as app:
            _bench_seed(app)
            yield app
        return
    url, index = _databases.restore(request.getfixturevalue("_seed"), tmp_path)
    with app_on(url, tmp_path, search=search, search_index=index) as app:
        yield app


@pytest.fixture
def seeded(app, db):
    return db


def _scalar(db, statement):
    return db.session.scalar(statement)


def test_seeds_the_requested_shape(seeded):
    db = seeded
    assert _scalar(db, select(func.count()).select_from(Post)) == POSTS
    assert _scalar(db, select(func.count()).select_from(Board)) == 20
    assert _scalar(db, select(func.count()).select_from(Category)) >= 1
    assert _scalar(db, select(func.count()).select_from(User)) == 1000
    threads = _scalar(db, select(func.count()).select_from(Thread))
    assert threads == POSTS // 2  # 2,000 threads from 4,000 posts up; fewer below
    assert _scalar(db, select(func.count()).select_from(Sanction)) > 0
    assert _scalar(db, select(func.count()).select_from(ReportItem)) > 0
    assert _scalar(db, select(func.count()).select_from(Report)) >= _scalar(
        db, select(func.count()).select_from(ReportItem))
    assert _scalar(db, select(func.count()).select_from(Event)) > 0
    # Uneven lengths: the longest thread dwarfs the typical one.
    longest = _scalar(db, select(func.max(Thread.post_seq)))
    median_ish = _scalar(db, select(Thread.post_seq).order_by(Thread.post_seq)
                         .offset(threads // 2).limit(1))
    assert longest >= 20 * median_ish


def test_thread_counters_match_the_posts(seeded):
    db = seeded
    rows = db.session.execute(
        select(
            Post.thread_id,
            func.count(),
            func.min(Post.position),
            func.max(Post.position),
            func.sum(func.cast(~Post.is_deleted, db.Integer)),
        ).group_by(Post.thread_id)
    ).all()
    by_thread = {row[0]: row[1:] for row in rows}
    for thread in db.session.scalars(select(Thread)):
        count, first, last, visible = by_thread[thread.id]
        # Positions are contiguous 1..post_seq: pages are position ranges.
        assert (first, last, count) == (1, thread.post_seq, thread.post_seq)
        assert thread.reply_count == visible - 1
        last_post = db.session.get(Post, thread.last_post_id)
        assert last_post.thread_id == thread.id and not last_post.is_deleted
        assert thread.last_post_at == last_post.created_at
        latest_visible = db.session.scalar(
            select(func.max(Post.position))
            .where(Post.thread_id == thread.id, Post.is_deleted.is_(False)))
        assert last_post.position == latest_visible
        assert db.session.get(Post, thread.first_post_id).position == 1


def test_response_stamps_and_answers_are_what_the_services_keep(seeded):
    """The first response, the team's reply and the accepted answers read as if posted one by
    one: working the stamps out again from the posts changes nothing."""
    from forum.services.content import response_stamps

    db = seeded
    columns = (Thread.id, Thread.first_response_at, Thread.team_replied_at)
    seeded_stamps = db.session.execute(select(*columns).order_by(Thread.id)).all()
    assert sum(1 for row in seeded_stamps if row[1] is None) > 0  # some wait for an answer
    assert sum(1 for row in seeded_stamps if row[2] is not None) > 0
    response_stamps.restamp_matching(Thread.id > 0)
    db.session.commit()
    assert db.session.execute(select(*columns).order_by(Thread.id)).all() == seeded_stamps
    questions = db.session.execute(
        select(Thread.accepted_post_id, Post.thread_id, Thread.id)
        .join(Board, Board.id == Thread.board_id)
        .outerjoin(Post, Post.id == Thread.accepted_post_id)
        .where(Board.is_questions.is_(True))).all()
    solved = [row for row in questions if row[0] is not None]
    assert solved and len(solved) < len(questions)
    assert all(thread_id == own for _answer, thread_id, own in solved)
    assert not db.session.scalar(select(func.count()).select_from(Thread).join(Board).where(
        Board.is_questions.is_(False), Thread.accepted_post_id.is_not(None)))


def test_board_and_member_counters_match(seeded):
    db = seeded
    for board in db.session.scalars(select(Board)):
        threads = _scalar(db, select(func.count()).select_from(Thread)
                          .where(Thread.board_id == board.id))
        visible = _scalar(db, select(func.count()).select_from(Post)
                          .join(Thread, Thread.id == Post.thread_id)
                          .where(Thread.board_id == board.id, Post.is_deleted.is_(False)))
        assert (board.thread_count, board.post_count) == (threads, visible)
        if threads:
            newest = _scalar(db, select(Thread.last_post_id).where(Thread.board_id == board.id)
                             .order_by(Thread.last_post_at.desc()).limit(1))
            assert board.last_post_id == newest
    counted = dict(db.session.execute(
        select(Post.author_id, func.count()).where(Post.is_deleted.is_(False))
        .group_by(Post.author_id)).all())
    started = dict(db.session.execute(
        select(Thread.author_id, func.count()).group_by(Thread.author_id)).all())
    for user in db.session.scalars(select(User)):
        assert user.post_count == counted.get(user.id, 0), user.username
        assert user.thread_count == started.get(user.id, 0), user.username


@pytest.mark.search
def test_search_index_finds_a_seeded_word(seeded, member):
    db = seeded
    post = db.session.scalar(select(Post).where(Post.position == 1).order_by(Post.id).limit(1))
    rare = max(post.body.split(), key=len).strip(".!?,*`")
    outcome = query.search(member, query.SearchParams(q=rare))
    assert outcome.error is None
    assert outcome.total >= 1
    assert post.id in {hit.post.id for hit in outcome.hits} or outcome.total > 20


def test_refuses_a_forum_that_is_not_empty(seeded, runner):
    result = runner.invoke(args=["forum", "bench-seed", "--posts", "300"])
    assert result.exit_code != 0
    assert "not empty" in result.output


@pytest.mark.parametrize("viewer", ["guest", "member"])
def test_page_query_budgets_on_seeded_data(seeded, client, login, count_queries, viewer):
    db = seeded
    if viewer == "member":
        login(db.session.scalar(select(User).where(User.username == "bench_member1")))
    longest = db.session.scalar(select(Thread).order_by(Thread.post_seq.desc()).limit(1))
    deep = -(-longest.post_seq // 20)
    slug = db.session.scalar(select(Board.slug).where(Board.id == longest.board_id))
    pages = [("/", INDEX_BUDGET), (f"/b/{slug}", BOARD_BUDGET),
             (f"/t/{longest.id}", THREAD_BUDGET), (f"/t/{longest.id}?page={deep}", THREAD_BUDGET)]
    for url, budget in pages:
        client.get(url)  # the first request of a process may fill caches
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        assert len(queries) <= budget, (url, [q[:70] for q in queries])


@pytest.mark.seeded_in_place
def test_postgresql_gets_planner_statistics_for_the_new_rows(seeded):
    if seeded.engine.dialect.name != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's (SQLite keeps its own plans)")
    from sqlalchemy import text

    analyzed = seeded.session.scalar(text(
        "SELECT count(*) FROM pg_stat_user_tables WHERE relname IN ('posts', 'threads') "
        "AND last_analyze IS NOT NULL"))
    assert analyzed == 2
