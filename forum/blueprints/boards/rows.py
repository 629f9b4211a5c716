"""Rows of the board index and of a board's thread list, rendered once and kept under every
value they show.

A row's key is what it displays (titles, counts, names, the relative times as text, the
viewer's time zone for the full dates in tooltips), so a kept row is never stale: a new reply,
a rename, a lock or the clock moving "3 min ago" to "4 min ago" makes another key. Building
the key costs a few microseconds; rendering a row (its links routed, names and times
formatted) cost a quarter of a millisecond, half a member's board page.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from markupsafe import Markup

from ... import timefmt
from ...ttlcache import TtlCache
from ...web import viewer_tz

CACHE_KEY = "agora_rows"
MAX_ROWS = 4096
SECONDS = 600  # only to let rows nobody shows any more make room


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = TtlCache(MAX_ROWS)
    app.jinja_env.globals["kept_row"] = kept_row
    app.jinja_env.globals["thread_row_key"] = thread_row_key
    app.jinja_env.globals["board_row_key"] = board_row_key


def kept_row(macro, key: tuple, *args) -> Markup:
    """``macro(*args)``, or the row it rendered before under the same key."""
    rows: TtlCache = current_app.extensions[CACHE_KEY]
    full_key = (macro.name, request.script_root, viewer_tz(), key)
    found = rows.get(full_key)
    if found is None:
        found = Markup(macro(*args))
        rows.put(full_key, found, SECONDS)
    return found


def _person(user) -> tuple:
    return (user.id, user.username, user.name) if user is not None else None


def thread_row_key(thread, posts_per_page: int) -> tuple:
    last = thread.last_post
    return (
        thread.id, thread.title, thread.slug, thread.is_pinned, thread.is_locked,
        thread.is_deleted, _person(thread.author), thread.created_at,
        timefmt.relative(thread.created_at), thread.post_seq, posts_per_page,
        thread.reply_count, thread.last_post_id, thread.last_post_at,
        timefmt.relative(thread.last_post_at),
        _person(last.author) if last is not None else None,
    )


def board_row_key(board) -> tuple:
    last = board.last_post
    return (
        board.id, board.slug, board.title, board.description, board.access,
        board.is_read_only, board.thread_count, board.post_count,
        (last.id, last.thread.title, _person(last.author), last.created_at,
         timefmt.relative(last.created_at)) if last is not None else None,
    )
