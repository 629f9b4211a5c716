"""What administrators read to manage roles: the member list with roles and boards, and one
member's role page. The changes themselves are ``roles``'s."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ...common.paging import page_count
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import Board, BoardModerator, Category, ModAction, Role, User
from ...policy import Policy
from . import profiles

HISTORY_LIMIT = 10
ROLE_ACTIONS = ("user.role", "user.boards")

# Filter value → label, in menu order. "board" is anyone who moderates chosen boards,
# whatever their site role.
ROLE_FILTERS = {
    "all": _l("Everyone"),
    "member": _l("Members"),
    "moderator": _l("Moderators"),
    "admin": _l("Administrators"),
    "board": _l("Board moderators"),
}
_ROLE_OF_FILTER = {"member": Role.MEMBER, "moderator": Role.MODERATOR, "admin": Role.ADMIN}


@dataclass(frozen=True)
class StaffPage:
    members: list[User]
    total: int
    page: int
    pages: int
    query: str
    role: str


@dataclass
class CategoryBoards:
    category: Category
    boards: list[Board] = field(default_factory=list)


@dataclass
class RolePage:
    user: User
    categories: list[CategoryBoards]
    moderated_ids: frozenset[int]
    history: list[ModAction]

    @property
    def boards(self) -> list[Board]:
        return [board for group in self.categories for board in group.boards]

    @property
    def moderated(self) -> list[Board]:
        return [board for board in self.boards if board.id in self.moderated_ids]


def list_members(viewer: Policy, query: str = "", role: str = "all", page: int = 1,
                 per_page: int = 30) -> StaffPage:
    """Members matching a piece of their username or display name and a role filter
    (``ROLE_FILTERS``), staff first, then by name; each with the boards they moderate. Three
    queries whatever the page size: count, members, their boards.

    Refuses: anyone but administrators; an unknown role filter or an overlong search (400);
    a page past the last (404).
    """
    require(viewer.can_manage_roles())
    if role not in ROLE_FILTERS:
        raise Refused(_("Filter by member, moderator, administrator or board moderator."),
                      status=400)
    query, conditions = profiles.name_search(query)
    if page < 1:
        raise Refused(_("Page numbers start at 1."), status=400)
    if role == "board":
        conditions.append(User.is_board_moderator.is_(True))
    elif role in _ROLE_OF_FILTER:
        conditions.append(User.role_value == int(_ROLE_OF_FILTER[role]))
    total = db.session.scalar(select(func.count(User.id)).where(*conditions)) or 0
    pages = page_count(total, per_page)
    if page > pages:
        raise NotFound(_("That page of the member list doesn't exist."))
    members = list(db.session.scalars(
        select(User)
        .where(*conditions)
        .options(selectinload(User.moderated_boards))
        .order_by(User.role_value.desc(), User.is_board_moderator.desc(), User.username_key)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ))
    return StaffPage(members=members, total=total, page=page, pages=pages, query=query,
                     role=role)


def all_boards() -> list[CategoryBoards]:
    """Every board, grouped by category in index order, for choosing a moderator's boards."""
    boards = db.session.scalars(
        select(Board)
        .join(Board.category)
        .options(contains_eager(Board.category))
        .order_by(Category.position, Category.id, Board.position, Board.id)
    )
    groups: list[CategoryBoards] = []
    for board in boards:
        if not groups or groups[-1].category.id != board.category_id:
            groups.append(CategoryBoards(board.category))
        groups[-1].boards.append(board)
    return groups


def role_page(viewer: Policy, username: str) -> RolePage:
    """A member with every board (grouped), the ones they moderate and their latest role and
    board changes from the log: four queries.

    Refuses: anyone but administrators; no such member (404).
    """
    require(viewer.can_manage_roles())
    user = profiles.find_member(username)
    moderated = frozenset(db.session.scalars(
        select(BoardModerator.board_id).where(BoardModerator.user_id == user.id)
    ))
    history = list(db.session.scalars(
        select(ModAction)
        .where(ModAction.target_user_id == user.id, ModAction.action.in_(ROLE_ACTIONS))
        .options(joinedload(ModAction.actor))
        .order_by(ModAction.created_at.desc(), ModAction.id.desc())
        .limit(HISTORY_LIMIT)
    ))
    return RolePage(user=user, categories=all_boards(), moderated_ids=moderated,
                    history=history)
