"""Private conversations between members, the messages in them, blocks between members, and
the link from a report to the private message it is about."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Conversation(db.Model):
    """A subject and the members in it. Counters and the latest message are kept here and
    changed in SQL in the writing transaction, so the list and the header never count."""

    __tablename__ = "conversations"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(120))
    starter_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Started by a moderator for the moderation team ("explain before you act"): marked so
    # the member knows who writes, and no block keeps it out.
    is_team: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Participants who have not left; the participant limit is a condition on it.
    participant_count: Mapped[int] = mapped_column(Integer, default=0)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    # No foreign key: a conversation and its first message are written together, and the
    # id only orders and points (unread is "a message after the one I read last").
    last_message_id: Mapped[int] = mapped_column(Integer, default=0)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    starter = relationship("User")

    @property
    def url(self) -> str:
        return f"/messages/{self.id}"


class ConversationParticipant(db.Model):
    """A member in a conversation, what they read last, and whether they left."""

    __tablename__ = "conversation_participants"

    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A member who left reads and receives nothing more; the starter may add them again.
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Messages with a larger id are unread for this member.
    last_read_message_id: Mapped[int] = mapped_column(Integer, default=0)
    # Joined as one of the moderation team (a team conversation's moderators).
    as_team: Mapped[bool] = mapped_column(Boolean, default=False)

    conversation = relationship("Conversation")
    user = relationship("User")

    __table_args__ = (
        # The list and the header: a member's conversations they have not left.
        Index("ix_conversation_participants_user_left", "user_id", "left_at"),
    )

    @property
    def has_left(self) -> bool:
        return self.left_at is not None


class Message(db.Model):
    """One message: Markdown as written and the cleaned HTML rendered once from it."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Removed by a moderator from a report: participants see that it was, not what it said.
    # Who removed it and why is in the moderation log.
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    conversation = relationship("Conversation")
    author = relationship("User")

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None

    __table_args__ = (
        # A conversation's page, and "the five before" a reported message.
        Index("ix_messages_conversation_id", "conversation_id", "id"),
    )


class UserBlock(db.Model):
    """One member blocked another: no conversations from them, no notifications of their
    replies and quotes, and optionally their posts folded away. Only the blocker knows."""

    __tablename__ = "user_blocks"

    blocker_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            primary_key=True)
    blocked_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                            primary_key=True, index=True)
    collapse_posts: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    blocked = relationship("User", foreign_keys=[blocked_id])


class ReportedMessage(db.Model):
    """The message a report queue item is about (``target_kind`` "message"). Moderators read
    it and the five before it from the item, and nothing else of the conversation."""

    __tablename__ = "reported_messages"

    item_id: Mapped[int] = mapped_column(ForeignKey("report_items.id", ondelete="CASCADE"),
                                         primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            index=True)

    message = relationship("Message")
