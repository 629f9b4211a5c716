"""Reports and the queue items they gather into, sanctions, the moderation log, moderator notes
and canned responses."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class ReportReason(StrEnum):
    SPAM = "spam"
    HARASSMENT = "harassment"
    OFF_TOPIC = "off_topic"
    INAPPROPRIATE = "inappropriate"
    ILLEGAL = "illegal"
    OTHER = "other"

    @property
    def label(self):
        """Lazy: forms declared at import offer it, and it shows in the reader's language."""
        return _REASON_LABELS[self]


_REASON_LABELS = {
    ReportReason.SPAM: _l("Spam"),
    ReportReason.HARASSMENT: _l("Harassment"),
    ReportReason.OFF_TOPIC: _l("Off-topic"),
    ReportReason.INAPPROPRIATE: _l("Inappropriate"),
    ReportReason.ILLEGAL: _l("Illegal"),
    ReportReason.OTHER: _l("Other"),
}


class TargetKind(StrEnum):
    POST = "post"
    THREAD = "thread"
    USER = "user"
    MESSAGE = "message"  # a private message (``ReportedMessage`` says which)


class ItemStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"

    @property
    def label(self):
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    ItemStatus.OPEN: _l("Open"),
    ItemStatus.CLAIMED: _l("Claimed"),
    ItemStatus.RESOLVED: _l("Resolved"),
    ItemStatus.DISMISSED: _l("Dismissed"),
}


# Items a moderator can still act on; every conditional UPDATE on an item names these.
ACTIVE_STATUSES = (ItemStatus.OPEN, ItemStatus.CLAIMED)


def ranked_reasons(counts: dict[ReportReason, int]) -> list[tuple[ReportReason, int]]:
    """Reasons with their report counts, most frequent first, then by name: how an item's
    reasons are shown wherever they are counted."""
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0].value))


class ReportItem(db.Model):
    """One queue entry per reported target: the reports on it gather here until it is handled.

    ``open_key`` ("post:12") is set while the item is open or claimed and cleared when it is
    closed; its unique constraint is what keeps a target to one open item, even when two members
    report it at the same moment. Later reports on the same target start a new item.
    """

    __tablename__ = "report_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_kind: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"), index=True)
    # The post's thread, or the reported thread: the board filter follows the thread, so an
    # item moves with it when the thread is moved.
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"), index=True)
    # The member concerned: the reported member, or the author of the reported post or thread.
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.OPEN)
    # Distinct reporters: a member has at most one report in an item.
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    first_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_reported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What was done, in words ("hid the post, warned the author"); the log has the details.
    resolution: Mapped[str | None] = mapped_column(String(300))
    # The post was hidden automatically when the reports reached the threshold.
    auto_hidden: Mapped[bool] = mapped_column(Boolean, default=False)

    post = relationship("Post")
    thread = relationship("Thread")
    subject = relationship("User", foreign_keys=[subject_id])
    claimed_by = relationship("User", foreign_keys=[claimed_by_id])
    resolved_by = relationship("User", foreign_keys=[resolved_by_id])
    reports = relationship("Report", back_populates="item", order_by="Report.created_at")

    __table_args__ = (
        Index("ix_report_items_queue", "status", "report_count", "first_reported_at"),
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<ReportItem {self.id} {self.target_kind} {self.status}>"


class Report(db.Model):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("report_items.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    # Follows the item: open until it is resolved or dismissed.
    status: Mapped[str] = mapped_column(String(16), default=ItemStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    item = relationship("ReportItem", back_populates="reports")
    reporter = relationship("User")

    __table_args__ = (
        # One report per reporter in an item, so one open report per reporter and target.
        UniqueConstraint("item_id", "reporter_id"),
        Index("ix_reports_reporter_created", "reporter_id", "created_at"),
    )

    @property
    def reason_label(self) -> str:
        return ReportReason(self.reason).label


class SanctionKind(StrEnum):
    WARNING = "warning"  # on the record; stops nothing
    TIMEOUT = "timeout"  # may not post
    SUSPENSION = "suspension"  # may not log in
    BAN = "ban"  # may not log in, usually for good

    @property
    def label(self):
        return _SANCTION_LABELS[self]


_SANCTION_LABELS = {
    SanctionKind.WARNING: _l("Warning"),
    SanctionKind.TIMEOUT: _l("Timeout"),
    SanctionKind.SUSPENSION: _l("Suspension"),
    SanctionKind.BAN: _l("Ban"),
}


POSTING_BLOCKED_BY = frozenset({SanctionKind.TIMEOUT, SanctionKind.SUSPENSION, SanctionKind.BAN})
LOGIN_BLOCKED_BY = frozenset({SanctionKind.SUSPENSION, SanctionKind.BAN})


class Sanction(db.Model):
    """A measure against a member. In force from ``starts_at`` until ``ends_at`` (never, when
    null) unless lifted; evaluated against the clock when read, so nothing has to expire it."""

    __tablename__ = "sanctions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    # What the member was told, when the moderator wrote more than the reason.
    message: Mapped[str | None] = mapped_column(Text)
    # Null when the forum issued it by itself (a warning-points threshold).
    issuer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # A warning's points (``services.moderation.warning_points``); null for other kinds.
    points: Mapped[int | None] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    lift_reason: Mapped[str | None] = mapped_column(String(500))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("report_items.id"), index=True)

    user = relationship("User", foreign_keys=[user_id])
    issuer = relationship("User", foreign_keys=[issuer_id])
    lifted_by = relationship("User", foreign_keys=[lifted_by_id])

    __table_args__ = (Index("ix_sanctions_user_ends", "user_id", "ends_at"),)

    def is_active(self, now: datetime) -> bool:
        if self.kind == SanctionKind.WARNING or self.lifted_at is not None:
            return False
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)

    def __repr__(self) -> str:
        return f"<Sanction {self.id} {self.kind} of {self.user_id}>"


class ModAction(db.Model):
    """The moderation log. Append-only: rows are added in the transaction of the action they
    record and never changed or removed (the mapper refuses to, below)."""

    __tablename__ = "mod_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # Null for what the forum did by itself (a post hidden by the report threshold).
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40), index=True)  # noun.verb: "post.hide"
    target_kind: Mapped[str | None] = mapped_column(String(16))
    target_id: Mapped[int | None] = mapped_column(Integer)
    # The member the action concerns, for "everything done to this member".
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Written at the time, so the log still reads right after titles change or rows go.
    target_label: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("report_items.id"), index=True)

    actor = relationship("User", foreign_keys=[actor_id])
    target_user = relationship("User", foreign_keys=[target_user_id])

    __table_args__ = (Index("ix_mod_actions_target", "target_kind", "target_id"),)

    def __repr__(self) -> str:
        return f"<ModAction {self.id} {self.action}>"


class AppendOnlyError(RuntimeError):
    pass


@event.listens_for(ModAction, "before_update")
def _refuse_log_update(mapper, connection, target) -> None:
    raise AppendOnlyError("The moderation log is append-only: entries can't be changed.")


@event.listens_for(ModAction, "before_delete")
def _refuse_log_delete(mapper, connection, target) -> None:
    raise AppendOnlyError("The moderation log is append-only: entries can't be deleted.")


class ModeratorNote(db.Model):
    """A private note about a member, seen by the moderation team only."""

    __tablename__ = "moderator_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    author = relationship("User", foreign_keys=[author_id])


class CannedResponse(db.Model):
    """A message template moderators start from; ``{username}`` and ``{thread}`` are filled in.

    A response may also carry what to do (a macro): content actions (``actions``, codes of
    ``resolution.ActionKind`` that need nothing more, such as ``hide_post``), a sanction
    (``warn``, or ``timeout`` with a length key of the resolve form) and the reason logged
    with them. Picking it fills the whole form; the queue applies it in one click.
    """

    __tablename__ = "canned_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actions: Mapped[list | None] = mapped_column(JSON)
    sanction: Mapped[str | None] = mapped_column(String(16))
    timeout: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(500))

    @property
    def is_macro(self) -> bool:
        return bool(self.actions or self.sanction)
