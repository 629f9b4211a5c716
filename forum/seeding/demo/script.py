"""The shapes the demo community is written in: people, boards, and threads as scripts.

Threads are written as Markdown files (``library`` reads them into these shapes), so writing
another thread means adding text, not code.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...models import Access


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    bio: str
    location: str | None
    timezone: str
    joined_days_ago: int
    website: str | None = None
    role: str = "member"  # member, moderator or admin
    # How often the person is picked when a reply has no fixed author.
    chattiness: int = 2
    # Slugs of boards this member moderates without being a global moderator.
    moderates: tuple[str, ...] = ()


@dataclass(frozen=True)
class BoardSpec:
    slug: str
    title: str
    description: str
    access: Access = Access.EVERYONE
    is_read_only: bool = False
    # A question board: a reply can be marked as the answer, and the desk lists questions
    # still without one.
    is_questions: bool = False


@dataclass(frozen=True)
class CategorySpec:
    title: str
    description: str
    boards: tuple[BoardSpec, ...]


@dataclass(frozen=True)
class Reply:
    """One reply. ``author=None`` lets the seed pick a member who fits the board."""

    author: str | None
    body: str
    # Index of an earlier post in the same thread to quote (0 is the opening post), and
    # optionally the exact passage; without it the first paragraph is quoted.
    quote: int | None = None
    quote_text: str | None = None
    # A later edit: appended text, or an (old, new) replacement, done by ``edited_by``
    # (the author unless given).
    edit: str | None = None
    replace: tuple[str, str] | None = None
    edited_by: str | None = None
    # A soft delete with this reason, by ``deleted_by`` (the author unless given).
    deleted: str | None = None
    deleted_by: str | None = None
    # Hours since the previous post; None lets the seed choose a natural gap.
    after: float | None = None
    # Hours between posting and the edit; None means soon after.
    edit_after: float | None = None
    # Why someone other than the author edits it (the moderation log and the author see it).
    edit_reason: str | None = None


@dataclass(frozen=True)
class ThreadScript:
    board: str
    author: str
    title: str
    body: str
    replies: tuple[Reply, ...] = ()
    # Days before "now" the thread starts; None spreads it over the demo's two months.
    day: float | None = None
    # Roughly how many days the replies stretch over; None means a normal conversation pace.
    span_days: float | None = None
    pinned: bool = False
    locked: str | None = None  # the lock reason; the moderator `mod` locks after the last reply
    edit: str | None = None  # text the author appends to the opening post later
    edit_after: float | None = None  # hours after posting; None means soon after
