"""A board's threads and a thread's posts as the API pages them: threads by a cursor (the
last activity and id of the last thread seen), posts by a range of positions. Each page is
one query after the board or thread it hangs from, whatever its size.

A cursor rather than page numbers: a board's order changes with every reply, and a tool
walking a busy board by page numbers would see threads twice or miss them.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, with_expression
from sqlalchemy.orm.attributes import set_committed_value

from ...errors import InvalidField, NotFound
from ...extensions import db
from ...models import Board, Post, Thread
from ...policy import Policy
from . import reactions, reading

# How many positions one call may ask for.
RANGE_MAX = 100


@dataclass(frozen=True)
class ThreadSlice:
    board: Board
    items: list[Thread]
    next_cursor: str | None


@dataclass(frozen=True)
class PostRange:
    thread: Thread
    items: list[Post]


def _bad_cursor() -> InvalidField:
    return InvalidField("cursor", _("This cursor isn't one the API gave out. Start again "
                                    "without it."))


def encode_cursor(thread: Thread) -> str:
    moment = thread.last_post_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return base64.urlsafe_b64encode(f"{moment}|{thread.id}".encode()).decode().rstrip("=")


def decode_cursor(text: str) -> tuple[datetime, int]:
    """(last activity, thread id) from a cursor. Refuses (400) anything the API didn't make."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        moment, _sep, thread_id = raw.partition("|")
        when = datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)
        if not thread_id.isdigit() or len(thread_id) > 10:
            raise ValueError(thread_id)
        return when, int(thread_id)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _bad_cursor() from None


def board_threads(viewer: Policy, slug: str, cursor: str | None, limit: int) -> ThreadSlice:
    """Up to ``limit`` of the board's threads the viewer may see, latest activity first,
    after ``cursor``. Pinned threads take their place by activity like the others (each says
    whether it is pinned).

    Refuses: as ``reading.get_board``; a cursor the API didn't give out (400).
    """
    after = decode_cursor(cursor) if cursor else None
    board = reading.get_board(viewer, slug)
    query = (viewer.visible_threads(select(Thread), board)
             .where(Thread.board_id == board.id, Thread.merged_into_id.is_(None))
             .options(joinedload(Thread.author))
             .order_by(Thread.last_post_at.desc(), Thread.id.desc())
             .limit(limit + 1))
    if after is not None:
        when, thread_id = after
        query = query.where(or_(Thread.last_post_at < when,
                                and_(Thread.last_post_at == when, Thread.id < thread_id)))
    threads = list(db.session.scalars(query).unique())
    more = len(threads) > limit
    threads = threads[:limit]
    for thread in threads:
        set_committed_value(thread, "board", board)
    return ThreadSlice(board, threads, encode_cursor(threads[-1]) if more else None)


def thread_posts(viewer: Policy, thread_id: int, first: int, last: int | None) -> PostRange:
    """The posts at positions ``first … last`` (to the thread's end when ``last`` is None or
    beyond it), deleted and hidden ones as placeholders the caller words by the policy.

    Refuses: as ``reading.get_thread``; ``last`` before ``first`` or more than ``RANGE_MAX``
    positions (400, naming the field); ``first`` after the thread's last post (404).
    """
    if last is not None and last < first:
        raise InvalidField("to", _("“to” can't be before “from”."))
    if last is None:
        last = first + RANGE_MAX - 1
    elif last - first + 1 > RANGE_MAX:
        raise InvalidField("to", _("Ask for at most %(max)s positions at a time.",
                                   max=RANGE_MAX))
    thread = reading.get_thread(viewer, thread_id)
    if first > thread.post_seq:
        raise NotFound(_("The thread has %(count)s posts; there is nothing at position "
                         "%(position)s.", count=thread.post_seq, position=first))
    last = min(thread.post_seq, last)
    posts = list(db.session.scalars(
        select(Post)
        .where(Post.thread_id == thread.id, Post.position.between(first, last))
        .options(joinedload(Post.author),
                 with_expression(Post.reaction_summary, reactions.summary_column()))
        .order_by(Post.position)
    ))
    for post in posts:
        set_committed_value(post, "thread", thread)
    return PostRange(thread, posts)

