"""Groups of members chosen by administrators, and the boards they open: a board with read
groups is read only by their members (and the moderation team), one with post groups is
written in only by theirs."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, cast, func, select
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow
from .boards import Board


class GroupLimit(StrEnum):
    """What a board's group list limits."""

    READ = "read"
    POST = "post"


class Group(db.Model):
    __tablename__ = "groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    # The lower-cased name carries the unique constraint: "Makers Club" and "makers club" are one.
    name_key: Mapped[str] = mapped_column(String(60), unique=True)
    description: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships = relationship("GroupMember", back_populates="group",
                               cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Group {self.name}>"


class GroupMember(db.Model):
    __tablename__ = "group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                          primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    group = relationship("Group", back_populates="memberships")
    user = relationship("User", foreign_keys=[user_id])
    added_by = relationship("User", foreign_keys=[added_by_id])


class BoardGroup(db.Model):
    """One group on one of a board's two lists (``kind``: read or post)."""

    __tablename__ = "board_groups"

    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    kind: Mapped[str] = mapped_column(String(8), primary_key=True)


def _group_list(kind: GroupLimit):
    return (select(func.aggregate_strings(cast(BoardGroup.group_id, String), ","))
            .where(BoardGroup.board_id == Board.id, BoardGroup.kind == kind.value)
            .correlate_except(BoardGroup).scalar_subquery())


# A board's read and post groups come with the board's own row (comma-separated ids, None when
# the board has none), so asking the policy about a board never costs a query of its own.
Board.read_group_list = column_property(_group_list(GroupLimit.READ))
Board.post_group_list = column_property(_group_list(GroupLimit.POST))

