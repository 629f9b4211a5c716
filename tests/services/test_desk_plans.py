"""The desk never reads every thread: each kind's statement is planned as index lookups on
threads, posts and members, on SQLite and on PostgreSQL (bench/desk_bench.py times them on
50,000 threads; bench/README.md has the numbers)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, text

from forum.extensions import db
from forum.models import utcnow
from forum.policy import Policy
from forum.services.desk import listing
from forum.services.desk.kinds import KINDS, LIMIT, Scope
from tests import factories
from tests.services import event_kit

BIG_TABLES = ("threads", "posts", "users")
# Where each kind starts reading (either engine's choice where two would do).
DRIVEN_BY = {
    "unanswered": ("ix_threads_desk_unanswered", "ix_threads_first_response"),
    "question": ("ix_threads_desk_questions",),
    "first_post": ("ix_users_created_at",),
    "event": ("ix_events_starts_at", "ix_events_board_id"),
}


def _sent(statement) -> tuple[str, object]:
    """The SQL and parameters the driver gets for ``statement`` (lists expanded)."""
    seen: list = []

    def record(conn, cursor, sql, parameters, context, executemany):
        seen.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(statement).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen[-1]


def _plan(statement) -> list[str]:
    sql, parameters = _sent(statement)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        # Tables this small are cheaper to read whole; forbidding that shows whether an index
        # could serve the statement at all (a plan that still reads a table whole has none).
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        rows = connection.exec_driver_sql("EXPLAIN " + sql, parameters).fetchall()
        return [row[0] for row in rows]
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters).fetchall()
    return [row[-1] for row in rows]


def _full_reads(plan: list[str]) -> list[str]:
    return [line for line in plan for table in BIG_TABLES
            if line.strip().startswith((f"SCAN {table}", f"->  Seq Scan on {table}",
                                        f"Seq Scan on {table}"))
            or f"Seq Scan on {table} " in line]


@pytest.fixture
def desk_world(app):
    """A forum with something of every kind: a question board, an unanswered thread, a new
    member's first post and an event tomorrow with a member's question."""
    # As many boards as a real forum: the planner weighs "board_id IN (…)" by its length.
    for _ in range(18):
        factories.make_board()
    questions = factories.make_board(title="Questions", is_questions=True)
    factories.make_thread(factories.make_board(), author=factories.make_established_user())
    asked = factories.make_thread(questions, author=factories.make_established_user())
    factories.make_post(asked, author=factories.make_user(), body="Maybe this?")
    mod = factories.make_user("deskmod", role="moderator")
    now = utcnow()
    happening = event_kit.make_event(board=questions, start=now + timedelta(hours=20), now=now)
    factories.make_post(happening.thread, author=factories.make_user(), body="Is it online?")
    db.session.commit()
    return mod


@pytest.mark.parametrize("code", list(KINDS))
def test_each_kind_reads_by_index(desk_world, code):
    viewer = Policy(desk_world)
    now = utcnow() + timedelta(days=4)
    scope = Scope(tuple(listing.scope_boards(viewer)), now)
    statement = KINDS[code].statement(scope)
    assert statement is not None
    plan = _plan(statement.limit(LIMIT))
    shown = "\n".join(plan)
    assert not _full_reads(plan), shown
    if db.session.get_bind().dialect.name == "postgresql":
        return  # on tables this small its choices say little; the bench shows its plans
    # SQLite plans without statistics, alike on 10 rows and on 50,000: nor a walk over every
    # thread by an index that holds them all, the merged threads' (all but a few NULL) or the
    # board lists' (every board is in the desk's scope).
    assert "ix_threads_merged_into_id" not in shown and "ix_threads_board_listing" not in shown
    assert any(index in shown for index in DRIVEN_BY[code]), shown
