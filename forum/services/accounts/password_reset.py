"""Single-use password reset links. An administrator can make one for a member (and is shown
it once); mail can later send the same link: ``issue_token`` is the one place a link is made.

Only the token's SHA-256 is stored. A link expires after ``RESET_LIFETIME``, is spent when
used, and a newer link replaces the older ones. Setting the new password ends every session.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...database import commit
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import PasswordReset, User, utcnow
from ...policy import Policy
from .. import audit
from . import logins
from .account import check_password, hash_password, spend_resets
from .management import require_active

RESET_LIFETIME = timedelta(hours=24)
TOKEN_MAX = 100

UNKNOWN = _l("This password reset link isn't valid. Ask for a new one.")
SPENT = _l("This password reset link has already been used or replaced by a newer one. Ask for "
         "a new one.")
EXPIRED = _l("This password reset link has expired. Ask for a new one.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, created_by: User | None = None, now: datetime | None = None) -> str:
    """A new reset token for ``user`` (their older unused ones stop working). No commit: the
    caller's transaction holds it, with whatever sends or shows the link."""
    now = now or utcnow()
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(
        user_id=user.id, token_hash=_digest(token), created_at=now,
        expires_at=now + RESET_LIFETIME,
        created_by_id=created_by.id if created_by is not None else None,
    ))
    return token


def create_reset_link(actor: User, user: User, reason: str | None = None,
                      now: datetime | None = None) -> str:
    """A reset token an administrator passes on to the member (``user.password_reset``).

    Refuses: anyone but administrators (403), a deleted account (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_account(user))
    require_active(user)
    token = issue_token(user, created_by=actor, now=now)
    audit.record(actor, "user.password_reset", user, reason, now=now,
                 after={"expires": (now + RESET_LIFETIME).isoformat(timespec="minutes")})
    commit()
    return token


def find_reset(token: str, now: datetime | None = None) -> PasswordReset:
    """The reset a token names, if it can still be used.

    Refuses: an unknown or malformed token (404), a spent or replaced one (410), an expired
    one (410), one whose account was deleted (404).
    """
    now = now or utcnow()
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        raise NotFound(str(UNKNOWN))
    reset = db.session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
    )
    if reset is None or reset.user.is_deleted:
        raise NotFound(str(UNKNOWN))
    if reset.used_at is not None:
        raise Refused(str(SPENT), status=410)
    if reset.expires_at <= now:
        raise Refused(str(EXPIRED), status=410)
    return reset


def reset_password(token: str, new_password: str, now: datetime | None = None) -> User:
    """Set the member's password through a reset link: the link is spent (and any other open
    link of theirs), every session of theirs ends, and the member's own change is logged
    (``account.password_reset``, as ``account.delete`` is).

    Refuses: as ``find_reset``; a weak password (``AccountError``); a link used by a request
    that got there first (410). Nothing changes on a refusal.
    """
    now = now or utcnow()
    reset = find_reset(token, now)
    check_password(new_password)
    # Spent by a conditional UPDATE, so two submissions of one link set one password.
    claimed = db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
               PasswordReset.expires_at > now)
        .values(used_at=now)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Refused(str(SPENT), status=410)
    user = reset.user
    user.password_hash = hash_password(new_password)
    logins.end_all(user.id, now)
    spend_resets(user, now)
    audit.record(user, "account.password_reset", user, None, now=now,
                 after={"sessions_ended": True})
    commit()
    return user
