"""The rows behind each Atom feed, one statement per feed (plus the board or thread it hangs
from), whatever the number of entries: authors, boards and first posts are joined in.

Only what a guest reads goes in: boards anyone may read (``Policy(None).visible_boards``),
threads neither deleted nor merged away, posts neither deleted nor hidden, announcements for
everyone that have started (a board announcement only when its board is public).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import contains_eager, joinedload, load_only

from ...errors import NotFound
from ...extensions import db
from ...models import Announcement, Audience, Board, BoardSlug, Placement, Post, Thread, User
from ...policy import Policy

# Entries per feed: readers poll often, so the newest few are what they need.
ENTRIES = 20
# How many merges of merges a feed's address follows to the thread that holds its posts.
MERGE_CHAIN_MAX = 20

_AUTHOR = (User.username, User.display_name, User.deleted_at)


def guest() -> Policy:
    return Policy(None)


def _public_boards(query):
    return guest().visible_boards(query)


# Newest threads first by id, which follows their creation: the primary key is read
# backwards until the feed is full, where ordering by ``created_at`` would sort every thread.
_NEWEST = (Thread.id.desc(),)


def _live_threads(query):
    return query.where(Thread.is_deleted.is_(False), Thread.merged_into_id.is_(None))


def _thread_rows():
    """Threads with what a feed entry shows: board, author, and the opening post (its text
    only when a guest may read it: ``shown_first_post``)."""
    return _live_threads(_public_boards(
        select(Thread).join(Thread.board).options(
            contains_eager(Thread.board),
            joinedload(Thread.author).load_only(*_AUTHOR),
            joinedload(Thread.first_post).load_only(
                Post.body_html, Post.created_at, Post.edited_at, Post.is_hidden,
                Post.is_deleted),
        )))


def shown_first_post(thread: Thread) -> Post | None:
    post = thread.first_post
    if post is None or post.is_hidden or post.is_deleted:
        return None
    return post


def thread_updated(thread: Thread) -> datetime:
    """When a thread's entry last changed: its opening post's edit, else its start."""
    post = thread.first_post
    if post is not None and post.edited_at is not None:
        return max(post.edited_at, thread.created_at)
    return thread.created_at


@dataclass(frozen=True)
class BoardFeed:
    board: Board
    threads: list[Thread]


def public_board(slug: str) -> Board:
    """The board at ``slug`` if a guest may read it. Refuses: any other (404, whether it
    exists or not: a feed never tells that a closed board is there)."""
    board = db.session.scalar(_public_boards(select(Board).where(Board.slug == slug)))
    if board is None:
        raise NotFound(_("There is no public board at this address."))
    return board


def renamed_public_board(slug: str) -> Board | None:
    """The public board that had ``slug`` before a rename (or has it in other letter case)."""
    lowered = slug.lower()
    query = _public_boards(select(Board).outerjoin(BoardSlug, BoardSlug.board_id == Board.id))
    return db.session.scalars(query.where(or_(BoardSlug.slug == lowered, Board.slug == lowered))
                              .limit(1)).first()


def board_feed(slug: str, limit: int = ENTRIES) -> BoardFeed:
    """A public board's newest threads, newest first. Refuses: as ``public_board``."""
    board = public_board(slug)
    threads = list(db.session.scalars(
        _thread_rows().where(Thread.board_id == board.id).order_by(*_NEWEST).limit(limit)))
    return BoardFeed(board, threads)


def latest_threads(limit: int = ENTRIES) -> list[Thread]:
    """The newest threads of every public board, newest first."""
    return list(db.session.scalars(_thread_rows().order_by(*_NEWEST).limit(limit)))


@dataclass(frozen=True)
class ThreadFeed:
    thread: Thread
    posts: list[Post]


class MergedInto(Exception):
    """The thread asked for was merged into ``target`` (public): its feed is there now."""

    def __init__(self, target: Thread) -> None:
        super().__init__(target.id)
        self.target = target


def public_thread(thread_id: int) -> Thread:
    """The thread if a guest may read it. Refuses: unknown, deleted, or in a board a guest may
    not read (404); merged into a public thread: ``MergedInto``."""
    query = _public_boards(select(Thread).join(Thread.board)
                           .options(contains_eager(Thread.board)))
    thread = db.session.scalar(query.where(Thread.id == thread_id))
    if thread is not None and thread.merged_into_id is not None:
        target = thread
        for _step in range(MERGE_CHAIN_MAX):
            if target.merged_into_id is None:
                break
            target = db.session.scalar(query.where(Thread.id == target.merged_into_id))
            if target is None:
                break
        if target is not None and target.merged_into_id is None and not target.is_deleted:
            raise MergedInto(target)
        thread = None
    if thread is None or thread.is_deleted:
        raise NotFound(_("There is no public thread at this address."))
    return thread


def thread_feed(thread_id: int, limit: int = ENTRIES) -> ThreadFeed:
    """A public thread's newest posts a guest may read, newest first. Refuses: as
    ``public_thread``."""
    thread = public_thread(thread_id)
    posts = list(db.session.scalars(
        select(Post)
        .where(Post.thread_id == thread.id, Post.is_deleted.is_(False),
               Post.is_hidden.is_(False))
        .options(load_only(Post.id, Post.position, Post.body_html, Post.created_at,
                           Post.edited_at),
                 joinedload(Post.author).load_only(*_AUTHOR))
        .order_by(Post.position.desc()).limit(limit)))
    return ThreadFeed(thread, posts)


def announcements(now: datetime, limit: int = ENTRIES) -> list[Announcement]:
    """Announcements for everyone that have started by ``now`` (ended ones too: they were
    published), newest first; a board's only when a guest may read that board."""
    public_board_ids = _public_boards(select(Board.id))
    return list(db.session.scalars(
        select(Announcement)
        .where(Announcement.audience == Audience.EVERYONE, Announcement.starts_at <= now,
               or_(Announcement.placement != Placement.BOARD,
                   Announcement.board_id.in_(public_board_ids)))
        .options(joinedload(Announcement.author).load_only(*_AUTHOR),
                 joinedload(Announcement.board),
                 joinedload(Announcement.thread).joinedload(Thread.board))
        .order_by(Announcement.starts_at.desc(), Announcement.id.desc()).limit(limit)))
