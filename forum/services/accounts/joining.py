"""Joining the forum as the settings allow (open, by invitation, closed), accepting the rules
and the privacy notice, and accepting them again after they change."""
from __future__ import annotations

from datetime import datetime

from ...database import commit, joined
from ...errors import Refused
from ...models import User, utcnow
from ...stores import settings
from . import account, invitations
from .account import AccountError, Registration

REGISTRATION_CLOSED = "Registration is closed: this forum isn't taking new members right now."
INVITATION_NEEDED = ("This forum takes new members by invitation. Open the invitation link "
                     "you were sent to sign up.")
MUST_ACCEPT = "Please tick the box to accept the rules and the privacy notice."


def documents_published() -> bool:
    """Whether there is a rules or privacy text to accept."""
    return bool(settings.document_version("rules") or settings.document_version("privacy"))


def registration_mode() -> str:
    return settings.get("registration_mode")


def check_open(invite_code: str | None, now: datetime | None = None) -> None:
    """Whether the register page may offer its form. Refuses: ``Refused`` (403) while
    registration is closed or, by invitation, without a code; ``InvitationError`` for a code
    that is unknown, used, revoked or expired."""
    mode = registration_mode()
    if mode == "closed":
        raise Refused(REGISTRATION_CLOSED, status=403)
    if mode == "invitation":
        if not (invite_code or "").strip():
            raise Refused(INVITATION_NEEDED, status=403)
        invitations.check(invite_code, now)


def join(data: Registration, accepted: bool, invite_code: str | None = None,
         now: datetime | None = None) -> User:
    """Create a member account as the registration setting allows, recording the versions of
    the rules and privacy notice they accepted and giving them the forum's time zone.

    Refuses: ``Refused`` (403) while registration is closed, or by invitation without a code;
    ``InvitationError`` for an unknown, used, revoked or expired code (and for the second of
    two registrations racing with one code); ``AccountError`` on field "accept" when the
    documents exist and were not accepted, and everything ``account.register`` refuses.
    """
    now = now or utcnow()
    check_open(invite_code, now)
    if documents_published() and not accepted:
        raise AccountError("accept", MUST_ACCEPT)
    with joined():
        user = account.register(data, now=now)
        user.timezone = settings.get("default_timezone")
        user.rules_version = settings.document_version("rules")
        user.privacy_version = settings.document_version("privacy")
        if registration_mode() == "invitation":
            invitations.redeem(invite_code, user, now)
    commit()
    return user


def accept_documents(user: User) -> None:
    """Record that ``user`` accepts the current rules and privacy notice."""
    user.rules_version = settings.document_version("rules")
    user.privacy_version = settings.document_version("privacy")
    commit()
