"""Confirming email addresses: a new member's, and a new one a member wants to change to.

A confirmation link is signed with the secret key (nothing is stored) and names the member,
the address it confirms and, for a change, the address it replaces: once the change is made
the old address no longer matches, so the link is spent. Links live ``LIFETIME``. The setting
``email_confirmation`` says whether members must confirm before posting or are only reminded.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ...database import commit
from ...errors import Conflict, NotFound, Refused
from ...extensions import db
from ...models import User, utcnow
from ...stores import ratelimit
from .. import mail
from ..mail.links import external_url
from . import bans
from .account import AccountError, check_email, email_taken, password_matches

SALT = "agora-email-confirmation"
LIFETIME = timedelta(days=2)
TOKEN_MAX = 400
MAILS_PER_HOUR = 3

INVALID = _l("This confirmation link isn't valid. Ask for a new one from your account.")
EXPIRED = _l("This confirmation link has expired. Ask for a new one from your account.")
SPENT = _l("This confirmation link has already been used, or the account's address has "
           "changed since it was sent.")
TOO_MANY = _l("Too many confirmation emails in a short time. Please wait a while and try "
              "again.")


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _link(user: User, email: str, replaces: str | None) -> str:
    token = _serializer().dumps([user.id, email, replaces])
    return external_url("auth.confirm_email", token=token)


def is_required() -> bool:
    from ...stores import settings

    return settings.get("email_confirmation") == "required"


def queue_confirmation(user: User, now: datetime | None = None) -> None:
    """Add the confirmation mail for the member's current address (no commit)."""
    now = now or utcnow()
    mail.queue(user, "confirm_email", now=now, link=_link(user, user.email, None),
               expires_at=now + LIFETIME)


def _throttle(user: User, now: datetime) -> None:
    decision = ratelimit.hit(f"confirm-mail:account:{user.id}", MAILS_PER_HOUR, 3600, now)
    if not decision:
        raise Refused(str(TOO_MANY), status=429, retry_after=decision.retry_after)


def resend(user: User, now: datetime | None = None) -> None:
    """Send the confirmation again. Refuses: an address already confirmed (409), more than
    ``MAILS_PER_HOUR`` confirmation mails an hour (429)."""
    now = now or utcnow()
    if user.email_confirmed_at is not None:
        raise Conflict(_("Your email address is already confirmed."))
    _throttle(user, now)
    queue_confirmation(user, now)
    commit()


def request_change(user: User, new_email: str, password: str,
                   now: datetime | None = None) -> str:
    """Ask to change the member's address: a confirmation goes to the new address and a
    notice to the old one; nothing changes until the link is followed. Returns the new
    address as it will be stored.

    Refuses (``AccountError``): a wrong password, a malformed address, the current address,
    one on a ban list or another account's; (``Refused`` 429) past ``MAILS_PER_HOUR``."""
    now = now or utcnow()
    if not password_matches(user, password):
        raise AccountError("password", _("Your password is not correct."))
    email = check_email(new_email)
    if email.lower() == user.email_key:
        raise AccountError("email", _("That is already your address."))
    if bans.banned_email(email, now):
        raise AccountError("email", _("That email address can't be used here."))
    if email_taken(email):
        raise AccountError("email", _("Another account already uses that email address."))
    _throttle(user, now)
    link = _link(user, email, user.email)
    # Both messages go in one INSERT: the outbox rows are flushed together.
    with mail.together():
        mail.queue(user, "confirm_email_change", address=email, now=now, link=link,
                   new_email=email, expires_at=now + LIFETIME)
        mail.queue(user, "email_change_requested", now=now, new_email=email)
    commit()
    return email


@dataclass(frozen=True)
class Confirmation:
    user: User
    email: str
    replaces: str | None  # the address a change replaces; None confirms the current one

    @property
    def is_change(self) -> bool:
        return self.replaces is not None


def find(token: str) -> Confirmation:
    """What a link confirms. Refuses: a malformed, tampered or unknown link or a deleted
    account (404); an expired link (410); a spent one (410)."""
    if not token or len(token) > TOKEN_MAX or not token.isascii():
        raise NotFound(str(INVALID))
    try:
        user_id, email, replaces = _serializer().loads(
            token, max_age=int(LIFETIME.total_seconds()))
    except SignatureExpired:
        raise Refused(str(EXPIRED), status=410) from None
    except (BadSignature, ValueError, TypeError):
        raise NotFound(str(INVALID)) from None
    if not isinstance(user_id, int) or not isinstance(email, str):
        raise NotFound(str(INVALID))
    user = db.session.get(User, user_id)
    if user is None or user.is_deleted:
        raise NotFound(str(INVALID))
    current = replaces if replaces is not None else email
    if not isinstance(current, str) or current.lower() != user.email_key:
        raise Refused(str(SPENT), status=410)
    return Confirmation(user, email, replaces)


def confirm(token: str, now: datetime | None = None) -> Confirmation:
    """Confirm the address (or make the change) a link names. Refuses: as ``find``; an
    address another account took meanwhile (409)."""
    now = now or utcnow()
    found = find(token)
    user = found.user
    if found.is_change:
        if email_taken(found.email):
            raise Conflict(_("Another account uses that email address now, so the change "
                             "can't be made."))
        user.email, user.email_key = found.email, found.email.lower()
    if found.is_change or user.email_confirmed_at is None:
        user.email_confirmed_at = now
    try:
        commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("Another account uses that email address now, so the change can't "
                         "be made.")) from None
    return found
