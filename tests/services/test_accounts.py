"""Accounts: registering, logging in (with throttling) and changing passwords."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.security import check_password_hash

from forum.errors import Refused
from forum.models import Login, Role, User
from forum.services.accounts import account, logins
from forum.services.accounts.account import AccountError, Registration
from forum.stores import ratelimit
from tests import factories

PASSWORD = factories.PASSWORD
T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


def _register(username="Alice", email="alice@example.com", password=PASSWORD, **kw) -> User:
    return account.register(Registration(username, email, password), **kw)


# -- register ------------------------------------------------------------------------------


def test_register_creates_a_member_with_a_hashed_password(app, db):
    user = _register(username="  Alice.B-c_1 ", email=" Alice@Example.COM ", now=T0)
    assert user.id is not None
    assert user.username == "Alice.B-c_1" and user.username_key == "alice.b-c_1"
    assert user.email_key == user.email.lower() == "alice@example.com"
    assert user.role == Role.MEMBER and user.created_at == T0
    assert user.password_hash != PASSWORD and check_password_hash(user.password_hash, PASSWORD)


def test_register_with_a_role(app, db):
    assert _register(role=Role.ADMIN).is_admin


@pytest.mark.parametrize(
    "username",
    ["ab", "x" * 33, "has space", "semi;colon", "", "   ", "a/b", "<script>"],
)
def test_register_refuses_bad_usernames(app, db, username):
    with pytest.raises(AccountError) as caught:
        _register(username=username)
    assert caught.value.field == "username"
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("email", ["", "nobody", "a@", "@b.com", "a@b@c.com", "a b@c.com"])
def test_register_refuses_bad_emails(app, db, email):
    with pytest.raises(AccountError) as caught:
        _register(email=email)
    assert caught.value.field == "email"
    assert "isn't valid" in caught.value.message


@pytest.mark.parametrize("password", ["", "short", "123456789", "x" * 201])
def test_register_refuses_bad_passwords(app, db, password):
    with pytest.raises(AccountError) as caught:
        _register(password=password)
    assert caught.value.field == "password"


def test_usernames_are_unique_ignoring_case(app, db):
    _register(username="Alice", email="one@example.com")
    with pytest.raises(AccountError) as caught:
        _register(username="aLICE", email="two@example.com")
    assert caught.value.field == "username"
    assert "taken" in caught.value.message


def test_emails_are_unique_ignoring_case(app, db):
    _register(username="one", email="Same@Example.com")
    with pytest.raises(AccountError) as caught:
        _register(username="two", email="same@EXAMPLE.com")
    assert caught.value.field == "email"


# -- log in --------------------------------------------------------------------------------


@pytest.fixture
def alice(app):
    return factories.make_user(username="Alice", email="Alice@Example.com")


@pytest.mark.parametrize("login", ["Alice", "alice", " ALICE ", "alice@example.com",
                                   "ALICE@example.COM"])
def test_log_in_by_username_or_email_in_any_case(alice, login):
    assert account.log_in(login, PASSWORD, "10.0.0.1").id == alice.id


@pytest.mark.parametrize("login, password", [("alice", "wrong password!"), ("alice", ""),
                                             ("nobody", PASSWORD), ("", PASSWORD),
                                             ("nobody@example.com", PASSWORD)])
def test_log_in_failures_share_one_message(alice, login, password):
    with pytest.raises(AccountError) as caught:
        account.log_in(login, password, "10.0.0.1")
    assert caught.value.field == "login"
    assert caught.value.message == account.LOGIN_FAILED


def _fail(login="alice", address="10.0.0.1", now=T0):
    with pytest.raises(AccountError):
        account.log_in(login, "wrong password!", address, now=now)


def test_account_is_throttled_after_five_failures_even_with_the_right_password(alice):
    for _ in range(5):
        _fail()
    with pytest.raises(Refused) as caught:
        account.log_in("alice", PASSWORD, "10.0.0.1", now=T0 + timedelta(minutes=3))
    refused = caught.value
    assert refused.status == 429
    assert refused.retry_after == 12 * 60
    assert refused.reason == "Too many failed attempts. Try again in 12 min."


def test_username_and_email_share_the_account_counter(alice):
    for login in ["alice", "ALICE@example.com", "Alice", "alice@example.com", "alice"]:
        _fail(login=login, address=f"10.0.0.{len(login)}")
    with pytest.raises(Refused):
        account.log_in("alice@example.com", PASSWORD, "10.9.9.9", now=T0)


def test_account_limit_holds_across_addresses(alice):
    for n in range(5):
        _fail(address=f"10.0.1.{n}")
    with pytest.raises(Refused):
        account.log_in("alice", PASSWORD, "192.168.0.1", now=T0)


def test_unknown_accounts_are_throttled_alike(app):
    for _ in range(5):
        _fail(login="ghost")
    with pytest.raises(Refused):
        account.log_in("GHOST", "whatever else", "10.0.0.1", now=T0)


def test_throttle_ends_with_the_window(app, alice):
    _, window = app.config["LOGIN_LIMIT_ACCOUNT"]
    for _ in range(5):
        _fail()
    with pytest.raises(Refused):
        account.log_in("alice", PASSWORD, "10.0.0.1", now=T0 + timedelta(seconds=window - 1))
    later = T0 + timedelta(seconds=window)
    assert account.log_in("alice", PASSWORD, "10.0.0.1", now=later).id == alice.id


def test_success_clears_the_account_counter(alice):
    for _ in range(4):
        _fail()
    account.log_in("alice", PASSWORD, "10.0.0.1", now=T0)
    for _ in range(4):
        _fail()
    # Eight failures in one window, but never five in a row.
    assert account.log_in("alice", PASSWORD, "10.0.0.1", now=T0).id == alice.id


def test_address_is_throttled_across_accounts(app, alice):
    app.config["LOGIN_LIMIT_IP"] = (3, 600)
    for name in ["bob", "carol", "dave"]:
        _fail(login=name, address="203.0.113.7")
    with pytest.raises(Refused) as caught:
        account.log_in("alice", PASSWORD, "203.0.113.7", now=T0)
    assert caught.value.retry_after == 600
    # Another address, and the same address after the window, are let through.
    assert account.log_in("alice", PASSWORD, "203.0.113.8", now=T0)
    assert account.log_in("alice", PASSWORD, "203.0.113.7", now=T0 + timedelta(seconds=600))


def test_successful_logins_do_not_use_up_the_address_limit(app, alice):
    app.config["LOGIN_LIMIT_IP"] = (3, 600)
    for _ in range(10):
        account.log_in("alice", PASSWORD, "203.0.113.7", now=T0)
    _fail(login="bob", address="203.0.113.7")
    assert account.log_in("alice", PASSWORD, "203.0.113.7", now=T0)


def test_ipv6_addresses_are_limited_per_64_block(app, alice):
    app.config["LOGIN_LIMIT_IP"] = (2, 600)
    _fail(login="bob", address="2001:db8:1:2::1")
    _fail(login="carol", address="2001:db8:1:2:ffff::9")
    with pytest.raises(Refused):
        account.log_in("alice", PASSWORD, "2001:db8:1:2::abcd", now=T0)
    assert account.log_in("alice", PASSWORD, "2001:db8:1:3::1", now=T0)


def test_ipv4_mapped_addresses_count_as_ipv4(app, alice):
    app.config["LOGIN_LIMIT_IP"] = (1, 600)
    _fail(login="bob", address="::ffff:198.51.100.1")
    with pytest.raises(Refused):
        account.log_in("alice", PASSWORD, "198.51.100.1", now=T0)


def test_throttle_state_is_in_the_shared_store(alice):
    for _ in range(5):
        _fail()
    account = ratelimit.peek(f"login:account:{alice.id}", 5, 900, now=T0)
    assert not account and account.count == 5


def test_password_hash_method_is_configurable(app, db):
    app.config["PASSWORD_HASH_METHOD"] = "pbkdf2:sha256:1000"
    user = _register()
    assert user.password_hash.startswith("pbkdf2:sha256:1000$")
    assert account.log_in("alice", PASSWORD, "10.0.0.1").id == user.id
    with pytest.raises(AccountError):
        account.log_in("nobody", PASSWORD, "10.0.0.1")


# -- change password -----------------------------------------------------------------------


def test_change_password_ends_every_login(alice, db):
    phone = logins.start(alice, True, "10.0.0.1", None)
    laptop = logins.start(alice, False, "10.0.0.2", None)
    account.change_password(alice, PASSWORD, "a brand new password", now=T0)
    db.session.expire_all()
    user = db.session.get(User, alice.id)
    assert check_password_hash(user.password_hash, "a brand new password")
    assert db.session.get(Login, phone.id).revoked_at == T0
    assert db.session.get(Login, laptop.id).revoked_at == T0


def test_change_password_refuses_a_wrong_current_password(alice, db):
    login = logins.start(alice, False, "10.0.0.1", None)
    with pytest.raises(AccountError) as caught:
        account.change_password(alice, "not my password", "a brand new password")
    assert caught.value.field == "current_password"
    db.session.expire_all()
    assert db.session.get(Login, login.id).revoked_at is None


def test_change_password_refuses_a_short_new_password(alice, db):
    with pytest.raises(AccountError) as caught:
        account.change_password(alice, PASSWORD, "short")
    assert caught.value.field == "password"
    db.session.expire_all()
    assert check_password_hash(db.session.get(User, alice.id).password_hash, PASSWORD)
