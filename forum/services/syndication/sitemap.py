"""The sitemap of public pages: the index page, each public board, each public thread.

Threads are split into parts by id, ``per_part`` ids a part (50,000 by default, the sitemap
protocol's limit of URLs a file), so a part is one range scan of the primary key, never an
OFFSET. The index asks once which parts hold any public thread and when each last changed;
a part whose threads were all deleted since is then simply not listed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ...extensions import db
from ...models import Board, Post, Thread
from ...policy import Policy

# The sitemap protocol allows 50,000 URLs (and 50 MB) in one file.
URLS_PER_PART = 50_000
# Ids are 32-bit columns: a part beyond them holds nothing.
ID_MAX = 2**31 - 1


def _public_threads(query):
    return (Policy(None).visible_boards(query.join(Board, Board.id == Thread.board_id))
            .where(Thread.is_deleted.is_(False), Thread.merged_into_id.is_(None)))


@dataclass(frozen=True)
class Part:
    number: int
    lastmod: datetime | None


def thread_parts(per_part: int = URLS_PER_PART) -> list[Part]:
    """The parts holding public threads, by number (1 holds ids 1…per_part), each with its
    latest activity. One statement."""
    block = (Thread.id - 1) // per_part
    rows = db.session.execute(
        _public_threads(select(block.label("block"), func.max(Thread.last_post_at)))
        .group_by(block).order_by(block))
    return [Part(int(number) + 1, lastmod) for number, lastmod in rows]


@dataclass(frozen=True)
class ThreadUrl:
    id: int
    slug: str
    lastmod: datetime


def threads_of_part(number: int, per_part: int = URLS_PER_PART) -> list[ThreadUrl]:
    """Part ``number``'s public threads, by id. One statement; an empty list when the part
    holds none (or doesn't exist)."""
    first = (number - 1) * per_part + 1
    if first > ID_MAX:
        return []
    rows = db.session.execute(
        _public_threads(select(Thread.id, Thread.slug, Thread.last_post_at))
        .where(Thread.id.between(first, first + per_part - 1)).order_by(Thread.id))
    return [ThreadUrl(*row) for row in rows]


@dataclass(frozen=True)
class BoardUrl:
    slug: str
    lastmod: datetime | None


def public_boards() -> list[BoardUrl]:
    """Every public board with the time of its latest post, in the index's order. One
    statement."""
    rows = db.session.execute(
        Policy(None).visible_boards(select(Board.slug, Post.created_at))
        .outerjoin(Post, Post.id == Board.last_post_id)
        .order_by(Board.is_archived, Board.category_id, Board.position, Board.id))
    return [BoardUrl(*row) for row in rows]
