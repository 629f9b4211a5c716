"""Personal access tokens: how a member's scripts and tools use the API (``/api/v1``)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

TOKEN_NAME_MAX = 80


class Scope(StrEnum):
    READ = "read"  # what the member may read
    WRITE = "write"  # posting, reacting, reporting, answering events, marking notifications
    MODERATE = "moderate"  # the report queue, as the member's rank allows


class ApiToken(db.Model):
    """A token is "agora_<id>_<secret>"; the row keeps only the secret's SHA-256, so a copy of
    the table calls no API. Revoking marks the row; the next call with the token is refused."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(TOKEN_NAME_MAX))
    secret_hash: Mapped[str] = mapped_column(String(64))
    # Space-separated ``Scope`` values, in their declared order.
    scopes: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moved on at most once a minute (``services.accounts.tokens.LAST_USED_EVERY``).
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None: until revoked
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User", lazy="raise")

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def allows(self, scope: Scope | str) -> bool:
        """Writing and moderating include reading: a tool that acts must see what it acts on."""
        held = self.scope_set
        return scope in held or (scope == Scope.READ and bool(held))

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now
