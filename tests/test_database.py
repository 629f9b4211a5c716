"""The transaction convention: a service commits on its own, and joins its caller's
transaction inside ``joined()``."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.pool import NullPool

from forum import database
from forum.database import RetryDropped, commit, joined
from forum.errors import Refused
from forum.models import Category

from . import factories
from .databases import USING_PG


def _titles(db) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(Category.title).order_by(Category.id)))


def _step(db, title: str) -> None:
    db.session.add(Category(title=title, position=0))
    commit()


def test_commit_on_its_own_commits(app, db):
    _step(db, "kept")
    db.session.rollback()
    assert _titles(db) == ["kept"]


def test_inside_joined_commit_only_flushes_and_the_caller_commits(app, db):
    with joined():
        _step(db, "first")
        _step(db, "second")
        # Flushed: visible to this transaction, not yet committed.
        assert db.session.scalar(select(Category.id).where(Category.title == "second"))
    db.session.rollback()
    assert _titles(db) == []
    with joined():
        _step(db, "first")
        with joined():
            _step(db, "nested")
    commit()
    db.session.rollback()
    assert _titles(db) == ["first", "nested"]


def test_a_refusal_inside_joined_undoes_every_step(app, db):
    with pytest.raises(Refused), joined():
        _step(db, "half")
        raise Refused("no", status=400)
    commit()
    assert _titles(db) == []


def test_joined_ends_with_its_block(app, db):
    with joined():
        pass
    factories.make_category(title="after")
    _step(db, "own")
    db.session.rollback()
    assert "own" in _titles(db)


# -- dropped server connections ------------------------------------------------------------
needs_pg = pytest.mark.skipif(not USING_PG, reason="a dropped server connection needs "
                              "PostgreSQL (DATABASE_URL=postgresql+psycopg://…)")


def _drop_the_pools_connections(db) -> None:
    """End, from another session, the server processes of every connection the app's pool
    holds, as a server restart or a proxy's idle timeout would."""
    with db.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    admin = create_engine(db.engine.url, poolclass=NullPool)
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    admin.dispose()


@needs_pg
def test_a_read_on_a_dropped_connection_is_run_again(app, db, client, caplog):
    app.config["GUEST_PAGE_CACHE_SECONDS"] = 0
    board = factories.make_board(title="Workshop")
    assert client.get(f"/b/{board.slug}").status_code == 200
    _drop_the_pools_connections(db)

    response = client.get(f"/b/{board.slug}")

    assert response.status_code == 200 and b"Workshop" in response.data
    assert "connection dropped on GET" in caplog.text and "running it again" in caplog.text


@needs_pg
def test_a_form_on_a_dropped_connection_is_not_sent_twice(app, db, client, login, caplog):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user(), title="Kept")
    login(factories.make_user())
    assert client.get(f"/t/{thread.id}").status_code == 200
    _drop_the_pools_connections(db)

    response = client.post(f"/t/{thread.id}/reply", data={"body": "Sent once"})

    assert response.status_code == 503
    assert b"check first whether it was saved" in response.data
    assert response.headers["Retry-After"] == "1"
    assert "running it again" not in caplog.text
    db.session.remove()
    assert client.get(f"/t/{thread.id}").status_code == 200  # the pool has new connections


@needs_pg
def test_a_connection_idle_for_a_while_is_tested_before_use(app, db, client, monkeypatch,
                                                            caplog):
    monkeypatch.setattr(database, "IDLE_PING_SECONDS", 0.0)
    board = factories.make_board(title="Workshop")
    assert client.get(f"/b/{board.slug}").status_code == 200
    _drop_the_pools_connections(db)

    assert client.get(f"/b/{board.slug}").status_code == 200
    assert "connection dropped" not in caplog.text  # found before the page used it


def test_only_reads_are_run_again_and_only_once():
    from sqlalchemy.exc import OperationalError

    dropped = OperationalError("SELECT 1", {}, Exception("server closed the connection"),
                               connection_invalidated=True)
    other = OperationalError("SELECT 1", {}, Exception("syntax"))
    assert RetryDropped.may_retry({"REQUEST_METHOD": "GET"}, dropped)
    assert not RetryDropped.may_retry({"REQUEST_METHOD": "POST"}, dropped)
    assert not RetryDropped.may_retry({"REQUEST_METHOD": "GET"}, other)
    assert not RetryDropped.may_retry(
        {"REQUEST_METHOD": "HEAD", RetryDropped.DROPPED + ".retried": True}, dropped)
    # A read that already committed something (a confirmation link) is not run again.
    assert not RetryDropped.may_retry(
        {"REQUEST_METHOD": "GET", RetryDropped.COMMITTED: True}, dropped)


def test_a_commit_during_a_request_is_noted(app, db):
    with app.test_request_context("/confirm"):
        _step(db, "confirmed")
        from flask import request

        assert request.environ.get(RetryDropped.COMMITTED) is True
    with app.test_request_context("/read"):
        _titles(db)
        db.session.commit()  # nothing written: still a commit of the session
        from flask import request

        assert request.environ.get(RetryDropped.COMMITTED) is True
