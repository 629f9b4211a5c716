"""Keeping the Whoosh index in step with the database, and rebuilding it. The search page's
query lives in ``search.query``; the Whoosh side (schema, documents, parsing, highlighting) in
``search.index``.

One Whoosh document per post. The thread title is indexed on the thread's opening post only,
with a field boost, so a title match ranks that thread first and a popular title does not flood
the results with every reply of its thread.

The index follows the database through SQLAlchemy session events, so no service has to remember
it: flushes and bulk UPDATE/DELETE statements record which posts, threads and authors changed;
after the commit the affected posts are read back from the database (the truth) on a separate
connection and written to the index. A rollback drops the record. Indexing never raises into
the caller: a failure is logged and ``flask --app wsgi forum reindex`` repairs the index.

Marking or unmarking a thread's answer re-indexes the thread's posts (each carries whether
its thread is solved, for the search filter).

A post is indexed in its board's language (``languages.board_language``), so changing a board's
language re-indexes every post of the board after the commit, as moving threads does; a change
of the forum's default language (the ``default_language`` setting, when there is one)
re-indexes the posts of every board that follows the default.

With PostgreSQL's engine (``backend``), the same notes are written as vectors just before the
commit, in the writing transaction (``vectors``), and nothing here runs after it.

Several processes may write: each write takes Whoosh's file lock, retrying with backoff for a
bounded time (``FORUM_SEARCH_LOCK_TIMEOUT`` seconds, default 5).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, false, or_, select
from sqlalchemy.orm import Session

from ...extensions import db
from ...models import Board, Post, Setting, Thread, User
from . import backend
from .index import (
    LANGUAGES,
    PostRecord,
    SearchIndex,
    document,
)
from .languages import DEFAULT_SETTING, board_language, default_language

EXTENSION = "agora_search"

# Columns whose change alters a post's document; other writes (counters, pins) are ignored.
_WATCHED = {
    "posts": {"body", "body_html", "thread_id", "author_id", "created_at", "position",
              "is_deleted", "is_hidden"},
    "threads": {"title", "board_id", "is_deleted", "accepted_post_id"},
    "users": {"username"},
    "boards": {"language"},
}


def _record_query(*where):
    return (
        select(
            Post.id, Post.thread_id, Thread.board_id, Post.author_id, User.username,
            Post.position, Post.created_at, Thread.title, Post.body_html, Post.is_deleted,
            # Threads are not hidden on their own (their posts are), so that slot stays false.
            Post.is_hidden, Thread.is_deleted, false(), Board.language,
            Thread.accepted_post_id.is_not(None),
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .join(User, User.id == Post.author_id)
        .where(*where)
    )


def _record(row, default: str) -> PostRecord:
    return PostRecord(*row[:9], *(bool(flag) for flag in row[9:13]),
                      language=board_language(row[13], default), solved=bool(row[14]))


def records(session: Session, default: str, *where) -> Iterator[PostRecord]:
    for row in session.execute(_record_query(*where)):
        yield _record(row, default)



def current_index(app: Flask | None = None) -> SearchIndex:
    return (app or current_app).extensions[EXTENSION]


def init_app(app: Flask) -> None:
    app.config.setdefault("FORUM_SEARCH_LOCK_TIMEOUT", 5.0)
    app.extensions[EXTENSION] = SearchIndex(
        app.config["FORUM_SEARCH_INDEX"], float(app.config["FORUM_SEARCH_LOCK_TIMEOUT"])
    )
    if not app.config.setdefault("FORUM_SEARCH_INDEXING", True):
        app.extensions[EXTENSION].paused += 1  # writes never reach the index; rebuild() still works
    _listen_once()


@contextmanager
def paused() -> Iterator[None]:
    """Skip per-commit indexing (bulk loads); call ``rebuild()`` afterwards."""
    state = current_index()
    state.paused += 1
    try:
        yield
    finally:
        state.paused -= 1


# -- following the database -------------------------------------------------------------------
@dataclass
class _Pending:
    posts: set[int] = field(default_factory=set)
    threads: set[int] = field(default_factory=set)
    authors: set[int] = field(default_factory=set)
    boards: set[int] = field(default_factory=set)
    threads_gone: set[int] = field(default_factory=set)
    default_changed: bool = False  # the boards without a language of their own follow it
    # The forum's default language, read while the transaction can still query (after the
    # commit it cannot).
    default_language: str | None = None

    def __bool__(self) -> bool:
        return bool(self.posts or self.threads or self.authors or self.boards
                    or self.threads_gone or self.default_changed)


PENDING = "agora_search_pending"


def tracking() -> bool:
    if not has_app_context():
        return False
    state = current_app.extensions.get(EXTENSION)
    return state is not None and not state.paused


def _pending(session: Session) -> _Pending:
    return session.info.setdefault(PENDING, _Pending())


def _changed(obj, names: set[str]) -> bool:
    from sqlalchemy import inspect

    attrs = inspect(obj).attrs
    return any(name in attrs and attrs[name].history.has_changes() for name in names)


def _logged(hook):
    """A hook that fails logs and lets the write go on: the index is never worth a lost post."""

    def guarded(*args):
        try:
            hook(*args)
        except Exception:
            current_app.logger.exception(
                "Search indexing failed in %s; run `flask --app wsgi forum reindex` to repair "
                "the index.", hook.__name__,
            )

    guarded.__name__ = hook.__name__
    return guarded


@_logged
def _after_flush(session: Session, _context) -> None:
    if not tracking():
        return
    pending = _pending(session)
    for obj in session.new:
        if isinstance(obj, Post):
            pending.posts.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Post) and _changed(obj, _WATCHED["posts"]):
            pending.posts.add(obj.id)
        elif isinstance(obj, Thread) and _changed(obj, _WATCHED["threads"]):
            pending.threads.add(obj.id)
        elif isinstance(obj, User) and _changed(obj, {"username"}):
            pending.authors.add(obj.id)
        elif isinstance(obj, Board) and _changed(obj, _WATCHED["boards"]):
            pending.boards.add(obj.id)
    for obj in chain(session.new, session.dirty):
        if isinstance(obj, Setting) and obj.name == DEFAULT_SETTING:
            # The new value, not the one read settings still keep until the commit.
            pending.default_changed = True
            pending.default_language = obj.value if obj.value in LANGUAGES else None
    if pending and pending.default_language is None:
        pending.default_language = default_language()
    for obj in session.deleted:
        if isinstance(obj, Post):
            pending.posts.add(obj.id)
        elif isinstance(obj, Thread):
            pending.threads_gone.add(obj.id)


def _set_columns(statement) -> set[str] | None:
    values = getattr(statement, "_values", None) or getattr(statement, "_ordered_values", None)
    if not values:
        return None
    keys = values.keys() if isinstance(values, dict) else (key for key, _ in values)
    return {getattr(key, "key", None) or getattr(key, "name", None) or str(key) for key in keys}


@_logged
def _before_bulk(state) -> None:
    """Bulk UPDATE/DELETE bypass the unit of work: note the rows they are about to touch."""
    if not (state.is_update or state.is_delete) or not tracking():
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    name = getattr(table, "name", None)
    if name not in _WATCHED:
        return
    if state.is_update:
        columns = _set_columns(statement)
        if columns is not None and not columns & _WATCHED[name]:
            return  # counters and pointers: the common case costs nothing
    id_column = table.c.id
    where = statement.whereclause
    ids = set(state.session.scalars(
        select(id_column).where(where) if where is not None else select(id_column)
    ))
    pending = _pending(state.session)
    if name == "posts":
        pending.posts |= ids
    elif name == "threads":
        (pending.threads_gone if state.is_delete else pending.threads).update(ids)
    elif name == "boards":
        if state.is_update:
            pending.boards |= ids
    elif state.is_update:
        pending.authors |= ids
    if pending and pending.default_language is None:
        pending.default_language = default_language()


@_logged
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, None)
    # PostgreSQL's vectors were written before the commit (``vectors``).
    if pending and tracking() and backend.name() == backend.WHOOSH:
        sync(pending.posts, pending.threads, pending.authors, pending.threads_gone,
             board_ids=pending.boards, default_boards=pending.default_changed,
             default=pending.default_language)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


_listening = False


def _listen_once() -> None:
    # Session events are class-wide; every app in the process shares one set of listeners.
    global _listening
    if _listening:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "do_orm_execute", _before_bulk)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
    _listening = True


def conditions(post_ids: Iterable[int] = (), thread_ids: Iterable[int] = (),
               author_ids: Iterable[int] = (), board_ids: Iterable[int] = (),
               default_boards: bool = False):
    """Which posts a change touches (these posts, every post of these threads, authors and
    boards, and with ``default_boards`` of every board in the default language), as one
    condition on ``_record_query``, or None for none."""
    found = []
    if post_ids := set(post_ids):
        found.append(Post.id.in_(post_ids))
    if thread_ids := set(thread_ids):
        found.append(Post.thread_id.in_(thread_ids))
    if author_ids := set(author_ids):
        found.append(Post.author_id.in_(author_ids))
    if board_ids := set(board_ids):
        found.append(Thread.board_id.in_(board_ids))
    if default_boards:
        found.append(or_(Board.language.is_(None), Board.language.not_in(LANGUAGES)))
    return or_(*found) if found else None


def sync(post_ids: Iterable[int] = (), thread_ids: Iterable[int] = (),
         author_ids: Iterable[int] = (), threads_gone: Iterable[int] = (), *,
         board_ids: Iterable[int] = (), default_boards: bool = False,
         default: str | None = None) -> int:
    """Bring these posts (and every post of these threads, authors and boards, and with
    ``default_boards`` of every board in the default language) in line with the database.
    ``default`` is the forum's default language (read here when not given).

    Reads committed data on its own connection; returns the number of documents written.
    """
    post_ids = set(post_ids)
    docs: dict[int, dict | None] = dict.fromkeys(post_ids)  # not found below: gone from the db
    where = conditions(post_ids, thread_ids, author_ids, board_ids, default_boards)
    if where is not None:
        default = default if default is not None else default_language()
        with Session(db.engine) as session:
            for record in records(session, default, where):
                docs[record.post_id] = document(record)
    current_index().apply(docs, threads_gone)
    return len(docs)


# -- rebuilding -------------------------------------------------------------------------------
BATCH = 1000


def post_total() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Post)) or 0


def iter_records(batch: int = BATCH) -> Iterator[PostRecord]:
    """Every post, in id order, a batch per query so memory stays flat at any size."""
    last_id = 0
    default = default_language()
    while True:
        query = _record_query(Post.id > last_id).order_by(Post.id).limit(batch)
        rows = db.session.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield _record(row, default)
        last_id = rows[-1][0]


def rebuild(progress: Callable[[int], None] | None = None) -> tuple[int, float]:
    """Rebuild the index from the database. Returns (posts indexed, seconds taken)."""
    started = time.perf_counter()
    count = current_index().replace_all(iter_records(), progress)
    return count, time.perf_counter() - started
