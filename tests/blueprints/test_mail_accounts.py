"""Accounts by mail, end to end against a real SMTP server: forgotten passwords, confirming
an address, changing it, and what administrators send."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Login, ModAction, OutboxMessage, PasswordReset, User, utcnow
from forum.services import mail
from forum.services.accounts import email_confirmation, password_reset
from forum.services.site import settings as site_settings
from tests import factories
from tests.smtp_server import free_port

LINK = re.compile(r"http://localhost(/account/(?:reset|confirm)/[A-Za-z0-9_.\-]+)")
NEW_PASSWORD = "a brand new passphrase"


def _deliver(server, expected=1):
    mail.send_due()
    assert len(server.received) == expected
    return server.received


def _link(received) -> str:
    text = received.part("plain")
    assert LINK.search(received.part("html"))
    return LINK.search(text).group(1)


def _outbox_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


# -- forgot your password ------------------------------------------------------------------------
def test_login_page_links_to_forgot_password(client):
    page = client.get("/login")
    assert b'href="/login/forgot"' in page.data
    assert client.get("/login/forgot").status_code == 200


def test_reset_by_mail_sets_the_password_and_ends_every_session(app, client, smtp_server):
    user = factories.make_user(username="bea")
    other = Login  # noqa: F841 (the row type, for the count below)
    factories.login_cookie(user)  # another browser's login
    response = client.post("/login/forgot", data={"email": "BEA@example.com"})
    assert response.status_code == 200 and b"If an account uses that address" in response.data
    (got,) = _deliver(smtp_server)
    assert got.recipients == ["bea@example.com"]
    assert got.message["List-Unsubscribe"] is None  # account mail
    path = _link(got)
    reset = db.session.scalar(select(PasswordReset))
    assert reset.expires_at - reset.created_at == timedelta(hours=1)
    assert client.get(path).status_code == 200
    done = client.post(path, data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Login).where(
        Login.user_id == user.id, Login.revoked_at.is_(None))) == 0
    login = client.post("/login", data={"login": "bea", "password": NEW_PASSWORD})
    assert login.status_code == 302
    # Used: the link now gives a clear page and changes nothing.
    again = client.post(path, data={"new_password": "yet another passphrase",
                                    "confirm": "yet another passphrase"})
    assert again.status_code == 410 and b"already been used" in again.data


def test_the_answer_does_not_tell_who_has_an_account(app, client, smtp_server):
    factories.make_user(username="bea")
    known = client.post("/login/forgot", data={"email": "bea@example.com"})
    unknown = client.post("/login/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda page: re.sub(r'name="csrf_token"[^>]*', "", page.get_data(as_text=True))  # noqa: E731
    assert strip(known) == strip(unknown)
    assert _outbox_count() == 1


def test_an_expired_tampered_or_deleted_link_changes_nothing(app, client, smtp_server):
    user = factories.make_user(username="bea")
    client.post("/login/forgot", data={"email": "bea@example.com"})
    path = _link(_deliver(smtp_server)[0])
    data = {"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    assert client.post(path + "x", data=data).status_code == 404
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.post(path, data=data).status_code == 410
    reset.expires_at = utcnow() + timedelta(minutes=30)
    user.deleted_at = utcnow()
    db.session.commit()
    assert client.post(path, data=data).status_code == 404
    db.session.expire_all()
    assert db.session.get(PasswordReset, reset.id).used_at is None


def test_a_password_change_spends_the_mailed_link(app, client, smtp_server):
    from forum.services.accounts import account

    user = factories.make_user(username="bea")
    client.post("/login/forgot", data={"email": "bea@example.com"})
    path = _link(_deliver(smtp_server)[0])
    account.change_password(user, factories.PASSWORD, NEW_PASSWORD)
    response = client.post(path, data={"new_password": "other passphrase 1",
                                       "confirm": "other passphrase 1"})
    assert response.status_code == 410


def test_requests_are_throttled_per_email_and_per_client(app, client, smtp_server):
    factories.make_user(username="bea")
    for _ in range(password_reset.REQUESTS_PER_EMAIL):
        assert client.post("/login/forgot", data={"email": "bea@example.com"}).status_code == 200
    refused = client.post("/login/forgot", data={"email": "bea@example.com"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # An unknown address is counted alike: the limit tells nothing either.
    for _ in range(password_reset.REQUESTS_PER_EMAIL):
        client.post("/login/forgot", data={"email": "ghost@example.com"})
    assert client.post("/login/forgot", data={"email": "ghost@example.com"}).status_code == 429
    for n in range(password_reset.REQUESTS_PER_ADDRESS):
        client.post("/login/forgot", data={"email": f"x{n}@example.com"})
    assert client.post("/login/forgot", data={"email": "fresh@example.com"}).status_code == 429
    assert _outbox_count() == password_reset.REQUESTS_PER_ACCOUNT


def test_bad_input_gets_a_clear_400(client):
    for data in ({}, {"email": ""}, {"email": "x" * 300 + "@example.com"}, {"email": "nope"}):
        assert client.post("/login/forgot", data=data).status_code == 400


def test_with_the_mail_server_down_the_request_succeeds_and_mail_waits(app, client,
                                                                       smtp_server):
    factories.make_user(username="bea")
    port, app.config["MAIL_PORT"] = app.config["MAIL_PORT"], free_port()
    assert client.post("/login/forgot", data={"email": "bea@example.com"}).status_code == 200
    assert mail.send_due().retrying == 1
    app.config["MAIL_PORT"] = port
    assert mail.send_due(now=utcnow() + timedelta(minutes=5)).sent == 1
    assert len(smtp_server.received) == 1


def test_a_reset_request_adds_one_insert_for_its_mail(app, client, smtp_server, count_queries):
    factories.make_user(username="bea")
    with count_queries() as queries:
        client.post("/login/forgot", data={"email": "bea@example.com"})
    inserts = [q for q in queries if q.lstrip().upper().startswith("INSERT INTO OUTBOX")]
    assert len(inserts) == 1


# -- confirming addresses ------------------------------------------------------------------------
def _register(client, username="newbie"):
    return client.post("/register", data={
        "username": username, "email": f"{username}@example.com",
        "password": factories.PASSWORD, "confirm": factories.PASSWORD})


def test_a_new_member_confirms_their_address(app, client, smtp_server):
    assert _register(client).status_code == 302
    user = db.session.scalar(select(User).where(User.username == "newbie"))
    assert user.email_confirmed_at is None
    assert b"Please confirm your email address" in client.get("/").data
    path = _link(_deliver(smtp_server)[0])
    assert client.get(path).status_code == 200  # asks first: opening the link does nothing
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at is None
    assert client.post(path).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).email_confirmed_at is not None
    assert b"Please confirm your email address" not in client.get("/").data


def test_required_confirmation_stops_posting_until_confirmed(app, client, login, smtp_server):
    site_settings.update(factories.make_user(role="admin"), {"email_confirmation": "required"})
    board = factories.make_board()
    thread = factories.make_thread(board)
    user = login(factories.make_user(confirmed=False))
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "Hello there"})
    assert refused.status_code == 403 and b"confirm your email" in refused.data
    client.post("/account/confirm")
    path = _link(_deliver(smtp_server)[0])
    client.post(path)
    assert client.post(f"/t/{thread.id}/reply", data={"body": "Hello there"}).status_code == 302
    assert user.id


def test_resending_is_throttled_and_refused_once_confirmed(app, client, login, smtp_server):
    login(factories.make_user(confirmed=False))
    for _ in range(email_confirmation.MAILS_PER_HOUR):
        assert client.post("/account/confirm").status_code == 302
    assert client.post("/account/confirm").status_code == 429
    login(factories.make_user())
    assert client.post("/account/confirm").status_code == 409


def test_changing_the_address_waits_for_the_new_one(app, client, login, smtp_server,
                                                    count_queries):
    user = login(factories.make_user(username="bea"))
    with count_queries() as queries:
        response = client.post("/account/email", data={"email": "bea@new.example",
                                                       "password": factories.PASSWORD})
    assert response.status_code == 302
    assert len([q for q in queries if q.lstrip().upper().startswith("INSERT INTO OUTBOX")]) == 1
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "bea@example.com"
    received = _deliver(smtp_server, 2)
    by_address = {r.recipients[0]: r for r in received}
    notice = by_address["bea@example.com"]
    assert "bea@new.example" in notice.part("plain") and not LINK.search(notice.part("plain"))
    path = _link(by_address["bea@new.example"])
    assert client.post(path).status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert changed.email == "bea@new.example" and changed.email_key == "bea@new.example"
    # Spent: the old address is no longer the account's.
    assert client.post(path).status_code == 410
    assert client.get(path).status_code == 410


def test_changing_the_address_refuses_bad_input(app, client, login, smtp_server):
    login(factories.make_user(username="bea"))
    factories.make_user(username="cat")
    for data in ({"email": "cat@example.com", "password": factories.PASSWORD},
                 {"email": "bea@example.com", "password": factories.PASSWORD},
                 {"email": "not an address", "password": factories.PASSWORD},
                 {"email": "bea@new.example", "password": "wrong password!"},
                 {}):
        assert client.post("/account/email", data=data).status_code == 400, data
    assert _outbox_count() == 0


def test_an_address_taken_meanwhile_refuses_the_change(app, client, login, smtp_server):
    login(factories.make_user(username="bea"))
    client.post("/account/email", data={"email": "bea@new.example",
                                        "password": factories.PASSWORD})
    received = _deliver(smtp_server, 2)
    path = _link(next(r for r in received if r.recipients == ["bea@new.example"]))
    factories.make_user(username="thief", email="bea@new.example")
    assert client.post(path).status_code == 409


@pytest.mark.parametrize("token", ["x", "a" * 500, "Zm9v.YmFy.YmF6"])
def test_malformed_confirmation_links_are_404(client, token):
    assert client.get(f"/account/confirm/{token}").status_code == 404
    assert client.post(f"/account/confirm/{token}").status_code == 404


def test_an_expired_confirmation_link_is_410(app, client, smtp_server, monkeypatch):
    user = factories.make_user(confirmed=False)
    email_confirmation.queue_confirmation(user)
    db.session.commit()
    path = _link(_deliver(smtp_server)[0])
    monkeypatch.setattr(email_confirmation, "LIFETIME", timedelta(seconds=-1))
    assert client.post(path).status_code == 410


def test_change_and_confirm_pages_need_a_login(client):
    assert client.get("/account/email").status_code == 302
    assert client.post("/account/confirm").status_code == 302


# -- administrators ------------------------------------------------------------------------------
def test_an_administrator_mails_a_reset_link(app, client, login, smtp_server):
    admin = login(factories.make_user(role="admin"))
    member = factories.make_user(username="bea")
    response = client.post("/admin/users/bea/password-reset-mail", data={"reason": "asked"})
    assert response.status_code == 302
    (got,) = _deliver(smtp_server)
    assert got.recipients == ["bea@example.com"] and "/account/reset/" in _link(got)
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "user.password_reset"))
    assert entry.actor_id == admin.id and entry.target_user_id == member.id
    assert entry.after["mailed"] is True


def test_an_administrators_email_change_is_at_once_and_tells_both(app, client, login,
                                                                  smtp_server):
    login(factories.make_user(role="admin"))
    member = factories.make_user(username="bea", confirmed=False)
    response = client.post("/admin/users/bea/account", data={
        "username": "bea", "email": "bea@new.example", "display_name": ""})
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(User, member.id)
    assert changed.email == "bea@new.example" and changed.email_confirmed_at is not None
    received = _deliver(smtp_server, 2)
    assert sorted(r.recipients[0] for r in received) == ["bea@example.com", "bea@new.example"]
    assert all("bea@new.example" in r.part("plain") for r in received)
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "user.account"))
    assert entry.after["email"] == "bea@new.example"


def test_create_admin_counts_as_confirmed(app, runner):
    result = runner.invoke(args=["forum", "create-admin", "--username", "root",
                                 "--email", "root@example.com", "--password",
                                 factories.PASSWORD], input="")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.username == "root")).email_confirmed_at
