"""Engine tuning per backend, and the one transaction convention services follow."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import monotonic

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session

from .extensions import db

# A pooled server connection is tested before use only when it sat unused this long: a
# connection in steady use answers, and testing it on every checkout (SQLAlchemy's
# ``pool_pre_ping``) cost each page a round trip to the server. One that dropped while in use
# fails its request's first statement instead; ``RetryDropped`` runs such a read once more.
IDLE_PING_SECONDS = 30.0
_CHECKED_IN = "agora_checked_in"


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        _ping_idle_connections(engine)
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):
        # WAL lets readers work while one writer commits; the busy timeout makes concurrent
        # writers wait for the lock instead of failing at once.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _ping_idle_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info[_CHECKED_IN] = monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        last = record.info.get(_CHECKED_IN)
        if last is not None and monotonic() - last < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and checks out another (a few times at most).
            raise DisconnectionError(str(error)) from error


def dropped_connection(error: BaseException) -> bool:
    """The database connection a statement ran on was gone (the server restarted, a proxy
    closed it): SQLAlchemy has already discarded it and the pool's older connections."""
    return isinstance(error, DBAPIError) and bool(error.connection_invalidated)


class RetryDropped:
    """WSGI middleware: a GET or HEAD whose connection turned out to be dropped (the error
    handler marks the request ``DROPPED``) is answered by running it once more, on a fresh
    connection, instead of with an error page. Reads only: a form sent twice could act twice."""

    DROPPED = "agora.dropped_connection"

    def __init__(self, wsgi_app) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.wsgi_app(environ, start_response)
        held: list = []

        def hold(status, headers, exc_info=None):
            held[:] = [status, headers, exc_info]
            return lambda _data: None  # Flask never writes through start_response's writer

        body = self.wsgi_app(environ, hold)
        if environ.pop(self.DROPPED, False):
            if hasattr(body, "close"):
                body.close()
            environ[self.DROPPED + ".retried"] = True
            return self.wsgi_app(environ, start_response)
        start_response(*held)
        return body

    COMMITTED = "agora.committed"

    @classmethod
    def may_retry(cls, environ, error: BaseException) -> bool:
        """Mark the request for a second run if it is a read that met a dropped connection,
        has not been run twice already and committed nothing yet (a link that confirms an
        address or unsubscribes acts once, even when the connection drops after)."""
        if (environ.get("REQUEST_METHOD") in ("GET", "HEAD") and dropped_connection(error)
                and not environ.get(cls.DROPPED + ".retried")
                and not environ.get(cls.COMMITTED)):
            environ[cls.DROPPED] = True
            return True
        return False


@event.listens_for(Session, "after_commit")
def _note_commit(_session) -> None:
    if has_request_context():
        request.environ[RetryDropped.COMMITTED] = True


# -- the transaction convention ----------------------------------------------------------------
# Every service ends its work with ``commit()``. A service that builds on others (resolving a
# report hides a post, locks its thread and sanctions its author) calls them inside
# ``joined()``: their ``commit()`` then only flushes, so their checks, changes and log entries
# become steps of the caller's transaction, which commits once or, on a refusal, not at all.
_joined: ContextVar[int] = ContextVar("agora_joined_transactions", default=0)


def commit() -> None:
    """End a unit of work: commit it, or flush it into the transaction of a ``joined()``
    caller."""
    if _joined.get():
        db.session.flush()
    else:
        db.session.commit()


@contextmanager
def joined() -> Iterator[None]:
    """Run services as steps of the caller's transaction (see ``commit``). A step that refuses
    undoes the whole unit: nothing a caller could still commit is left half-made."""
    token = _joined.set(_joined.get() + 1)
    try:
        yield
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _joined.reset(token)


def insert_for(model):
    """``INSERT`` for ``model`` in the dialect of the session's database, so a caller can add
    ``on_conflict_do_update`` / ``on_conflict_do_nothing`` (SQLite and PostgreSQL spell them
    alike)."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model)
