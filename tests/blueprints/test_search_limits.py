"""The search page's limits over HTTP: refusals a person can read (in English and German),
and searches per minute per member and per guest address."""
from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import update

from forum.extensions import db
from forum.models import RateCounter, utcnow
from forum.services.site import settings

from .. import factories
from ..factories import text as raw_text
from ..services.test_search_limits import INFIXES

pytestmark = [pytest.mark.search, pytest.mark.engines]

def text(response) -> str:
    return html.unescape(raw_text(response))


GUEST = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def thread(app):
    board = factories.make_board(slug="workshop", title="Workshop")
    return factories.make_thread(board, title="Soldering station",
                                 body="My soldering iron needs a new tip.")


@pytest.fixture
def three_a_minute(admin):
    settings.update(admin, {"searches_per_minute": 3})


def search(client, q, address=GUEST, **headers):
    return client.get("/search", query_string={"q": q}, environ_base=address, headers=headers)


def test_infix_wildcards_get_a_400_with_the_reason(client, thread):
    response = search(client, INFIXES)
    assert response.status_code == 400
    page = text(response)
    assert "A “*” can only end a word of at least 3 letters, as in “solder*”" in page
    assert 'name="q"' in page  # the form is there to try again


def test_the_reason_is_in_german_too(client, thread):
    page = text(search(client, "*old*", **{"Accept-Language": "de"}))
    assert "Ein „*“ kann nur ein Wort mit mindestens 3 Buchstaben beenden" in page
    page = text(search(client, "[a TO z]", **{"Accept-Language": "de"}))
    assert "Spannen wie „[a TO z]“ kannst du nicht suchen" in page


def test_ranges_get_a_400(client, thread):
    response = search(client, "[a TO z] [b TO y]")
    assert response.status_code == 400
    assert "Ranges such as “[a TO z]” can't be searched" in text(response)


def test_a_trailing_wildcard_finds_results(client, thread):
    response = search(client, "solder*")
    assert response.status_code == 200
    assert "<mark>Soldering</mark> station" in text(response)


def _expire_windows():
    # Move the stored windows into the past rather than waiting a minute.
    db.session.execute(update(RateCounter).values(window_ends_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def test_a_guest_address_is_limited_and_recovers(client, thread, three_a_minute):
    for _ in range(3):
        assert search(client, "soldering").status_code == 200
    refused = search(client, "iron")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "You've searched very often in the last minute. Please wait" in text(refused)
    # Another address is not held back, and the empty form is never counted.
    assert search(client, "iron", {"REMOTE_ADDR": "203.0.113.8"}).status_code == 200
    assert client.get("/search", environ_base=GUEST).status_code == 200
    _expire_windows()
    assert search(client, "iron").status_code == 200


def test_a_member_is_limited_wherever_they_search_from(client, login, member, thread,
                                                       three_a_minute):
    login(member)
    for n in range(3):
        assert search(client, "soldering", {"REMOTE_ADDR": f"198.51.100.{n}"}).status_code == 200
    refused = search(client, "soldering", {"REMOTE_ADDR": "198.51.100.9"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    # Guests at the member's addresses still search.
    client.post("/logout")
    assert search(client, "soldering", {"REMOTE_ADDR": "198.51.100.0"}).status_code == 200
    login(member)
    _expire_windows()
    assert search(client, "soldering", {"REMOTE_ADDR": "198.51.100.9"}).status_code == 200


def test_the_refusal_is_in_german_too(client, thread, three_a_minute):
    for _ in range(3):
        search(client, "soldering")
    refused = search(client, "soldering", **{"Accept-Language": "de"})
    assert refused.status_code == 429
    assert "Du hast in der letzten Minute sehr oft gesucht" in text(refused)


def test_zero_turns_the_limit_off(client, admin, thread):
    settings.update(admin, {"searches_per_minute": 0})
    for _ in range(40):
        assert search(client, "soldering").status_code == 200


def test_a_guests_search_leaves_the_guest_page_cache_alone(client, thread, count_queries):
    client.get("/")
    assert search(client, "soldering").status_code == 200
    with count_queries() as queries:
        assert client.get("/").status_code == 200
    assert queries == []
