"""What moderators do to posts and threads: hide, show again, delete, edit, lock, move.

The lower-case functions add their change, its log entry and the author's notification to the
caller's transaction (``moderation.resolve`` combines several in one); ``hide_post`` and
``unhide_post`` are the same steps on their own, checked and committed, for a thread page.
Permission checks are the caller's: these functions only refuse on the target's state.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from ..errors import Refused, require
from ..extensions import db
from ..models import Board, ModAction, NotificationKind, Post, ReportItem, Thread, User, utcnow
from ..permissions import Policy
from . import audit, notifications, posting
from .text import checked

REASON_MAX = 500


def clean_reason(text: str | None, action: str = "this action") -> str:
    """Refuses (400) an empty reason or one over 500 characters."""
    return checked(text, REASON_MAX, missing=f"Please give a reason for “{action}”.",
                   too_long=f"Reasons can be at most {REASON_MAX} characters.")


def _tell_author(post: Post, verb: str, reason: str, now: datetime) -> None:
    # Signed by "a moderator": members see what happened and why, not who did it.
    notifications.notify(
        post.author, NotificationKind.MODERATION,
        f"A moderator {verb} your post in “{post.thread.title}”.",
        post.url, body=f"Reason: {reason}", now=now,
    )


def hide(actor: User, post: Post, reason: str, now: datetime,
         item: ReportItem | None = None) -> ModAction:
    """Hide the post, or confirm a hide pending review. Refuses: already hidden by a moderator
    (409)."""
    if post.is_hidden and post.hidden_by_id is not None:
        raise Refused("A moderator has already hidden this post.", status=409)
    before = {"hidden": post.is_hidden, "pending_review": post.is_hidden}
    post.is_hidden = True
    post.hidden_at = now
    post.hidden_by_id = actor.id
    post.hidden_reason = reason
    entry = audit.record(actor, "post.hide", post, reason, before=before,
                         after={"hidden": True}, now=now, item=item)
    _tell_author(post, "hid", reason, now)
    return entry


def unhide(actor: User, post: Post, reason: str, now: datetime,
           item: ReportItem | None = None) -> ModAction:
    before = {"hidden": True, "pending_review": post.hidden_by_id is None}
    post.is_hidden = False
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None
    return audit.record(actor, "post.unhide", post, reason, before=before,
                        after={"hidden": False}, now=now, item=item)


def delete(actor: User, post: Post, reason: str, now: datetime,
           item: ReportItem | None = None) -> ModAction:
    """Soft-delete with posting's counters (the opening post takes its thread along).
    Refuses: as ``posting.delete_post`` (already deleted: 409, and the transaction is rolled
    back)."""
    posting.delete_post(actor, post, reason, now=now, commit=False)
    entry = audit.record(actor, "post.delete", post, reason, before={"deleted": False},
                         after={"deleted": True}, now=now, item=item)
    _tell_author(post, "deleted", reason, now)
    return entry


def edit(actor: User, post: Post, body: str, reason: str, now: datetime,
         item: ReportItem | None = None) -> ModAction:
    """Replace the text, keeping the old one as a revision (posting's rules). Refuses: the same
    text (400), as ``posting.edit_post`` (empty or oversized text: 400)."""
    old = post.body
    new = posting.normalize_body(body)
    if new == old:
        raise Refused("The new text is the same as the post's current text.", status=400)
    posting.edit_post(actor, post, new, now=now, commit=False)
    entry = audit.record(actor, "post.edit", post, reason, before={"body": old},
                         after={"body": new}, now=now, item=item)
    _tell_author(post, "edited", reason, now)
    return entry


def lock(actor: User, thread: Thread, reason: str, now: datetime,
         item: ReportItem | None = None) -> ModAction:
    """Lock the thread until a moderator unlocks it. Refuses: a thread already locked (409)."""
    from .thread_tools import apply_lock  # it builds on this module's helpers

    return apply_lock(actor, thread, reason, now, item=item)


def _last_board_post_id(board_id: int) -> int | None:
    return db.session.scalar(
        select(Thread.last_post_id)
        .where(Thread.board_id == board_id, Thread.is_deleted.is_(False))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(1)
    )


def move(actor: User, thread: Thread, destination: Board, reason: str, now: datetime,
         item: ReportItem | None = None) -> ModAction:
    """Move the thread with its counts; both boards' latest post is worked out again.
    Refuses: the board it is already in (400)."""
    source = thread.board
    if destination.id == source.id:
        raise Refused("The thread is already in that board.", status=400)
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
    db.session.flush()
    for board_id in (source.id, destination.id):
        db.session.execute(
            update(Board).where(Board.id == board_id)
            .values(last_post_id=_last_board_post_id(board_id))
            .execution_options(synchronize_session=False)
        )
    db.session.expire(source)
    db.session.expire(destination)
    return audit.record(actor, "thread.move", thread, reason, before={"board": source.slug},
                        after={"board": destination.slug}, now=now, item=item)


# -- on their own ------------------------------------------------------------------------------
def hide_post(actor: User, post: Post, reason: str, now: datetime | None = None) -> Post:
    """Hide a post from everyone but its author and the board's moderators (``post.hide``).

    Refuses: rank rules or a board the actor doesn't moderate (403), no reason (400), a deleted
    post or one a moderator already hid (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_act_on_user(post.author, post.thread.board))
    reason = clean_reason(reason, "hide the post")
    if post.is_deleted:
        raise Refused("This post was deleted already.", status=409)
    hide(actor, post, reason, now)
    db.session.commit()
    return post


def unhide_post(actor: User, post: Post, reason: str, now: datetime | None = None) -> Post:
    """Show a hidden post again (``post.unhide``). An open report on it stays in the queue.

    Refuses: a board the actor doesn't moderate (403), no reason (400), a post not hidden (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_moderate_board(post.thread.board))
    reason = clean_reason(reason, "show the post again")
    if not post.is_hidden:
        raise Refused("This post isn't hidden.", status=409)
    unhide(actor, post, reason, now)
    db.session.commit()
    return post
