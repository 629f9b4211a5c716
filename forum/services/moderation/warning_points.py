"""Warning points: each warning carries points (1 unless the moderator gives more, up to
``warning_points_max``) that count for ``warning_points_days`` days. A warning that brings the
member's current points to a threshold (``warning_timeout_points``,
``warning_suspension_points``; 0 turns one off) applies that sanction by itself, in the
warning's transaction, logged with no actor and the warnings that led to it.

- The highest threshold reached decides: 5 points with thresholds 3 and 5 is a suspension.
- Reaching means "this many or more": a member still over a threshold who is warned again
  gets the sanction again, since the warning shows the last one didn't help.
- No second sanction while one runs that stops at least as much (a timeout during a timeout,
  suspension or ban; a suspension during a suspension or ban): it is skipped, not extended.
  The moderators chose the running one; the forum doesn't lengthen a person's decision, and
  the points stay, so the next warning after it ends applies the threshold again.
- Administrators are never sanctioned by a counter: their access is for the other
  administrators to decide.
- Two warnings at once take turns on the member's row (``lock_member``), so the second sees
  the first and its sanction, and only one automatic sanction comes of them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ...extensions import db
from ...models import NotificationKind, Sanction, SanctionKind, User
from ...models.moderation import LOGIN_BLOCKED_BY, POSTING_BLOCKED_BY
from ...policy import standing
from ...stores import settings
from .. import audit, notifications
from ..accounts import logins
from ..notification_texts import moment
from . import system_reasons

# What a running sanction must stop for an automatic one to be skipped.
_ALREADY_STOPPED_BY = {
    SanctionKind.TIMEOUT: POSTING_BLOCKED_BY,
    SanctionKind.SUSPENSION: LOGIN_BLOCKED_BY,
}

# The log's codes are a moderator's; the notices say the points did it.
_ACTIONS = {SanctionKind.TIMEOUT: "user.timeout", SanctionKind.SUSPENSION: "user.suspend"}
_NOTICES = {SanctionKind.TIMEOUT: "sanction.points_timeout",
            SanctionKind.SUSPENSION: "sanction.points_suspension"}


@dataclass(frozen=True)
class Points:
    """A member's warning points at one moment."""

    total: int
    # When the next of them expires, and how many go then; None when there are none.
    next_expiry: datetime | None = None
    expiring: int = 0


def lifetime() -> timedelta:
    return timedelta(days=settings.get("warning_points_days"))


def current(user: User, now: datetime) -> Points:
    """The points of the member's warnings given within the last ``warning_points_days``
    days: one query."""
    rows = db.session.execute(
        select(Sanction.starts_at, func.coalesce(Sanction.points, 1))
        .where(Sanction.user_id == user.id, Sanction.kind == SanctionKind.WARNING,
               Sanction.starts_at > now - lifetime(), Sanction.starts_at <= now)
    ).all()
    return _summed(rows)


def from_history(history: list[Sanction], now: datetime) -> Points:
    """``current`` worked out from the member's sanctions already loaded: no query."""
    since = now - lifetime()
    return _summed([(s.starts_at, s.points or 1) for s in history
                    if s.kind == SanctionKind.WARNING and since < s.starts_at <= now])


def _summed(rows) -> Points:
    if not rows:
        return Points(0)
    first = min(starts_at for starts_at, _points in rows)
    return Points(
        total=sum(points for _starts_at, points in rows),
        next_expiry=first + lifetime(),
        expiring=sum(points for starts_at, points in rows if starts_at == first),
    )


def counting_warning_ids(user: User, now: datetime) -> list[int]:
    """The warnings whose points count now, oldest first: what led to an automatic sanction."""
    return list(db.session.scalars(
        select(Sanction.id)
        .where(Sanction.user_id == user.id, Sanction.kind == SanctionKind.WARNING,
               Sanction.starts_at > now - lifetime(), Sanction.starts_at <= now)
        .order_by(Sanction.starts_at, Sanction.id)
    ))


def lock_member(user: User) -> None:
    """Warnings of one member take turns: on PostgreSQL the member's row stays locked until
    commit, so a second warning waits, then sees the first and any sanction it brought.
    (SQLite writers take turns anyway: the warning's INSERT waits for the other's commit.)"""
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())


def _reached(total: int) -> tuple[SanctionKind, int, timedelta] | None:
    """The sanction the highest threshold reached by ``total`` brings, with that threshold
    and its length; None below every threshold."""
    suspension = settings.get("warning_suspension_points")
    if suspension and total >= suspension:
        return (SanctionKind.SUSPENSION, suspension,
                timedelta(days=settings.get("warning_suspension_days")))
    timeout = settings.get("warning_timeout_points")
    if timeout and total >= timeout:
        return (SanctionKind.TIMEOUT, timeout,
                timedelta(hours=settings.get("warning_timeout_hours")))
    return None


def apply_thresholds(user: User, now: datetime) -> Sanction | None:
    """After a warning (flushed, the member's row locked): the sanction its points bring, if
    any, issued by the forum with its log entry and the member's notification; no commit (the
    warning's transaction holds it). None when no threshold is reached, the member is an
    administrator, or a sanction in force already stops as much."""
    if user.is_admin:
        return None
    points = current(user, now)
    reached = _reached(points.total)
    if reached is None:
        return None
    kind, threshold, length = reached
    running = standing.active_sanctions(user, now)
    if any(sanction.kind in _ALREADY_STOPPED_BY[kind] for sanction in running):
        return None
    ends_at = now + length
    reason = system_reasons.warning_points(points.total)
    sanction = Sanction(user_id=user.id, kind=kind, reason=reason, issuer_id=None,
                        starts_at=now, ends_at=ends_at)
    db.session.add(sanction)
    if kind in LOGIN_BLOCKED_BY:
        # As a moderator's suspension does: every login the member has ends.
        logins.end_all(user.id, now)
    db.session.flush()
    warnings = counting_warning_ids(user, now)
    audit.record(
        None, _ACTIONS[kind], user, reason,
        before={"points": points.total, "threshold": threshold, "warnings": warnings},
        after={"kind": kind.value, "ends_at": ends_at.isoformat(), "sanction": sanction.id},
        now=now,
    )
    notifications.notify(user, NotificationKind.SANCTION, _NOTICES[kind],
                         {"ends_at": moment(ends_at), "num": points.total}, now=now)
    return sanction
