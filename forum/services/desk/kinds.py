"""The kinds of item the desk lists, each one query over what the content already says.

An item is "something about one subject (a thread, a post, an event) that waits for the team
since a moment". Each kind is a ``Kind``: a code, a name and a function building the one
statement that finds its items in the given boards, oldest first. Nothing is copied, so an
item leaves the desk by itself the moment its condition ends (someone replied, an answer was
accepted, the event began).

A new kind is one more ``Kind`` in ``KINDS``: its statement selects the columns ``Found``
names. Mentions of the team (``@team``, ``@moderators``, a moderator's name) will be one such
kind once posts record their mentions: a query for mentions of the team not yet followed by a
team reply in the thread.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import Board, BoardModerator, Event, Post, Role, Thread, User
from ...stores import settings

# Items per kind a page lists at most: a desk longer than this is read from the oldest.
LIMIT = 200
EVENT_WINDOW = timedelta(hours=48)


@dataclass(frozen=True)
class Found:
    """One item as its kind's statement finds it (the statement's columns, in this order)."""

    subject_id: int
    board_id: int
    thread_id: int | None
    title: str
    since: datetime
    member_id: int | None
    member_name: str | None
    link: str


@dataclass(frozen=True)
class Scope:
    """Where and when to look: the boards (with their response targets) and the clock."""

    boards: tuple[Board, ...]
    now: datetime
    subject_id: int | None = None  # one item only (its page)

    @property
    def board_ids(self) -> list[int]:
        return [board.id for board in self.boards]


@dataclass(frozen=True)
class Kind:
    code: str
    label: object  # lazy: shown in the reader's language
    # One statement selecting ``Found``'s columns but the link, or None when nothing can be
    # found (no boards of the kind).
    statement: Callable[[Scope], Select | None]
    link: Callable[[int, int | None], str]
    model: type  # what ``subject_id`` names, for the log
    # Whether the reply box answers in the item's thread.
    replies: bool = True
    welcome: bool = False  # the reply box opens with the welcome text

    def find(self, scope: Scope) -> list[Found]:
        statement = self.statement(scope)
        if statement is None:
            return []
        if scope.subject_id is not None:
            statement = statement.where(statement.selected_columns[0] == scope.subject_id)
        rows = db.session.execute(statement.limit(LIMIT)).all()
        return [Found(*row, link=self.link(row[0], row[2])) for row in rows]


def _team(user_id, board_id):
    """SQL: the member is on the board's team (a moderator, an administrator, or one of the
    board's own moderators)."""
    member = aliased(User)
    return or_(
        select(member.role_value).where(member.id == user_id).scalar_subquery()
        >= Role.MODERATOR,
        # Correlated to the board's thread however deep it sits; left to itself SQLAlchemy
        # would add ``threads`` to this FROM (a moderator of any board would count).
        exists().where(BoardModerator.user_id == user_id, BoardModerator.board_id == board_id)
        .correlate_except(BoardModerator),
    )


def _waiting_since(boards: Iterable[Board], now: datetime, hours: Callable[[Board], int]):
    """SQL: the thread was opened longer ago than its board's hours; the boards are grouped by
    their hours, so this stays one condition per distinct value."""
    groups: dict[int, list[int]] = {}
    for board in boards:
        groups.setdefault(hours(board), []).append(board.id)
    if not groups:
        return false()
    return or_(*(and_(Thread.board_id.in_(ids), Thread.created_at <= now - timedelta(hours=h))
                 for h, ids in sorted(groups.items())))


def _open_thread():
    return and_(Thread.is_deleted.is_(False), Thread.merged_into_id.is_(None))


def _author_name():
    return User.username


def _unanswered(scope: Scope) -> Select | None:
    """Threads with no reply from anyone but their author after their board's hours. A
    read-only board is left out: only the team writes there (announcements), so nothing in
    it waits for the team's answer."""
    boards = [board for board in scope.boards if not board.is_read_only]
    if not boards:
        return None
    return (
        select(Thread.id, Thread.board_id, Thread.id, Thread.title, Thread.created_at,
               Thread.author_id, _author_name())
        .join(User, User.id == Thread.author_id)
        .where(Thread.first_response_at.is_(None), _open_thread(),
               _waiting_since(boards, scope.now, lambda board: board.response_hours))
        .order_by(Thread.created_at, Thread.id)
    )


def _unsolved(scope: Scope) -> Select | None:
    """Questions that have replies but no accepted answer after the set hours (a question
    with no reply at all is an unanswered thread)."""
    boards = [board for board in scope.boards if board.is_questions]
    if not boards:
        return None
    hours = settings.get("desk_question_hours")
    return (
        select(Thread.id, Thread.board_id, Thread.id, Thread.title, Thread.created_at,
               Thread.author_id, _author_name())
        .join(User, User.id == Thread.author_id)
        .where(Thread.accepted_post_id.is_(None), Thread.first_response_at.is_not(None),
               _open_thread(), _waiting_since(boards, scope.now, lambda board: hours))
        .order_by(Thread.created_at, Thread.id)
    )


def _first_posts(scope: Scope) -> Select | None:
    """A new member's first post (an account and a post of the last set days), approved and
    visible, until someone of the team replied after it in its thread. A post waiting for
    approval is no post yet, so it comes only once approved."""
    days = settings.get("desk_welcome_days")
    if not scope.boards or not days:
        return None
    earlier = aliased(Post)
    later = aliased(Post)
    since = scope.now - timedelta(days=days)
    # Who joined lately, looked up first (``ix_users_created_at``), then their posts
    # (``ix_posts_author_created``): asked as one join, SQLite's planner started from the
    # boards' threads and read them all.
    newcomers = select(User.id).where(
        User.created_at >= since, User.role_value < Role.MODERATOR,
        User.is_board_moderator.is_(False), User.deleted_at.is_(None))
    return (
        select(Post.id, Thread.board_id, Thread.id, Thread.title, Post.created_at,
               Post.author_id, _author_name())
        .join(Thread, Thread.id == Post.thread_id)
        .join(User, User.id == Post.author_id)
        .where(
            Post.author_id.in_(newcomers), Post.created_at >= since,
            Thread.board_id.in_(scope.board_ids), _open_thread(),
            Post.is_deleted.is_(False), Post.is_hidden.is_(False),
            ~exists().where(earlier.author_id == Post.author_id,
                            or_(earlier.created_at < Post.created_at,
                                and_(earlier.created_at == Post.created_at,
                                     earlier.id < Post.id))),
            ~exists().where(later.thread_id == Post.thread_id,
                            later.created_at > Post.created_at,
                            later.is_deleted.is_(False),
                            _team(later.author_id, Thread.board_id)),
        )
        .order_by(Post.created_at, Post.id)
    )


def _event_questions(scope: Scope) -> Select | None:
    """Events starting within 48 hours whose discussion ends with a member's post that
    neither the organiser nor the team has answered."""
    if not scope.boards:
        return None
    last = aliased(Post)
    return (
        select(Event.id, Event.board_id, Thread.id, Event.title, last.created_at,
               last.author_id, _author_name())
        .join(Thread, Thread.id == Event.thread_id)
        .join(last, last.id == Thread.last_post_id)
        .join(User, User.id == last.author_id)
        .where(
            Event.board_id.in_(scope.board_ids), Event.cancelled_at.is_(None),
            Event.starts_at > scope.now, Event.starts_at <= scope.now + EVENT_WINDOW,
            Thread.reply_count > 0, _open_thread(),
            last.author_id != Event.author_id,
            ~_team(last.author_id, Event.board_id),
        )
        .order_by(Event.starts_at, Event.id)
    )


KINDS: dict[str, Kind] = {kind.code: kind for kind in (
    Kind("unanswered", _l("Unanswered thread"), _unanswered,
         lambda subject, thread: f"/t/{subject}", Thread),
    Kind("question", _l("Question without an accepted answer"), _unsolved,
         lambda subject, thread: f"/t/{subject}", Thread),
    Kind("first_post", _l("New member's first post"), _first_posts,
         lambda subject, thread: f"/p/{subject}", Post, welcome=True),
    Kind("event", _l("Event with unanswered questions"), _event_questions,
         lambda subject, thread: f"/events/{subject}", Event),
)}


def kind_or_none(code: str | None) -> Kind | None:
    return KINDS.get(code or "")

