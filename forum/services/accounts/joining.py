"""Joining the forum as the settings allow (open, by invitation, closed), accepting the rules
and the privacy notice, and accepting them again after they change."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...database import commit, joined
from ...errors import Conflict, Refused
from ...models import User, utcnow
from ...stores import ratelimit, settings
from . import account, bans, email_confirmation, invitations, signup_guard
from .account import AccountError, Registration
from .signup_guard import SignupAttempt

REGISTRATION_CLOSED = _l("Registration is closed: this forum isn't taking new members right "
                         "now.")
INVITATION_NEEDED = _l("This forum takes new members by invitation. Open the invitation link "
                     "you were sent to sign up.")
MUST_ACCEPT = _l("Please tick the box to accept the rules and the privacy notice.")
ANSWER_NEEDED = _l("Please answer the question: it helps the administrators welcome you.")
ANSWER_MAX = 1000
ANSWER_TOO_LONG = _l("Please keep your answer under %(num)d characters.", num=ANSWER_MAX)
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


def needs_approval(invite_code: str | None = None) -> bool:
    """Whether a new account waits for an administrator. An invitation already vouches for
    the person, so invited sign-ups never wait."""
    return bool(settings.get("registration_needs_approval")) and registration_mode() != (
        "invitation")


def approval_question() -> str:
    """The question the sign-up form asks while new accounts wait for approval ("" for
    none)."""
    return settings.get("registration_question") if needs_approval() else ""


def _refusals_before_registering(data: Registration, address: str | None) -> list[str]:
    """Why this sign-up may not go ahead before anything else is checked (banned email
    addresses and domains, banned address ranges): one reason per refusal, empty when
    nothing refuses. The ban lists answer here, before the sign-up is counted against the
    address (``account.register`` asks them again for sign-ups that don't come this way)."""
    refusal = bans.refusal_for(email=data.email, address=address)
    return [refusal] if refusal else []


def _checked_answer(attempt: SignupAttempt | None) -> str | None:
    if not approval_question():
        return None
    answer = ((attempt.answer if attempt is not None else None) or "").strip()
    if not answer:
        raise AccountError("answer", str(ANSWER_NEEDED))
    if len(answer) > ANSWER_MAX:
        raise AccountError("answer", str(ANSWER_TOO_LONG))
    return answer


def join(data: Registration, accepted: bool, invite_code: str | None = None,
         now: datetime | None = None, *, seen: tuple[int, int] | None = None,
         attempt: SignupAttempt | None = None) -> User:
    """Create a member account as the registration setting allows, recording the versions of
    the rules and privacy notice they accepted and giving them the forum's time zone.
    ``seen`` are the versions the register page showed; a person accepts only those.
    ``attempt`` is what the sign-up form sent besides (its address, stamp, hidden field and
    answer); without one (the command line, tests of other rules) those checks are skipped.
    While new accounts need approval (``needs_approval``) the account is made waiting: it
    can't log in until an administrator approves it (``services.accounts.approvals``).

    Refuses: ``Refused`` (403) while registration is closed, or by invitation without a code;
    ``InvitationError`` for an unknown, used, revoked or expired code (and for the second of
    two registrations racing with one code); ``SignupRefused`` for a filled hidden field, a
    form sent too soon or too late or with a stamp not ours (400), and once the address has
    made ``registrations_per_address_per_hour`` accounts (429); ``Refused`` (403) for what
    ``_refusals_before_registering`` names; ``AccountError`` on field "accept" when the
    documents exist and were not accepted or changed since ``seen``, on field "answer" for a
    missing or overlong answer, and everything ``account.register`` refuses.
    """
    now = now or utcnow()
    check_open(invite_code, now)
    if attempt is not None:
        signup_guard.check_form(attempt, now)
        refusals = _refusals_before_registering(data, attempt.address)
        if refusals:
            raise Refused(refusals[0], status=403)
    if documents_published() and not accepted:
        raise AccountError("accept", str(MUST_ACCEPT))
    rules_version, privacy_version = _check_seen(seen)
    answer = _checked_answer(attempt)
    counted = None
    try:
        with joined():
            if attempt is not None:
                counted = signup_guard.count_address(attempt.address, now)
            user = account.register(data, now=now)
            user.timezone = settings.get("default_timezone")
            user.rules_version = rules_version
            user.privacy_version = privacy_version
            if registration_mode() == "invitation":
                invitations.redeem(invite_code, user, now)
            if needs_approval(invite_code):
                user.approval_state = "waiting"
                user.approval_answer = answer
                user.approval_address = (attempt.address or None) if attempt else None
            alarm_changed = signup_guard.note_signup(now)
            email_confirmation.queue_confirmation(user, now)
    except Exception:
        # A rollback takes a database count back; a Redis count is given back here.
        if counted is not None and not ratelimit.in_transaction():
            ratelimit.refund(counted, now)
        raise
    commit()
    if alarm_changed:
        settings.clear_cache()
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
