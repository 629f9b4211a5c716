"""What the team did by hand about an item on the community manager's desk.

Whether something waits for an answer is asked of the content itself (a thread without a
reply, a question without an accepted answer…: ``services.desk.kinds``), so nothing here can
go stale. A row exists only once someone acted on an item: marked it done, snoozed it,
assigned it, or opened it ("looking at it").
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class DeskState(db.Model):
    __tablename__ = "desk_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The item: its kind's code (``services.desk.kinds``) and the id of what it is about (a
    # thread, a post, an event…, as the kind says).
    kind: Mapped[str] = mapped_column(String(24))
    subject_id: Mapped[int] = mapped_column(Integer)
    # Done covers the item as it was: one whose condition starts again later (a new unanswered
    # question under an event) comes back.
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Who opened the item last and when: shown for a while, so two people don't answer the
    # same member.
    looking_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    looking_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last hand action and who took it: a second team member acting on what they saw
    # before is told what changed meanwhile (``version`` is raised by every hand action).
    last_action: Mapped[str | None] = mapped_column(String(16))
    last_actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assignee = relationship("User", foreign_keys=[assignee_id])
    looking = relationship("User", foreign_keys=[looking_id])
    last_actor = relationship("User", foreign_keys=[last_actor_id])

    __table_args__ = (UniqueConstraint("kind", "subject_id", name="uq_desk_states_item"),)

    def hides(self, since: datetime, now: datetime) -> bool:
        """Off the desk for now: done since the item's condition began, or snoozed."""
        if self.done_at is not None and self.done_at >= since:
            return True
        return self.snoozed_until is not None and now < self.snoozed_until
