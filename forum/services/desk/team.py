"""The public team page: who looks after the forum, which boards, and how quickly the team
answers (the median time to a first response over the last 30 days)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import Board, BoardModerator, User
from ...policy import Policy
from ..content import responsiveness
from .listing import team_members


@dataclass(frozen=True)
class TeamPage:
    members: list[tuple[User, list[Board]]]  # each with the boards they moderate (readable ones)
    usual_response: int | None  # seconds


def team_page(viewer: Policy) -> TeamPage:
    """Three queries at most: the team, the boards its board moderators look after that the
    viewer may read, and the response time (kept for a while)."""
    team = team_members()
    rows = db.session.execute(viewer.visible_boards(
        select(BoardModerator.user_id, Board).join(Board, Board.id == BoardModerator.board_id)
        .order_by(Board.position, Board.title))).all()
    boards: dict[int, list[Board]] = {}
    for user_id, board in rows:
        boards.setdefault(user_id, []).append(board)
    ranked = sorted(team, key=lambda user: (-user.role_value, user.username_key))
    return TeamPage(members=[(user, boards.get(user.id, [])) for user in ranked
                             if user.is_moderator or boards.get(user.id)],
                    usual_response=responsiveness.usual_response(None))
