"""How responsive the team is, for the administrators' overview: per week and per board, the
median and 90th percentile of the time to a first response, the share of threads answered
within their board's target, the threads still unanswered, and the time from a report to its
handling; per team member, replies, desk items closed and reports handled.

Everything comes from times stored when things happened (``Thread.first_response_at``,
``ReportItem.resolved_at``, the log's ``desk.*`` entries), never from scanning posts: a fixed
number of statements whatever the size of the forum. Weeks start on Monday in the
administrator's time zone.
"""
from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select

from ...common import timefmt
from ...errors import require
from ...extensions import db
from ...models import Board, ItemStatus, ModAction, Post, ReportItem, Thread, User, utcnow
from ...policy import Policy
from ..content.responsiveness import median, percentile
from .listing import team_members

WEEKS = 8
CLOSING = ("desk.done", "desk.reply")


@dataclass
class Figures:
    """One week, one board, or both: what the table and the charts show."""

    threads: int = 0
    answered: int = 0
    within_target: int = 0
    unanswered: int = 0
    median_seconds: float | None = None
    p90_seconds: float | None = None
    report_seconds: float | None = None  # median, report to handling
    reports: int = 0

    @property
    def within_share(self) -> float | None:
        return self.within_target / self.threads if self.threads else None

    @property
    def median_hours(self) -> float:
        return round((self.median_seconds or 0) / 3600, 1)

    @property
    def within_percent(self) -> int:
        return round((self.within_share or 0) * 100)


@dataclass(frozen=True)
class Week:
    start: date
    figures: Figures


@dataclass(frozen=True)
class Person:
    user: User
    replies: int
    closed: int
    reports: int


@dataclass(frozen=True)
class Responsiveness:
    weeks: list[Week]
    boards: list[tuple[Board, Figures]]
    cells: dict[tuple[date, int], Figures]  # (week, board id) → figures, for the CSV
    people: list[Person]
    slowest_median_hours: float


def _week_starts(tz_name: str | None, now: datetime) -> list[tuple[date, datetime]]:
    today = timefmt.local(now, tz_name).date()
    monday = today - timedelta(days=today.weekday())
    zone = timefmt.zone(tz_name)
    starts = [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]
    return [(day, datetime.combine(day, time(), zone).astimezone(UTC)) for day in starts]


def _week_of(moment: datetime, starts: list[tuple[date, datetime]]) -> date | None:
    found = None
    for day, start in starts:
        if moment >= start:
            found = day
    return found


def _fill(figures: Figures, waits: list[float], reports: list[float]) -> None:
    figures.median_seconds = median(waits)
    figures.p90_seconds = percentile(waits, 0.9)
    figures.report_seconds = median(reports)
    figures.reports = len(reports)


def responsiveness(viewer: Policy, tz_name: str | None,
                   now: datetime | None = None) -> Responsiveness:
    """The last eight weeks. Refuses: anyone but administrators."""
    require(viewer.can_view_admin_panel())
    now = now or utcnow()
    starts = _week_starts(tz_name, now)
    since = starts[0][1]
    boards = list(db.session.scalars(select(Board).order_by(Board.position, Board.title)))
    targets = {board.id: board.response_hours * 3600 for board in boards}
    cells: dict[tuple[date, int], Figures] = defaultdict(Figures)
    waits: dict[tuple[date, int], list[float]] = defaultdict(list)
    for board_id, created, answered in db.session.execute(
            select(Thread.board_id, Thread.created_at, Thread.first_response_at)
            .where(Thread.created_at >= since, Thread.is_deleted.is_(False),
                   Thread.merged_into_id.is_(None))):
        week = _week_of(created, starts)
        cell = cells[week, board_id]
        cell.threads += 1
        if answered is None:
            cell.unanswered += 1
            continue
        seconds = max(0.0, (answered - created).total_seconds())
        cell.answered += 1
        cell.within_target += seconds <= targets.get(board_id, 24 * 3600)
        waits[week, board_id].append(seconds)
    handled: dict[tuple[date, int], list[float]] = defaultdict(list)
    for board_id, reported, resolved in db.session.execute(
            select(Thread.board_id, ReportItem.first_reported_at, ReportItem.resolved_at)
            .join(Thread, Thread.id == ReportItem.thread_id)
            .where(ReportItem.resolved_at >= since,
                   ReportItem.status.in_([ItemStatus.RESOLVED, ItemStatus.DISMISSED]))):
        week = _week_of(resolved, starts)
        handled[week, board_id].append(max(0.0, (resolved - reported).total_seconds()))
        cells[week, board_id]  # noqa: B018  (a week with reports only still has a row)
    for key, cell in cells.items():
        _fill(cell, waits.get(key, []), handled.get(key, []))
    weeks = []
    for day, _start in starts:
        total = _sum([cell for (week, _b), cell in cells.items() if week == day])
        _fill(total, [w for (week, _b), values in waits.items() if week == day for w in values],
              [h for (week, _b), values in handled.items() if week == day for h in values])
        weeks.append(Week(day, total))
    per_board = []
    for board in boards:
        total = _sum([cell for (_w, board_id), cell in cells.items() if board_id == board.id])
        _fill(total, [w for (_w, board_id), values in waits.items() if board_id == board.id
                      for w in values],
              [h for (_w, board_id), values in handled.items() if board_id == board.id
               for h in values])
        per_board.append((board, total))
    return Responsiveness(
        weeks=weeks, boards=per_board, cells=dict(cells), people=_people(since),
        slowest_median_hours=max((week.figures.median_hours for week in weeks), default=0),
    )


def _sum(cells: list[Figures]) -> Figures:
    total = Figures()
    for cell in cells:
        total.threads += cell.threads
        total.answered += cell.answered
        total.within_target += cell.within_target
        total.unanswered += cell.unanswered
    return total


def _people(since: datetime) -> list[Person]:
    """Per team member since ``since``: three grouped counts."""
    team = team_members()
    ids = [user.id for user in team]
    if not ids:
        return []
    replies = dict(db.session.execute(
        select(Post.author_id, func.count(Post.id))
        .join(Thread, Thread.id == Post.thread_id)
        .where(Post.author_id.in_(ids), Post.created_at >= since, Post.id != Thread.first_post_id,
               Post.is_deleted.is_(False))
        .group_by(Post.author_id)).all())
    closed = dict(db.session.execute(
        select(ModAction.actor_id, func.count(ModAction.id))
        .where(ModAction.actor_id.in_(ids), ModAction.action.in_(CLOSING),
               ModAction.created_at >= since)
        .group_by(ModAction.actor_id)).all())
    reports = dict(db.session.execute(
        select(ReportItem.resolved_by_id, func.count(ReportItem.id))
        .where(ReportItem.resolved_by_id.in_(ids), ReportItem.resolved_at >= since)
        .group_by(ReportItem.resolved_by_id)).all())
    return [Person(user, replies.get(user.id, 0), closed.get(user.id, 0),
                   reports.get(user.id, 0)) for user in team]


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else str(round(seconds / 60))


def csv_text(figures: Responsiveness, of: str = "boards") -> str:
    """The figures as CSV: per week and board (``boards``), or per team member (``team``).
    Minutes for times; names as members wrote them, defused against spreadsheet formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    if of == "team":
        writer.writerow(["username", "replies", "desk_items_closed", "reports_handled"])
        for person in figures.people:
            writer.writerow([_cell(person.user.username), person.replies, person.closed,
                             person.reports])
        return out.getvalue()
    writer.writerow(["week", "board", "threads", "answered", "median_minutes", "p90_minutes",
                     "within_target_percent", "unanswered", "reports_handled",
                     "report_median_minutes"])
    slugs = {board.id: board.slug for board, _figures in figures.boards}
    for (week, board_id), cell in sorted(figures.cells.items(),
                                         key=lambda kv: (kv[0][0] or date.min, kv[0][1])):
        if week is None:
            continue
        writer.writerow([week.isoformat(), _cell(slugs.get(board_id, str(board_id))),
                         cell.threads, cell.answered, _minutes(cell.median_seconds),
                         _minutes(cell.p90_seconds),
                         "" if cell.within_share is None else cell.within_percent,
                         cell.unanswered, cell.reports, _minutes(cell.report_seconds)])
    return out.getvalue()


def _cell(value: str) -> str:
    """A text cell a spreadsheet won't run as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
