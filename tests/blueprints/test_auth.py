"""The accounts pages: register, log in (with throttling), log out, change password, cookies."""
from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.blueprints.args import local_path as safe_next
from forum.models import Login, RateCounter, User, utcnow
from tests import factories

PASSWORD = factories.PASSWORD
NEW_PASSWORD = "a brand new password"
LOGIN_FAILED = "That username/email and password don&#39;t match."
THROTTLED = "Too many failed attempts. Try again in"


def log_in(client, login="member", password=PASSWORD, remember=False, next=None, **kwargs):
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    if next is not None:
        data["next"] = next
    return client.post("/login", data=data, **kwargs)


def is_logged_in(client) -> bool:
    response = client.get("/account/password")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def register(client, username="newbie", email="newbie@example.com", password=NEW_PASSWORD,
             confirm=None):
    return client.post("/register", data={
        "username": username, "email": email, "password": password,
        "confirm": password if confirm is None else confirm,
    })


def set_cookies(response) -> dict[str, str]:
    return {h.split("=", 1)[0]: h for h in response.headers.getlist("Set-Cookie")}


# -- register ------------------------------------------------------------------------------


def test_register_page(client):
    page = client.get("/register")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1" in html and "Create an account" in html
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*name="username"', html)
    assert re.search(r'<input[^>]*autocomplete="email"[^>]*name="email"', html)
    assert len(re.findall(r'autocomplete="new-password"', html)) == 2
    assert '<label for="username">' in html and '<label for="confirm">' in html
    assert 'href="/login"' in html


def test_register_creates_the_account_and_logs_in(client, db):
    response = register(client, username="NewBie", email="NewBie@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    user = db.session.scalar(select(User).where(User.username_key == "newbie"))
    assert user.username == "NewBie" and user.email_key == "newbie@example.com"
    with client.session_transaction() as session:
        assert ("success", "Welcome to Agora, NewBie! You're logged in and ready to post.") in (
            session.get("_flashes", [])
        )
    assert is_logged_in(client)


def test_register_with_a_unicode_username(client, db):
    response = register(client, username="Zoë.Ærøskøbing", email="zoe@example.com")
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username_key == "zoë.ærøskøbing"))
    assert user.username == "Zoë.Ærøskøbing"
    assert is_logged_in(client)


def test_register_refuses_a_look_alike_of_a_members_name(client, db):
    factories.make_user("paypal")
    response = register(client, username="раураl")
    assert response.status_code == 400
    assert ("That name looks too much like an existing member&#39;s name"
            in response.get_data(as_text=True))
    assert db.session.scalar(select(User).where(User.username == "раураl")) is None


@pytest.mark.parametrize("fields, field, message", [
    ({"username": "ab"}, "username", "Usernames are 3–32 characters"),
    ({"username": "bad name"}, "username", "Usernames can&#39;t contain spaces."),
    ({"username": ""}, "username", "Please enter a username."),
    ({"username": "x" * 33}, "username", "Usernames are 3–32 characters"),
    # Longer than any name typed in decomposed form could be: the form stops it.
    ({"username": "x" * 129}, "username", "Usernames can be at most 32 characters."),
    ({"email": "not-an-email"}, "email", "That email address isn"),
    ({"email": ""}, "email", "Please enter your email address."),
    ({"password": "short", "confirm": "short"}, "password",
     "Passwords need at least 10 characters."),
    ({"password": "x" * 201, "confirm": "x" * 201}, "password",
     "Passwords can be at most 200 characters."),
    ({"confirm": "something else entirely"}, "confirm", "The two passwords don"),
])
def test_register_refuses_bad_input(client, db, fields, field, message):
    data = {"username": "newbie", "email": "newbie@example.com", "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD, **fields}
    response = client.post("/register", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert f'<p class="field-error" id="{field}-error">{message}' in html
    assert re.search(rf'<input[^>]*aria-invalid="true"[^>]*name="{field}"', html)
    assert db.session.scalar(select(User).where(User.username_key == "newbie")) is None
    assert not is_logged_in(client)


def test_register_refuses_a_username_differing_only_in_case(client, member, db):
    response = register(client, username="MEMBER")
    assert response.status_code == 400
    assert '<p class="field-error" id="username-error">That username is taken.' in (
        response.get_data(as_text=True)
    )
    assert db.session.query(User).count() == 1


def test_register_refuses_an_email_differing_only_in_case(client, member, db):
    response = register(client, email="MEMBER@EXAMPLE.COM")
    assert response.status_code == 400
    assert '<p class="field-error" id="email-error">An account with that email already exists.' in (
        response.get_data(as_text=True)
    )
    assert db.session.query(User).count() == 1


def test_register_keeps_what_was_typed_except_passwords(client):
    html = register(client, username="ab", email="kept@example.com").get_data(as_text=True)
    assert 'value="kept@example.com"' in html
    assert NEW_PASSWORD not in html


@pytest.mark.parametrize("path", ["/register", "/login"])
def test_logged_in_members_are_sent_to_the_index(client, member, login, path):
    login(member)
    for response in (client.get(path), client.post(path, data={})):
        assert response.status_code == 302
        assert response.headers["Location"] == "/"


# -- log in --------------------------------------------------------------------------------


def test_login_page(client):
    page = client.get("/login")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<input[^>]*autocomplete="username"[^>]*name="login"', html)
    assert re.search(r'<input[^>]*autocomplete="current-password"[^>]*name="password"', html)
    assert 'type="checkbox"' in html and "Remember me" in html
    assert '<label for="login">Username or email</label>' in html
    assert 'href="/register"' in html


@pytest.mark.parametrize("login", ["member", "MEMBER", "member@example.com",
                                   "Member@Example.COM"])
def test_login_by_username_or_email_ignoring_case(client, member, login):
    response = log_in(client, login=login)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert is_logged_in(client)


@pytest.mark.parametrize("login", ["Jürgen.Müller", "JÜRGEN.MÜLLER", "ju\u0308rgen.mu\u0308ller"])
def test_login_by_a_unicode_username_in_any_spelling(client, login):
    factories.make_user("Jürgen.Müller", email="juergen@example.com")
    response = log_in(client, login=login)
    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.parametrize("login, password", [
    ("member", "wrong password"),
    ("nobody", PASSWORD),
    ("nobody@example.com", PASSWORD),
])
def test_login_failure_is_one_generic_message(client, member, login, password):
    response = log_in(client, login=login, password=password)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert LOGIN_FAILED in html
    assert 'value="' + login + '"' in html and password not in html.replace(login, "")
    assert not is_logged_in(client)


def test_login_with_empty_fields(client):
    response = client.post("/login", data={"login": "", "password": ""})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Please enter your username or email." in html
    assert "Please enter your password." in html


def test_login_honours_a_local_next(client, member):
    page = client.get("/login?next=/u/member%3Ftab%3Dposts")
    assert 'name="next" type="hidden" value="/u/member?tab=posts"' in page.get_data(as_text=True)
    response = log_in(client, next="/u/member?tab=posts")
    assert response.status_code == 302
    assert response.headers["Location"] == "/u/member?tab=posts"


def test_login_accepts_next_from_the_query_string(client, member):
    response = client.post("/login?next=/members", data={"login": "member",
                                                         "password": PASSWORD})
    assert response.headers["Location"] == "/members"


UNSAFE_NEXT = [
    "https://evil.com",
    "http://evil.com/",
    "//evil.com",
    "//evil.com/path",
    "\\\\evil.com",
    "/\\evil.com",
    "\\/evil.com",
    "/\t/evil.com",
    "/\n/evil.com",
    " //evil.com",
    "evil.com",
    "javascript:alert(1)",
    "https:/evil.com",
    "",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_login_ignores_an_unsafe_next(client, member, target):
    response = log_in(client, next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_login_page_does_not_carry_an_unsafe_next(client, target):
    html = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'name="next" type="hidden" value=""' in html


def test_safe_next():
    assert safe_next("/t/1-hello?page=2#p5") == "/t/1-hello?page=2#p5"
    assert safe_next("/") == "/"
    for target in UNSAFE_NEXT + [None, "/" + "a" * 3000]:
        assert safe_next(target) is None


def test_login_query_budget(client, member, count_queries):
    with count_queries() as queries:
        assert client.get("/login").status_code == 200
    # A cold process reads the current announcements and the settings (the forum's name)
    # once (both are cached for a few seconds); after that a guest's page costs nothing.
    assert len(queries) <= 2 and all("FROM announcements" in sql or "FROM settings" in sql
                                     for sql in queries)
    with count_queries() as queries:
        assert client.get("/login").status_code == 200
    assert len(queries) == 0
    with count_queries() as queries:
        assert log_in(client).status_code == 302
    # Find the account, look for a running wait, count the attempt twice, clear the pair's
    # counters and refund the address's, record the address, look for a suspension, ask
    # whether two-step login is on, (a cold process) read the ban lists, record the login (and
    # read the member again after its commit): no per-row chatter.
    assert len(queries) <= 14, queries


# -- throttling ----------------------------------------------------------------------------


def test_five_failures_make_the_sixth_attempt_wait(client, member):
    for _ in range(5):
        assert log_in(client, password="wrong password").status_code == 400
    response = log_in(client)
    assert response.status_code == 429
    assert 29 <= int(response.headers["Retry-After"]) <= 30
    html = response.get_data(as_text=True)
    assert re.search(rf"{THROTTLED} (30|29) sec\.", html)
    assert 'name="login"' in html  # the form is still there to try later
    assert not is_logged_in(client)


def test_the_rightful_owner_gets_in_while_the_address_waits(app, client, member):
    owner = app.test_client()
    assert log_in(owner).status_code == 302  # this browser now carries a device cookie
    assert owner.get_cookie("device") is not None
    owner.post("/logout")
    # Behind one proxy without TRUST_PROXY everyone has the same address.
    for _ in range(5):
        log_in(client, password="wrong password")
    for n in range(15):
        log_in(client, login=f"someone{n}", password="wrong password")
    assert log_in(client).status_code == 429
    assert log_in(app.test_client()).status_code == 429
    assert log_in(owner).status_code == 302
    assert is_logged_in(owner)


def test_failures_at_one_address_do_not_slow_another(client, member):
    attacker = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    for _ in range(5):
        assert log_in(client, password="wrong password", **attacker).status_code == 400
    assert log_in(client, **attacker).status_code == 429
    assert log_in(client, environ_base={"REMOTE_ADDR": "198.51.100.10"}).status_code == 302


def test_behind_a_trusted_proxy_each_client_address_counts(app, client, member):
    from forum.web import trust_proxy

    plain = app.wsgi_app
    trust_proxy(app)
    try:
        proxy = {"REMOTE_ADDR": "127.0.0.1"}
        attacker = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.9"}
        for _ in range(5):
            log_in(client, password="wrong password", environ_base=attacker)
        assert log_in(client, environ_base=attacker).status_code == 429
        # The proxy's own address is not what is counted: another client behind it gets in.
        rightful = {**proxy, "HTTP_X_FORWARDED_FOR": "203.0.113.20"}
        assert log_in(app.test_client(), environ_base=rightful).status_code == 302
    finally:
        app.wsgi_app = plain


def test_address_throttle_spans_accounts(app, client, member):
    app.config["LOGIN_FREE_FAILURES_IP"] = 3
    attacker = {"environ_base": {"REMOTE_ADDR": "198.51.100.9"}}
    for name in ["alice", "bob", "carol"]:
        assert log_in(client, login=name, **attacker).status_code == 400
    refused = log_in(client, **attacker)
    assert refused.status_code == 429
    assert 29 <= int(refused.headers["Retry-After"]) <= 30
    # A member elsewhere is not held back by someone else's address.
    assert log_in(client, environ_base={"REMOTE_ADDR": "198.51.100.10"}).status_code == 302


def test_throttle_lifts_when_the_wait_ends(client, member, db):
    for _ in range(5):
        log_in(client, password="wrong password")
    assert log_in(client).status_code == 429
    # Move the stored windows into the past rather than waiting for them.
    db.session.execute(update(RateCounter).values(window_ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert log_in(client).status_code == 302


def test_successful_login_clears_the_pair_counter(client, member):
    for _ in range(4):
        log_in(client, password="wrong password")
    assert log_in(client).status_code == 302
    client.post("/logout")
    client.delete_cookie("device")
    for _ in range(4):
        assert log_in(client, password="wrong password").status_code == 400
    assert log_in(client).status_code == 302


def test_throttle_with_the_redis_backend(app, client, member):
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    url = "redis://127.0.0.1:6379/15"
    probe = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        probe.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answering at {url} ({error})")
    prefix = f"agora-test-auth-{uuid.uuid4().hex}:"
    app.config.update(REDIS_URL=url, RATELIMIT_PREFIX=prefix)
    try:
        for _ in range(5):
            log_in(client, password="wrong password")
        response = log_in(client)
        assert response.status_code == 429
        assert 29 <= int(response.headers["Retry-After"]) <= 30
        assert list(probe.scan_iter(match=prefix + "*"))
    finally:
        keys = list(probe.scan_iter(match=prefix + "*"))
        if keys:
            probe.delete(*keys)
        probe.close()


# -- log out -------------------------------------------------------------------------------


def test_logout(client, member):
    log_in(client)
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert ("info", "You have been logged out.") in session.get("_flashes", [])
    assert not is_logged_in(client)


def test_logout_is_post_only(client, member):
    log_in(client)
    assert client.get("/logout").status_code == 405
    assert is_logged_in(client)


def test_logout_as_a_guest_is_harmless(client):
    assert client.post("/logout").status_code == 302


def test_logout_forgets_the_remember_me_cookie(client, member):
    log_in(client, remember=True)
    client.post("/logout")
    assert client.get_cookie("remember_token") is None
    assert not is_logged_in(client)


# -- change password -----------------------------------------------------------------------


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={
        "current_password": current, "new_password": new,
        "confirm": new if confirm is None else confirm,
    })


def test_change_password_needs_a_login(client):
    for response in (client.get("/account/password"), change(client)):
        assert response.status_code == 302
        assert response.headers["Location"] == "/login?next=%2Faccount%2Fpassword"


def test_change_password_page(client, member, login):
    login(member)
    html = client.get("/account/password").get_data(as_text=True)
    assert re.search(r'autocomplete="current-password"[^>]*name="current_password"', html)
    assert len(re.findall(r'autocomplete="new-password"', html)) == 2
    assert '<label for="new_password">New password</label>' in html


def test_change_password(client, app, member, db):
    log_in(client)
    response = change(client)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert any("Your password has been changed" in m for _, m in session["_flashes"])
    assert is_logged_in(client)  # this browser stays logged in
    fresh = app.test_client()
    assert log_in(fresh, password=PASSWORD).status_code == 400
    assert log_in(fresh, password=NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize("current, new, confirm, field, message", [
    ("not my password", NEW_PASSWORD, None, "current_password",
     "Your current password is not correct."),
    (PASSWORD, "short", None, "new_password", "Passwords need at least 10 characters."),
    (PASSWORD, NEW_PASSWORD, "a different one!", "confirm", "The two passwords don"),
    ("", NEW_PASSWORD, None, "current_password", "Please enter your current password."),
])
def test_change_password_refusals(client, member, login, db, current, new, confirm, field,
                                  message):
    login(member)
    response = change(client, current, new, confirm)
    assert response.status_code == 400
    assert f'<p class="field-error" id="{field}-error">{message}' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(Login.revoked_at).where(Login.user_id == member.id)) is None
    assert is_logged_in(client)


def test_change_password_logs_out_other_sessions(app, client, member):
    other = app.test_client()
    remembered = app.test_client()
    log_in(client)
    log_in(other)
    log_in(remembered, remember=True)
    old_session = other.get_cookie("session").value
    assert is_logged_in(other) and is_logged_in(remembered)

    assert change(client).status_code == 302

    assert is_logged_in(client)
    assert not is_logged_in(other)
    # Replaying the old session cookie in a clean client doesn't authenticate either.
    replay = app.test_client()
    replay.set_cookie("session", old_session, domain="localhost")
    assert not is_logged_in(replay)
    # Nor does a remember-me cookie issued before the change.
    remember = remembered.get_cookie("remember_token").value
    replay = app.test_client()
    replay.set_cookie("remember_token", remember, domain="localhost")
    assert not is_logged_in(replay)


def test_change_password_keeps_remember_me_for_this_browser(app, client, member):
    log_in(client, remember=True)
    response = change(client)
    assert "remember_token" in set_cookies(response)
    replay = app.test_client()
    replay.set_cookie("remember_token", client.get_cookie("remember_token").value,
                      domain="localhost")
    assert is_logged_in(replay)


# -- cookies -------------------------------------------------------------------------------


def test_session_cookie_flags_over_http(client, member):
    cookie = set_cookies(log_in(client))["session"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client, member):
    response = log_in(client, base_url="https://localhost")
    assert response.status_code == 302
    cookie = set_cookies(response)["session"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_remember_me_sets_a_long_lived_cookie(app, client, member):
    response = log_in(client, remember=True)
    cookie = set_cookies(response)["remember_token"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    # The cookie alone logs a new browser session back in.
    replay = app.test_client()
    replay.set_cookie("remember_token", client.get_cookie("remember_token").value,
                      domain="localhost")
    assert is_logged_in(replay)


def test_remember_me_cookie_is_secure_over_https(app, client, member):
    response = log_in(client, remember=True, base_url="https://localhost")
    cookie = set_cookies(response)["remember_token"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in set_cookies(log_in(app.test_client(), remember=True))["remember_token"]
    replay = app.test_client()
    value = client.get_cookie("remember_token").value
    replay.set_cookie("remember_token", value, domain="localhost", secure=True)
    assert replay.get("/account/password", base_url="https://localhost").status_code == 200
    # Logging out over HTTPS still removes it.
    client.post("/logout", base_url="https://localhost")
    assert client.get_cookie("remember_token") is None


def test_no_remember_me_cookie_without_the_box_ticked(client, member):
    assert "remember_token" not in set_cookies(log_in(client))
    assert client.get_cookie("remember_token") is None


# -- hostile input -------------------------------------------------------------------------


def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("path", ["/login", "/register", "/logout"])
def test_missing_csrf_token_is_a_friendly_400(client, member, enable_csrf, path):
    response = client.post(path, data={"login": "member", "password": PASSWORD})
    assert response.status_code == 400
    assert "This form was out of date or did not come from this site." in (
        response.get_data(as_text=True)
    )


def test_forms_work_with_csrf_enabled(client, member, enable_csrf):
    token = _csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": "member", "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302
    token = _csrf_token(client.get("/account/password").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert not is_logged_in(client)


def test_nul_byte_is_refused(client, db):
    response = register(client, username="nul\x00name")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert db.session.query(User).count() == 0


def test_invalid_utf8_is_refused(client, member):
    response = client.post("/login", data=b"login=member&password=%ff%fe",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "UTF-8" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["login", "password"])
def test_oversized_login_fields_are_a_400(client, member, field):
    data = {"login": "member", "password": PASSWORD, field: "x" * 5000}
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "can be at most" in response.get_data(as_text=True)


def test_oversized_registration_is_a_400(client, db):
    response = register(client, username="u" * 5000, email="e" * 5000 + "@example.com")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Usernames can be at most 32 characters." in html
    assert "Email addresses can be at most 254 characters." in html
    assert db.session.query(User).count() == 0


def test_oversized_body_is_a_413(client):
    response = client.post("/login", data={"login": "x" * (2 * 1024 * 1024), "password": "y"})
    assert response.status_code == 413
