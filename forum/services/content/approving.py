"""Approving and rejecting waiting posts (see ``approvals`` for why posts wait)."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import update

from ...database import commit
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import NotificationKind, PendingPost, PendingState, User, utcnow
from ...policy import Policy
from .. import audit, notifications, text, webhooks
from . import posting
from .approvals import loaded

BULK_MAX = 100


# -- deciding ----------------------------------------------------------------------------------
def _claim(actor: User, pending: PendingPost, state: PendingState, reason: str | None,
           now: datetime) -> None:
    """Mark the post decided, if nobody did first: the row lock orders two moderators, and
    the second finds it decided (409)."""
    claimed = db.session.execute(
        update(PendingPost)
        .where(PendingPost.id == pending.id, PendingPost.state == PendingState.WAITING)
        .values(state=state, decided_by_id=actor.id, decided_at=now, reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Conflict(_("Another moderator decided about this post just now."))


def approve(actor: User, pending: PendingPost, now: datetime | None = None) -> PendingPost:
    """Publish a waiting post: a reply takes the next position in its thread, a thread opens
    in its board; counters, search and notifications follow. Logged as ``post.approve`` (or
    ``thread.approve``); the author is told.

    Refuses: not a moderator of the board (403); decided already (409); a reply whose thread
    was deleted or merged meanwhile (409: reject it instead).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_board(pending.board))
    _claim(actor, pending, PendingState.APPROVED, None, now)
    author = pending.author
    if pending.thread_id is None:
        thread = posting.open_thread(author, pending.board, pending.title or "", pending.body,
                                     now)
        db.session.refresh(thread)  # the opening post's id was set by a statement
        post_id, link, title = thread.first_post_id, thread.url, thread.title
        audit.record(actor, "thread.approve", thread, now=now)
        webhooks.thread_created(thread, now)
    else:
        thread = pending.thread
        if thread.is_deleted or thread.merged_into_id is not None:
            db.session.rollback()
            raise Refused(_("The thread this post was written for is gone; reject the post "
                            "instead."), status=409)
        post = posting.append(author, thread, pending.body, now)
        post_id, link, title = post.id, post.url, thread.title
        audit.record(actor, "post.approve", post, now=now)
    db.session.execute(update(PendingPost).where(PendingPost.id == pending.id)
                       .values(post_id=post_id).execution_options(synchronize_session=False))
    notifications.notify(author, NotificationKind.MODERATION, "post.approved",
                         {"title": title}, link, now=now)
    commit()
    db.session.expire(pending)
    return pending


def reject(actor: User, pending: PendingPost, reason: str | None,
           now: datetime | None = None) -> PendingPost:
    """Turn a waiting post down with a reason; the author is told why and keeps their text
    (on the post's own page). Logged as ``post.reject`` (``thread.reject``) about the author.

    Refuses: not a moderator of the board (403); no reason (400); decided already (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_board(pending.board))
    reason = text.clean_reason(reason, _("Please give a reason for “reject the post”."))
    _claim(actor, pending, PendingState.REJECTED, reason, now)
    title = pending.title if pending.thread_id is None else pending.thread.title
    action = "thread.reject" if pending.thread_id is None else "post.reject"
    audit.record(actor, action, pending.author, reason,
                 after={"title": title, "body": pending.body[:2000]}, now=now)
    notifications.notify(pending.author, NotificationKind.MODERATION, "post.rejected",
                         {"title": title, "reason": reason}, f"/waiting/{pending.id}", now=now)
    commit()
    db.session.expire(pending)
    return pending


def approve_many(actor: User, pending_ids: list[int], now: datetime | None = None) -> int:
    """Approve several waiting posts, each in its own transaction: one decided meanwhile by
    someone else, or one that can't be approved any more, is left out. Returns how many were
    approved.

    Refuses: guests and members (403); more than ``BULK_MAX`` at once (400).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    require(viewer.can_use_moderator_tools())
    if len(pending_ids) > BULK_MAX:
        raise Refused(_("Approve at most %(max)s posts at once.", max=BULK_MAX), status=400)
    approved = 0
    for pending_id in dict.fromkeys(pending_ids):
        pending = db.session.scalar(loaded().where(PendingPost.id == pending_id))
        if pending is None or not pending.is_waiting or not viewer.moderates(pending.board):
            continue
        try:
            approve(actor, pending, now)
        except Refused:
            continue
        approved += 1
    return approved
