"""Read-side queries for the forum's pages: the board index, a board's threads, a thread's posts.

Each page is one query (plus the object it hangs from) that loads everything its template
touches, so page cost stays flat however many boards, threads, posts or authors there are.
Functions take the viewer's ``Policy`` first: what it may not see never reaches a page, and the
policy's own lookups (a board moderator's boards) happen once per request.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property

from flask_babel import gettext as _
from sqlalchemy import String, bindparam, cast, func, or_, select
from sqlalchemy.orm import aliased, contains_eager, defer, joinedload, with_expression
from sqlalchemy.orm.attributes import set_committed_value

from ...common.paging import page_count
from ...errors import NotFound, require
from ...extensions import db
from ...models import (
    Board,
    BoardSlug,
    Category,
    Event,
    EventExpert,
    Poll,
    Post,
    PostRevision,
    Role,
    Thread,
    ThreadMoveNotice,
    User,
)
from ...policy import Policy
from . import reactions, reading_state


@dataclass(frozen=True)
class CategoryCard:
    """A category with its boards; the last card may be the archived boards of every category
    (``category`` None)."""

    category: Category | None
    boards: list[Board]

    @property
    def archived(self) -> bool:
        return self.category is None


@dataclass(frozen=True)
class BoardPage:
    """A page of a board: ``items`` are the threads pinned in the board (on page 1) and then
    the others by last activity; ``everywhere`` the threads pinned above every board that the
    viewer may read; ``moved`` the "moved" notices left here (page 1)."""

    board: Board
    items: list[Thread]
    page: int
    pages: int
    everywhere: list[Thread] = field(default_factory=list)
    moved: list[MovedRow] = field(default_factory=list)
    # The member's "new" marks by thread id (none for guests).
    unread: dict[int, reading_state.Unread] = field(default_factory=dict)


@dataclass(frozen=True)
class ThreadPage:
    """A page of a thread. Its posts are loaded when first asked for, so a page whose
    rendering is cached (``stamp`` unchanged) costs no posts query."""

    thread: Thread
    page: int
    pages: int
    per_page: int

    @property
    def first_position(self) -> int:
        return (self.page - 1) * self.per_page + 1

    @property
    def stamp(self) -> tuple[int, int]:
        """Changes whenever something shown in the page's posts may have: a new post takes
        the next position (``post_seq``), and any update of a post raises its version."""
        return self.thread.post_seq, self.thread.page_stamp or 0

    @cached_property
    def items(self) -> list[Post]:
        return page_posts(self.thread, self.first_position, self.per_page)


@dataclass(frozen=True)
class PostHistory:
    post: Post
    revisions: list[PostRevision]


class MergedAway(Exception):
    """The thread asked for was merged into ``target``: its address answers with a 301."""

    def __init__(self, target: Thread) -> None:
        super().__init__(target.id)
        self.target = target


# How many merges of merges a redirect follows (each merge shortens the chains it extends).
MERGE_CHAIN_MAX = 20


def page_of(position: int, per_page: int) -> int:
    return (position - 1) // per_page + 1


# -- board index -------------------------------------------------------------------------------
_index_statements: dict[tuple, object] = {}


def _index_statement(viewer: Policy):
    """Built once per kind of visibility: making a statement with loader options costs more
    than running it."""
    key = viewer.board_visibility
    found = _index_statements.get(key)
    if found is None:
        found = viewer.visible_boards(
            select(Board)
            .join(Board.category)
            .options(
                contains_eager(Board.category),
                joinedload(Board.last_post).joinedload(Post.thread),
                joinedload(Board.last_post).joinedload(Post.author),
            )
            .order_by(Board.is_archived, Category.position, Category.id, Board.position,
                      Board.id)
        )
        if len(_index_statements) < 64:  # board moderators' sets of boards are few
            _index_statements[key] = found
    return found


def board_index(viewer: Policy) -> list[CategoryCard]:
    """Categories in order with the boards the viewer may read, each with its latest post;
    archived boards last, in one card of their own."""
    boards = db.session.scalars(_index_statement(viewer)).unique().all()
    cards: list[CategoryCard] = []
    for board in boards:
        category = None if board.is_archived else board.category
        if not cards or cards[-1].category is not category:
            cards.append(CategoryCard(category, []))
        cards[-1].boards.append(board)
    return cards


# -- a board and its threads -------------------------------------------------------------------
def get_board(viewer: Policy, slug: str) -> Board:
    """The board, if the viewer may read it.

    Refuses: unknown slug (404), a board the viewer may not read (login or 403, from the policy).
    """
    if viewer.is_member:
        board = db.session.scalar(_member_board_statement(), {"slug": slug,
                                                               "viewer_id": viewer.user.id})
    else:
        board = db.session.scalar(select(Board).where(Board.slug == slug))
    if board is None:
        raise NotFound(_("There is no board at this address."))
    require(viewer.can_view_board(board))
    return board


@cache
def _member_board_statement():
    """The board with the member's level for it and when they marked it read."""
    return (select(Board).where(Board.slug == bindparam("slug"))
            .options(*reading_state.board_options()))


def renamed_board(viewer: Policy, slug: str) -> Board | None:
    """The board that had ``slug`` before a rename (or has it in other letter case), for a
    301 to its address; None when no board did.

    Refuses: a board the viewer may not read (login or 403, from the policy), so a redirect
    never tells anyone the new address of a board they may not open.
    """
    lowered = slug.lower()
    board = db.session.scalar(
        select(Board).join(BoardSlug, BoardSlug.board_id == Board.id)
        .where(BoardSlug.slug == lowered)
    )
    if board is None and lowered != slug:
        board = db.session.scalar(select(Board).where(Board.slug == lowered))
    if board is not None:
        require(viewer.can_view_board(board))
    return board


def board_page(viewer: Policy, slug: str, page: int = 1, per_page: int = 25) -> BoardPage:
    """A page of a board's threads: pinned ones first (page 1), then by last activity; above
    them the threads pinned everywhere and the "moved" notices left here.

    Pins are read against the clock: one small query brings the board's pinned threads (and
    the ones pinned everywhere, in force), so the listing itself stays a range of the board's
    ordering index (``is_pinned`` false, by ``last_post_at``); a pin that has ended is placed
    among those by its last activity, at once, without anything rewriting the row.
    Refuses: as ``get_board``; a page past the last one (404).
    """
    board = get_board(viewer, slug)
    now = viewer.clock
    moderator = viewer.moderates(board)
    member = {"viewer_id": viewer.user.id} if viewer.is_member else {}
    rows = db.session.execute(_head_statement(viewer, moderator),
                              {"board_id": board.id, "now": now, **member}).unique().all()
    pins = [thread for thread, _count in rows if thread.is_pinned]
    moved = [MovedRow(notice_id, thread) for thread, notice_id in rows
             if notice_id is not None and thread.board_id != board.id][:MOVED_SHOWN]
    everywhere = [thread for thread in pins
                  if thread.pinned_everywhere and thread.pinned_now(now)
                  and not thread.is_deleted]
    pinned_here = [thread for thread in pins if thread.board_id == board.id
                   and thread.pinned_now(now) and thread not in everywhere]
    ended = sorted((thread for thread in pins
                    if thread.board_id == board.id and not thread.pinned_now(now)),
                   key=_activity, reverse=True)
    # Page 1 shows every pin of the board and fills up with the others; later pages follow
    # on from there (a board pinning more than a page's worth still pages evenly).
    head = min(len(pinned_here), per_page)
    offset = max(0, (page - 1) * per_page - head)
    limit = per_page - head if page == 1 else per_page
    if not moderator:
        pinned_in_force = sum(1 for thread in pins if thread.board_id == board.id
                              and thread.pinned_now(now) and not thread.is_deleted)
        pages = page_count(board.thread_count - pinned_in_force + head, per_page)
        if page > pages:
            raise NotFound(_("That page of the board doesn't exist."))
    statement = _board_statement(viewer, board)
    total: list[int] = []

    def fetch(start: int, limit: int) -> list[Thread]:
        params = {"board_id": board.id, "limit": limit, "offset": start, **member}
        if not moderator:
            return list(db.session.scalars(statement, params))
        # Moderators also see deleted threads, which the board's counter leaves out; the
        # window counts them in the same statement instead of a second query.
        rows = db.session.execute(statement, params).all()
        if rows:
            total.append(rows[0][1])
        elif start == 0:
            total.append(0)
        return [row[0] for row in rows]

    threads = _interleave(fetch, ended, offset, limit)
    if moderator:
        if not threads and page > 1:
            raise NotFound(_("That page of the board doesn't exist."))
        pages = page_count(head + (total[0] + len(ended) if total else offset + len(threads)),
                           per_page)
    items = (pinned_here if page == 1 else []) + threads
    return BoardPage(board=board, items=items, page=page, pages=pages, everywhere=everywhere,
                     moved=moved if page == 1 else [],
                     unread=reading_state.unread_marks(viewer, board, items))


def _activity(thread: Thread) -> tuple:
    return thread.last_post_at, thread.id


def _interleave(fetch, ended: list[Thread], offset: int, limit: int) -> list[Thread]:
    """Threads ``offset … offset+limit`` of the board's unpinned threads (``fetch(start,
    count)``, newest activity first) and ``ended`` (pins that ended, newest first) merged by
    last activity, with one fetch. ``ended`` are few: the fetch starts up to that many rows
    earlier and takes that many more, which covers every row the window can hold."""
    extra = len(ended)
    start = max(0, offset - extra)
    rows = fetch(start, limit + extra)
    full = len(rows) == limit + extra
    placed: list[tuple[int, Thread]] = []
    for index, thread in enumerate(rows):
        ahead = sum(1 for other in ended if _activity(other) > _activity(thread))
        placed.append((start + index + ahead, thread))
    for index, thread in enumerate(ended):
        ahead = sum(1 for row in rows if _activity(row) > _activity(thread))
        if (ahead == 0 and start > 0) or (ahead == len(rows) and full):
            continue  # before or after the window: it cannot fall inside it
        placed.append((start + ahead + index, thread))
    placed.sort(key=lambda pair: pair[0])
    return [thread for place, thread in placed if offset <= place < offset + limit]


_head_statements: dict[tuple, object] = {}


def _row_people() -> tuple:
    """A thread row's author and last post with its author, without the last post's text:
    the texts were most of what a board page read from the database and then threw away.
    (The members are loaded whole: a member's query expressions, which the policy reads, must
    not be left unloaded on the viewer.)"""
    return (joinedload(Thread.author),
            joinedload(Thread.last_post).options(defer(Post.body), defer(Post.body_html))
            .joinedload(Post.author))


def _head_statement(viewer: Policy, moderator: bool):
    """What a board page shows above its listing, in one statement: the board's pinned threads
    (ended pins too, which the page places among the others), the threads pinned everywhere,
    and the threads that left a "moved" notice here (with the newest notice's id), each only
    in a board the viewer may read, with what their rows show."""
    key = (viewer.board_visibility, moderator, viewer.is_member)
    found = _head_statements.get(key)
    if found is None:
        board_id = bindparam("board_id")
        now = bindparam("now")
        here = Thread.is_pinned.is_(True) & (Thread.board_id == board_id)
        if not moderator:
            here = here & Thread.is_deleted.is_(False)
        everywhere = (Thread.is_pinned.is_(True) & Thread.pinned_everywhere.is_(True)
                      & Thread.is_deleted.is_(False)
                      & (Thread.pinned_until.is_(None) | (Thread.pinned_until > now)))
        notice_here = ((ThreadMoveNotice.board_id == board_id)
                       & (ThreadMoveNotice.expires_at.is_(None)
                          | (ThreadMoveNotice.expires_at > now)))
        moved = Thread.id.in_(select(ThreadMoveNotice.thread_id).where(notice_here))
        notice_id = (select(ThreadMoveNotice.id)
                     .where(ThreadMoveNotice.thread_id == Thread.id, notice_here)
                     .order_by(ThreadMoveNotice.created_at.desc(), ThreadMoveNotice.id.desc())
                     .limit(1).scalar_subquery())
        found = viewer.visible_boards(
            select(Thread, notice_id).join(Thread.board)
            .where(or_(here, everywhere, moved & Thread.is_deleted.is_(False)))
            .options(contains_eager(Thread.board), *_row_people())
            .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        )
        if viewer.is_member:
            found = found.options(*reading_state.thread_options(with_board_level=False))
        if len(_head_statements) < 128:
            _head_statements[key] = found
    return found


@dataclass(frozen=True)
class MovedRow:
    """A "moved" notice in a board's page: the thread where it is now, and the notice's id."""

    notice_id: int
    thread: Thread


# A board page lists at most this many "moved" notices (newest activity first).
MOVED_SHOWN = 20
_board_statements: dict[tuple[bool, bool], object] = {}


def _board_statement(viewer: Policy, board: Board):
    """A page of a board's unpinned threads (a pin that ended counts as pinned here: the page
    places those itself), built once for moderators (with deleted threads and their count,
    merged ones left out) and once for everyone else."""
    moderator = viewer.moderates(board)
    key = (moderator, viewer.is_member)
    found = _board_statements.get(key)
    if found is None:
        found = viewer.visible_threads(
            select(Thread)
            .where(Thread.board_id == bindparam("board_id"), Thread.is_pinned.is_(False))
            .options(*_row_people())
            .order_by(Thread.last_post_at.desc(), Thread.id.desc())
            .limit(bindparam("limit"))
            .offset(bindparam("offset")),
            board,
        )
        if viewer.is_member:
            found = found.options(*reading_state.thread_options(with_board_level=False))
        if moderator:
            found = found.where(Thread.merged_into_id.is_(None)).add_columns(func.count().over())
        _board_statements[key] = found
    return found


# -- a thread and its posts --------------------------------------------------------------------
@cache
def _thread_statement(with_stamp: bool, member: bool = False):
    """Built once per shape: making a statement with loader options costs more than running
    it. A member's also brings their reading position and levels."""
    options = [
        joinedload(Thread.board),
        with_expression(Thread.event_id, select(Event.id).where(Event.thread_id == Thread.id)
                        .limit(1).scalar_subquery()),
        with_expression(Thread.poll_id, select(Poll.id).where(Poll.thread_id == Thread.id)
                        .scalar_subquery()),
        with_expression(Thread.event_kind, select(Event.kind).where(Event.thread_id == Thread.id)
                        .limit(1).scalar_subquery()),
        with_expression(Thread.expert_ids, _expert_ids()),
    ]
    if with_stamp:
        options.append(with_expression(Thread.opening_html, _opening_html()))
        options.append(with_expression(
            Thread.page_stamp,
            select(func.coalesce(func.sum(Post.version), 0))
            .where(Post.thread_id == Thread.id,
                   Post.position.between(bindparam("first"), bindparam("last")))
            .scalar_subquery(),
        ))
    if member:
        options.extend(reading_state.thread_options())
        if with_stamp:
            options.append(reading_state.page_reactions_option())
    return select(Thread).where(Thread.id == bindparam("thread_id")).options(*options)


def _expert_ids():
    """The ids of the experts of the event this thread discusses, "3,17" (or NULL)."""
    return (select(func.aggregate_strings(cast(EventExpert.user_id, String), ","))
            .join(Event, Event.id == EventExpert.event_id)
            .where(Event.thread_id == Thread.id)
            .scalar_subquery())


# Of the opening post's HTML, what a link preview's sentence or two can come from.
OPENING_CHARS = 2000


def _opening_html():
    """The start of the opening post's stored HTML, when a guest could read the post."""
    opening = aliased(Post, name="opening_post")
    return (select(func.substr(opening.body_html, 1, OPENING_CHARS))
            .where(opening.id == Thread.first_post_id, opening.is_hidden.is_(False),
                   opening.is_deleted.is_(False))
            .scalar_subquery())


def get_thread_to_moderate(viewer: Policy, thread_id: int) -> Thread:
    """The thread with its board, deleted or not, for a moderator of its board.

    Refuses: guests (login) and members (403) before anything is looked up, an unknown thread
    (404), a board the viewer doesn't moderate (403).
    """
    require(viewer.can_use_moderator_tools())
    thread = db.session.scalar(_thread_statement(False), {"thread_id": thread_id})
    if thread is None:
        raise NotFound(_("That thread doesn't exist."))
    require(viewer.can_moderate_board(thread.board))
    return thread


def get_thread(viewer: Policy, thread_id: int,
               stamp_positions: tuple[int, int] | None = None) -> Thread:
    """The thread with its board, if the viewer may read it; with ``stamp_positions``
    (first, last) also the ``page_stamp`` of the posts in that range, in the same query.

    Refuses: unknown thread (404), a board the viewer may not read (login or 403), a deleted
    thread for anyone but its moderators (404).
    """
    if stamp_positions is None:
        thread = db.session.scalar(_thread_statement(False), {"thread_id": thread_id})
    else:
        first, last = stamp_positions
        params = {"thread_id": thread_id, "first": first, "last": last}
        if viewer.is_member:
            params["viewer_id"] = viewer.user.id
        thread = db.session.scalar(_thread_statement(True, viewer.is_member), params)
    if thread is None:
        raise NotFound(_("That thread doesn't exist."))
    if thread.merged_into_id is not None:
        _follow_merge(viewer, thread)
    require(viewer.can_view_board(thread.board))
    decision = viewer.can_view_thread(thread)
    if not decision:
        raise NotFound(decision.reason)
    return thread


def _follow_merge(viewer: Policy, thread: Thread) -> None:
    """Raise ``MergedAway`` with the thread a merged one went into, when the viewer may read
    it; otherwise the old thread is as unknown as any deleted one (404)."""
    target = thread
    for _step in range(MERGE_CHAIN_MAX):
        if target.merged_into_id is None:
            break
        target = db.session.get(Thread, target.merged_into_id)
    if target is not thread and target.merged_into_id is None and viewer.can_view_thread(target):
        raise MergedAway(target)
    raise NotFound(_("That thread doesn't exist."))


def thread_page(viewer: Policy, thread_id: int, page: int = 1, per_page: int = 20) -> ThreadPage:
    """Posts ``(page-1)*per_page+1 … page*per_page`` by position, with their authors.

    Positions are never reused and deleted posts keep theirs, so a page is a range on the
    (thread, position) index: page 500 costs what page 1 does.
    Refuses: as ``get_thread``; a page past the last one (404).
    """
    first = (page - 1) * per_page + 1
    thread = get_thread(viewer, thread_id, stamp_positions=(first, first + per_page - 1))
    pages = page_count(thread.post_seq, per_page)
    if page > pages:
        raise NotFound(_("That page of the thread doesn't exist."))
    return ThreadPage(thread=thread, page=page, pages=pages, per_page=per_page)


def page_posts(thread: Thread, first: int, per_page: int) -> list[Post]:
    posts = list(
        db.session.scalars(
            select(Post)
            .where(Post.thread_id == thread.id, Post.position.between(first, first + per_page - 1))
            .options(
                # The Markdown source is for the edit form; the page shows the stored HTML.
                defer(Post.body),
                joinedload(Post.author).load_only(*_AUTHOR_COLUMNS),
                joinedload(Post.edited_by).load_only(*_AUTHOR_COLUMNS),
                with_expression(Post.reaction_summary, reactions.summary_column()),
            )
            .order_by(Post.position)
        )
    )
    for post in posts:
        # The policy asks post.thread for every post: hand it over instead of a lookup each.
        set_committed_value(post, "thread", thread)
    return posts


# What a post's byline shows; the rest of a member's row (hashes, bio) stays in the database.
_AUTHOR_COLUMNS = (User.username, User.display_name, User.role_value, User.created_at,
                   User.post_count, User.timezone, User.is_board_moderator, User.avatar_keys)


@dataclass(frozen=True, slots=True)
class Byline:
    """What a post's byline shows of its author, and their rank, which the policy weighs
    before a moderator's buttons appear under the post."""

    id: int
    username: str
    display_name: str | None
    role_value: int
    created_at: object
    post_count: int
    is_board_moderator: bool
    avatar_keys: str | None = None

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_moderator(self) -> bool:
        return self.role_value >= Role.MODERATOR

    @property
    def is_admin(self) -> bool:
        return self.role_value >= Role.ADMIN


def bylines(thread: Thread, first: int, per_page: int) -> dict[int, Byline]:
    """The bylines of the authors of a page of posts, read fresh: names, roles and post counts
    change without the posts they sign changing. One query."""
    rows = db.session.execute(_byline_statement(), {
        "thread_id": thread.id, "first": first, "last": first + per_page - 1})
    return {row[0]: Byline(*row) for row in rows}


@cache
def _byline_statement():
    # Authors found through the page's positions, so the statement never changes shape (an
    # IN list of ids is rewritten on every execution).
    authors = (select(Post.author_id)
               .where(Post.thread_id == bindparam("thread_id"),
                      Post.position.between(bindparam("first"), bindparam("last"))))
    return select(User.id, User.username, User.display_name, User.role_value, User.created_at,
                  User.post_count, User.is_board_moderator, User.avatar_keys
                  ).where(User.id.in_(authors))


# -- single posts ------------------------------------------------------------------------------
def get_post(viewer: Policy, post_id: int) -> Post:
    """The post with its thread, board and author, if the viewer may read its thread.

    Refuses (all 404, so hidden places stay unconfirmed): unknown post, a board the viewer may
    not read, a deleted thread for anyone but its moderators.
    """
    post = db.session.scalar(
        select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.thread).joinedload(Thread.board), joinedload(Post.author))
    )
    if post is None or not viewer.can_view_thread(post.thread):
        raise NotFound(_("That post doesn't exist."))
    return post


def get_post_to_moderate(viewer: Policy, post_id: int) -> Post:
    """The post with its thread, board and author, deleted or not, for a moderator of its
    board.

    Refuses: guests (login) and members (403) before anything is looked up, an unknown post
    (404), a board the viewer doesn't moderate (403).
    """
    require(viewer.can_use_moderator_tools())
    post = db.session.scalar(
        select(Post)
        .where(Post.id == post_id)
        .options(joinedload(Post.thread).joinedload(Thread.board), joinedload(Post.author))
    )
    if post is None:
        raise NotFound(_("That post doesn't exist."))
    require(viewer.can_moderate_board(post.thread.board))
    return post


def get_readable_post(viewer: Policy, post_id: int) -> Post:
    """A post whose text the viewer may read, for quoting.

    Refuses: as ``get_post``; a deleted post for anyone but the board's moderators (404).
    """
    post = get_post(viewer, post_id)
    if not viewer.can_view_post(post):
        raise NotFound(_("That post doesn't exist."))
    return post


def post_history(viewer: Policy, post_id: int) -> PostHistory:
    """A post's earlier versions, oldest first.

    Refuses: as ``get_post``; anyone but the author and the board's moderators (from the policy).
    """
    post = get_post(viewer, post_id)
    require(viewer.can_view_revisions(post))
    revisions = list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .options(joinedload(PostRevision.editor))
            .order_by(PostRevision.number)
        )
    )
    return PostHistory(post=post, revisions=revisions)

