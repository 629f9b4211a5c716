"""Administrators manage members' accounts: name, email and display name, ending their
sessions. Every change is logged with before and after and the member is told."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...database import commit
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import NotificationKind, User, utcnow
from ...policy import Policy
from .. import audit, mail, notifications
from . import display_names, logins, usernames
from .account import AccountError, check_email, check_username, check_username_free, email_taken


@dataclass(frozen=True)
class AccountChange:
    username: str
    email: str
    display_name: str


def require_active(user: User) -> None:
    """Refuses (409) an account that was deleted in the meantime. The row stays locked until
    commit on PostgreSQL, so a deletion running at the same moment waits for this change and
    then finds it, rather than this change writing over the anonymised account."""
    deleted = Conflict(_("The account @%(name)s has been deleted; there is nothing left to "
                         "change.", name=user.username))
    if user.is_deleted:
        raise deleted
    still_there = db.session.scalar(
        select(User.id).where(User.id == user.id, User.deleted_at.is_(None)).with_for_update()
    )
    if still_there is None:
        db.session.rollback()
        raise deleted


def _clean_display_name(text: str, user: User) -> str | None:
    try:
        return display_names.check(text, user)
    except display_names.DisplayNameRefused as refused:
        raise AccountError("display_name", str(refused)) from None


def update_account(actor: User, user: User, change: AccountChange, reason: str | None = None,
                   now: datetime | None = None) -> User:
    """Change a member's username, email and display name (``user.account``, before/after of
    what changed). Their old username keeps redirecting to the new one. A new email is in
    force at once, counts as confirmed, and both addresses get a mail saying so.

    Refuses: anyone but administrators (403), a deleted account (409), an invalid or taken
    username or email or a name that looks like another member's (``AccountError`` naming the
    field), a change that changes nothing (400). Nothing is saved unless everything is valid.
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_account(user))
    require_active(user)
    username = check_username(change.username)
    email = check_email(change.email)
    display_name = _clean_display_name(change.display_name, user)
    before = {"username": user.username, "email": user.email,
              "display_name": user.display_name}
    after = {"username": username, "email": email, "display_name": display_name}
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        raise Refused(_("Nothing to change: these are the account's details already."), status=400)
    if "username" in changed:
        check_username_free(username, user)
    if email.lower() != user.email_key and email_taken(email):
        raise AccountError("email", _("Another account already uses that email address."))
    if username != user.username:
        usernames.rename(user, username, now)
    if "email" in changed:
        # In force at once (an administrator vouches for it), and both addresses are told,
        # in one INSERT of two outbox rows.
        old_email = user.email
        user.email_confirmed_at = now
        with mail.together():
            mail.queue(user, "email_changed_by_admin", address=old_email, now=now,
                       old_email=old_email, new_email=email)
            mail.queue(user, "email_changed_by_admin", address=email, now=now,
                       old_email=old_email, new_email=email)
    user.email, user.email_key = email, email.lower()
    user.display_name = display_name
    audit.record(actor, "user.account", user, reason,
                 before={name: before[name] for name in changed},
                 after={name: after[name] for name in changed}, now=now)
    if "username" in changed or "email" in changed:
        notifications.notify(user, NotificationKind.ACCOUNT, "account.changed", None,
                             user.url, actor=actor, now=now)
    try:
        commit()
    except IntegrityError:
        # Someone took the name or address between the check and the write.
        db.session.rollback()
        raise AccountError("username", _("That username or email was just taken.")) from None
    return user


def end_sessions(actor: User, user: User, reason: str | None = None,
                 now: datetime | None = None) -> User:
    """Log the member out everywhere (``user.sessions``): every session and remember-me
    cookie they hold stops working.

    Refuses: anyone but administrators (403), a deleted account (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_account(user))
    require_active(user)
    logins.end_all(user.id, now)
    audit.record(actor, "user.sessions", user, reason, before={"sessions": "open"},
                 after={"sessions": "ended"}, now=now)
    commit()
    return user
