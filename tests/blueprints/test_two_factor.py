"""Two-step login: setting it up, the code step after the password, recovery codes, turning it
off (by the member and by an administrator), and the team's requirement."""
from __future__ import annotations

import re
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ModAction, Notification, RecoveryCode, TwoFactor, utcnow
from forum.services.accounts import two_factor
from forum.services.site import settings as site_settings
from tests.factories import PASSWORD


def _text(response) -> str:
    return response.get_data(as_text=True)


def _code(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset_steps * two_factor.STEP_SECONDS)


def _secret(user) -> str:
    db.session.expire_all()
    return two_factor._unseal(db.session.get(TwoFactor, user.id).secret)


def _turn_on(client, login, user) -> tuple[str, list[str]]:
    """Set it up through the pages; returns the secret and the recovery codes shown."""
    login(user)
    page = _text(client.get("/account/two-factor"))
    assert 'class="qr-code"><svg' in page  # the QR code, inline
    secret = _secret(user)
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    assert grouped in page
    # A first code from the previous step, so the login below may use the current one.
    response = client.post("/account/two-factor/setup",
                           data={"confirm-code": _code(secret, -1)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", _text(response))
    assert len(codes) == 10
    client.post("/logout")
    return secret, codes


def _password_step(client, username="member", **kwargs):
    return client.post("/login", data={"login": username, "password": PASSWORD, **kwargs})


def _logged_in(client) -> bool:
    with client.session_transaction() as stored:
        return "_user_id" in stored


def test_setup_shows_codes_once_and_keeps_only_hashes(client, login, member):
    secret, codes = _turn_on(client, login, member)
    assert two_factor.is_enabled(member)
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and not set(stored) & {c.replace("-", "") for c in codes}
    # The secret is not stored as is, and never shown again.
    assert secret not in db.session.get(TwoFactor, member.id).secret
    login(member)
    page = _text(client.get("/account/two-factor"))
    assert "Two-step login is on." in page and "qr-code" not in page
    assert secret[:4] + " " + secret[4:8] not in page


def test_a_wrong_first_code_turns_nothing_on(client, login, member):
    login(member)
    client.get("/account/two-factor")
    response = client.post("/account/two-factor/setup", data={"confirm-code": "000000"})
    assert response.status_code == 400 and "That code isn&#39;t right" in _text(response)
    assert not two_factor.is_enabled(member)


def test_login_asks_for_the_code_and_grants_nothing_before_it(client, login, member):
    secret, _codes = _turn_on(client, login, member)
    response = _password_step(client, next="/account/profile")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login/code")
    assert not _logged_in(client)
    # Half-way, the account pages still send to the login.
    assert "/login" in client.get("/account/profile").headers["Location"]
    page = client.get("/login/code")
    assert page.status_code == 200 and "6-digit code" in _text(page)
    wrong = client.post("/login/code", data={"code": "123456"})
    assert wrong.status_code == 400 and not _logged_in(client)
    done = client.post("/login/code", data={"code": _code(secret)})
    assert done.status_code == 302 and done.headers["Location"].endswith("/account/profile")
    assert _logged_in(client)


def test_a_code_is_not_accepted_twice(client, login, member):
    secret, _codes = _turn_on(client, login, member)
    code = _code(secret)
    _password_step(client)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    _password_step(client)
    again = client.post("/login/code", data={"code": code})
    assert again.status_code == 400 and not _logged_in(client)


def test_codes_one_step_either_side_are_accepted_not_two(app, member):
    now = utcnow()
    secret = pyotp.random_base32()
    db.session.add(TwoFactor(user_id=member.id, secret=two_factor._seal(secret),
                             enabled_at=now))
    db.session.commit()
    pending = two_factor.Pending(member, False, "")
    totp = pyotp.TOTP(secret)
    for offset, accepted in ((-60, False), (+60, False), (-30, True), (0, True), (+30, True)):
        db.session.get(TwoFactor, member.id).last_step = None
        db.session.commit()
        code = totp.at(now + timedelta(seconds=offset))
        if accepted:
            assert two_factor.complete_login(pending, code, now) == "code"
        else:
            with pytest.raises(two_factor.InvalidField):
                two_factor.complete_login(pending, code, now)


def test_wrong_codes_are_throttled(client, login, member, app):
    secret, _codes = _turn_on(client, login, member)
    _password_step(client)
    limit = app.config.get("TWO_FACTOR_LIMIT", (5, 900))[0]
    for _ in range(limit):
        assert client.post("/login/code", data={"code": "000000"}).status_code == 400
    refused = client.post("/login/code", data={"code": _code(secret)})
    assert refused.status_code == 429 and "Too many wrong codes" in _text(refused)
    assert not _logged_in(client)


def test_a_recovery_code_works_once(client, login, member):
    _secret_, codes = _turn_on(client, login, member)
    _password_step(client)
    used = client.post("/login/code", data={"code": codes[0].upper().replace("-", " ")})
    assert used.status_code == 302 and _logged_in(client)
    client.post("/logout")
    _password_step(client)
    assert client.post("/login/code", data={"code": codes[0]}).status_code == 400
    assert client.post("/login/code", data={"code": codes[1]}).status_code == 302


def test_the_pending_step_expires_and_ends_with_a_password_change(client, login, member, app):
    secret, _codes = _turn_on(client, login, member)
    _password_step(client)
    with client.session_transaction() as stored:
        token = stored["two_step"]
    with app.test_request_context():
        assert two_factor.read_pending(token) is not None
        member.password_hash = "changed"  # as a password change does
        db.session.commit()
        assert two_factor.read_pending(token) is None
        assert two_factor.read_pending("forged") is None
    response = client.post("/login/code", data={"code": _code(secret)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert not _logged_in(client)


def test_new_recovery_codes_replace_the_old(client, login, member):
    secret, codes = _turn_on(client, login, member)
    login(member)
    response = client.post("/account/two-factor/codes", data={"codes-code": _code(secret)})
    fresh = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", _text(response))
    assert len(fresh) == 10 and not set(fresh) & set(codes)
    client.post("/logout")
    _password_step(client)
    assert client.post("/login/code", data={"code": codes[2]}).status_code == 400
    assert client.post("/login/code", data={"code": fresh[0]}).status_code == 302


def test_turning_off_needs_password_and_code(client, login, member):
    secret, codes = _turn_on(client, login, member)
    login(member)
    wrong = client.post("/account/two-factor/off",
                        data={"off-password": "not my password", "off-code": codes[0]})
    assert wrong.status_code == 400 and two_factor.is_enabled(member)
    no_code = client.post("/account/two-factor/off",
                          data={"off-password": PASSWORD, "off-code": "000000"})
    assert no_code.status_code == 400 and two_factor.is_enabled(member)
    done = client.post("/account/two-factor/off",
                       data={"off-password": PASSWORD, "off-code": codes[0]})
    assert done.status_code == 302
    db.session.expire_all()
    assert not two_factor.is_enabled(member)
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    client.post("/logout")
    assert _password_step(client).headers["Location"].endswith("/")


def test_an_administrator_turns_it_off_for_a_lost_device(client, login, member, admin):
    _turn_on(client, login, member)
    login(admin)
    page = _text(client.get("/admin/users/member"))
    assert "Turn off two-step login" in page
    missing = client.post("/admin/users/member/two-factor/off", data={"reason": ""})
    assert missing.status_code == 400 and two_factor.is_enabled(member)
    done = client.post("/admin/users/member/two-factor/off", data={"reason": "Lost phone"})
    assert done.status_code == 302
    db.session.expire_all()
    assert not two_factor.is_enabled(member)
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "user.two_factor_off"))
    assert entry.actor_id == admin.id and entry.target_user_id == member.id
    assert entry.reason == "Lost phone"
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id))
    assert note.key == "account.two_factor_off"
    # Once off, there is nothing to turn off: a clear conflict, nothing logged twice.
    again = client.post("/admin/users/member/two-factor/off", data={"reason": "Again"})
    assert again.status_code == 409


def test_the_team_requirement(client, login, moderator, admin, member):
    login(moderator)
    assert client.get("/mod/reports").status_code == 200  # off by default
    site_settings.update(admin, {"staff_need_two_factor": True})
    sent = client.get("/mod/reports")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/account/two-factor")
    login(admin)
    assert client.get("/admin/").headers["Location"].endswith("/account/two-factor")
    # Members are refused by the panel as before, not sent to set anything up.
    login(member)
    assert client.get("/mod/reports").status_code == 403
    secret, _codes = _turn_on(client, login, moderator)
    login(moderator)
    assert client.get("/mod/reports").status_code == 200


def test_the_secret_is_sealed_with_the_secret_key(app):
    with app.test_request_context():
        sealed = two_factor._seal("JBSWY3DPEHPK3PXP")
        assert "JBSWY3DPEHPK3PXP" not in sealed
        assert two_factor._unseal(sealed) == "JBSWY3DPEHPK3PXP"
        app.config["SECRET_KEY"] = "another key"
        assert two_factor._unseal(sealed) is None


def test_the_code_page_in_german(client, login, member):
    member.language = "de"
    db.session.commit()
    login(member)
    page = _text(client.get("/account/two-factor"))
    assert "Zwei-Schritt-Anmeldung" in page
