"""The in-app notification centre: what happened that a member should know about."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class NotificationKind(StrEnum):
    REPLY = "reply"  # a reply in your thread
    QUOTE = "quote"  # your post was quoted
    REPORT_OUTCOME = "report_outcome"  # a report you filed was handled
    SANCTION = "sanction"  # a warning, timeout, suspension or ban, or its early end
    MODERATION = "moderation"  # a moderator hid, deleted or edited your post
    ROLE = "role"  # your role or board assignments changed
    GROUP = "group"  # you were added to a group or removed from one
    EVENT = "event"  # an event you answered changed, was cancelled, starts soon, or had room
    ACCOUNT = "account"  # an administrator changed your account
    # A new conversation or message for you; its own kind, so mail can follow the member's
    # preference for private messages apart from the rest.
    MESSAGE = "message"
    DESK = "desk"  # a team member gave you an item of the desk
    WATCHED = "watched"  # new posts in a thread you watch (grouped per thread)
    MENTION = "mention"  # someone mentioned you by @name
    TEAM_MENTION = "team_mention"  # someone called the board's moderators with @team
    REACTION = "reaction"  # people reacted to your post (grouped per post)
    BOOKMARK = "bookmark"  # a bookmark's reminder fell due
    SITE = "site"  # the forum's own notices to administrators (a webhook it stopped)


class Notification(db.Model):
    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    # What it says, worded when shown so each reader reads their own language: a key of
    # services/notification_texts and its plain parameters (titles, names, ISO moments).
    key: Mapped[str | None] = mapped_column(String(64))
    params: Mapped[dict | None] = mapped_column(JSON)
    # Rows written before keys: the English line and longer text they were written with,
    # shown as stored. Empty on newer rows.
    text: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    # Who caused it, when that may be shown (never the moderator behind a report outcome).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the mail scan dealt with it (mailed it, or found it read, or not wanted by mail):
    # services/notification_mail/at_once.py. None while it waits for that scan.
    mail_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many happenings an unread grouped notification stands for ("5 new posts in …");
    # raised in SQL while it stays unread, shown as the ``num`` of its sentence.
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    recipient = relationship("User", foreign_keys=[recipient_id])
    actor = relationship("User", foreign_keys=[actor_id])

    __table_args__ = (
        # The bell: count of a member's unread ones.
        Index("ix_notifications_recipient_read", "recipient_id", "read_at"),
        # The list: a member's newest first.
        Index("ix_notifications_recipient_created", "recipient_id", "created_at"),
        # The mail scan: only rows it has yet to look at, so the index stays small.
        Index("ix_notifications_mail_waiting", "created_at",
              sqlite_where=sql_text("mail_checked_at IS NULL"),
              postgresql_where=sql_text("mail_checked_at IS NULL")),
        # Grouping: a recipient's unread notification of a kind about one thread or post.
        Index("ix_notifications_grouping", "kind", "link", "read_at"),
    )

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def __repr__(self) -> str:
        return f"<Notification {self.id} {self.kind} for {self.recipient_id}>"
