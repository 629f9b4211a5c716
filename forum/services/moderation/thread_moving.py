"""Moving a thread to another board, with its counts, and the "moved" notice it may leave in
the board it left: a row "Moved: <title> → <new board>" linking to the thread, shown only to
viewers who may read the thread where it is now, until it ends (optional) or a moderator
removes it."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, update

from ...database import commit
from ...errors import NotFound, Refused
from ...extensions import db
from ...models import (
    Board,
    Event,
    ModAction,
    ReportItem,
    Thread,
    ThreadMoveNotice,
    User,
    utcnow,
)
from .. import audit
from ..content import posting
from ..text import clean_reason
from .thread_common import check_ahead, check_moderator, iso, tell_author_of_place


def move_thread(actor: User, thread: Thread, destination: Board, reason: str,
                now: datetime | None = None, *, item: ReportItem | None = None,
                leave_notice: bool = False,
                notice_until: datetime | None = None) -> ModAction:
    """Move the thread with its counts (``thread.move``); both boards' latest post is worked
    out again, and its event follows it. ``leave_notice`` leaves a "moved" row in the board it
    left (until ``notice_until`` when given); a notice the thread left in the destination
    earlier goes, it is back where the notice pointed from. The author is told (without the
    board's name when they may not read it).

    Refuses: someone who doesn't moderate both boards (403), no reason (400), the board it is
    already in (400), a notice ending in the past or more than a year ahead, or on a deleted
    thread (400).
    """
    now = now or utcnow()
    source = thread.board
    check_moderator(actor, source)
    check_moderator(actor, destination)
    reason = clean_reason(reason, _("Please give a reason for “move the thread”."))
    if destination.id == source.id:
        raise Refused(_("The thread is already in that board."), status=400)
    if leave_notice and thread.is_deleted:
        raise Refused(_("A deleted thread leaves no “moved” notice."), status=400)
    if notice_until is not None and (not leave_notice or notice_until <= now):
        raise Refused(_("A “moved” notice can only end in the future."), status=400)
    check_ahead(notice_until, now, _("A “moved” notice can end at most a year from now; leave "
                "the end empty to keep it until a moderator removes it."))
    if not thread.is_deleted:
        # Visible posts: the replies plus the opening post, as the boards count them.
        posts = thread.reply_count + 1
        for board_id, sign in ((source.id, -1), (destination.id, 1)):
            db.session.execute(
                update(Board).where(Board.id == board_id)
                .values(thread_count=Board.thread_count + sign,
                        post_count=Board.post_count + sign * posts)
                .execution_options(synchronize_session=False)
            )
    thread.board = destination
    # The thread's event is seen by the readers of the board its discussion is in.
    db.session.execute(
        update(Event).where(Event.thread_id == thread.id).values(board_id=destination.id)
    )
    db.session.flush()
    for board_id in (source.id, destination.id):
        db.session.execute(
            update(Board).where(Board.id == board_id)
            .values(last_post_id=posting.latest_board_post_id(board_id))
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        delete(ThreadMoveNotice).where(ThreadMoveNotice.thread_id == thread.id,
                                       ThreadMoveNotice.board_id == destination.id)
        .execution_options(synchronize_session=False)
    )
    after = {"board": destination.slug}
    if leave_notice:
        db.session.add(ThreadMoveNotice(board_id=source.id, thread_id=thread.id, created_at=now,
                                        expires_at=notice_until))
        after["notice"] = True
        after["notice_until"] = iso(notice_until)
    db.session.expire(source)
    db.session.expire(destination)
    tell_author_of_place(actor, thread, destination, "thread.moved",
                         {"board": destination.title}, reason, now, link=thread.url)
    entry = audit.record(actor, "thread.move", thread, reason, before={"board": source.slug},
                         after=after, now=now, item=item)
    commit()
    return entry


def get_notice(notice_id: int) -> ThreadMoveNotice:
    """Refuses: an unknown notice (404)."""
    notice = db.session.get(ThreadMoveNotice, notice_id)
    if notice is None:
        raise NotFound(_("That “moved” notice doesn't exist."))
    return notice


def remove_notice(actor: User, notice: ThreadMoveNotice, reason: str,
                  now: datetime | None = None) -> ModAction:
    """Take a "moved" notice out of its board (``thread.move_notice_remove``).

    Refuses: someone who doesn't moderate the board the notice is in (403), no reason (400).
    """
    now = now or utcnow()
    check_moderator(actor, notice.board)
    reason = clean_reason(reason, _("Please give a reason for “remove the notice”."))
    thread = notice.thread
    entry = audit.record(actor, "thread.move_notice_remove", thread, reason,
                         before={"notice_board": notice.board.slug}, after={"notice": False},
                         now=now)
    db.session.delete(notice)
    commit()
    return entry
