"""The outbox as administrators see it: messages by state, and sending a failed one again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ...common.paging import page_count
from ...database import commit
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import MailStatus, OutboxMessage, User, utcnow
from ...policy import Policy
from .. import audit

PER_PAGE = 50
NOT_FAILED = _l("Only a failed message can be sent again; this one is not failed (any more).")


@dataclass(frozen=True)
class OutboxPage:
    status: MailStatus
    counts: dict[MailStatus, int]
    items: list[OutboxMessage]
    page: int
    pages: int


def listing(policy: Policy, status: str | None, page: int = 1) -> OutboxPage:
    """One state's messages, newest first, with the count of every state."""
    require(policy.can_manage_outbox())
    try:
        chosen = MailStatus(status or MailStatus.QUEUED)
    except ValueError:
        chosen = MailStatus.QUEUED
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
    counts = {state: 0 for state in MailStatus}
    counts.update({MailStatus(state): n for state, n in rows if state in set(MailStatus)})
    pages = page_count(counts[chosen], PER_PAGE)
    page = min(max(1, page), pages)
    items = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == chosen.value)
        .options(selectinload(OutboxMessage.recipient))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    ).all()
    return OutboxPage(chosen, counts, list(items), page, pages)


def retry(actor: User, message_id: int, now: datetime | None = None) -> OutboxMessage:
    """Queue a failed message again, due at once with a fresh count of attempts
    (``mail.retry``).

    Refuses: anyone but administrators (403), an unknown message (404), one that is not
    failed (409: another administrator was quicker, or it never failed)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_outbox())
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound()
    claimed = db.session.execute(
        update(OutboxMessage.__table__)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == MailStatus.FAILED.value)
        .values(status=MailStatus.QUEUED.value, attempts=0, next_attempt_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Refused(str(NOT_FAILED), status=409)
    audit.record(actor, "mail.retry", message.recipient, None, now=now,
                 before={"status": "failed", "error": message.last_error},
                 after={"status": "queued", "message": message.id,
                        "subject": message.subject})
    commit()
    return message
