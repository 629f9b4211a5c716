"""The forum's structure, kept by administrators: categories, their order, and the order of
the boards within them. Boards themselves (creating, editing, addresses, archiving) are in
``boards``; deleting one after moving its threads in ``board_removal``.

Every action asks ``Policy.can_manage_structure()``, writes its ``category.*``/``board.*`` log
entry in its own transaction and commits once. A reason is optional: the log keeps one when it
is given.

Order. Categories, and boards within a category, are numbered 1…n by ``position``. A reorder
first takes a lock (a no-op UPDATE of the categories concerned: a row lock on PostgreSQL, the
write lock on SQLite), then reads the order afresh and renumbers with UPDATEs conditional on
the positions it read, so two administrators reordering at once are applied one after the
other and never leave duplicate or lost positions.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ...database import commit
from ...errors import InvalidField, NotFound, Refused, require
from ...extensions import db
from ...models import Board, Category, User, utcnow
from ...policy import Policy
from .. import audit, text

TITLE_MAX = 100
DESCRIPTION_MAX = 300



# -- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CategoryRow:
    category: Category
    boards: list[Board]


def overview(viewer: Policy) -> list[CategoryRow]:
    """Every category in order with all its boards (archived too) and their old slugs: three
    queries. Refuses: anyone but administrators."""
    require(viewer.can_manage_structure())
    categories = db.session.scalars(
        select(Category).order_by(Category.position, Category.id)
        .options(selectinload(Category.boards).selectinload(Board.old_slugs))
    ).all()
    return [CategoryRow(category, sorted(category.boards, key=lambda b: (b.position, b.id)))
            for category in categories]


def get_category(viewer: Policy, category_id: int) -> Category:
    require(viewer.can_manage_structure())
    category = db.session.get(Category, category_id)
    if category is None:
        raise NotFound(_("That category doesn't exist (any more)."))
    return category


def get_board(viewer: Policy, board_id: int) -> Board:
    require(viewer.can_manage_structure())
    board = db.session.get(Board, board_id)
    if board is None:
        raise NotFound(_("That board doesn't exist (any more)."))
    return board


# -- order -------------------------------------------------------------------------------------
P = ParamSpec("P")
R = TypeVar("R")


def undone_on_refusal(action: Callable[P, R]) -> Callable[P, R]:
    """An action that takes the order's lock before its last checks: a refusal rolls the
    lock (and anything else written) back at once, so nothing waits on a refused action."""

    @functools.wraps(action)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return action(*args, **kwargs)
        except Refused:
            db.session.rollback()
            raise

    return run


def lock_categories(*category_ids: int) -> None:
    """Serialise reorders: a no-op UPDATE of the categories concerned (all when none are named)
    holds their rows on PostgreSQL and the write lock on SQLite until the commit, so the order
    read next is the current one."""
    statement = update(Category).values(position=Category.position)
    if category_ids:
        statement = statement.where(Category.id.in_(sorted(set(category_ids))))
    db.session.execute(statement.execution_options(synchronize_session=False))


def _siblings(model, *where) -> list:
    return list(db.session.scalars(
        select(model).where(*where).order_by(model.position, model.id)
        .execution_options(populate_existing=True)
    ))


def renumber(model, order: list, *where) -> None:
    """Number ``order`` 1…n, each UPDATE conditional on the position just read (and ``where``):
    a row changed behind the lock's back makes the whole action refuse rather than guess."""
    for number, row in enumerate(order, 1):
        if row.position == number:
            continue
        changed = db.session.execute(
            update(model).where(model.id == row.id, model.position == row.position, *where)
            .values(position=number).execution_options(synchronize_session=False)
        ).rowcount
        if changed != 1:
            db.session.rollback()
            raise Refused(_("The order changed while you were working on it. Reload the page and "
                          "try again."), status=409)
        # Written by the UPDATE already: the session must not write it again.
        set_committed_value(row, "position", number)


def place(order: list, item, index: int) -> list:
    rest = [row for row in order if row.id != item.id]
    rest.insert(index, item)
    return rest


def step(order: list, item, direction: int) -> int:
    """The index ``item`` moves to one step up (-1) or down (+1). Refuses a step past an end."""
    if direction not in (-1, 1):
        raise Refused(_("Move one place up or down."), status=400)
    index = [row.id for row in order].index(item.id) + direction
    if not 0 <= index < len(order):
        if direction < 0:
            raise Refused(_("“%(title)s” is already first.", title=item.title), status=409)
        raise Refused(_("“%(title)s” is already last.", title=item.title), status=409)
    return index


@undone_on_refusal
def move_category(actor: User, category: Category, direction: int,
                  now: datetime | None = None) -> Category:
    """One place up (-1) or down (+1) among the categories (``category.move``).

    Refuses: anyone but administrators (403); a direction other than ±1 (400); a step past the
    first or last place (409); an order changed by someone else meanwhile (409).
    """
    require(Policy(actor).can_manage_structure())
    lock_categories()
    order = _siblings(Category)
    before = category.position
    order = place(order, category, step(order, category, direction))
    renumber(Category, order)
    audit.record(actor, "category.move", category, before={"position": before},
                 after={"position": order.index(category) + 1}, now=now or utcnow())
    commit()
    return category


def board_order(category_id: int) -> list[Board]:
    return _siblings(Board, Board.category_id == category_id)


@undone_on_refusal
def move_board(actor: User, board: Board, direction: int,
               now: datetime | None = None) -> Board:
    """One place up (-1) or down (+1) within its category (``board.move``).

    Refuses: as ``move_category``.
    """
    require(Policy(actor).can_manage_structure())
    lock_categories(board.category_id)
    order = board_order(board.category_id)
    before = board.position
    order = place(order, board, step(order, board, direction))
    renumber(Board, order, Board.category_id == board.category_id)
    audit.record(actor, "board.move", board, before={"position": before},
                 after={"position": order.index(board) + 1}, now=now or utcnow())
    commit()
    return board


# -- categories --------------------------------------------------------------------------------
def _category_text(title: str | None, description: str | None) -> tuple[str, str | None]:
    title = " ".join((title or "").split())
    if not title:
        raise InvalidField("title", _("A category needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidField("title", _("A title can be at most %(max)s characters.",
                                       max=TITLE_MAX))
    description = text.multiline(description)
    if len(description) > DESCRIPTION_MAX:
        raise InvalidField("description",
                           _("A description can be at most %(max)s characters.",
                             max=DESCRIPTION_MAX))
    return title, description or None


@undone_on_refusal
def create_category(actor: User, title: str, description: str | None = None,
                    now: datetime | None = None) -> Category:
    """A new category, last in the order (``category.create``).

    Refuses: anyone but administrators (403); an empty or long title, a long description (400).
    """
    require(Policy(actor).can_manage_structure())
    title, description = _category_text(title, description)
    lock_categories()
    last = db.session.scalar(select(func.max(Category.position))) or 0
    category = Category(title=title, description=description, position=last + 1)
    db.session.add(category)
    db.session.flush()
    audit.record(actor, "category.create", category,
                 after={"title": title, "description": description or ""}, now=now or utcnow())
    commit()
    return category


def update_category(actor: User, category: Category, title: str,
                    description: str | None = None, now: datetime | None = None) -> Category:
    """Rename and describe (``category.update``); unchanged values write nothing.

    Refuses: as ``create_category``.
    """
    require(Policy(actor).can_manage_structure())
    title, description = _category_text(title, description)
    before = {"title": category.title, "description": category.description or ""}
    after = {"title": title, "description": description or ""}
    if before == after:
        return category
    category.title, category.description = title, description
    audit.record(actor, "category.update", category, before=before, after=after,
                 now=now or utcnow())
    commit()
    return category


@undone_on_refusal
def delete_category(actor: User, category: Category, now: datetime | None = None) -> None:
    """Delete an empty category (``category.delete``); the others close the gap.

    Refuses: anyone but administrators (403); a category that still has boards (409).
    """
    require(Policy(actor).can_manage_structure())
    lock_categories()
    boards = db.session.scalar(select(func.count(Board.id))
                               .where(Board.category_id == category.id)) or 0
    if boards:
        raise Refused(_("“%(title)s” still has %(count)s board(s). Move or delete them first; "
                        "only an empty category can be deleted.",
                        title=category.title, count=boards), status=409)
    audit.record(actor, "category.delete", category,
                 before={"title": category.title, "description": category.description or ""},
                 now=now or utcnow())
    db.session.delete(category)
    db.session.flush()
    renumber(Category, _siblings(Category))
    commit()
