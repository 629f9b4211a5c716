"""What the moderators read of a reported private message: that message and the five before
it in its conversation, nothing else, and each look logged (``message.view``).

A conversation is its participants' own; a report opens a window onto the part that was
reported, for the team that must judge it, and the log shows who looked through it and when.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...database import commit
from ...errors import require
from ...extensions import db
from ...models import Message, ReportedMessage, ReportItem, TargetKind, utcnow
from ...policy import Policy
from .. import audit

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
