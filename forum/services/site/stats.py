"""How the community is doing, for the administrators' overview: a few totals and what happened
each day of the last month.

Three queries whatever the size of the forum: one for every total, one per daily series (the
sign-up alarm comes with the settings every page reads). Days
are bucketed by comparing against day boundaries computed here, in the viewer's time zone,
rather than with a date function: SQLite and PostgreSQL disagree on those, and PostgreSQL's
would count days in the server's zone instead of the viewer's.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, case, func, or_, select

from ...common import timefmt
from ...errors import require
from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Board,
    Post,
    ReportItem,
    Sanction,
    SanctionKind,
    User,
    utcnow,
)
from ...policy import Policy
from ..accounts import signup_guard
from ..accounts.signup_guard import SignupAlarm

DAYS = 30
WEEK = timedelta(days=7)
MONTH = timedelta(days=30)


@dataclass(frozen=True)
class Day:
    day: date
    posts: int
    members: int


@dataclass(frozen=True)
class Overview:
    members: int
    new_members_week: int
    new_members_month: int
    threads: int
    posts: int
    posts_week: int
    open_reports: int
    active_sanctions: int
    days: list[Day]
    # Many sign-ups within a minute lately (kept with the settings: no query of its own).
    signup_alarm: SignupAlarm | None = None

    @property
    def busiest_posts(self) -> int:
        return max((day.posts for day in self.days), default=0)

    @property
    def busiest_members(self) -> int:
        return max((day.members for day in self.days), default=0)


def calendar(now: datetime, tz_name: str | None,
             days: int = DAYS) -> tuple[list[date], list[datetime]]:
    """The last ``days`` dates in the zone, today last, and the instant each begins followed
    by the coming midnight that closes today. Each midnight is placed on its own, so a day
    that a daylight-saving change shortens or lengthens keeps its true length."""
    zone = timefmt.zone(tz_name)
    today = now.astimezone(zone).date()
    dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    closing = today + timedelta(days=1)
    starts = [datetime.combine(day, time(), zone).astimezone(UTC) for day in [*dates, closing]]
    return dates, starts


def _bucket(column, starts: list[datetime]) -> ColumnElement:
    """The index of the day ``column`` falls in; callers keep rows inside the range."""
    # Latest day first: the first boundary a moment is past is its day.
    whens = [(column >= start, index) for index, start in reversed(list(enumerate(starts[:-1])))]
    return case(*whens, else_=0)


def _per_day(column, starts: list[datetime], *conditions) -> dict[int, int]:
    day = _bucket(column, starts).label("day")
    # Grouping a subquery's column: PostgreSQL would not match the CASE in GROUP BY to the one
    # in SELECT, since each carries its own copies of the bound boundaries.
    inner = select(day).where(column >= starts[0], column < starts[-1], *conditions).subquery()
    rows = db.session.execute(
        select(inner.c.day, func.count()).group_by(inner.c.day)
    )
    return {index: count for index, count in rows}


def _count(*conditions, of):
    return select(func.count(of)).where(*conditions).scalar_subquery()


def overview(viewer: Policy, tz_name: str | None = None, now: datetime | None = None,
             days: int = DAYS) -> Overview:
    """Totals and the last ``days`` days of posts and new members, days in ``tz_name``.

    Threads and posts come from the boards' counters (deleted ones left out, as everywhere);
    the daily series leave deleted posts out too. "Open reports" are queue items still
    waiting for a decision (open or claimed).

    Refuses: anyone but administrators.
    """
    require(viewer.can_view_admin_panel())
    now = now or utcnow()
    week_ago, month_ago = now - WEEK, now - MONTH
    totals = db.session.execute(select(
        _count(of=User.id),
        _count(User.created_at >= week_ago, of=User.id),
        _count(User.created_at >= month_ago, of=User.id),
        select(func.coalesce(func.sum(Board.thread_count), 0)).scalar_subquery(),
        select(func.coalesce(func.sum(Board.post_count), 0)).scalar_subquery(),
        _count(Post.created_at >= week_ago, Post.is_deleted.is_(False), of=Post.id),
        _count(ReportItem.status.in_(ACTIVE_STATUSES), of=ReportItem.id),
        _count(
            Sanction.kind != SanctionKind.WARNING,
            Sanction.lifted_at.is_(None),
            Sanction.starts_at <= now,
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
            of=Sanction.id,
        ),
    )).one()
    dates, starts = calendar(now, tz_name, days)
    posts_per_day = _per_day(Post.created_at, starts, Post.is_deleted.is_(False))
    members_per_day = _per_day(User.created_at, starts)
    series = [
        Day(day=day, posts=posts_per_day.get(index, 0), members=members_per_day.get(index, 0))
        for index, day in enumerate(dates)
    ]
    members, week, month, threads, posts, posts_week, reports, sanctions = (
        int(value or 0) for value in totals
    )
    return Overview(members=members, new_members_week=week, new_members_month=month,
                    threads=threads, posts=posts, posts_week=posts_week, open_reports=reports,
                    active_sanctions=sanctions, days=series,
                    signup_alarm=signup_guard.alarm(now))
