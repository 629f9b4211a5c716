"""What the moderators read of a reported private message: that message and the five before
it in its conversation, nothing else, and each look logged (``message.view``); and removing
the message from its conversation (``message.hide``), the one thing the team does to a
conversation, and only from a report.

A conversation is its participants' own; a report opens a window onto the part that was
reported, for the team that must judge it, and the log shows who looked through it and when.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import (
    Message,
    ModAction,
    NotificationKind,
    ReportedMessage,
    ReportItem,
    TargetKind,
    User,
    utcnow,
)
from ...policy import Policy
from .. import audit, notifications
from ..text import clean_reason

BEFORE = 5


def reported_message(item: ReportItem) -> Message | None:
    """The message an item is about (None for other items): one query."""
    if item.target_kind != TargetKind.MESSAGE:
        return None
    return db.session.scalar(
        select(Message).join(ReportedMessage, ReportedMessage.message_id == Message.id)
        .where(ReportedMessage.item_id == item.id))


def read_for_item(viewer: Policy, item: ReportItem,
                  now: datetime | None = None) -> list[Message]:
    """The reported message and the five before it, oldest first, with their authors; the
    look is logged in its own small transaction, whoever the viewer is on the team: three
    statements.

    Refuses: anyone who may not handle the item (login or 403).
    """
    require(viewer.can_handle_report(item))
    message = reported_message(item)
    if message is None:
        return []
    conversation_id, message_id = message.conversation_id, message.id
    # Logged first: a page that fails later has still been looked at.
    audit.record(viewer.user, "message.view", message, now=now or utcnow(), item=item)
    commit()
    shown = list(db.session.scalars(
        select(Message)
        .where(Message.conversation_id == conversation_id, Message.id <= message_id)
        .options(joinedload(Message.author))
        .order_by(Message.id.desc()).limit(BEFORE + 1)))
    shown.reverse()
    return shown


def hide_message(actor: User, item: ReportItem, reason: str,
                 now: datetime | None = None) -> ModAction:
    """Remove the message a report is about from its conversation: its participants see "This
    message was removed by a moderator" in its place, the team still reads it from the
    report. Logged as ``message.hide`` with the report, and its author told (never by whom),
    in the caller's transaction (``resolution.resolve`` closes the report with it).

    Refuses: anyone who may not handle the report, or act on the author by rank (403); no
    reason (400); a report about something else (400); a message removed already, also by a
    moderator at the same moment (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_hide_message(item))
    reason = clean_reason(reason, _("Please give a reason for “removed the message”."))
    message = reported_message(item)
    if message is None:
        raise Refused(_("This report isn't about a private message."), status=400)
    # The condition is the referee: of two moderators removing it at once, one does.
    removed = db.session.execute(
        update(Message).where(Message.id == message.id, Message.hidden_at.is_(None))
        .values(hidden_at=now).execution_options(synchronize_session=False)).rowcount
    if not removed:
        raise Refused(_("A moderator removed this message already."), status=409)
    db.session.expire(message, ["hidden_at"])
    entry = audit.record(actor, "message.hide", message, reason, before={"hidden": False},
                         after={"hidden": True}, now=now, item=item)
    conversation = message.conversation
    # Signed by "a moderator", like the notices about posts.
    if not message.author.is_deleted:
        notifications.notify(message.author, NotificationKind.MODERATION, "message.hidden",
                             {"subject": conversation.subject, "reason": reason},
                             conversation.url, now=now)
    commit()
    return entry
