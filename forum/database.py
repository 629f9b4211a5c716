"""Engine tuning per backend, and the one transaction convention services follow."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

from .extensions import db


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
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
