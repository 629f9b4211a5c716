"""Boards, kept by administrators: create, edit (title, address, description, category,
place, who may read and start threads, pace, flags, language), archive. Reordering is in
``structure``, with the order's locking.

Addresses. A slug is lower case letters, digits and single hyphens, derived from the title
unless given. It is unique among boards' current slugs and the old slugs renamed boards keep
(``BoardSlug``, redirected with 301): a board may take back one of its own old slugs, but not
one another board still redirects from; a deleted board's old slugs are freed with it.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, true
from sqlalchemy.exc import IntegrityError

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...i18n import LANGUAGES
from ...models import (
    Access,
    Board,
    BoardGroup,
    BoardSlug,
    Category,
    Group,
    GroupLimit,
    User,
    utcnow,
)
from ...policy import Policy
from .. import audit, text
from ..accounts import groups
from ..moderation.thread_tools import check_interval
from .structure import (
    DESCRIPTION_MAX,
    TITLE_MAX,
    InvalidField,
    board_order,
    lock_categories,
    place,
    renumber,
    undone_on_refusal,
)

SLUG_MAX = 64
# Addresses the site uses or will use beside boards, and words that would read as one.
RESERVED_SLUGS = frozenset({
    "new", "admin", "mod", "api", "search", "events", "login", "logout", "register", "settings",
    "notifications", "reports", "members", "users", "static", "feed", "rss",
    "help", "about", "rules", "privacy", "desk", "messages", "archive", "archived", "edit",
})
READ_ACCESS = (Access.EVERYONE, Access.MEMBERS, Access.STAFF)
THREAD_ACCESS = (Access.MEMBERS, Access.STAFF)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(value: str | None, limit: int | None = SLUG_MAX) -> str:
    """Lower case ASCII letters and digits joined by single hyphens; accents lose their marks,
    anything else separates words. Empty when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")
    return slug if limit is None else slug[:limit].rstrip("-")


# -- boards ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BoardDraft:
    """What the board form sends. An empty slug means "from the title"; ``position`` None keeps
    the board's place (or puts it last in a new category)."""

    title: str
    category_id: int
    slug: str = ""
    description: str = ""
    access: str = Access.EVERYONE
    thread_access: str = Access.MEMBERS
    is_read_only: bool = False
    slow_mode_seconds: int = 0
    allows_member_events: bool = False
    is_questions: bool = False
    threads_need_approval: bool = False
    position: int | None = None
    # Hours until an unanswered thread reaches the desk; the target the response figures use.
    # None keeps the board's (24 for a new one).
    response_hours: int | None = None
    # The ids of the groups that alone may read (post in) the board; None keeps them as they
    # are, empty means no limit.
    read_groups: tuple[int, ...] | None = None
    post_groups: tuple[int, ...] | None = None
    # The language its posts are written in (search stems them in it); empty: the forum's
    # default language, whatever it is at the time.
    language: str = ""


def board_values(board: Board) -> dict:
    """What the log keeps of a board, before and after."""
    return {
        "title": board.title, "slug": board.slug, "description": board.description or "",
        "category": board.category.title if board.category is not None else "",
        "position": board.position,
        "access": str(board.access), "thread_access": str(board.thread_access),
        "read_only": bool(board.is_read_only), "slow_mode_seconds": board.slow_mode_seconds or 0,
        "member_events": bool(board.allows_member_events),
        "questions": bool(board.is_questions), "archived": bool(board.is_archived),
        "response_hours": board.response_hours,
        "threads_need_approval": bool(board.threads_need_approval),
        "language": board.language or "",
        "read_groups": _group_names(board, GroupLimit.READ),
        "post_groups": _group_names(board, GroupLimit.POST),
    }


def _group_names(board: Board, kind: GroupLimit) -> list[str]:
    if board.id is None:
        return []
    return list(db.session.scalars(
        select(Group.name).join(BoardGroup, BoardGroup.group_id == Group.id)
        .where(BoardGroup.board_id == board.id, BoardGroup.kind == kind.value)
        .order_by(Group.name_key)
    ))


def _checked_groups(draft: BoardDraft) -> dict[GroupLimit, list[int]]:
    chosen = {}
    for kind, field, ids in ((GroupLimit.READ, "read_groups", draft.read_groups),
                             (GroupLimit.POST, "post_groups", draft.post_groups)):
        if ids is None:
            continue
        try:
            chosen[kind] = groups.checked_group_ids(ids)
        except Refused as error:
            raise InvalidField(field, error.reason) from None
    return chosen


def _set_groups(board: Board, chosen: dict[GroupLimit, list[int]]) -> None:
    """Make the board's read and post lists exactly the chosen ids (lists not chosen stay)."""
    for kind, ids in chosen.items():
        db.session.execute(delete(BoardGroup).where(
            BoardGroup.board_id == board.id, BoardGroup.kind == kind.value,
            BoardGroup.group_id.not_in(ids)))
        kept = set(db.session.scalars(select(BoardGroup.group_id).where(
            BoardGroup.board_id == board.id, BoardGroup.kind == kind.value)))
        for group_id in ids:
            if group_id not in kept:
                db.session.add(BoardGroup(board_id=board.id, group_id=group_id,
                                          kind=kind.value))
    if chosen:
        db.session.flush()
        # The lists come with the board's row: read them afresh.
        db.session.expire(board, ["read_group_list", "post_group_list"])


def _checked_slug(draft: BoardDraft, board: Board | None) -> str:
    typed = (draft.slug or "").strip()
    if typed and len(slugify(typed, limit=None)) > SLUG_MAX:
        raise InvalidField("slug", _("A slug can be at most %(max)s characters.",
                                     max=SLUG_MAX))
    slug = slugify(typed or draft.title)
    if not slug:
        if typed:
            raise InvalidField("slug", _("A slug needs at least one letter or digit."))
        raise InvalidField("slug", _("The title has no letters or digits to make an address "
                                   "from; type a slug."))
    if slug in RESERVED_SLUGS:
        raise InvalidField("slug", _("“%(slug)s” is reserved for the site's own pages; choose "
                                     "another slug.", slug=slug), 409)
    own_id = board.id if board is not None else None
    taken = db.session.scalar(select(Board).where(
        func.lower(Board.slug) == slug, Board.id != own_id if own_id is not None else true()))
    if taken is not None:
        raise InvalidField("slug", _("The board “%(title)s” already has the address "
                                     "/b/%(slug)s.", title=taken.title, slug=slug), 409)
    kept = db.session.scalar(select(BoardSlug).where(BoardSlug.slug == slug))
    if kept is not None and kept.board_id != own_id:
        raise InvalidField("slug", _("/b/%(slug)s still leads to the board “%(title)s”, which "
                                     "had that address before; choose another slug.",
                                     slug=slug, title=kept.board.title), 409)
    return slug


def _checked_board(draft: BoardDraft, board: Board | None) -> tuple[dict, Category]:
    title = " ".join((draft.title or "").split())
    if not title:
        raise InvalidField("title", _("A board needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidField("title", _("A title can be at most %(max)s characters.",
                                       max=TITLE_MAX))
    description = text.multiline(draft.description)
    if len(description) > DESCRIPTION_MAX:
        raise InvalidField("description",
                           _("A description can be at most %(max)s characters.",
                             max=DESCRIPTION_MAX))
    category = db.session.get(Category, draft.category_id) if draft.category_id else None
    if category is None:
        raise InvalidField("category", _("Choose one of the categories."))
    if draft.access not in READ_ACCESS:
        raise InvalidField("access", _("Choose who may read the board: everyone, members or the "
                                     "moderation team."))
    if draft.thread_access not in THREAD_ACCESS:
        raise InvalidField("thread_access", _("Choose who may start threads: members or the "
                                            "moderation team."))
    try:
        check_interval(draft.slow_mode_seconds, board=True)
    except Refused as error:
        raise InvalidField("slow_mode_seconds", error.reason) from None
    if draft.language and draft.language not in LANGUAGES:
        raise InvalidField("language", _("Choose one of the languages, or the forum's "
                                         "default."))
    if board is not None and board.is_archived and not draft.is_read_only:
        raise InvalidField("is_read_only", _("An archived board stays read-only; unarchive it "
                                           "to open it for posting."))
    values = {
        "title": title, "slug": _checked_slug(draft, board), "description": description or None,
        "category_id": category.id, "access": Access(draft.access),
        "thread_access": Access(draft.thread_access), "is_read_only": bool(draft.is_read_only),
        "slow_mode_seconds": draft.slow_mode_seconds,
        "allows_member_events": bool(draft.allows_member_events),
        "is_questions": bool(draft.is_questions),
        "threads_need_approval": bool(draft.threads_need_approval),
        "language": draft.language or None,
    }
    if draft.response_hours is not None:
        if not 1 <= draft.response_hours <= 720:
            raise InvalidField("response_hours", _("Give a number of hours from 1 to 720."))
        values["response_hours"] = draft.response_hours
    return values, category


def _check_position(position: int | None, count: int) -> None:
    if position is not None and not 1 <= position <= count:
        raise InvalidField("position", _("The position is a number from 1 to %(count)s.",
                                             count=count))


def _save(board: Board) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        # Another administrator took the slug between the check and the write.
        db.session.rollback()
        raise InvalidField("slug", _("Another board took that slug a moment ago; choose "
                                   "another."), 409) from None


@undone_on_refusal
def create_board(actor: User, draft: BoardDraft, now: datetime | None = None) -> Board:
    """A new board in its category, last or at ``draft.position`` (``board.create``).

    Refuses: anyone but administrators (403); an empty or long title, a long description, an
    unknown category, access or interval, a slug with no letter or digit, a position outside
    1…n+1 (400); a slug reserved, used by another board, or still redirecting to one (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_structure())
    values, category = _checked_board(draft, None)
    chosen = _checked_groups(draft)
    lock_categories(category.id)
    order = board_order(category.id)
    _check_position(draft.position, len(order) + 1)
    board = Board(**values, category=category, position=len(order) + 1, thread_count=0,
                  post_count=0)
    db.session.add(board)
    _save(board)
    _set_groups(board, chosen)
    if draft.position is not None:
        renumber(Board, place(order + [board], board, draft.position - 1),
                  Board.category_id == category.id)
    audit.record(actor, "board.create", board, after=board_values(board), now=now)
    commit()
    return board


@undone_on_refusal
def update_board(actor: User, board: Board, draft: BoardDraft,
                 now: datetime | None = None) -> Board:
    """Change a board (``board.update``, with before and after); a new slug leaves the old one
    redirecting, a new category puts the board last there unless a position is given.

    Refuses: as ``create_board``; an archived board made writable (400).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_structure())
    values, category = _checked_board(draft, board)
    chosen = _checked_groups(draft)
    before = board_values(board)
    old_category_id, old_slug = board.category_id, board.slug
    moving = category.id != old_category_id
    lock_categories(old_category_id, category.id)
    order = [row for row in board_order(category.id) if row.id != board.id]
    _check_position(draft.position, len(order) + 1)
    if values["slug"] != old_slug:
        # Taking back one of its own old slugs ends that redirect.
        reclaimed = db.session.scalar(select(BoardSlug).where(BoardSlug.slug == values["slug"]))
        if reclaimed is not None:
            db.session.delete(reclaimed)
        db.session.add(BoardSlug(board_id=board.id, slug=old_slug, retired_at=now))
    for name, value in values.items():
        setattr(board, name, value)
    board.category = category
    if moving:
        board.position = len(order) + 1
    _save(board)
    _set_groups(board, chosen)
    if moving:
        renumber(Board, board_order(old_category_id), Board.category_id == old_category_id)
    if draft.position is not None or moving:
        index = len(order) if draft.position is None else draft.position - 1
        renumber(Board, place(order, board, index), Board.category_id == category.id)
    after = board_values(board)
    if before != after:
        audit.record(actor, "board.update", board,
                     before={k: v for k, v in before.items() if after[k] != v},
                     after={k: v for k, v in after.items() if before[k] != v}, now=now)
    commit()
    return board


def archive_board(actor: User, board: Board, reason: str | None = None,
                  now: datetime | None = None) -> Board:
    """Archive: read-only for members, listed under "Archived" at the end of the index
    (``board.archive``).

    Refuses: anyone but administrators (403); a board already archived (409).
    """
    require(Policy(actor).can_manage_structure())
    if board.is_archived:
        raise Refused(_("“%(title)s” is already archived.", title=board.title), status=409)
    before = {"archived": False, "read_only": bool(board.is_read_only)}
    board.is_archived, board.is_read_only = True, True
    audit.record(actor, "board.archive", board, reason, before=before,
                 after={"archived": True, "read_only": True}, now=now or utcnow())
    commit()
    return board


def unarchive_board(actor: User, board: Board, reopen: bool = True, reason: str | None = None,
                    now: datetime | None = None) -> Board:
    """Back among its category's boards (``board.unarchive``); ``reopen`` ends read-only too.

    Refuses: anyone but administrators (403); a board that isn't archived (409).
    """
    require(Policy(actor).can_manage_structure())
    if not board.is_archived:
        raise Refused(_("“%(title)s” isn't archived.", title=board.title), status=409)
    before = {"archived": True, "read_only": bool(board.is_read_only)}
    board.is_archived = False
    if reopen:
        board.is_read_only = False
    audit.record(actor, "board.unarchive", board, reason, before=before,
                 after={"archived": False, "read_only": bool(board.is_read_only)},
                 now=now or utcnow())
    commit()
    return board
