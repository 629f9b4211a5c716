"""A member's appeal against a sanction, and the moderators' decision on it."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the sanction stays as it was
    REDUCED = "reduced"  # it ends earlier
    LIFTED = "lifted"  # it ended with the decision

    @property
    def label(self):
        return _APPEAL_LABELS[self]


_APPEAL_LABELS = {
    AppealStatus.OPEN: _l("Open"),
    AppealStatus.UPHELD: _l("Upheld"),
    AppealStatus.REDUCED: _l("Reduced"),
    AppealStatus.LIFTED: _l("Lifted"),
}


class Appeal(db.Model):
    """At most one per sanction: the unique ``sanction_id`` decides when two are sent at once."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(primary_key=True)
    sanction_id: Mapped[int] = mapped_column(
        ForeignKey("sanctions.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.OPEN)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the moderator told the member with the decision.
    decision_message: Mapped[str | None] = mapped_column(Text)

    sanction = relationship("Sanction")
    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (Index("ix_appeals_status_created", "status", "created_at"),)

    @property
    def status_label(self):
        return AppealStatus(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == AppealStatus.OPEN
