"""Two-step login: a member's one-time-code secret and their single-use recovery codes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow


class TwoFactor(db.Model):
    """One row per member who set up (or is setting up) an authenticator app.

    ``secret`` is stored encrypted with a key derived from the app's secret key
    (``services.accounts.two_factor``), so a copy of the database alone does not give the codes.
    The row exists from the moment the setup page is shown; two-step login is on only once the
    member confirmed a code (``enabled_at``).
    """

    __tablename__ = "two_factor"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    secret: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The 30-second step of the last code accepted: a code is never accepted twice, nor an
    # older one after it.
    last_step: Mapped[int | None] = mapped_column(Integer)


class RecoveryCode(db.Model):
    """A single-use code for a lost device. Only its SHA-256 is kept."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("user_id", "code_hash"),)
