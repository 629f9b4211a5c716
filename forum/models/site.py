"""The forum's own documents (the rules, the privacy notice) and invitations to join."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# The documents a member accepts when joining, by the name in their address (/rules, /privacy).
# The titles are lazy: shown in the reader's language.
DOCUMENT_TITLES = {"rules": _l("Community rules"), "privacy": _l("Privacy notice")}


class SiteDocument(db.Model):
    """One version of a document. Saving a changed text adds a version; old ones are kept.
    The current version number of each document is also kept as a setting row
    (``<name>_version``), so pages learn it from the settings they already read."""

    __tablename__ = "site_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    created_by = relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (UniqueConstraint("name", "version", name="uq_site_documents_version"),)

    @property
    def title(self) -> str:
        return str(DOCUMENT_TITLES.get(self.name, self.name))


class Invitation(db.Model):
    """A single-use link to register. Only a hash of the code is stored: the link is shown
    once, when it is made."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    created_by = relationship("User", foreign_keys=[created_by_id])
    used_by = relationship("User", foreign_keys=[used_by_id])
    revoked_by = relationship("User", foreign_keys=[revoked_by_id])

    __table_args__ = (Index("ix_invitations_created", "created_at"),)

    def state(self, now: datetime) -> str:
        """open, used, revoked or expired (used and revoked first: they are final)."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "open"
