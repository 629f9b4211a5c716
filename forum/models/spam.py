"""Defences against spam: the ban lists, the addresses members used, and spammer removals."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class BanKind(StrEnum):
    DOMAIN = "domain"  # an email domain, its subdomains included
    EMAIL = "email"  # one email address
    NETWORK = "network"  # an IP range in CIDR notation, IPv4 or IPv6


class BanEntry(db.Model):
    """One line of a ban list. ``value`` is stored normalised (lower case, the network in its
    canonical form), so the unique constraint catches the same entry written another way."""

    __tablename__ = "ban_entries"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_ban_entries_kind_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(320))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # None: until an administrator removes it.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a spammer's removal added the entry, so undoing it takes away only its own.
    removal_id: Mapped[int | None] = mapped_column(ForeignKey("spam_removals.id"), index=True)

    created_by = relationship("User", foreign_keys=[created_by_id])

    def is_active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


class MemberAddress(db.Model):
    """An address a member used (signing up, logging in, sending a form), kept for the
    ``member_address_days`` setting and then deleted."""

    __tablename__ = "member_addresses"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    address: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    user = relationship("User")


class SpamRemoval(db.Model):
    """One "remove spammer" action, kept so an administrator can undo it within the
    ``spam_undo_days`` setting. ``active_key`` ("user:12") is set until it is undone; its
    unique constraint lets only one of two moderators removing the same member at once win."""

    __tablename__ = "spam_removals"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(String(500))
    active_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    sanction_id: Mapped[int | None] = mapped_column(ForeignKey("sanctions.id"))
    posts: Mapped[int] = mapped_column(Integer, default=0)
    threads: Mapped[int] = mapped_column(Integer, default=0)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user = relationship("User", foreign_keys=[user_id])
    actor = relationship("User", foreign_keys=[actor_id])
    undone_by = relationship("User", foreign_keys=[undone_by_id])
