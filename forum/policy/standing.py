"""A member's standing: the sanctions in force and what they stop. The policy and the sanctions
service both read it; issuing and lifting sanctions is ``services.moderation.sanctions``."""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from ..common import timefmt
from ..common.timefmt import when
from ..extensions import db
from ..models import (
    Sanction,
    SanctionKind,
    User,
    utcnow,
)
from ..models.moderation import LOGIN_BLOCKED_BY, POSTING_BLOCKED_BY
from .decision import ALLOW, Decision, deny


def _retry_after(sanction: Sanction, now: datetime) -> int | None:
    if sanction.ends_at is None:
        return None
    return max(1, math.ceil((sanction.ends_at - now).total_seconds()))


# -- what is in force --------------------------------------------------------------------------
def _in_force(user_id, now: datetime):
    return (
        Sanction.user_id == user_id,
        Sanction.kind != SanctionKind.WARNING,
        Sanction.lifted_at.is_(None),
        Sanction.starts_at <= now,
        or_(Sanction.ends_at.is_(None), Sanction.ends_at > now),
    )


def active_sanctions(user: User, now: datetime | None = None) -> list[Sanction]:
    """The member's timeouts, suspensions and bans in force at ``now``: one query."""
    now = now or utcnow()
    return list(db.session.scalars(select(Sanction).where(*_in_force(user.id, now))))


def any_in_force(now):
    """A column for the query that loads a member: whether a sanction is in force at ``now``
    (a datetime or a bind parameter; ``User.sanctioned_at_load``)."""
    return exists().where(*_in_force(User.id, now))


def _binding(sanctions: Iterable[Sanction], kinds: frozenset[str],
             now: datetime) -> Sanction | None:
    """Of the sanctions of these kinds in force, the one that lasts longest decides."""
    candidates = [s for s in sanctions if s.kind in kinds and s.is_active(now)]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.ends_at is None, s.ends_at or now))


def _account_message(sanction: Sanction, tz_name: str | None) -> str:
    if sanction.issuer_id is None:
        # The forum's own, when warning points reached a threshold: its stored reason is a
        # fixed English sentence, so the wording says why instead.
        return _("Your account is suspended until %(time)s because your warning points "
                 "reached the limit.", time=when(sanction.ends_at, tz_name))
    if sanction.kind == SanctionKind.BAN and sanction.ends_at is None:
        return _("Your account is banned: %(reason)s", reason=sanction.reason)
    if sanction.kind == SanctionKind.BAN:
        return _("Your account is banned until %(time)s: %(reason)s",
                 time=when(sanction.ends_at, tz_name), reason=sanction.reason)
    return _("Your account is suspended until %(time)s: %(reason)s",
             time=when(sanction.ends_at, tz_name), reason=sanction.reason)


def posting_decision(sanctions: Iterable[Sanction], now: datetime | None = None,
                     tz_name: str | None = None) -> Decision:
    """May a member with these sanctions post? (The policy passes its cached list.) Times in
    the refusal are in the zone ``tz_name``, the member's."""
    now = now or utcnow()
    sanction = _binding(sanctions, POSTING_BLOCKED_BY, now)
    if sanction is None:
        return ALLOW
    retry = _retry_after(sanction, now)
    if sanction.kind == SanctionKind.TIMEOUT and sanction.issuer_id is None:
        reason = _("Your warning points reached the limit, so you are timed out. You can post "
                   "again in %(wait)s (%(time)s).", wait=timefmt.duration(retry),
                   time=when(sanction.ends_at, tz_name))
    elif sanction.kind == SanctionKind.TIMEOUT:
        # Worded like the cooldowns ("You can post again in …"): one kind of wait, one message.
        reason = _(
            "A moderator has given you a timeout: %(reason)s. "
            "You can post again in %(wait)s (%(time)s).",
            reason=sanction.reason.rstrip(" ."), wait=timefmt.duration(retry),
            time=when(sanction.ends_at, tz_name),
        )
    else:
        reason = _account_message(sanction, tz_name)
    return deny(reason, retry_after=retry)


def account_block(sanctions: Iterable[Sanction], now: datetime) -> Sanction | None:
    """Of these sanctions, the suspension or ban in force that decides, or None: what stops
    everything, where a timeout stops only some things."""
    return _binding(sanctions, LOGIN_BLOCKED_BY, now)


def account_block_decision(sanctions: Iterable[Sanction], now: datetime,
                           tz_name: str | None = None) -> Decision:
    """Refuses a suspended or banned member, with the reason and the end (in ``tz_name``)."""
    sanction = account_block(sanctions, now)
    if sanction is None:
        return ALLOW
    return deny(_account_message(sanction, tz_name), retry_after=_retry_after(sanction, now))


def login_block(user: User, now: datetime | None = None) -> Sanction | None:
    """The suspension or ban that keeps the member from logging in now, or None."""
    now = now or utcnow()
    return _binding(active_sanctions(user, now), LOGIN_BLOCKED_BY, now)


def account_message(sanction: Sanction, tz_name: str | None) -> str:
    """Why the member can't log in, with the end in the zone ``tz_name``: the refusal's
    words."""
    return _account_message(sanction, tz_name)


def acting_decision(sanctions: Iterable[Sanction], now: datetime | None = None,
                    tz_name: str | None = None) -> Decision:
    """May a member with these sanctions change anything others see: edit or delete their
    posts, change their public profile, report, answer events? A timeout stops all of that
    as it stops posting (reading stays); a suspension or ban stops everything."""
    now = now or utcnow()
    sanction = _binding(sanctions, POSTING_BLOCKED_BY, now)
    if sanction is None:
        return ALLOW
    retry = _retry_after(sanction, now)
    if sanction.kind == SanctionKind.TIMEOUT and sanction.issuer_id is None:
        reason = _(
            "Your warning points reached the limit, so you are timed out. Until it ends in "
            "%(wait)s (%(time)s) you can read the forum, but not post, edit or delete posts, "
            "change your profile, report or answer events.",
            wait=timefmt.duration(retry), time=when(sanction.ends_at, tz_name),
        )
    elif sanction.kind == SanctionKind.TIMEOUT:
        reason = _(
            "A moderator has given you a timeout: %(reason)s. Until it ends in %(wait)s "
            "(%(time)s) you can read the forum, but not post, edit or delete posts, change "
            "your profile, report or answer events.",
            reason=sanction.reason.rstrip(" ."), wait=timefmt.duration(retry),
            time=when(sanction.ends_at, tz_name),
        )
    else:
        reason = _account_message(sanction, tz_name)
    return deny(reason, retry_after=retry)


def login_refusal(user: User, now: datetime | None = None) -> str | None:
    """Why a suspended or banned member may not log in (with the end), or None.

    "Your account is suspended until 25 Nov 2026, 15:00 (Europe/Berlin): <reason>", in the
    member's own zone.
    """
    now = now or utcnow()
    sanction = _binding(active_sanctions(user, now), LOGIN_BLOCKED_BY, now)
    return _account_message(sanction, user.timezone) if sanction is not None else None
