"""Calendar files: parsed back with icalendar and checked field by field."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from forum.models import Access
from forum.services.community import event_calendar, event_listing, events
from tests import factories
from tests.services.event_kit import T0, make_event

BASE = "https://forum.example"
HOST = "forum.example"


@pytest.fixture
def board(app):
    return factories.make_board()


def _parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def test_single_event_fields(board, moderator):
    start = datetime(2027, 7, 1, 16, 0, tzinfo=UTC)  # 18:00 in Berlin (CEST)
    event = make_event(moderator, board, start=start, tz="Europe/Berlin",
                       description="See [the notes](https://notes.example/a) **first**.",
                       online_url="https://stream.example/live")
    calendar = _parse(event_calendar.calendar_bytes([event], BASE, HOST, "One", now=T0))
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"] == event_calendar.PRODUCT_ID
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event.id}@{HOST}"
    assert vevent.decoded("DTSTAMP") == T0
    dtstart = vevent["DTSTART"]
    assert dtstart.params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTSTART") == start  # the same instant
    assert vevent.decoded("DTSTART").utcoffset() == timedelta(hours=2)
    assert vevent.decoded("DTSTART").replace(tzinfo=None) == datetime(2027, 7, 1, 18, 0)
    assert vevent["DTEND"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTEND") == start + timedelta(hours=2)
    assert vevent.decoded("SEQUENCE") == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert str(vevent["SUMMARY"]) == "Soldering meetup"
    description = str(vevent["DESCRIPTION"])
    assert "the notes (https://notes.example/a) first." in description and "**" not in description
    assert str(vevent["LOCATION"]) == "Makerspace, Room 2"
    assert str(vevent["URL"]) == f"{BASE}/events/{event.id}"
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert str(vtimezone["TZID"]) == "Europe/Berlin"


def test_rescheduled_and_cancelled_events_carry_sequence_and_status(board, moderator):
    event = make_event(moderator, board)
    start = event.starts_at + timedelta(days=2)
    from tests.services.event_kit import event_data

    events.edit_event(moderator, event, event_data(start), now=T0)
    events.cancel_event(moderator, event, "Rain", now=T0)
    (vevent,) = _parse(event_calendar.calendar_bytes([event], BASE, HOST, "x", now=T0)).walk(
        "VEVENT")
    assert vevent.decoded("SEQUENCE") == 2
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert vevent.decoded("DTSTART") == start
    assert "Cancelled: Rain" in str(vevent["DESCRIPTION"])


def test_online_event_uses_the_link_as_location_and_utc_is_plain(board, moderator):
    event = make_event(moderator, board, location="", online_url="https://meet.example/x")
    (vevent,) = _parse(event_calendar.calendar_bytes([event], BASE, HOST, "x", now=T0)).walk(
        "VEVENT")
    assert str(vevent["LOCATION"]) == "https://meet.example/x"
    assert vevent.decoded("DTSTART") == event.starts_at
    assert vevent.decoded("DTSTART").tzinfo in (UTC, ZoneInfo("UTC"))


def test_feed_has_public_upcoming_events_only(moderator):
    public, members = factories.make_board(), factories.make_board(access=Access.MEMBERS)
    soon = make_event(moderator, public, tz="America/New_York")
    later = make_event(moderator, public, start=T0 + timedelta(days=20), tz="Asia/Tokyo")
    cancelled = make_event(moderator, public, start=T0 + timedelta(days=3))
    events.cancel_event(moderator, cancelled, "Sorry", now=T0)
    make_event(moderator, members)
    over = make_event(moderator, public, start=T0 + timedelta(hours=1))
    listed = event_listing.public_upcoming(over.ends_at + timedelta(minutes=1))
    assert [e.id for e in listed] == [cancelled.id, soon.id, later.id]
    calendar = _parse(event_calendar.calendar_bytes(listed, BASE, HOST, "Feed", now=T0))
    uids = [str(v["UID"]) for v in calendar.walk("VEVENT")]
    assert uids == [f"event-{e.id}@{HOST}" for e in listed]
    statuses = {str(v["UID"]): str(v["STATUS"]) for v in calendar.walk("VEVENT")}
    assert statuses[f"event-{cancelled.id}@{HOST}"] == "CANCELLED"
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert zones == {"America/New_York", "Asia/Tokyo"}


def test_plain_text_keeps_words_and_links():
    assert event_calendar.plain_text("# Title\n> quote **bold** `code` [a](https://b.example)") \
        == "Title\nquote bold code a (https://b.example)"


def test_an_event_in_the_last_year_still_makes_a_calendar(board, moderator):
    from forum.extensions import db

    event = make_event(moderator, board)
    # Written directly: the form no longer accepts it, but a row may already hold one.
    event.starts_at = datetime(9999, 12, 30, 10, 0, tzinfo=UTC)
    event.ends_at = datetime(9999, 12, 30, 12, 0, tzinfo=UTC)
    db.session.commit()
    calendar = _parse(event_calendar.calendar_bytes([event], BASE, HOST, "Far", now=T0))
    (vevent,) = calendar.walk("VEVENT")
    assert vevent.decoded("DTSTART") == event.starts_at


def test_a_cancelled_event_says_so_in_the_title_too(board, moderator):
    event = make_event(moderator, board)
    events.cancel_event(moderator, event, "Rain", now=T0)
    (vevent,) = _parse(event_calendar.calendar_bytes([event], BASE, HOST, "x", now=T0)).walk(
        "VEVENT")
    assert str(vevent["SUMMARY"]) == "Cancelled: Soldering meetup"
    event.cancel_reason = None  # the form asks for a reason; a row may still lack one
    (vevent,) = _parse(event_calendar.calendar_bytes([event], BASE, HOST, "x", now=T0)).walk(
        "VEVENT")
    assert str(vevent["DESCRIPTION"]).startswith("This event was cancelled.")


def test_the_texts_are_in_the_requesters_language(app, board, moderator):
    from flask_babel import force_locale

    event = make_event(moderator, board)
    events.cancel_event(moderator, event, "Regen", now=T0)
    with app.test_request_context("/"), force_locale("de"):
        data = event_calendar.calendar_bytes([event], BASE, HOST, "x", now=T0)
    (vevent,) = _parse(data).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Abgesagt: Soldering meetup"
    assert str(vevent["DESCRIPTION"]).startswith("Abgesagt: Regen")
    assert vevent["CATEGORIES"].cats == ["Treffen"]
    assert str(vevent["STATUS"]) == "CANCELLED"  # the protocol's words stay as they are
