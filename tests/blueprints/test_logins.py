"""Logins per browser: logging out ends that login on the server; the account page lists the
member's logins and ends one or all of them."""
from __future__ import annotations

from sqlalchemy import select

from forum.extensions import db
from forum.models import Login
from forum.services.accounts import logins
from tests.blueprints.test_auth import PASSWORD, change, is_logged_in, log_in
from tests.factories import text

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0 Mobile Safari/537.36")


def _replay(app, name: str, value: str):
    fresh = app.test_client()
    fresh.set_cookie(name, value, domain="localhost")
    return fresh


def test_a_copied_session_cookie_is_refused_after_logout(app, client, member):
    log_in(client)
    copied = client.get_cookie("session").value
    assert is_logged_in(_replay(app, "session", copied))
    client.post("/logout")
    assert not is_logged_in(_replay(app, "session", copied))


def test_a_copied_remember_cookie_is_refused_after_logout(app, client, member):
    log_in(client, remember=True)
    copied = client.get_cookie("remember_token").value
    assert is_logged_in(_replay(app, "remember_token", copied))
    client.post("/logout")
    assert not is_logged_in(_replay(app, "remember_token", copied))


def test_logging_out_leaves_other_devices_logged_in(app, client, member):
    phone = app.test_client()
    log_in(phone, remember=True)
    log_in(client)
    client.post("/logout")
    assert is_logged_in(phone)
    assert is_logged_in(_replay(app, "remember_token", phone.get_cookie("remember_token").value))


def test_a_cookie_from_before_logins_had_rows_logs_out_once(app, member):
    old = app.test_client()
    with old.session_transaction() as session:
        session["_user_id"] = f"{member.id}:0123456789abcdef0123456789abcdef"
    assert not is_logged_in(old)


def test_the_secret_is_stored_only_as_a_hash(client, member):
    log_in(client)
    [login] = db.session.scalars(select(Login)).all()
    with client.session_transaction() as session:
        cookie = session["_user_id"]
    secret = cookie.partition(":")[2]
    assert secret not in login.secret_hash and login.secret_hash == logins.secret_hash(secret)


def test_the_account_page_lists_logins(app, client, member):
    log_in(app.test_client(), remember=True,
           environ_base={"REMOTE_ADDR": "203.0.113.4", "HTTP_USER_AGENT": PHONE})
    log_in(client, environ_base={"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": FIREFOX})
    html = text(client.get("/account/logins"))
    assert "Firefox on Linux" in html and "Chrome on Android" in html
    assert "203.0.113.4" in html and "198.51.100.7" in html
    assert html.count("This browser") == 1
    assert html.index("Firefox on Linux") < html.index("This browser") < html.index("Chrome")
    assert "Log out everywhere" in html


def test_ending_one_login_logs_out_that_device_only(app, client, member):
    phone = app.test_client()
    log_in(phone, remember=True)
    log_in(client)
    phone_login = db.session.scalar(select(Login).where(Login.remember.is_(True)))
    response = client.post(f"/account/logins/{phone_login.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/account/logins"
    assert not is_logged_in(phone)
    assert is_logged_in(client)
    assert f"login-{phone_login.id}" not in text(client.get("/account/logins"))
    # Ended already: nothing to end.
    assert client.post(f"/account/logins/{phone_login.id}/end").status_code == 404


def test_another_members_login_cannot_be_ended(app, client, member, other_member):
    theirs = app.test_client()
    log_in(theirs, login="other")
    their_login = db.session.scalar(select(Login))
    log_in(client)
    assert client.post(f"/account/logins/{their_login.id}/end").status_code == 404
    assert is_logged_in(theirs)


def test_ending_this_login_logs_this_browser_out(client, member):
    log_in(client)
    with client.session_transaction() as session:
        login_id = int(session["_user_id"].partition(":")[0])
    response = client.post(f"/account/logins/{login_id}/end")
    assert response.headers["Location"] == "/login"
    assert not is_logged_in(client)


def test_log_out_everywhere(app, client, member):
    phone = app.test_client()
    log_in(phone, remember=True)
    remembered = phone.get_cookie("remember_token").value
    log_in(client)
    response = client.post("/account/logins/end-all")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert not is_logged_in(client) and not is_logged_in(phone)
    assert not is_logged_in(_replay(app, "remember_token", remembered))
    assert db.session.scalar(select(Login).where(Login.revoked_at.is_(None))) is None
    # Logging in again works as ever.
    assert log_in(client, password=PASSWORD).status_code == 302


def test_changing_the_password_ends_the_other_logins(app, client, member):
    phone = app.test_client()
    log_in(phone, remember=True)
    remembered = phone.get_cookie("remember_token").value
    log_in(client)
    assert change(client).status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(phone)
    assert not is_logged_in(_replay(app, "remember_token", remembered))


def test_the_logins_page_costs_what_the_member_page_costs(client, login, member, count_queries):
    login(member)
    client.get("/account/logins")
    with count_queries() as queries:
        assert client.get("/account/logins").status_code == 200
    # The member with their login, the bell, the list.
    assert len(queries) == 3, queries


def test_ended_and_idle_logins_are_deleted_after_a_week(app, member):
    from datetime import timedelta

    from forum.models import utcnow
    from forum.services.site import timers

    now = utcnow()
    ended = logins.start(member, False, "10.0.0.1", None, now=now - timedelta(days=8))
    logins.end(member, ended.id, now=now - timedelta(days=8))
    idle = logins.start(member, True, "10.0.0.2", None, now=now - timedelta(days=38))
    kept = logins.start(member, False, "10.0.0.3", None, now=now - timedelta(days=1))
    ended_id, idle_id, kept_id = ended.id, idle.id, kept.id
    assert timers.run_timers(now).logins_deleted == 2
    assert {row for row in db.session.scalars(select(Login.id))} == {kept_id}
    assert ended_id != idle_id
