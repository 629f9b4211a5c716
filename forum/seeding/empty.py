"""An empty forum to start a real community from: one category, one board and the first
administrator, made in one transaction through the same services the admin panel uses (so
the moderation log starts with them)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select

from ..database import commit, joined
from ..errors import Refused
from ..extensions import db
from ..models import Board, Category, Role, User
from ..services.accounts import account
from ..services.site import boards, structure
from ..stores import settings

CATEGORY_TITLE = "General"
BOARD_TITLE = "General discussion"
BOARD_DESCRIPTION = "Introduce yourself and talk about anything."


class StartRefused(Exception):
    """The forum could not be started as asked; the message says why."""


@dataclass(frozen=True)
class Started:
    admin: User
    category: Category
    board: Board


def why_not_empty() -> str | None:
    """Why an empty forum can't be started here, or None when the database is empty."""
    if db.session.scalar(select(exists().where(User.id.isnot(None)))):
        return ("This forum already has accounts, so there is nothing to start. Use "
                "`forum create-admin` to add an administrator.")
    if db.session.scalar(select(exists().where(Board.id.isnot(None)))) or db.session.scalar(
            select(exists().where(Category.id.isnot(None)))):
        return ("This forum already has categories or boards, so there is nothing to start. "
                "Change them under Admin → Categories & boards.")
    return None


def start(username: str, email: str, password: str) -> Started:
    """The first administrator, the category "General" and its board "General discussion".

    Refuses (``StartRefused``): a forum that has accounts, categories or boards; a username,
    email or password the registration rules refuse.
    """
    problem = why_not_empty()
    if problem:
        raise StartRefused(problem)
    try:
        with joined():
            admin = account.register(
                account.Registration(username=username, email=email, password=password),
                role=Role.ADMIN, confirmed=True,
            )
            admin.timezone = settings.get("default_timezone")
            category = structure.create_category(admin, CATEGORY_TITLE)
            board = boards.create_board(admin, boards.BoardDraft(
                title=BOARD_TITLE, category_id=category.id, description=BOARD_DESCRIPTION))
        commit()
    except account.AccountError as error:
        raise StartRefused(error.message) from None
    except Refused as error:
        raise StartRefused(error.reason) from None
    return Started(admin=admin, category=category, board=board)
