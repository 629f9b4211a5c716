"""Joining the forum as the settings allow (open, by invitation, closed), accepting the rules
and the privacy notice, and accepting them again after they change."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...database import commit, joined
from ...errors import Conflict, Refused
from ...models import User, utcnow
from ...stores import settings
from . import account, invitations
from .account import AccountError, Registration

REGISTRATION_CLOSED = _l("Registration is closed: this forum isn't taking new members right "
                         "now.")
INVITATION_NEEDED = _l("This forum takes new members by invitation. Open the invitation link "
                     "you were sent to sign up.")
MUST_ACCEPT = _l("Please tick the box to accept the rules and the privacy notice.")
CHANGED_MEANWHILE = _l("The rules or the privacy notice changed while you were reading. Please "
                     "read the new version, then accept again.")


def current_versions() -> tuple[int, int]:
    """The versions of the rules and the privacy notice a page shows now (0: none)."""
    return settings.document_version("rules"), settings.document_version("privacy")


def _check_seen(seen: tuple[int, int] | None) -> tuple[int, int]:
    """The versions to record: those the person was shown, which must still be current (with
    nothing published there is nothing to have seen)."""
    current = current_versions()
    if seen is not None and current != (0, 0) and tuple(seen) != current:
        raise AccountError("accept", str(CHANGED_MEANWHILE))
    return current


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
        raise Refused(str(REGISTRATION_CLOSED), status=403)
    if mode == "invitation":
        if not (invite_code or "").strip():
            raise Refused(str(INVITATION_NEEDED), status=403)
        invitations.check(invite_code, now)


def join(data: Registration, accepted: bool, invite_code: str | None = None,
         now: datetime | None = None, *, seen: tuple[int, int] | None = None) -> User:
    """Create a member account as the registration setting allows, recording the versions of
    the rules and privacy notice they accepted and giving them the forum's time zone.
    ``seen`` are the versions the register page showed; a person accepts only those.

    Refuses: ``Refused`` (403) while registration is closed, or by invitation without a code;
    ``InvitationError`` for an unknown, used, revoked or expired code (and for the second of
    two registrations racing with one code); ``AccountError`` on field "accept" when the
    documents exist and were not accepted or changed since ``seen``, and everything
    ``account.register`` refuses.
    """
    now = now or utcnow()
    check_open(invite_code, now)
    if documents_published() and not accepted:
        raise AccountError("accept", str(MUST_ACCEPT))
    rules_version, privacy_version = _check_seen(seen)
    with joined():
        user = account.register(data, now=now)
        user.timezone = settings.get("default_timezone")
        user.rules_version = rules_version
        user.privacy_version = privacy_version
        if registration_mode() == "invitation":
            invitations.redeem(invite_code, user, now)
    commit()
    return user


def accept_documents(user: User, seen: tuple[int, int] | None = None) -> None:
    """Record that ``user`` accepts the current rules and privacy notice: those shown to them
    (``seen``), which must still be current.

    Refuses: ``Conflict`` (409) when a document changed since the page showed ``seen``."""
    try:
        user.rules_version, user.privacy_version = _check_seen(seen)
    except AccountError as error:
        raise Conflict(error.message) from None
    commit()
