"""Webhooks: addresses administrators register for chosen events, and each delivery to them
(queued in the transaction of the change it tells of, sent by the worker or ``run-timers``)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class WebhookEvent(StrEnum):
    THREAD_CREATED = "thread.created"
    REPORT_CREATED = "report.created"
    SANCTION_ISSUED = "sanction.issued"
    SANCTION_LIFTED = "sanction.lifted"
    EVENT_CREATED = "event.created"
    EVENT_UPDATED = "event.updated"
    EVENT_CANCELLED = "event.cancelled"
    ANNOUNCEMENT_PUBLISHED = "announcement.published"
    PING = "ping"  # the "send test" button; no hook chooses it

    @property
    def label(self):
        return _EVENT_LABELS[self]


_EVENT_LABELS = {
    WebhookEvent.THREAD_CREATED: _l("New thread"),
    WebhookEvent.REPORT_CREATED: _l("New report"),
    WebhookEvent.SANCTION_ISSUED: _l("Sanction issued"),
    WebhookEvent.SANCTION_LIFTED: _l("Sanction lifted"),
    WebhookEvent.EVENT_CREATED: _l("Event created"),
    WebhookEvent.EVENT_UPDATED: _l("Event changed"),
    WebhookEvent.EVENT_CANCELLED: _l("Event cancelled"),
    WebhookEvent.ANNOUNCEMENT_PUBLISHED: _l("Announcement published"),
    WebhookEvent.PING: _l("Test"),
}
# What a hook may choose, in the order the form lists them.
CHOOSABLE_EVENTS = tuple(event for event in WebhookEvent if event != WebhookEvent.PING)


class DeliveryStatus(StrEnum):
    QUEUED = "queued"  # waiting for its (next) attempt
    SENDING = "sending"  # claimed by a worker
    DELIVERED = "delivered"  # answered with 2xx
    FAILED = "failed"  # refused, too many attempts, interrupted, or its hook was disabled

    @property
    def label(self):
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    DeliveryStatus.QUEUED: _l("Queued"),
    DeliveryStatus.SENDING: _l("Sending"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.FAILED: _l("Failed"),
}


class Webhook(db.Model):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    # The chosen ``WebhookEvent`` values, as a list.
    events: Mapped[list] = mapped_column(JSON, default=list)
    # Staff-only hooks also receive what only the team may read (see services/webhooks).
    is_staff_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # The signing key. Kept readable: every delivery is signed with it.
    secret: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Failed attempts since the last success; at ``WEBHOOK_DISABLE_AFTER`` the hook stops.
    failure_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A code of services/webhooks/texts: why the forum stopped it; None when an admin did.
    disabled_reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by = relationship("User")

    @property
    def event_labels(self) -> list:
        return [WebhookEvent(code).label for code in self.events if code in set(WebhookEvent)]


class WebhookDelivery(db.Model):
    """One event for one hook: the exact body sent, and how its attempts went."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    # The event's id, the same for every hook told of it (receivers drop repeats by it).
    event_id: Mapped[str] = mapped_column(String(36))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=DeliveryStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_code: Mapped[int | None] = mapped_column(Integer)
    # A code of services/webhooks/texts and its technical detail ("timeout", "http_status").
    last_error: Mapped[str | None] = mapped_column(String(500))

    webhook = relationship("Webhook")

    __table_args__ = (
        Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_webhook_id_id", "webhook_id", "id"),
    )

    @property
    def status_label(self):
        return DeliveryStatus(self.status).label

    @property
    def event_label(self):
        return WebhookEvent(self.event).label if self.event in set(WebhookEvent) else self.event
