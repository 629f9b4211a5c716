"""One row per login: each browser or device a member logged in on, so one can be ended alone."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, utcnow

USER_AGENT_MAX = 255
ADDRESS_MAX = 64


class Login(db.Model):
    """The session cookie and the remember-me cookie carry the row's id and a secret; only
    the secret's hash is stored, so a copy of the table logs nobody in."""

    __tablename__ = "logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on at most every few minutes (``web.LAST_SEEN_EVERY``), never on every page.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The browser's User-Agent as sent, cut to fit; the page names browser and system from it.
    user_agent: Mapped[str | None] = mapped_column(String(USER_AGENT_MAX))
    address: Mapped[str | None] = mapped_column(String(ADDRESS_MAX))
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
