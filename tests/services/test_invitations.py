"""Invitations: made, listed, revoked, used once (also when two registrations race)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import Refused
from forum.extensions import db
from forum.models import Invitation, User
from forum.policy import Policy
from forum.services.accounts import invitations, joining
from forum.services.accounts.account import AccountError, Registration
from forum.services.accounts.invitations import InvitationError
from forum.services.site import documents
from forum.services.site import settings as site_settings
from forum.stores import settings
from tests import factories

from .moderation_kit import T0, actions, race


def _by_invitation(admin) -> None:
    site_settings.update(admin, {"registration_mode": "invitation"})


def _person(n: int = 1) -> Registration:
    return Registration(f"newcomer{n}", f"newcomer{n}@example.com", "a long password 1")


def test_a_code_is_long_random_and_only_its_hash_is_stored(admin):
    invitation, code = invitations.create(admin, 3, "For Sam", now=T0)
    assert len(code) >= 43 and code not in invitation.code_hash
    assert invitation.code_hash == invitations.hash_code(code)
    assert invitation.expires_at == T0 + timedelta(days=3)
    assert invitation.state(T0) == "open"
    [entry] = actions("invitation.create")
    assert entry.actor_id == admin.id and "For Sam" in entry.target_label
    assert invitations.check(code, T0).id == invitation.id


@pytest.mark.parametrize("days, note, message", [
    (0, "", "1 to 7 days"),
    (8, "", "1 to 7 days"),
    (True, "", "1 to 7 days"),
    (3, "x" * 201, "under 200 characters"),
])
def test_bad_invitations_are_refused(admin, days, note, message):
    with pytest.raises(Refused, match=message) as refused:
        invitations.create(admin, days, note)
    assert refused.value.status == 400
    assert db.session.scalar(select(Invitation)) is None


def test_members_invite_only_when_allowed_and_past_the_new_member_limits(admin):
    newcomer = factories.make_user()
    veteran = factories.make_user(post_count=50, created_at=T0 - timedelta(days=30))
    decision = Policy(veteran, T0).can_create_invitation()
    assert not decision and "Only administrators" in decision.reason
    site_settings.update(admin, {"members_may_invite": True})
    assert Policy(veteran, T0).can_create_invitation()
    decision = Policy(newcomer, T0).can_create_invitation()
    assert not decision and "new member" in decision.reason
    with pytest.raises(Refused):
        invitations.create(newcomer, 3, now=T0)
    invitation, _ = invitations.create(veteran, 3, now=T0)
    # A member sees and revokes their own, not someone else's.
    assert invitations.listing(Policy(veteran), everyone=False) == [invitation]
    assert invitations.listing(Policy(newcomer), everyone=False) == []
    with pytest.raises(Refused) as refused:
        invitations.listing(Policy(veteran), everyone=True)
    assert refused.value.status == 403
    with pytest.raises(Refused) as refused:
        invitations.revoke(newcomer, invitation, now=T0)
    assert refused.value.status == 403
    invitations.revoke(veteran, invitation, now=T0)
    assert invitation.state(T0) == "revoked"


def test_revoking_twice_or_after_use_is_refused(admin):
    invitation, _ = invitations.create(admin, 3, now=T0)
    invitations.revoke(admin, invitation, now=T0 + timedelta(hours=1))
    assert (invitation.revoked_by_id, invitation.revoked_at) == (admin.id,
                                                                  T0 + timedelta(hours=1))
    assert len(actions("invitation.revoke")) == 1
    with pytest.raises(Refused) as refused:
        invitations.revoke(admin, invitation, now=T0 + timedelta(hours=2))
    assert refused.value.status == 409
    expired, _ = invitations.create(admin, 1, now=T0)
    with pytest.raises(Refused):
        invitations.revoke(admin, expired, now=T0 + timedelta(days=2))


def test_joining_by_invitation_uses_the_code_once(admin):
    _by_invitation(admin)
    invitation, code = invitations.create(admin, 3)
    with pytest.raises(Refused, match="by invitation") as refused:
        joining.join(_person(1), accepted=True)
    assert refused.value.status == 403
    user = joining.join(_person(1), accepted=True, invite_code=code)
    db.session.refresh(invitation)
    assert (invitation.used_by_id, invitation.state(invitation.used_at)) == (user.id, "used")
    [entry] = actions("invitation.use")
    assert entry.actor_id == user.id
    with pytest.raises(InvitationError, match="already been used"):
        joining.join(_person(2), accepted=True, invite_code=code)
    assert db.session.scalar(select(User).where(User.username == "newcomer2")) is None


@pytest.mark.parametrize("spoil, message", [
    ("unknown", "isn't valid"),
    ("revoked", "was revoked"),
    ("expired", "has expired"),
    ("huge", "isn't valid"),
])
def test_codes_that_cannot_be_used(admin, spoil, message):
    _by_invitation(admin)
    invitation, code = invitations.create(admin, 1, now=T0 - timedelta(days=2)
                                          if spoil == "expired" else None)
    if spoil == "unknown":
        code = code[:-2] + "zz"
    elif spoil == "huge":
        code = "x" * 5000
    elif spoil == "revoked":
        invitations.revoke(admin, invitation)
    with pytest.raises(InvitationError, match=message):
        joining.join(_person(), accepted=True, invite_code=code)
    assert db.session.scalar(select(User).where(User.username == "newcomer1")) is None


def test_closed_registration_refuses_everyone(admin):
    site_settings.update(admin, {"registration_mode": "closed"})
    _, code = invitations.create(admin, 3)
    for invite in (None, code):
        with pytest.raises(Refused, match="closed") as refused:
            joining.join(_person(), accepted=True, invite_code=invite)
        assert refused.value.status == 403


def test_open_registration_ignores_codes_and_needs_no_invitation(app):
    user = joining.join(_person(), accepted=False, invite_code="anything")
    assert user.id is not None


def test_joining_records_the_accepted_versions_and_the_default_zone(admin):
    site_settings.update(admin, {"default_timezone": "Europe/Berlin"})
    documents.publish(admin, "rules", "Be kind.")
    documents.publish(admin, "privacy", "We keep little.")
    documents.publish(admin, "privacy", "We keep even less.")
    with pytest.raises(AccountError) as refused:
        joining.join(_person(1), accepted=False)
    assert refused.value.field == "accept"
    user = joining.join(_person(1), accepted=True)
    assert (user.rules_version, user.privacy_version, user.timezone) == (1, 2, "Europe/Berlin")
    assert settings.documents_accepted(user)


def test_two_registrations_racing_with_one_code_make_one_account(app, admin):
    _by_invitation(admin)
    invitation, code = invitations.create(admin, 3)

    def registering(n: int):
        return lambda: (lambda: joining.join(_person(n), accepted=True, invite_code=code).id)

    results = race(app, *(registering(n) for n in range(1, 5)))
    winners = [value for outcome, value in results if outcome == "ok"]
    losers = [value for outcome, value in results if outcome == "error"]
    assert len(winners) == 1, results
    assert all(isinstance(error, InvitationError) for error in losers), losers
    db.session.expire_all()
    assert db.session.scalar(select(Invitation.used_by_id)) == winners[0]
    newcomers = db.session.scalars(select(User).where(User.username.like("newcomer%"))).all()
    assert [u.id for u in newcomers] == winners
    assert len(actions("invitation.use")) == 1
    assert invitation.id
