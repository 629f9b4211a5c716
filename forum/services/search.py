"""Full-text search for the app: keeping the Whoosh index in step with the database, rebuilding
it, and the search page's query. The Whoosh side (schema, documents, parsing, highlighting)
lives in ``searchindex``.

One Whoosh document per post. The thread title is indexed on the thread's opening post only,
with a field boost, so a title match ranks that thread first and a popular title does not flood
the results with every reply of its thread.

The index follows the database through SQLAlchemy session events, so no service has to remember
it: flushes and bulk UPDATE/DELETE statements record which posts, threads and authors changed;
after the commit the affected posts are read back from the database (the truth) on a separate
connection and written to the index. A rollback drops the record. Indexing never raises into
the caller: a failure is logged and ``flask --app wsgi forum reindex`` repairs the index.

Several processes may write: each write takes Whoosh's file lock, retrying with backoff for a
bounded time (``FORUM_SEARCH_LOCK_TIMEOUT`` seconds, default 5).
"""
from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from flask import Flask, current_app, has_app_context
from markupsafe import Markup
from sqlalchemy import case, event, false, or_, select, true
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..extensions import db
from ..models import Board, Category, Post, Thread, User
from ..permissions import Policy
from . import markup
from .searchindex import PER_PAGE as PER_PAGE
from .searchindex import QUERY_MAX as QUERY_MAX
from .searchindex import SCHEMA as SCHEMA
from .searchindex import (
    Filters,
    Highlighter,
    PostRecord,
    QuerySyntaxError,
    Scope,
    SearchIndex,
    document,
    exclusions,
    narrow,
    parse_query,
    run,
)

EXTENSION = "agora_search"

# Columns whose change alters a post's document; other writes (counters, pins) are ignored.
_WATCHED = {
    "posts": {"body", "body_html", "thread_id", "author_id", "created_at", "position",
              "is_deleted", "is_hidden"},
    "threads": {"title", "board_id", "is_deleted", "is_hidden"},
    "users": {"username"},
}


def _record_query(*where):
    # Moderation may add is_hidden columns later; until then nothing is hidden.
    post_hidden = getattr(Post, "is_hidden", None)
    thread_hidden = getattr(Thread, "is_hidden", None)
    return (
        select(
            Post.id, Post.thread_id, Thread.board_id, Post.author_id, User.username,
            Post.position, Post.created_at, Thread.title, Post.body_html, Post.is_deleted,
            false() if post_hidden is None else post_hidden,
            Thread.is_deleted,
            false() if thread_hidden is None else thread_hidden,
        )
        .join(Thread, Thread.id == Post.thread_id)
        .join(User, User.id == Post.author_id)
        .where(*where)
    )


def _records(session: Session, *where) -> Iterator[PostRecord]:
    for row in session.execute(_record_query(*where)):
        yield PostRecord(*row[:9], *(bool(flag) for flag in row[9:]))



def _state(app: Flask | None = None) -> SearchIndex:
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
    state = _state()
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
    threads_gone: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.posts or self.threads or self.authors or self.threads_gone)


_PENDING = "agora_search_pending"


def _tracking() -> bool:
    if not has_app_context():
        return False
    state = current_app.extensions.get(EXTENSION)
    return state is not None and not state.paused


def _pending(session: Session) -> _Pending:
    return session.info.setdefault(_PENDING, _Pending())


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
    if not _tracking():
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
    if not (state.is_update or state.is_delete) or not _tracking():
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
    elif state.is_update:
        pending.authors |= ids


@_logged
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending and _tracking():
        sync(pending.posts, pending.threads, pending.authors, pending.threads_gone)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


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


def sync(post_ids: Iterable[int] = (), thread_ids: Iterable[int] = (),
         author_ids: Iterable[int] = (), threads_gone: Iterable[int] = ()) -> int:
    """Bring these posts (and every post of these threads and authors) in line with the database.

    Reads committed data on its own connection; returns the number of documents written.
    """
    post_ids, thread_ids, author_ids = set(post_ids), set(thread_ids), set(author_ids)
    docs: dict[int, dict | None] = dict.fromkeys(post_ids)  # not found below: gone from the db
    conditions = []
    if post_ids:
        conditions.append(Post.id.in_(post_ids))
    if thread_ids:
        conditions.append(Post.thread_id.in_(thread_ids))
    if author_ids:
        conditions.append(Post.author_id.in_(author_ids))
    if conditions:
        with Session(db.engine) as session:
            for record in _records(session, or_(*conditions)):
                docs[record.post_id] = document(record)
    _state().apply(docs, threads_gone)
    return len(docs)


# -- rebuilding -------------------------------------------------------------------------------
BATCH = 1000


def post_total() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count()).select_from(Post)) or 0


def iter_records(batch: int = BATCH) -> Iterator[PostRecord]:
    """Every post, in id order, a batch per query so memory stays flat at any size."""
    last_id = 0
    while True:
        query = _record_query(Post.id > last_id).order_by(Post.id).limit(batch)
        rows = db.session.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield PostRecord(*row[:9], *(bool(flag) for flag in row[9:]))
        last_id = rows[-1][0]


def rebuild(progress: Callable[[int], None] | None = None) -> tuple[int, float]:
    """Rebuild the index from the database. Returns (posts indexed, seconds taken)."""
    started = time.perf_counter()
    count = _state().replace_all(iter_records(), progress)
    return count, time.perf_counter() - started


# -- the search page --------------------------------------------------------------------------
SORTS = ("relevance", "newest")


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    board_id: int | None = None
    author: str = ""
    date_from: date | None = None
    date_to: date | None = None
    thread_id: int | None = None
    sort: str = "relevance"
    page: int = 1
    include_hidden: bool = False


@dataclass(frozen=True)
class BoardChoice:
    id: int
    title: str
    slug: str


@dataclass
class Hit:
    post: Post
    thread: Thread
    author: User
    board: BoardChoice
    title: Markup
    snippet: Markup
    withheld: bool  # deleted or hidden: only moderators of the board get here


@dataclass
class Outcome:
    """What the search page shows. ``hits`` is None when nothing was searched for."""

    params: SearchParams
    boards: list[BoardChoice]
    can_search_hidden: bool
    thread: Thread | None = None
    hits: list[Hit] | None = None
    total: int = 0
    pages: int = 1
    error: str | None = None  # the member's input was at fault: a 400
    notice: str | None = None  # nothing wrong, but nothing to find


def _boards(pol: Policy) -> tuple[list[BoardChoice], frozenset[int]]:
    """The boards the viewer may read, and the ids of those they may not, in one query: every
    board, marked by the policy's own ``visible_boards`` condition."""
    readable = pol.visible_boards(select(Board.id)).whereclause
    flag = true() if readable is None else case((readable, True), else_=False)
    rows = db.session.execute(
        select(Board.id, Board.title, Board.slug, flag)
        .join(Category, Category.id == Board.category_id)
        .order_by(Category.position, Board.position)
    ).all()
    choices = [BoardChoice(id, title, slug) for id, title, slug, ok in rows if ok]
    return choices, frozenset(row[0] for row in rows if not row[3])


def _utc_range(params: SearchParams, tz_name: str) -> tuple[datetime | None, datetime | None]:
    """The chosen days in the viewer's time zone, as UTC instants (end exclusive)."""
    try:
        tz = ZoneInfo(tz_name)
    except (KeyError, ValueError):
        tz = UTC
    after = before = None
    if params.date_from:
        after = datetime.combine(params.date_from, dtime.min, tz).astimezone(UTC)
    if params.date_to:
        before = datetime.combine(params.date_to + timedelta(days=1), dtime.min, tz)
        before = before.astimezone(UTC)
    return after, before


def search(actor, params: SearchParams, *, policy: Policy | None = None) -> Outcome:
    """Search posts the actor may see.

    Refuses: a thread filter naming a missing thread (404) or one the actor may not view, a page
    past the end (404). Bad input (syntax, unknown board, dates out of order) comes back as
    ``Outcome.error``; an unknown author as ``Outcome.notice``.
    """
    pol = policy or Policy(actor)
    boards, unreadable = _boards(pol)
    outcome = Outcome(params, boards, can_search_hidden=pol.is_staff_anywhere)
    visible = frozenset(board.id for board in boards)
    if params.thread_id is not None:
        outcome.thread = _thread_or_refuse(pol, params.thread_id)
    if not params.q.strip():
        return outcome
    if params.board_id is not None and params.board_id not in visible:
        outcome.error = "There is no such board."
        return outcome
    if params.date_from and params.date_to and params.date_from > params.date_to:
        outcome.error = "The “from” date is after the “to” date."
        return outcome
    try:
        user_query = parse_query(params.q)
    except QuerySyntaxError as error:
        outcome.error = error.message
        return outcome
    author_id = None
    if params.author.strip():
        author_id = db.session.scalar(
            select(User.id).where(User.username_key == params.author.strip().lower())
        )
        if author_id is None:
            outcome.hits = []
            outcome.notice = f"No member is called “{params.author.strip()}”."
            return outcome

    after, before = _utc_range(params, getattr(actor, "timezone", None) or "UTC")
    withheld_boards: frozenset[int] | None = frozenset()
    if params.include_hidden and pol.is_global_moderator:
        withheld_boards = None
    elif params.include_hidden:
        withheld_boards = pol.moderated_board_ids & visible
    scope = Scope(unreadable, withheld_boards)
    filters = Filters(params.board_id, params.thread_id, author_id, after, before)

    state = _state()
    searcher = state.searcher()
    page = run(searcher, narrow(user_query, filters), exclude=exclusions(scope),
               sort=params.sort, page=params.page, cache=state.cache)
    if params.page > page.pages:
        raise NotFound("There are not that many pages of results.")
    outcome.total, outcome.pages = page.total, page.pages
    outcome.hits = _hits(page.post_ids, Highlighter(searcher, user_query), boards, withheld_boards)
    return outcome


def _thread_or_refuse(pol: Policy, thread_id: int) -> Thread:
    from sqlalchemy.orm import joinedload

    from ..errors import require

    thread = db.session.get(Thread, thread_id, options=[joinedload(Thread.board)])
    if thread is None:
        raise NotFound("That thread doesn't exist.")
    require(pol.can_view_thread(thread))
    return thread


def _hits(post_ids: list[int], marker: Highlighter, boards: list[BoardChoice],
          withheld_boards: frozenset[int] | None) -> list[Hit]:
    """Load the shown posts in one query and check them against the database once more, so a
    stale index can never show what the viewer may not see."""
    if not post_ids:
        return []
    by_board = {board.id: board for board in boards}
    rows = db.session.execute(
        select(Post, Thread, User)
        .join(Thread, Thread.id == Post.thread_id)
        .join(User, User.id == Post.author_id)
        .where(Post.id.in_(post_ids))
    ).all()
    by_id = {post.id: (post, thread, author) for post, thread, author in rows}
    hits = []
    for post_id in post_ids:
        if post_id not in by_id:
            continue
        post, thread, author = by_id[post_id]
        board = by_board.get(thread.board_id)
        if board is None:
            continue
        withheld = bool(post.is_deleted or getattr(post, "is_hidden", False)
                        or thread.is_deleted or getattr(thread, "is_hidden", False))
        if withheld and not (withheld_boards is None or thread.board_id in withheld_boards):
            continue
        text = markup.plain_text(post.body_html)
        hits.append(Hit(post, thread, author, board, marker.title(thread.title),
                        marker.snippet(text), withheld))
    return hits
