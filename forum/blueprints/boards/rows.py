"""Keys of the board index's rows and of a board's thread list: every value a row shows
(``forum.fragments`` keeps the rendered rows under them). What depends on the clock (whether a
timed pin or lock is in force) goes in as it stands at the page's ``now``, so a kept row changes
when the pin ends or the lock starts or ends."""
from __future__ import annotations

from datetime import datetime

from ...common import timefmt
from . import bp


def _person(user) -> tuple:
    return (user.id, user.username, user.name) if user is not None else None


@bp.app_template_global()
def thread_row_key(thread, posts_per_page: int, now: datetime, unread=None) -> tuple:
    last = thread.last_post
    return (
        unread,
        thread.id, thread.title, thread.slug, thread.pinned_now(now), thread.locked_now(now),
        thread.is_deleted, thread.accepted_post_id, thread.team_replied_at is not None,
        _person(thread.author), thread.created_at,
        timefmt.relative_key(thread.created_at), thread.post_seq, posts_per_page,
        thread.reply_count, thread.last_post_id, thread.last_post_at,
        timefmt.relative_key(thread.last_post_at),
        _person(last.author) if last is not None else None,
    )


@bp.app_template_global()
def board_row_key(board) -> tuple:
    last = board.last_post
    return (
        board.id, board.slug, board.title, board.description, board.access,
        board.is_read_only, board.is_questions, bool(board.read_group_list),
        board.thread_count, board.post_count,
        (last.id, last.thread.title, _person(last.author), last.created_at,
         timefmt.relative_key(last.created_at)) if last is not None else None,
    )
