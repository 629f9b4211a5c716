"""Warnings, timeouts, suspensions and bans.

A sanction is in force from its start until its end (never, for a permanent ban) unless lifted;
everything here judges that against the clock passed in, so a timeout ends on time with no
worker. A timeout stops posting; a suspension or ban also stops logging in. A warning stops
nothing by itself and stays on the record; its points may bring a sanction
(``warning_points``).
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from ...common.numfmt import number
from ...database import commit
from ...errors import Conflict, NotFound, Refused, require
from ...extensions import db
from ...models import (
    Board,
    NotificationKind,
    ReportItem,
    Sanction,
    SanctionKind,
    User,
    utcnow,
)
from ...models.moderation import LOGIN_BLOCKED_BY
from ...policy import Policy
from ...stores import settings
from .. import audit, notifications, text, webhooks
from ..accounts import logins
from ..accounts.last_admin import lock_admins, usable_admin_count
from ..notification_texts import moment
from . import warning_points

TIMEOUT_MIN = timedelta(minutes=10)
TIMEOUT_MAX = timedelta(days=7)
# A suspension or ban with an end ends at most ten years ahead; a ban without one is for good.
LONGEST_END = timedelta(days=10 * 366)
REASON_MAX = 500
MESSAGE_MAX = 5000

ACTIONS = {
    SanctionKind.WARNING: "user.warn",
    SanctionKind.TIMEOUT: "user.timeout",
    SanctionKind.SUSPENSION: "user.suspend",
    SanctionKind.BAN: "user.ban",
}


def history(viewer: Policy, user: User) -> list[Sanction]:
    """Every sanction the member received, newest first, with issuer and lifter.

    Refuses: anyone but the member themselves and the team members who may read their
    record (``Policy.can_view_member_record``).
    """
    if not (viewer.is_member and viewer.user.id == user.id):
        require(viewer.can_view_member_record(user))
    return list_for_user(user)


def get_sanction(sanction_id: int) -> Sanction:
    """The sanction with its member. Refuses: an unknown id (404)."""
    sanction = db.session.get(Sanction, sanction_id, options=[joinedload(Sanction.user)])
    if sanction is None:
        raise NotFound(_("That sanction doesn't exist."))
    return sanction


def list_for_user(user: User) -> list[Sanction]:
    return list(
        db.session.scalars(
            select(Sanction)
            .where(Sanction.user_id == user.id)
            .options(joinedload(Sanction.issuer), joinedload(Sanction.lifted_by))
            .order_by(Sanction.starts_at.desc(), Sanction.id.desc())
        )
    )


# -- the last administrator --------------------------------------------------------------------
# -- issuing -----------------------------------------------------------------------------------
def _clean_reason(value: str | None) -> str:
    return text.checked(value, REASON_MAX, missing=_("Please give a reason."),
                        too_long=_("The reason can be at most %(max)s characters.",
                                   max=number(REASON_MAX)))


def _clean_message(value: str | None) -> str | None:
    return text.checked(value, MESSAGE_MAX,
                        too_long=_("The message can be at most %(max)s characters.",
                                   max=number(MESSAGE_MAX))) or None


def sanction_end(kind: SanctionKind | str, now: datetime, *, duration: timedelta | None = None,
                 until: datetime | None = None) -> datetime | None:
    """When a sanction of this kind ends, checked. Refuses (400): a timeout outside 10 minutes
    … 7 days, a suspension without a future end, a ban ending in the past, an end more than ten
    years ahead."""
    kind = SanctionKind(kind)
    if kind == SanctionKind.WARNING:
        return None
    if kind == SanctionKind.TIMEOUT:
        if duration is None or not TIMEOUT_MIN <= duration <= TIMEOUT_MAX:
            raise Refused(_("A timeout lasts from 10 minutes to 7 days."), status=400)
        return now + duration
    if until is None:
        if kind == SanctionKind.BAN:
            return None
        raise Refused(_("A suspension needs an end date."), status=400)
    if until.tzinfo is None:
        raise ValueError("sanction ends must be timezone-aware")
    if until <= now:
        if kind == SanctionKind.SUSPENSION:
            raise Refused(_("The end of a suspension must be in the future."), status=400)
        raise Refused(_("The end of a ban must be in the future."), status=400)
    if until > now + LONGEST_END:
        if kind == SanctionKind.SUSPENSION:
            raise Refused(_("A suspension can end at most ten years from now."), status=400)
        raise Refused(_("A ban can end at most ten years from now; for longer, leave the end "
                        "empty."), status=400)
    return until


def _notice(sanction: Sanction) -> str:
    """The key of the member's notification of a new sanction."""
    kind = SanctionKind(sanction.kind)
    if kind == SanctionKind.BAN and sanction.ends_at is not None:
        return "sanction.ban_until"
    return f"sanction.{kind.value}"


def check_points(points: int | None) -> int:
    """A warning's points: 1 when not given. Refuses (400): fewer than 1 or more than
    ``warning_points_max``."""
    if points is None:
        return 1
    most = settings.get("warning_points_max")
    if not 1 <= points <= most:
        raise Refused(_("A warning carries from 1 to %(max)s points.", max=number(most)),
                      status=400)
    return points


def issue(actor: User, user: User, kind: SanctionKind | str, reason: str, *,
          ends_at: datetime | None = None, message: str | None = None,
          board: Board | None = None, item: ReportItem | None = None,
          points: int | None = None, now: datetime | None = None,
          quiet: bool = False) -> Sanction:
    """Issue a sanction with its log entry and the member's notification (``ends_at`` comes
    from ``sanction_end``): the one entry point for every kind, which ``warn`` … ``ban`` and
    the report queue call. ``board`` is the board the action is taken in, which lets a board
    moderator act. A warning carries ``points`` (1 unless given); when they bring the
    member's current points to a threshold, the sanction it brings is applied in the same
    transaction (``warning_points``). ``quiet``: a step of a larger action that logs itself
    as one entry and tells nobody (removing a spammer), so neither a log entry nor a
    notification here.

    Refuses: rank rules (403), missing or long reason (400), points out of range (400), a
    suspension or ban that would leave no administrator able to log in (403; the transaction
    is rolled back).
    """
    now = now or utcnow()
    kind = SanctionKind(kind)
    require(Policy(actor).can_act_on_user(user, board))
    reason = _clean_reason(reason)
    message = _clean_message(message)
    if kind == SanctionKind.WARNING:
        points = check_points(points)
        # Two warnings at once take turns, so their points bring one automatic sanction.
        warning_points.lock_member(user)
    else:
        points = None
    guard = kind in LOGIN_BLOCKED_BY and user.is_admin
    if guard:
        lock_admins()
    sanction = Sanction(
        user_id=user.id, kind=kind, reason=reason, message=message, issuer_id=actor.id,
        points=points, starts_at=now, ends_at=ends_at,
        item_id=item.id if item is not None else None,
    )
    db.session.add(sanction)
    if kind in LOGIN_BLOCKED_BY:
        # Every login the member has open ends, at once and on every device.
        logins.end_all(user.id, now)
    db.session.flush()
    if guard and usable_admin_count(now) == 0:
        db.session.rollback()
        raise Refused(_("That would leave no administrator able to log in."))
    if not quiet:
        after = {"kind": kind.value, "ends_at": ends_at.isoformat() if ends_at else None}
        if points is not None:
            after["points"] = points
        audit.record(actor, ACTIONS[kind], user, reason, after=after, now=now, item=item)
        # The notice comes from "the moderators", never a named one.
        notifications.notify(user, NotificationKind.SANCTION, _notice(sanction),
                             {"ends_at": moment(ends_at), "reason": reason, "message": message},
                             now=now)
    webhooks.sanction_issued(sanction, now)
    if kind == SanctionKind.WARNING:
        warning_points.apply_thresholds(user, now)
    commit()
    return sanction


def warn(actor: User, user: User, reason: str, *, message: str | None = None,
         board: Board | None = None, points: int | None = None,
         now: datetime | None = None) -> Sanction:
    """A warning of ``points`` (1 unless given). Refuses: as ``issue``."""
    sanction = issue(actor, user, SanctionKind.WARNING, reason, message=message, board=board,
                     points=points, now=now)
    return sanction


def timeout(actor: User, user: User, reason: str, duration: timedelta, *,
            message: str | None = None, board: Board | None = None,
            now: datetime | None = None) -> Sanction:
    """No posting for ``duration`` (10 minutes … 7 days). Refuses: as ``issue``, a duration
    out of range (400)."""
    now = now or utcnow()
    ends_at = sanction_end(SanctionKind.TIMEOUT, now, duration=duration)
    sanction = issue(actor, user, SanctionKind.TIMEOUT, reason, ends_at=ends_at,
                     message=message, board=board, now=now)
    return sanction


def suspend(actor: User, user: User, reason: str, until: datetime, *,
            message: str | None = None, board: Board | None = None,
            now: datetime | None = None) -> Sanction:
    """No logging in until ``until``. Refuses: as ``issue``, an end not in the future (400)."""
    now = now or utcnow()
    ends_at = sanction_end(SanctionKind.SUSPENSION, now, until=until)
    sanction = issue(actor, user, SanctionKind.SUSPENSION, reason, ends_at=ends_at,
                     message=message, board=board, now=now)
    return sanction


def ban(actor: User, user: User, reason: str, until: datetime | None = None, *,
        message: str | None = None, board: Board | None = None,
        now: datetime | None = None, quiet: bool = False) -> Sanction:
    """No logging in, for good or until ``until``. Refuses: as ``suspend``."""
    now = now or utcnow()
    ends_at = sanction_end(SanctionKind.BAN, now, until=until)
    sanction = issue(actor, user, SanctionKind.BAN, reason, ends_at=ends_at, message=message,
                     board=board, now=now, quiet=quiet)
    return sanction


def lift(actor: User, sanction: Sanction, reason: str, now: datetime | None = None) -> Sanction:
    """End a sanction early, logged as ``sanction.lift``; the member is told.

    Refuses: rank rules (moderators only; 403), a warning (400), a missing reason (400), a
    sanction that has already ended or been lifted (409, also when another moderator lifted it
    a moment ago).
    """
    now = now or utcnow()
    require(Policy(actor).can_act_on_user(sanction.user))
    if sanction.kind == SanctionKind.WARNING:
        raise Refused(_("A warning stays on the record; there is nothing to lift."), status=400)
    reason = _clean_reason(reason)
    lifted = db.session.execute(
        update(Sanction)
        .where(
            Sanction.id == sanction.id,
            Sanction.lifted_at.is_(None),
            or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
        )
        .values(lifted_at=now, lifted_by_id=actor.id, lift_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not lifted:
        db.session.rollback()
        raise Conflict(_("This sanction has already ended or been lifted."))
    audit.record(
        actor, "sanction.lift", sanction, reason,
        before={"ends_at": sanction.ends_at.isoformat() if sanction.ends_at else None},
        after={"lifted_at": now.isoformat()}, now=now,
    )
    notifications.notify(sanction.user, NotificationKind.SANCTION,
                         f"sanction.{SanctionKind(sanction.kind).value}_lifted", now=now)
    webhooks.sanction_lifted(sanction, now)
    commit()
    db.session.refresh(sanction)
    return sanction
