"""Invitations: single-use links to register, made by administrators (and by members past the
new-member limits when the setting allows it), with an expiry, revocable while open.

The code is 32 random bytes (URL-safe text); only its SHA-256 is stored, so the link is shown
once, when it is made. Using a code is one conditional UPDATE (``WHERE used_by_id IS NULL``
and still open): of two registrations racing with one code, exactly one gets the row.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import Invitation, User, utcnow
from ...policy import Policy
from ...stores import settings
from .. import audit, data_export
from ..text import checked

CODE_BYTES = 32
CODE_MAX = 100  # longer text is no code of ours; refused before hashing
NOTE_MAX = 200


class InvitationError(ValueError):
    """An invitation code that can't be used, with a message for the person holding it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def hash_code(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def create(actor: User, days: int, note: str | None = None,
           now: datetime | None = None) -> tuple[Invitation, str]:
    """A new invitation valid for ``days`` days (``invitation.create``); returns it with its
    code, which is not stored and can't be shown again.

    Refuses: those the policy refuses (403); days outside 1…the ``invitation_days`` setting,
    a note over 200 characters (400).
    """
    require(Policy(actor, now).can_create_invitation())
    now = now or utcnow()
    longest = settings.get("invitation_days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= longest:
        raise Refused(_("An invitation can be valid for 1 to %(days)s days.", days=longest),
                      status=400)
    text = checked(note, NOTE_MAX, too_long=_("Keep the note under %(max)s characters.",
                                                        max=NOTE_MAX))
    code = secrets.token_urlsafe(CODE_BYTES)
    invitation = Invitation(code_hash=hash_code(code), note=text or None,
                            created_by_id=actor.id, created_at=now,
                            expires_at=now + timedelta(days=days))
    db.session.add(invitation)
    db.session.flush()
    audit.record(actor, "invitation.create", invitation,
                 after={"expires_at": invitation.expires_at.isoformat(), "note": text}, now=now)
    commit()
    return invitation, code


def revoke(actor: User, invitation: Invitation, now: datetime | None = None) -> None:
    """Revoke an open invitation (``invitation.revoke``).

    Refuses: anyone but its maker and administrators (403); one already used, revoked or
    expired (409).
    """
    require(Policy(actor, now).can_revoke_invitation(invitation))
    now = now or utcnow()
    done = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_by_id.is_(None),
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(revoked_at=now, revoked_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Refused(_("This invitation can't be revoked: it was already used, revoked or has "
                      "expired."), status=409)
    audit.record(actor, "invitation.revoke", invitation, before={"state": "open"},
                 after={"state": "revoked"}, now=now)
    commit()
    db.session.refresh(invitation)


def get(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        raise Refused(_("There is no such invitation."), status=404)
    return invitation


def listing(viewer: Policy, everyone: bool) -> list[Invitation]:
    """Invitations newest first with their makers and users loaded (one query): everyone's
    for administrators (``everyone``), else the viewer's own.

    Refuses: guests; ``everyone`` for anyone but administrators (403).
    """
    if everyone:
        require(viewer.can_manage_invitations())
    elif not viewer.is_member:
        raise Refused(_("Log in to see your invitations."), status=403, login_required=True)
    query = (select(Invitation)
             .options(joinedload(Invitation.created_by), joinedload(Invitation.used_by))
             .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(500))
    if not everyone:
        query = query.where(Invitation.created_by_id == viewer.user.id)
    return list(db.session.scalars(query))


def _problem(invitation: Invitation | None, now: datetime) -> str | None:
    if invitation is None:
        return _("That invitation code isn't valid. Check that the whole link was copied.")
    state = invitation.state(now)
    if state == "used":
        return _("That invitation has already been used.")
    if state == "revoked":
        return _("That invitation was revoked.")
    if state == "expired":
        return _("That invitation has expired. Ask for a new one.")
    return None


def find(code: str | None) -> Invitation | None:
    code = (code or "").strip()
    if not code or len(code) > CODE_MAX:
        return None
    return db.session.scalar(select(Invitation).where(Invitation.code_hash == hash_code(code)))


def check(code: str | None, now: datetime | None = None) -> Invitation:
    """The open invitation ``code`` names. Refuses (``InvitationError``): an unknown, used,
    revoked or expired code."""
    invitation = find(code)
    problem = _problem(invitation, now or utcnow())
    if problem:
        raise InvitationError(problem)
    return invitation


def redeem(code: str | None, user: User, now: datetime | None = None) -> Invitation:
    """Mark the invitation used by ``user`` (``invitation.use``) in the caller's transaction:
    one conditional UPDATE, so of two registrations with one code only one succeeds.

    Refuses (``InvitationError``): an unknown, used, revoked or expired code.
    """
    now = now or utcnow()
    invitation = check(code, now)
    done = db.session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_by_id.is_(None),
               Invitation.used_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > now)
        .values(used_by_id=user.id, used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        raise InvitationError(_("That invitation has just been used by someone else."))
    db.session.refresh(invitation)
    audit.record(user, "invitation.use", invitation, after={"used_by": user.username}, now=now)
    commit()
    return invitation


@data_export.section("invitations")
def _exported_invitations(user: User) -> list[dict]:
    """The invitations the member made (never their codes: only a hash is kept) and whether
    they were used, without naming who used them (that is the other person's data)."""
    rows = db.session.scalars(
        select(Invitation).where(Invitation.created_by_id == user.id)
        .order_by(Invitation.created_at)
    )
    return [{"note": row.note, "created_at": data_export.iso(row.created_at),
             "expires_at": data_export.iso(row.expires_at), "used": row.used_by_id is not None,
             "revoked_at": data_export.iso(row.revoked_at)} for row in rows]
