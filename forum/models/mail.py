"""The outbox: every message the forum sends, queued in the transaction that caused it."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class MailStatus(StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker
    SENT = "sent"
    FAILED = "failed"  # refused for good, too many attempts, or interrupted while sending

    @property
    def label(self):
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    MailStatus.QUEUED: _l("Queued"),
    MailStatus.SENDING: _l("Sending"),
    MailStatus.SENT: _l("Sent"),
    MailStatus.FAILED: _l("Failed"),
}


class MailCategory(StrEnum):
    ACCOUNT = "account"  # resets, confirmations, notices about the account: no unsubscribing
    NOTIFICATION = "notification"  # everything a member may stop with one click


class OutboxMessage(db.Model):
    """One message, rendered when queued (in the recipient's language and time zone) and kept
    whole as it goes on the wire, so sending needs nothing but this row."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    category: Mapped[str] = mapped_column(String(16))
    template: Mapped[str] = mapped_column(String(64))
    # None for mail to an address that is no member's (yet), or once the member is deleted.
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    message_id: Mapped[str] = mapped_column(String(255), unique=True, index=True)
    # The whole message (RFC 5322, 7-bit: encoded words and transfer encodings applied).
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MailStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The worker run holding the message while it is SENDING, and since when.
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))

    recipient = relationship("User")

    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_created_at", "created_at"),
    )

    @property
    def status_label(self):
        return MailStatus(self.status).label
