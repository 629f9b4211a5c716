"""The desk as one viewer sees it: every item waiting in the boards they look after, with
the team's hand state, filtered, and the counts for the page's header.

A fixed number of statements whatever the number of items: the boards, one per kind, the
hand state of all found items, the team (for assigning and filtering), and the counts of open
reports and appeals (their own queues; the desk links to them).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, literal, or_, select
from sqlalchemy.orm import joinedload

from ...errors import NotFound, require
from ...extensions import db
from ...models import (
    Appeal,
    AppealStatus,
    Board,
    BoardModerator,
    DeskState,
    Post,
    Role,
    Thread,
    User,
)
from ...policy import Policy
from ..moderation import report_queue
from .kinds import KINDS, Found, Kind, Scope

# How long "… is looking at it" shows after someone opened an item.
LOOKING_FOR = timedelta(minutes=30)


@dataclass
class Item:
    kind: Kind
    found: Found
    board: Board
    state: DeskState | None
    now: datetime

    @property
    def key(self) -> tuple[str, int]:
        return self.kind.code, self.found.subject_id

    @property
    def waiting_seconds(self) -> int:
        return max(0, int((self.now - self.found.since).total_seconds()))

    @property
    def assignee(self) -> User | None:
        return self.state.assignee if self.state is not None else None

    @property
    def version(self) -> int:
        return self.state.version if self.state is not None else 0

    def looking(self, viewer_id: int | None = None) -> User | None:
        """Who opened the item lately (not the viewer themself)."""
        state = self.state
        if state is None or state.looking_at is None or state.looking is None:
            return None
        if self.now - state.looking_at > LOOKING_FOR or state.looking_id == viewer_id:
            return None
        return state.looking

    @property
    def hidden(self) -> bool:
        return self.state is not None and self.state.hides(self.found.since, self.now)


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    board_id: int | None = None
    assignee: str | None = None  # a member's id as text, or "none"
    mine: bool = False

    @property
    def query(self) -> dict:
        values = {"kind": self.kind, "board": self.board_id, "assignee": self.assignee,
                  "view": "mine" if self.mine else None}
        return {key: value for key, value in values.items() if value}


@dataclass
class Desk:
    items: list[Item]
    counts: dict[str, int]  # per kind, before the filters
    total: int
    mine: int
    open_reports: int
    open_appeals: int | None  # None: not the viewer's queue
    boards: list[Board]
    team: list[User]
    filters: Filters
    kinds: dict[str, Kind] = field(default_factory=lambda: KINDS)


def scope_boards(viewer: Policy) -> list[Board]:
    """The boards whose items the viewer handles: every board for moderators, their own for
    board moderators. One query."""
    query = select(Board).order_by(Board.position, Board.title)
    if not viewer.is_global_moderator:
        query = query.where(Board.id.in_(sorted(viewer.moderated_board_ids)))
    return list(db.session.scalars(query))


def _states(found: dict[str, list[Found]]) -> dict[tuple[str, int], DeskState]:
    wanted = [and_(DeskState.kind == code, DeskState.subject_id.in_([f.subject_id for f in rows]))
              for code, rows in found.items() if rows]
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(DeskState).where(or_(*wanted))
        .options(joinedload(DeskState.assignee), joinedload(DeskState.looking),
                 joinedload(DeskState.last_actor))
    )
    return {(state.kind, state.subject_id): state for state in rows}


def team_members() -> list[User]:
    """Everyone on the team anywhere, by name: who an item may be given to. One query."""
    return list(db.session.scalars(
        select(User).where(or_(User.role_value >= Role.MODERATOR,
                               User.is_board_moderator.is_(True)),
                           User.deleted_at.is_(None))
        .order_by(User.username_key)
    ))


def board_team(board: Board) -> list[User]:
    """Who may be given an item of ``board``: moderators, administrators and the board's own
    moderators, by name. One query."""
    own = select(BoardModerator.user_id).where(BoardModerator.board_id == board.id)
    return list(db.session.scalars(
        select(User).where(or_(User.role_value >= Role.MODERATOR, User.id.in_(own)),
                           User.deleted_at.is_(None))
        .order_by(User.username_key)
    ))


def _queue_counts(viewer: Policy) -> tuple[int, int | None]:
    appeals_too = bool(viewer.can_handle_appeals())
    appeals = (select(func.count(Appeal.id)).where(Appeal.status == AppealStatus.OPEN)
               .scalar_subquery() if appeals_too else literal(0))
    reports, appeals_open = db.session.execute(
        select(report_queue.open_count_query(viewer), appeals)).one()
    return reports or 0, (appeals_open or 0) if appeals_too else None


def _items(viewer: Policy, boards: list[Board], now: datetime,
           kinds: list[Kind], subject_id: int | None = None) -> list[Item]:
    scope = Scope(tuple(boards), now, subject_id)
    by_id = {board.id: board for board in boards}
    found = {kind.code: kind.find(scope) for kind in kinds}
    states = _states(found)
    items = [Item(KINDS[code], row, by_id[row.board_id], states.get((code, row.subject_id)), now)
             for code, rows in found.items() for row in rows if row.board_id in by_id]
    items.sort(key=lambda item: (item.found.since, item.kind.code, item.found.subject_id))
    return items


def desk(viewer: Policy, filters: Filters | None = None,
         now: datetime | None = None) -> Desk:
    """The viewer's desk, oldest first. Refuses: anyone outside the team."""
    require(viewer.can_use_desk())
    filters = filters or Filters()
    now = now or viewer.clock
    boards = scope_boards(viewer)
    waiting = [item for item in _items(viewer, boards, now, list(KINDS.values()))
               if not item.hidden]
    me = viewer.user.id
    counts = {code: 0 for code in KINDS}
    for item in waiting:
        counts[item.kind.code] += 1
    mine = sum(1 for item in waiting if item.state is not None and item.state.assignee_id == me)
    shown = [item for item in waiting if _passes(item, filters, me)]
    reports, appeals = _queue_counts(viewer)
    return Desk(items=shown, counts=counts, total=len(waiting), mine=mine,
                open_reports=reports, open_appeals=appeals, boards=boards,
                team=team_members(), filters=filters)


def _passes(item: Item, filters: Filters, me: int) -> bool:
    assignee_id = item.state.assignee_id if item.state is not None else None
    if filters.kind and item.kind.code != filters.kind:
        return False
    if filters.board_id and item.board.id != filters.board_id:
        return False
    if filters.mine and assignee_id != me:
        return False
    if filters.assignee == "none":
        return assignee_id is None
    if filters.assignee:
        return str(assignee_id) == filters.assignee
    return True


def get_item(viewer: Policy, code: str, subject_id: int,
             now: datetime | None = None) -> Item:
    """One item, waiting or not (a done or snoozed one can still be opened from a link).
    Refuses: anyone outside the team (403); an unknown kind, or nothing waiting about that
    subject in the viewer's boards (404)."""
    require(viewer.can_use_desk())
    kind = KINDS.get(code)
    if kind is None:
        raise NotFound()
    now = now or viewer.clock
    found = _items(viewer, scope_boards(viewer), now, [kind], subject_id)
    if not found:
        raise NotFound(_("This item isn't waiting on your desk (any more): someone answered, "
                         "or it is not from a board you look after."))
    return found[0]


def context_post(item: Item) -> Post | None:
    """The post the item is about, shown above the reply box: the question for threads, the
    first post itself, the event discussion's latest post. One query."""
    if item.kind.model is Post:
        post_id = item.found.subject_id
    else:
        column = Thread.last_post_id if item.kind.code == "event" else Thread.first_post_id
        post_id = select(column).where(Thread.id == item.found.thread_id).scalar_subquery()
    return db.session.scalar(select(Post).where(Post.id == post_id)
                             .options(joinedload(Post.author)))
