"""What moderators do to a post: hide it, show it again, restore it. Editing and deleting
someone else's post are posting's own entry points (``posting.edit_post``/``delete_post``),
which ask a moderator for a reason and log it, so no path skips the log.

Each function is the one entry point for its action, whoever asks: the report queue (through
``resolution.resolve``, which runs several as steps of its own transaction), a thread page, or
the API. Each checks the policy and the post's state, changes it, logs the entry (linked to the
report item when there is one), tells the author, and commits (``database.commit``). The author
hears it from "a moderator", never a named one.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ...database import commit
from ...errors import Refused, require
from ...models import ModAction, Post, ReportItem, User, utcnow
from ...policy import Policy
from .. import audit, notifications
from ..content import response_stamps, restoring
from ..text import clean_reason


def hide_post(actor: User, post: Post, reason: str, now: datetime | None = None, *,
              item: ReportItem | None = None) -> ModAction:
    """Hide a post from everyone but its author and the board's moderators (``post.hide``), or
    confirm a hide pending review.

    Refuses: rank rules or a board the actor doesn't moderate (403), no reason (400), a deleted
    post or one a moderator already hid (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_act_on_user(post.author, post.thread.board))
    reason = clean_reason(reason, _("Please give a reason for “hide the post”."))
    if post.is_deleted:
        raise Refused(_("This post was deleted already."), status=409)
    if post.is_hidden and post.hidden_by_id is not None:
        raise Refused(_("A moderator has already hidden this post."), status=409)
    before = {"hidden": post.is_hidden, "pending_review": post.is_hidden}
    post.is_hidden = True
    post.hidden_at = now
    post.hidden_by_id = actor.id
    post.hidden_reason = reason
    response_stamps.restamp(post.thread_id)
    entry = audit.record(actor, "post.hide", post, reason, before=before,
                         after={"hidden": True}, now=now, item=item)
    notifications.notify_moderated(post, "hid", reason, now)
    commit()
    return entry


def unhide_post(actor: User, post: Post, reason: str, now: datetime | None = None, *,
                item: ReportItem | None = None) -> ModAction:
    """Show a hidden post again (``post.unhide``). An open report on it stays in the queue.

    Refuses: a board the actor doesn't moderate (403), no reason (400), a post not hidden (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_moderate_board(post.thread.board))
    reason = clean_reason(reason, _("Please give a reason for “show the post again”."))
    if not post.is_hidden:
        raise Refused(_("This post isn't hidden."), status=409)
    before = {"hidden": True, "pending_review": post.hidden_by_id is None}
    post.is_hidden = False
    post.hidden_at = None
    post.hidden_by_id = None
    post.hidden_reason = None
    response_stamps.restamp(post.thread_id)
    entry = audit.record(actor, "post.unhide", post, reason, before=before,
                         after={"hidden": False}, now=now, item=item)
    commit()
    return entry


def restore_post(actor: User, post: Post, reason: str, now: datetime | None = None, *,
                 item: ReportItem | None = None) -> ModAction:
    """Undo a post's soft delete with its counters (``post.restore``); the opening post of a
    deleted thread brings the thread back too (``thread.restore`` as well). The author is told.

    Refuses: rank rules or a board the actor doesn't moderate (403), no reason (400), a post
    that isn't deleted (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_act_on_user(post.author, post.thread.board))
    reason = clean_reason(reason, _("Please give a reason for “restore the post”."))
    if not post.is_deleted:
        raise Refused(_("This post isn't deleted."), status=409)
    thread_back = restoring.restore_post(post)
    entry = audit.record(actor, "post.restore", post, reason, before={"deleted": True},
                         after={"deleted": False}, now=now, item=item)
    if thread_back:
        audit.record(actor, "thread.restore", post.thread, reason, before={"deleted": True},
                     after={"deleted": False}, now=now, item=item)
    notifications.notify_moderated(post, "restored", reason, now)
    commit()
    return entry
