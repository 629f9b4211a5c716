"""The search page's query: what a viewer may find, filtered, ranked and highlighted. Results are
re-checked against the database, so nothing a viewer may not see ever shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import case, select, true

from ...common import markup
from ...common.usernames import key as username_key
from ...errors import NotFound, require
from ...extensions import db
from ...models import Board, Category, Post, Thread, User
from ...policy import Policy
from . import engines
from .backend import Marker, Shown
from .index import SOLVED_CHOICES, Filters, QuerySyntaxError, Scope, parse_query
from .languages import board_language, default_language

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
    solved: str = ""  # "", or one of ``index.SOLVED_CHOICES``


@dataclass(frozen=True)
class BoardChoice:
    id: int
    title: str
    slug: str
    language: str = "en"  # its posts' language, in which their words are marked
    is_questions: bool = False


@dataclass
class Hit:
    post: Post
    thread: Thread
    author: User
    board: BoardChoice
    title: Markup
    snippet: Markup
    withheld: bool  # deleted or hidden: only moderators of the board get here
    solved: bool = False  # its thread has an accepted answer


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
    estimated: bool = False  # the total is the engine's estimate, not a count …
    ranked: int = 0  # … and this many of the newest matches are ranked and shown
    error: str | None = None  # the member's input was at fault: a 400
    notice: str | None = None  # nothing wrong, but nothing to find

    @property
    def has_questions(self) -> bool:
        """Whether the viewer reads a question board (the "solved" filter applies)."""
        return any(board.is_questions for board in self.boards)


def _boards(pol: Policy) -> tuple[list[BoardChoice], frozenset[int]]:
    """The boards the viewer may read, and the ids of those they may not, in one query: every
    board, marked by the policy's own ``visible_boards`` condition."""
    readable = pol.visible_boards(select(Board.id)).whereclause
    flag = true() if readable is None else case((readable, True), else_=False)
    rows = db.session.execute(
        select(Board.id, Board.title, Board.slug, flag, Board.language, Board.is_questions)
        .join(Category, Category.id == Board.category_id)
        .order_by(Category.position, Board.position)
    ).all()
    default = default_language()
    choices = [BoardChoice(id, title, slug, board_language(language, default),
                           bool(questions))
               for id, title, slug, ok, language, questions in rows if ok]
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
        outcome.error = _("There is no such board.")
        return outcome
    if params.date_from and params.date_to and params.date_from > params.date_to:
        outcome.error = _("The “from” date is after the “to” date.")
        return outcome
    if params.solved and params.solved not in SOLVED_CHOICES:
        outcome.error = _("Choose solved or unsolved questions from the list.")
        return outcome
    try:
        user_query = parse_query(params.q)
    except QuerySyntaxError as error:
        outcome.error = error.message
        return outcome
    author_id = None
    if params.author.strip():
        author_id = db.session.scalar(
            select(User.id).where(User.username_key == username_key(params.author))
        )
        if author_id is None:
            outcome.hits = []
            outcome.notice = _("No member is called “%(name)s”.", name=params.author.strip())
            return outcome

    after, before = _utc_range(params, getattr(actor, "timezone", None) or "UTC")
    withheld_boards: frozenset[int] | None = frozenset()
    if params.include_hidden and pol.is_global_moderator:
        withheld_boards = None
    elif params.include_hidden:
        withheld_boards = pol.moderated_board_ids & visible
    scope = Scope(unreadable, withheld_boards)
    filters = Filters(params.board_id, params.thread_id, author_id, after, before,
                      solved=params.solved or None,
                      question_board_ids=frozenset(b.id for b in boards if b.is_questions))

    try:
        found = engines.current().find(params.q, user_query, filters, scope, sort=params.sort,
                                       page=params.page)
    except QuerySyntaxError as error:  # too broad: over its budget or out of time
        outcome.error = error.message
        return outcome
    page = found.page
    if params.page > page.pages:
        raise NotFound(_("There are not that many pages of results."))
    outcome.total, outcome.pages = page.total, page.pages
    outcome.estimated = getattr(page, "estimated", False)
    outcome.ranked = getattr(page, "ranked", 0)
    outcome.hits = _hits(page.post_ids, found.marker, boards, withheld_boards, found.rows)
    return outcome


def _thread_or_refuse(pol: Policy, thread_id: int) -> Thread:
    from sqlalchemy.orm import joinedload


    thread = db.session.get(Thread, thread_id, options=[joinedload(Thread.board)])
    if thread is None:
        raise NotFound(_("That thread doesn't exist."))
    require(pol.can_view_thread(thread))
    return thread


def _hits(post_ids: list[int], marker: Marker, boards: list[BoardChoice],
          withheld_boards: frozenset[int] | None, rows: list | None = None) -> list[Hit]:
    """Load the shown posts in one query and check them against the database once more, so a
    stale index can never show what the viewer may not see."""
    if not post_ids:
        return []
    by_board = {board.id: board for board in boards}
    if rows is None:
        rows = db.session.execute(
            select(Post, Thread, User)
            .join(Thread, Thread.id == Post.thread_id)
            .join(User, User.id == Post.author_id)
            .where(Post.id.in_(post_ids))
        ).all()
    by_id = {post.id: (post, thread, author) for post, thread, author in rows}
    kept = []
    for post_id in post_ids:
        if post_id not in by_id:
            continue
        post, thread, author = by_id[post_id]
        board = by_board.get(thread.board_id)
        if board is None:
            continue
        withheld = bool(post.is_deleted or post.is_hidden or thread.is_deleted)
        if withheld and not (withheld_boards is None or thread.board_id in withheld_boards):
            continue
        kept.append((post, thread, author, board, withheld))
    marked = marker.mark([Shown(thread.title, markup.plain_text(post.body_html), board.language)
                          for post, thread, _author, board, _withheld in kept])
    return [Hit(post, thread, author, board, title, snippet, withheld, thread.is_solved)
            for (post, thread, author, board, withheld), (title, snippet) in zip(
                kept, marked, strict=True)]
