"""Dates, times, numbers, relative times and durations in the reader's language (and, for
moments, in the reader's time zone)."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from forum.common import numfmt, timefmt
from forum.extensions import db
from forum.models import utcnow
from tests import factories
from tests.factories import text

NOW = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
GERMAN = {"Accept-Language": "de"}


@pytest.fixture
def in_language(app):
    """``with in_language("de"): …`` formats as a request in that language would."""
    def _in(code):
        return force_locale(code)

    with app.test_request_context("/"):
        yield _in


@pytest.mark.parametrize("value, written", [
    (datetime(2026, 12, 4, 15, 32, 7, 123456, tzinfo=UTC), "2026-12-04T15:32:07Z"),
    (datetime(2026, 12, 4, 16, 32, 7, 999999, tzinfo=ZoneInfo("Europe/Berlin")),
     "2026-12-04T15:32:07Z"),
    (datetime(2026, 12, 4, 15, 32, 7), "2026-12-04T15:32:07Z"),  # naive: UTC, as stored
    (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), "9999-12-31T23:59:00Z"),
    (datetime(812, 1, 2, 3, 4, 5, tzinfo=UTC), "0812-01-02T03:04:05Z"),
    (date(2026, 12, 4), "2026-12-04"),
])
def test_machine_readable_moments_are_utc_to_the_second(value, written):
    """What a <time>'s datetime attribute holds: HTML allows three digits of a second at most."""
    assert timefmt.machine(value) == written


def test_moments_and_days(in_language):
    with in_language("en"):
        assert timefmt.format_datetime(NOW, "UTC") == "4 Dec 2026, 14:00"
        assert timefmt.format_datetime(NOW, "Europe/Berlin") == "4 Dec 2026, 15:00"
        assert timefmt.format_date(NOW, "UTC") == "4 December 2026"
        assert timefmt.when(NOW, None) == "4 Dec 2026, 14:00 (UTC)"
        assert timefmt.when(NOW, "Europe/Berlin") == "4 Dec 2026, 15:00 (Europe/Berlin)"
        assert timefmt.when(NOW, "No/Such_Zone") == "4 Dec 2026, 14:00 (UTC)"
    with in_language("de"):
        assert timefmt.format_datetime(NOW, "UTC") == "4. Dez. 2026, 14:00"
        assert timefmt.format_datetime(NOW, "America/New_York") == "4. Dez. 2026, 09:00"
        assert timefmt.format_date(NOW, "UTC") == "4. Dezember 2026"
        assert timefmt.when(NOW, "Europe/Berlin") == "4. Dez. 2026, 15:00 (Europe/Berlin)"


def test_named_patterns_for_pages(in_language):
    day = date(2026, 12, 4)
    with in_language("en"):
        assert [timefmt.write(day, name) for name in
                ("weekday", "weekday_name", "month_name", "day_month", "month")] == \
            ["Fri", "Friday", "Dec", "4 Dec", "December 2026"]
        assert timefmt.write(datetime(2026, 12, 4, 9, 5), "clock") == "09:05"
    with in_language("de"):
        assert [timefmt.write(day, name) for name in
                ("weekday", "weekday_name", "month_name", "day_month", "month")] == \
            ["Fr.", "Freitag", "Dez", "4. Dez.", "Dezember 2026"]


@pytest.mark.parametrize(("ago", "english", "german"), [
    (timedelta(seconds=20), "just now", "gerade eben"),
    (timedelta(seconds=-20), "just now", "gerade eben"),  # a clock a little ahead
    (timedelta(minutes=1), "1 minute ago", "vor 1 Minute"),
    (timedelta(minutes=59, seconds=59), "59 minutes ago", "vor 59 Minuten"),
    (timedelta(hours=3, minutes=40), "3 hours ago", "vor 3 Stunden"),
    (timedelta(hours=30), "yesterday", "gestern"),
    (timedelta(days=10), "10 days ago", "vor 10 Tagen"),
    (timedelta(days=100), "26 Aug 2026", "26. Aug. 2026"),
])
def test_relative_times(in_language, ago, english, german):
    with in_language("en"):
        assert timefmt.relative(NOW - ago, now=NOW) == english
    with in_language("de"):
        assert timefmt.relative(NOW - ago, now=NOW) == german


def test_an_old_moment_is_dated_in_the_readers_zone(in_language):
    late = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    with in_language("en"):
        assert timefmt.relative(late, now=NOW, tz_name="Asia/Tokyo") == "2 Jan 2026"


@pytest.mark.parametrize(("seconds", "english", "german"), [
    (-5, "0 sec", "0 Sek."),
    (42, "42 sec", "42 Sek."),
    (60, "1 min", "1 Min."),
    (192, "3 min 12 sec", "3 Min. 12 Sek."),
    (3600, "1 hr", "1 Std."),
    (7500, "2 hr 5 min", "2 Std. 5 Min."),
    (86400, "24 hr", "24 Std."),
    (3 * 86400, "3 days", "3 Tage"),
    (3 * 86400 + 4 * 3600, "3 days 4 hr", "3 Tage 4 Std."),
])
def test_durations(in_language, seconds, english, german):
    with in_language("en"):
        assert timefmt.duration(seconds) == english
    with in_language("de"):
        assert timefmt.duration(seconds) == german


def test_numbers(in_language):
    with in_language("en"):
        assert numfmt.number(1234) == "1,234" and numfmt.number(7) == "7"
        lazy = numfmt.lazy_number(50_000)
        assert str(lazy) == "50,000"
    with in_language("de"):
        assert numfmt.number(1234567) == "1.234.567"
        assert str(lazy) == "50.000"  # written when read, not when made


def test_outside_a_request_the_default_language_applies(app):
    assert timefmt.format_datetime(NOW, "UTC") == "4 Dec 2026, 14:00"
    assert timefmt.duration(192) == "3 min 12 sec"
    assert numfmt.number(1234) == "1,234"


def test_without_any_application_too():
    assert timefmt.format_date(NOW, "UTC") == "4 December 2026"
    assert timefmt.relative(NOW - timedelta(minutes=3), now=NOW) == "3 minutes ago"


def test_moments_at_the_calendars_ends_show_in_utc_rather_than_failing(in_language):
    last = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    first = datetime(1, 1, 1, 0, 30, tzinfo=UTC)
    with in_language("en"):
        assert timefmt.format_datetime(last, "Asia/Tokyo") == "31 Dec 9999, 23:59"
        assert timefmt.format_date(first, "America/New_York") == "1 January 1"
    with in_language("de"):
        assert timefmt.format_datetime(last, "Asia/Tokyo") == "31. Dez. 9999, 23:59"
    assert timefmt.local(last, "Europe/Paris").utcoffset().total_seconds() == 0


def test_date_messages_are_translated(in_language):
    with in_language("de"), pytest.raises(ValueError) as bad_day:
        timefmt.parse_date("31.03.2024")
    assert "JJJJ-MM-TT" in str(bad_day.value)
    with in_language("de"), pytest.raises(ValueError) as bad_moment:
        timefmt.parse_local("soon", "UTC")
    assert str(bad_moment.value) != timefmt.MALFORMED_MOMENT._args[0]
    with in_language("en"), pytest.raises(ValueError, match="doesn't exist"):
        timefmt.parse_local("2026-02-30 10:00", "UTC")


def test_a_german_page_shows_german_dates_times_and_numbers(app, client):
    board = factories.make_board(slug="general")
    author = factories.make_user(username="writer")
    # Relative times on pages count from the real clock.
    started = utcnow() - timedelta(minutes=3, seconds=5)
    factories.make_thread(board, author=author, title="Hello", created_at=started,
                          last_post_at=started)
    author.post_count = 1234
    db.session.commit()
    with app.test_request_context("/"), force_locale("de"):
        german_moment = timefmt.format_datetime(started, "UTC")
    assert re.fullmatch(r"\d{1,2}\. \w+\.? \d{4}, \d\d:\d\d", german_moment)

    html = text(client.get("/b/general", headers=GERMAN))
    assert re.search(r'<html lang="de"', html)
    assert "vor 3 Minuten" in html and f'title="{german_moment}"' in html
    assert "3 minutes ago" in text(client.get("/b/general"))

    assert "<dd>1.234</dd>" in text(client.get("/u/writer", headers=GERMAN))
    assert "<dd>1,234</dd>" in text(client.get("/u/writer"))


def test_the_admin_overview_writes_days_and_numbers_in_german(client, login, admin):
    login(admin)
    admin.language = "de"
    db.session.commit()
    html = text(client.get("/admin/"))
    today = utcnow().date()
    with client.application.test_request_context("/"), force_locale("de"):
        day = timefmt.write(today, "day")
        short = timefmt.write(today, "day_month")
    assert f'<time datetime="{today.isoformat()}">{day}</time>' in html
    assert short in html and "Beiträge" in html


@pytest.mark.parametrize("code", ["en", "de", "fr", "ja"])
def test_compiled_patterns_write_what_babel_writes(code):
    from babel import Locale

    from forum.common.datepatterns import Compiled

    locale = Locale.parse(code)
    moments = [datetime(2026, month, day, hour, minute)
               for month, day, hour, minute in ((1, 1, 0, 0), (3, 9, 7, 5), (12, 31, 23, 59))]
    moments += [datetime(1, 1, 1, 0, 30), datetime(9999, 12, 31, 23, 59)]
    for pattern in ("d MMM y, HH:mm", "dd.MM.y", "d. MMMM y", "LLL", "LLLL", "EEE", "EEEE",
                    "H:mm", "M/d", "MMMM y", "h:mm a", "QQQ y"):
        compiled = Compiled(pattern, locale)
        for moment in moments:
            assert compiled(moment) == compiled.pattern.apply(moment, locale), (pattern, moment)


@pytest.mark.parametrize(("code", "value"), [("en", -1234567), ("de", 10_000), ("de", 999),
                                             ("hi", 12345678), ("de", 1234.5), ("ar", 1234)])
def test_counts_are_written_as_babel_writes_them(code, value):
    from babel import Locale
    from babel.numbers import format_decimal

    from forum.common.numfmt import _writer

    assert _writer(Locale.parse(code))(value) == format_decimal(value, locale=code)


@pytest.mark.parametrize("code", ["en", "de", "fr"])
def test_time_ago_reads_as_babel_would_put_it(code):
    from babel import Locale
    from babel.dates import format_timedelta

    locale = Locale.parse(code)
    for amount, unit, seconds in ((1, "minute", 60), (5, "minute", 60), (1, "hour", 3600),
                                  (7, "hour", 3600), (2, "day", 86400), (29, "day", 86400)):
        assert timefmt._ago(amount, unit, locale) == format_timedelta(
            timedelta(seconds=-amount * seconds), granularity=unit, threshold=float("inf"),
            add_direction=True, locale=locale)


def test_a_relative_key_changes_exactly_when_the_text_does(in_language):
    """Kept rows are keyed by ``relative_key`` instead of the words: two moments share a key
    only if they read the same, in either language."""
    moments = [NOW - timedelta(seconds=s) for s in (
        -20, 0, 59, 60, 119, 120, 3599, 3600, 7199, 86399, 86400, 2 * 86400 - 1, 2 * 86400,
        10 * 86400, 30 * 86400 - 1, 30 * 86400, 100 * 86400, 100 * 86400 + 1)]
    for code in ("en", "de"):
        with in_language(code):
            texts = {}
            for moment in moments:
                key = timefmt.relative_key(moment, now=NOW)
                assert texts.setdefault(key, timefmt.relative(moment, now=NOW)) == \
                    timefmt.relative(moment, now=NOW)
            # And but for dates (the moment itself is their key), one key per wording.
            worded = [words for key, words in texts.items() if key[0] != "on"]
            assert len(set(worded)) == len(worded)
