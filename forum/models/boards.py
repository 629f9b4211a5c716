"""Categories group boards; boards hold threads."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow


class Access(StrEnum):
    """Who may read a board."""

    EVERYONE = "everyone"
    MEMBERS = "members"
    STAFF = "staff"


class Category(db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)

    boards = relationship(
        "Board", back_populates="category", order_by="Board.position"
    )


class Board(db.Model):
    __tablename__ = "boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    access: Mapped[str] = mapped_column(String(16), default=Access.EVERYONE)
    is_read_only: Mapped[bool] = mapped_column(Boolean, default=False)
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    # Members (not only staff) may create events whose discussion lives here.
    allows_member_events: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who may start threads: members, or only the moderation team (``Access.MEMBERS``/``STAFF``).
    thread_access: Mapped[str] = mapped_column(String(16), default=Access.MEMBERS)
    # A board for questions and answers: a reply may be marked as the answer (``answers``).
    is_questions: Mapped[bool] = mapped_column(Boolean, default=False)
    # Hours a thread may wait for its first reply before it reaches the team's desk; also
    # the target the response figures measure the board against.
    response_hours: Mapped[int] = mapped_column(Integer, default=24, server_default="24")
    # Archived boards are read-only and listed last on the index, under "Archived".
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Every new thread here waits for a moderator's approval before anyone else sees it.
    threads_need_approval: Mapped[bool] = mapped_column(Boolean, default=False)
    # The language its posts are written in, for search (stemming); None: the forum's default.
    language: Mapped[str | None] = mapped_column(String(8))
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL"), index=True
    )

    category = relationship("Category", back_populates="boards")
    old_slugs = relationship("BoardSlug", back_populates="board", order_by="BoardSlug.retired_at",
                             cascade="all, delete-orphan", passive_deletes=True)
    last_post = relationship("Post", foreign_keys=[last_post_id], post_update=True)

    # The viewing member's level for the board and when they marked it all read, from the
    # board page's own query (``reading.get_board``).
    viewer_level: Mapped[str | None] = query_expression()
    viewer_read_all_at: Mapped[datetime | None] = query_expression()

    # ``read_group_list`` and ``post_group_list``: the ids of the groups limiting who reads and
    # who posts, loaded with the row (``models.groups``).

    @property
    def url(self) -> str:
        return f"/b/{self.slug}"

    @property
    def read_group_ids(self) -> frozenset[int]:
        """Only members of these groups (and the moderation team) may read; empty: no limit."""
        return _ids(self.read_group_list)  # type: ignore[attr-defined]

    @property
    def post_group_ids(self) -> frozenset[int]:
        """Only members of these groups (and the moderation team) may post; empty: no limit."""
        return _ids(self.post_group_list)  # type: ignore[attr-defined]

    def __repr__(self) -> str:
        return f"<Board {self.slug}>"


def _ids(listed: str | None) -> frozenset[int]:
    return frozenset(int(part) for part in listed.split(",") if part) if listed else frozenset()


class BoardSlug(db.Model):
    """An address a board had before it was renamed: ``/b/<slug>`` redirects to the board.

    A slug is either a board's current one or one board's old one, never both (the structure
    service checks it); a board may take back its own old slug, and a deleted board's old slugs
    go with it.
    """

    __tablename__ = "board_slugs"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"),
                                          index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board = relationship("Board", back_populates="old_slugs")
