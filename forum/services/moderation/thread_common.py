"""What the thread tools share: the rank check, telling a thread's author, times for the log,
and holding threads while their posts are renumbered."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from ...errors import Refused, require
from ...extensions import db
from ...models import Board, NotificationKind, Thread, User
from ...policy import Policy
from .. import notifications


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


# How far ahead a moderator may set a pin's end, a lock's start or end, or slow mode's end.
LONGEST_AHEAD = timedelta(days=366)


def check_ahead(moment: datetime | None, now: datetime, message: str) -> None:
    """Refuses (400, ``message``) a moment more than a year after ``now``."""
    if moment is not None and moment > now + LONGEST_AHEAD:
        raise Refused(message, status=400)


def tell_author(actor: User, thread: Thread, key: str, params: dict, reason: str,
                now: datetime, link: str | None = None) -> None:
    """Tell the thread's author what a moderator did (``key`` of ``notification_texts`` with
    ``params``; the thread's title is added as ``title`` unless given), and why. From "a
    moderator": the member sees what changed and why, not who changed it, so the actor isn't
    recorded."""
    if thread.author_id == actor.id:
        return
    notifications.notify(thread.author, NotificationKind.MODERATION, key,
                         {"title": thread.title, **params, "reason": reason},
                         link or thread.url, now=now)


def tell_author_of_place(actor: User, thread: Thread, board: Board, key: str, params: dict,
                         reason: str, now: datetime, link: str | None = None,
                         neutral_link: str | None = None) -> None:
    """Tell the thread's author of a change that took their thread or its posts to ``board``:
    ``key`` (which may name the place) with ``link`` when they may read that board, else its
    ``_unseen`` form (naming nothing there) with ``neutral_link`` (somewhere they may still
    go)."""
    if thread.author_id == actor.id:
        return
    if Policy(thread.author).can_view_board(board):
        tell_author(actor, thread, key, params, reason, now, link=link)
        return
    unseen = {name: value for name, value in params.items() if name not in ("board", "into")}
    notifications.notify(thread.author, NotificationKind.MODERATION, f"{key}_unseen",
                         {"title": thread.title, **unseen, "reason": reason}, neutral_link,
                         now=now)


def check_moderator(actor: User, board: Board) -> None:
    require(Policy(actor).can_moderate_board(board))


def hold_threads(*thread_ids: int) -> None:
    """Take the threads' rows before their posts move: a no-op UPDATE, one thread at a time in
    ascending id order (a row lock on PostgreSQL, the write lock on SQLite), until the commit.
    A reply claims its position with an UPDATE of the same row, so it waits and then numbers
    after whatever moved; two merges or splits never hold each other's threads crosswise."""
    for thread_id in sorted(set(thread_ids)):
        db.session.execute(
            update(Thread).where(Thread.id == thread_id).values(post_seq=Thread.post_seq)
            .execution_options(synchronize_session=False)
        )


def refresh(*threads: Thread) -> None:
    """Read the threads again after ``hold_threads``: what was loaded before may be old."""
    for thread in threads:
        db.session.refresh(thread)
