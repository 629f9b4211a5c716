"""Images members upload into posts and conversations.

The files themselves live in a storage (``services.uploads.storage``), keyed by the hash of
their re-encoded bytes, so one picture uploaded twice is stored once; a row is one member's
upload of it and carries the id the URLs use. An upload belongs to the first post or message
that references it, and is seen by whoever may see that post or message.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# What the storage holds for each upload: the display size and a thumbnail.
MIME_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp", "gif": "image/gif"}


class Upload(db.Model):
    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Storage keys: "<sha256 of the bytes>.<extension>".
    display_key: Mapped[str] = mapped_column(String(80), index=True)
    thumb_key: Mapped[str] = mapped_column(String(80), index=True)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    # Display and thumbnail together: what counts against the owner's quota.
    stored_bytes: Mapped[int] = mapped_column(Integer)
    # The file's name as sent, cleaned, for the image's alt text.
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the first post or message that references the upload; until then only the owner
    # sees it, and ``run-timers`` removes it after a day.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"),
                                                index=True)
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    # Purged by a moderator (illegal content): the files are gone, the row keeps the record.
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post = relationship("Post", foreign_keys=[post_id])
    message = relationship("Message", foreign_keys=[message_id])

    __table_args__ = (Index("ix_uploads_owner_created", "owner_id", "created_at"),)

    @property
    def display_name(self) -> str:
        """The display file's name in its URL: enough of the hash to tell versions apart."""
        digest, _, ext = self.display_key.partition(".")
        return f"{digest[:16]}.{ext}"

    @property
    def thumb_name(self) -> str:
        digest, _, ext = self.thumb_key.partition(".")
        return f"{digest[:16]}.{ext}"

    @property
    def url(self) -> str:
        return f"/uploads/{self.id}/{self.display_name}"

    @property
    def thumb_url(self) -> str:
        return f"/uploads/{self.id}/thumb/{self.thumb_name}"
