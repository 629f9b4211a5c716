"""Sign-ups by programs: the hidden field, the signed moment the form was shown, the limit
per address (with real concurrent requests around it) and the alarm on the overview."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import User, utcnow
from forum.services.accounts import signup_guard
from forum.services.site import settings as site_settings
from forum.stores import settings
from tests.factories import text

PASSWORD = "a brand new password"
TOO_QUICK = "That was very quick. Please take a moment"
TOO_OLD = "This form was open for a long time"
UNCHECKED = "This form couldn&#39;t be checked"
QUIET = "We couldn&#39;t create an account from this form"
TOO_MANY = "Too many accounts were created from your internet address"


def _person(n: int = 1, **extra) -> dict:
    return {"username": f"newbie{n}", "email": f"newbie{n}@example.com", "password": PASSWORD,
            "confirm": PASSWORD, **extra}


def _accounts() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(User.id)).where(
        User.username_key.like("newbie%")))


def _stamp(html: str) -> str:
    match = re.search(r'name="shown" type="hidden" value="([^"]+)"', html)
    assert match, "the form carries no stamp"
    return match.group(1)


@pytest.fixture
def stamped(app):
    """The form's stamp switched on, as in production."""
    app.config["REGISTRATION_MIN_SECONDS"] = 3
    yield
    app.config["REGISTRATION_MIN_SECONDS"] = 0


# -- the hidden field ------------------------------------------------------------------------------
def test_the_hidden_field_is_out_of_reach_of_people_and_screen_readers(client):
    html = text(client.get("/register"))
    trap = re.search(r'<div class="signup-trap" aria-hidden="true">(.*?)</div>', html, re.S)
    assert trap, "the field for programs sits in an off-screen box hidden from screen readers"
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", trap.group(1)).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field
    assert 'value=""' in field or "value=" not in field


def test_a_filled_hidden_field_is_refused_quietly(client):
    response = client.post("/register", data=_person(website="https://cheap-watches.example"))
    assert response.status_code == 400
    page = text(response)
    assert QUIET in page
    # Nothing says which field gave it away, and the field comes back empty.
    assert "website" not in page.split("signup-trap")[0]
    assert "cheap-watches" not in page
    assert _accounts() == 0


# -- the moment the form was shown -----------------------------------------------------------------
def test_a_form_sent_at_once_is_refused_and_kept(client, stamped):
    stamp = _stamp(text(client.get("/register")))
    response = client.post("/register", data=_person(shown=stamp))
    assert response.status_code == 400 and TOO_QUICK in text(response)
    assert _accounts() == 0
    # The same stamp comes back, so sending again after a moment works.
    assert _stamp(text(response)) == stamp
    assert 'value="newbie1"' in text(response)


def test_a_form_sent_after_a_few_seconds_is_welcome(app, client, stamped):
    stamp = signup_guard.form_stamp(utcnow() - timedelta(seconds=5))
    response = client.post("/register", data=_person(shown=stamp))
    assert response.status_code == 302, text(response)
    assert _accounts() == 1


def test_a_form_left_open_too_long_is_asked_again(app, client, stamped):
    stamp = signup_guard.form_stamp(utcnow() - timedelta(hours=7))
    response = client.post("/register", data=_person(shown=stamp))
    assert response.status_code == 400 and TOO_OLD in text(response)
    assert _accounts() == 0
    fresh = _stamp(text(response))
    assert fresh != stamp
    # The fresh form works once a person has taken a moment over it.
    app.config["REGISTRATION_MIN_SECONDS"] = 0
    assert client.post("/register", data=_person(shown=fresh)).status_code == 302


@pytest.mark.parametrize("stamp", [
    None,  # no stamp at all
    "1733560000000",  # a bare number
    URLSafeSerializer("another-secret", salt="agora.signup-form").dumps(0),  # signed elsewhere
    URLSafeSerializer("test-secret", salt="another-purpose").dumps(0),  # signed for elsewhere
    URLSafeSerializer("test-secret", salt="agora.signup-form").dumps("soon"),  # not a moment
])
def test_a_stamp_the_forum_did_not_sign_is_refused(client, stamped, stamp):
    data = _person() if stamp is None else _person(shown=stamp)
    response = client.post("/register", data=data)
    assert response.status_code == 400 and UNCHECKED in text(response)
    assert _accounts() == 0
    assert _stamp(text(response)) != stamp


# -- the limit per address -----------------------------------------------------------------------
def _sign_up(app, n: int, address: str = "198.51.100.7", **extra):
    client = app.test_client()
    return client.post("/register", data=_person(n, **extra),
                       environ_base={"REMOTE_ADDR": address})


def test_an_address_may_make_three_accounts_an_hour(app):
    for n in range(1, 4):
        assert _sign_up(app, n).status_code == 302
    refused = _sign_up(app, 4)
    assert refused.status_code == 429 and TOO_MANY in text(refused)
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    assert _accounts() == 3
    # Another address is counted on its own.
    assert _sign_up(app, 5, address="203.0.113.9").status_code == 302


def test_a_sign_up_that_fails_is_not_counted(app):
    for n in range(1, 6):
        assert _sign_up(app, n, password="short", confirm="short").status_code == 400
    for n in range(1, 4):
        assert _sign_up(app, n).status_code == 302


def test_an_ipv6_host_counts_as_its_whole_64(app):
    for n in range(1, 4):
        assert _sign_up(app, n, address=f"2001:db8:1:2::{n}").status_code == 302
    assert _sign_up(app, 4, address="2001:db8:1:2:ffff::1").status_code == 429
    assert _sign_up(app, 5, address="2001:db8:1:3::1").status_code == 302


def test_the_limit_follows_the_setting(app, admin):
    site_settings.update(admin, {"registrations_per_address_per_hour": 1})
    assert _sign_up(app, 1).status_code == 302
    assert _sign_up(app, 2).status_code == 429
    site_settings.update(admin, {"registrations_per_address_per_hour": 0})  # off
    assert _sign_up(app, 3).status_code == 302


def test_concurrent_sign_ups_from_one_address_stop_exactly_at_the_limit(app):
    clients = [app.test_client() for _ in range(7)]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client, n: int) -> None:
        barrier.wait(30)
        statuses.append(client.post("/register", data=_person(n),
                                    environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code)

    workers = [threading.Thread(target=send, args=(client, n))
               for n, client in enumerate(clients, start=1)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [302, 302, 302, 429, 429, 429, 429], statuses
    assert _accounts() == 3


# -- the alarm -------------------------------------------------------------------------------------
def test_many_sign_ups_in_a_minute_raise_the_alarm_on_the_overview(app, client, login, admin):
    site_settings.update(admin, {"signup_alarm_per_minute": 3})
    login(admin)
    for n in range(1, 3):
        assert _sign_up(app, n, address=f"198.51.100.{n}").status_code == 302
    assert "signup-alarm" not in text(client.get("/admin/"))
    for n in range(3, 6):
        assert _sign_up(app, n, address=f"198.51.100.{n}").status_code == 302
    settings.clear_cache()
    page = text(client.get("/admin/"))
    alarm = re.search(r'<div class="notice notice-warning" role="alert" id="signup-alarm">'
                      r"(.*?)</div>", page, re.S)
    assert alarm, "the overview shows the alarm"
    assert "5 accounts were created within a minute" in alarm.group(1)
    assert "<time" in alarm.group(1)


def test_the_alarm_is_kept_with_the_settings_and_fades_after_a_day(app, admin):
    site_settings.update(admin, {"signup_alarm_per_minute": 2})
    start = utcnow()
    for n in range(3):
        assert signup_guard.note_signup(start + timedelta(seconds=n)) is (n >= 1)
    db.session.commit()
    settings.clear_cache()
    alarm = signup_guard.alarm(start + timedelta(seconds=3))
    assert alarm is not None and alarm.count == 3
    assert alarm.at == start + timedelta(seconds=2)
    assert signup_guard.alarm(start + timedelta(hours=25)) is None


def test_the_alarm_costs_the_overview_no_query(client, login, admin, count_queries):
    login(admin)
    client.get("/admin/")
    with count_queries() as quiet:
        client.get("/admin/")
    site_settings.update(admin, {"signup_alarm_per_minute": 1})
    signup_guard.note_signup()
    db.session.commit()
    with count_queries() as alarmed:
        page = text(client.get("/admin/"))
    assert "signup-alarm" in page
    assert len(alarmed) == len(quiet)


def test_the_alarm_reads_in_german(app, client, login, admin):
    site_settings.update(admin, {"signup_alarm_per_minute": 1})
    admin.language = "de"
    db.session.commit()
    signup_guard.note_signup()
    db.session.commit()
    settings.clear_cache()
    login(admin)
    page = text(client.get("/admin/"))
    assert "Registrierungsalarm" in page
    assert "1 Konto wurde innerhalb von 60 Sekunden angelegt" in page
