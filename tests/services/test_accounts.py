"""Accounts: registering, logging in (with throttling) and changing passwords."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.security import check_password_hash

from forum.errors import Refused
from forum.models import Login, Role, User
from forum.services.accounts import account, devices, logins
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


def _fail(login="alice", address="10.0.0.1", now=T0, device=None):
    with pytest.raises(AccountError):
        account.log_in(login, "wrong password!", address, now=now, device=device)


def _refused(login="alice", address="10.0.0.1", now=T0, device=None, password=PASSWORD):
    with pytest.raises(Refused) as caught:
        account.log_in(login, password, address, now=now, device=device)
    assert caught.value.status == 429
    return caught.value


def test_five_failures_then_a_wait_that_doubles_up_to_a_cap(app, alice):
    first, cap = app.config["LOGIN_DELAY"]
    assert (first, cap) == (30, 900)
    for _ in range(4):
        _fail()
    # The fifth failure starts the first wait; until it ends even the right password waits.
    _fail()
    refused = _refused(now=T0 + timedelta(seconds=10))
    assert refused.retry_after == 20
    assert refused.reason == "Too many failed attempts. Try again in 20 sec."
    moment, waits = T0, []
    for _ in range(7):
        moment += timedelta(seconds=first * 2 ** len(waits))
        _fail(now=moment)
        waits.append(_refused(now=moment).retry_after)
    assert waits == [60, 120, 240, 480, 900, 900, 900]
    # Once the wait is over the owner gets in, and the pair's failures are forgotten.
    assert account.log_in("alice", PASSWORD, "10.0.0.1", now=moment + timedelta(seconds=900))
    for _ in range(4):
        _fail(now=moment + timedelta(seconds=900))


def test_a_wait_counts_nothing(alice):
    for _ in range(5):
        _fail()
    for _ in range(10):
        _refused(now=T0 + timedelta(seconds=1))
    # Attempts refused while waiting did not make the next wait longer.
    _fail(now=T0 + timedelta(seconds=30))
    assert _refused(now=T0 + timedelta(seconds=30)).retry_after == 60


def test_one_address_does_not_slow_the_account_at_another(alice):
    for _ in range(5):
        _fail(address="198.51.100.66", now=T0)
    _refused(address="198.51.100.66")
    assert account.log_in("alice", PASSWORD, "203.0.113.5", now=T0).id == alice.id


def test_username_and_email_share_the_pair_counter(alice):
    for login in ["alice", "ALICE@example.com", "Alice", "alice@example.com", "alice"]:
        _fail(login=login)
    _refused(login="alice@example.com")


def test_unknown_accounts_are_throttled_alike(app):
    for _ in range(5):
        _fail(login="ghost")
    _refused(login="GHOST", password="whatever else")


def test_a_browser_that_logged_in_before_gets_through(alice):
    owner = devices.issue(alice, None)
    # Someone guesses from the owner's own (shared) address, at alice and at others.
    for _ in range(5):
        _fail()
    for n in range(15):
        _fail(login=f"user{n}")
    _refused()
    _refused(login="user99")  # the address as a whole waits now
    assert account.log_in("alice", PASSWORD, "10.0.0.1", now=T0, device=owner).id == alice.id
    # A stranger's browser at that address still waits.
    _refused()


def test_a_device_cookie_is_bounded_too(app, alice):
    owner = devices.issue(alice, None)
    for _ in range(app.config["LOGIN_FREE_FAILURES_DEVICE"]):
        _fail(device=owner)
    refused = _refused(device=owner, now=T0 + timedelta(seconds=1))
    assert refused.retry_after == 29
    # The browser's failures don't touch the pair's: without the cookie it is a stranger.
    assert account.log_in("alice", PASSWORD, "10.0.0.1", now=T0).id == alice.id


def test_a_device_cookie_helps_only_its_own_account(alice, db):
    bob = factories.make_user(username="bob")
    theirs = devices.issue(bob, None)
    for _ in range(5):
        _fail()
    _refused(device=theirs)
    _refused(device="not-a-signed-cookie")
    forged = devices.issue(alice, None)[:-2] + "xx"
    _refused(device=forged)


def test_the_device_id_stays_with_the_browser(alice, db):
    first = devices.issue(alice, None)
    again = devices.issue(alice, first)
    assert devices.read(first).device_id == devices.read(again).device_id
    bob = factories.make_user(username="bob")
    assert devices.read(devices.issue(bob, first)).device_id != devices.read(first).device_id


def test_address_is_throttled_across_accounts(app, alice):
    app.config["LOGIN_FREE_FAILURES_IP"] = 3
    for name in ["bob", "carol", "dave"]:
        _fail(login=name, address="203.0.113.7")
    assert _refused(address="203.0.113.7").retry_after == 30
    # Another address, and the same address after the wait, are let through.
    assert account.log_in("alice", PASSWORD, "203.0.113.8", now=T0)
    assert account.log_in("alice", PASSWORD, "203.0.113.7", now=T0 + timedelta(seconds=30))


def test_successful_logins_do_not_use_up_the_address(app, alice):
    app.config["LOGIN_FREE_FAILURES_IP"] = 3
    for _ in range(10):
        account.log_in("alice", PASSWORD, "203.0.113.7", now=T0)
    _fail(login="bob", address="203.0.113.7")
    assert account.log_in("alice", PASSWORD, "203.0.113.7", now=T0)


def test_ipv6_addresses_are_counted_per_64_block(app, alice):
    app.config["LOGIN_FREE_FAILURES_IP"] = 2
    _fail(login="bob", address="2001:db8:1:2::1")
    _fail(login="carol", address="2001:db8:1:2:ffff::9")
    _refused(address="2001:db8:1:2::abcd")
    assert account.log_in("alice", PASSWORD, "2001:db8:1:3::1", now=T0)


def test_ipv4_mapped_addresses_count_as_ipv4(app, alice):
    app.config["LOGIN_FREE_FAILURES_IP"] = 1
    _fail(login="bob", address="::ffff:198.51.100.1")
    _refused(address="198.51.100.1")


def test_parallel_guesses_get_one_try_per_wait(app, alice):
    for _ in range(5):
        _fail()
    later = T0 + timedelta(seconds=30)
    # The wait is claimed with the count, so of guesses arriving together past the free
    # failures only the first is checked.
    _fail(now=later)
    _refused(now=later)


def test_throttle_state_is_in_the_shared_store(alice):
    for _ in range(5):
        _fail()
    waiting = ratelimit.peek(f"login:pair:account:{alice.id}:ip:10.0.0.1:wait", 1, 30, now=T0)
    assert not waiting and waiting.retry_after == 30


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
