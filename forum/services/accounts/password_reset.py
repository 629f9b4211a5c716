"""Single-use password reset links. An administrator can make one for a member (and is shown
it once, or has it mailed to them); a member who forgot their password asks for one by mail:
``issue_token`` is the one place a link is made.

Only the token's SHA-256 is stored. A link expires after ``RESET_LIFETIME`` (one that goes by
mail after ``MAILED_LIFETIME``), is spent when used or when the password changes any other
way, and a newer link replaces the older ones. Setting the new password ends every session.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...common.addresses import counter_part
from ...database import commit
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import PasswordReset, User, utcnow
from ...policy import Policy
from ...stores import ratelimit
from .. import audit, mail
from ..mail.links import external_url
from . import logins
from .account import AccountError, check_password, hash_password, spend_resets
from .management import require_active

RESET_LIFETIME = timedelta(hours=24)
MAILED_LIFETIME = timedelta(hours=1)
TOKEN_MAX = 100
EMAIL_MAX = 254
# Asking for a link by mail: per client address, per email address asked for, per account.
REQUESTS_PER_ADDRESS = 10
REQUESTS_PER_EMAIL = 3
REQUESTS_PER_ACCOUNT = 3
REQUEST_WINDOW = 3600

ENTER_EMAIL = _l("Enter the email address of your account.")
TOO_MANY = _l("Too many requests for password reset links. Please wait a while and try again.")

UNKNOWN = _l("This password reset link isn't valid. Ask for a new one.")
SPENT = _l("This password reset link has already been used or replaced by a newer one. Ask for "
         "a new one.")
EXPIRED = _l("This password reset link has expired. Ask for a new one.")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, created_by: User | None = None, now: datetime | None = None,
                lifetime: timedelta = RESET_LIFETIME) -> str:
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
        expires_at=now + lifetime,
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


def _mail_link(user: User, token: str, now: datetime, lifetime: timedelta) -> None:
    mail.queue(user, "password_reset", now=now,
               link=external_url("auth.reset_password", token=token),
               expires_at=now + lifetime)


def mail_reset_link(actor: User, user: User, reason: str | None = None,
                    now: datetime | None = None) -> None:
    """Mail the member a reset link valid for ``MAILED_LIFETIME`` (``user.password_reset``,
    with ``mailed`` in the log).

    Refuses: anyone but administrators (403), a deleted account (409)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_account(user))
    require_active(user)
    token = issue_token(user, created_by=actor, now=now, lifetime=MAILED_LIFETIME)
    _mail_link(user, token, now, MAILED_LIFETIME)
    audit.record(actor, "user.password_reset", user, reason, now=now,
                 after={"mailed": True,
                        "expires": (now + MAILED_LIFETIME).isoformat(timespec="minutes")})
    commit()


def request_reset(email: str, address: str | None, now: datetime | None = None) -> None:
    """Someone forgot their password: if ``email`` is a member's, mail them a link valid for
    ``MAILED_LIFETIME``. The caller answers the same whether or not it was: nothing here
    tells who has an account. Accounts waiting for approval or deleted get nothing.

    Refuses: an empty or overlong address (``AccountError``); past the limits per client
    address or per email address asked for (429, counted alike for unknown addresses). Past
    the limit per account nothing is sent, silently."""
    now = now or utcnow()
    key = (email or "").strip().lower()
    if not key or len(key) > EMAIL_MAX or "@" not in key:
        raise AccountError("email", str(ENTER_EMAIL))
    for counter, limit in ((f"reset:address:{counter_part(address)}", REQUESTS_PER_ADDRESS),
                           (f"reset:email:{key}", REQUESTS_PER_EMAIL)):
        decision = ratelimit.hit(counter, limit, REQUEST_WINDOW, now)
        if not decision:
            raise Refused(str(TOO_MANY), status=429, retry_after=decision.retry_after)
    user = db.session.scalar(select(User).where(User.email_key == key))
    if user is None or user.is_deleted or not user.is_admitted:
        return
    if not ratelimit.hit(f"reset:account:{user.id}", REQUESTS_PER_ACCOUNT, REQUEST_WINDOW, now):
        return
    token = issue_token(user, now=now, lifetime=MAILED_LIFETIME)
    _mail_link(user, token, now, MAILED_LIFETIME)
    commit()


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
