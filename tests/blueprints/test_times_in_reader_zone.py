"""Every moment a message tells a person (a lock's end, a timeout's end, a claim in a race, a
notification) is in that person's zone, named; never UTC for a reader elsewhere."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from forum.errors import Conflict
from forum.extensions import db
from forum.models import Notification
from forum.services.moderation import reports, sanctions, thread_tools
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import reported_post

BERLIN = "Europe/Berlin"


def _future(hours: int) -> datetime:
    """A whole hour ahead, so the expected wording is exact."""
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    return now + timedelta(hours=hours)


def _berlin(moment: datetime) -> str:
    local = moment.astimezone(ZoneInfo(BERLIN))
    return f"{local.day} {local:%b %Y}, {local:%H:%M} (Europe/Berlin)"


@pytest.fixture
def berliner(app):
    return factories.make_user(timezone=BERLIN)


@pytest.fixture
def thread(app):
    return factories.make_thread(factories.make_board(), title="Heated")


def test_a_lock_notice_is_in_the_readers_zone(client, login, moderator, berliner, thread):
    ends = _future(30)
    thread_tools.lock_thread(moderator, thread, "Cooling off", ends_at=ends)
    login(berliner)
    page = text(client.get(f"/t/{thread.id}"))
    assert f"It reopens at {_berlin(ends)}." in page
    assert "UTC" not in page.partition('id="reply"')[2]
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "Still here"})
    assert refused.status_code == 403 and _berlin(ends) in text(refused)


def test_a_timeout_refusal_is_in_the_members_zone(client, login, moderator, berliner, thread):
    timeout = sanctions.timeout(moderator, berliner, "Cool off", timedelta(hours=30))
    login(berliner)
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "Let me in"},
                          headers={"Accept": "application/json"})
    assert refused.status_code == 429
    assert f"({_berlin(timeout.ends_at)})" in refused.get_json()["message"]
    assert " UTC" not in refused.get_json()["message"]


def test_a_suspended_member_is_told_the_end_in_their_zone(client, moderator, berliner):
    until = _future(50)
    sanctions.suspend(moderator, berliner, "Repeated harassment", until)
    response = client.post("/login", data={"login": berliner.username,
                                           "password": factories.PASSWORD})
    assert _berlin(until) in text(response) and f"{until:%H:%M} UTC" not in text(response)


def test_a_lost_race_tells_the_moderator_in_their_zone(app, moderator):
    _, item = reported_post()
    claimed_at = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    reports.claim(moderator, item, now=claimed_at)
    other = factories.make_user(role="moderator", timezone="America/New_York")
    with pytest.raises(Conflict) as conflict:
        reports.claim(other, item, now=claimed_at)
    assert "at 25 Nov 2026, 09:00 (America/New_York)" in conflict.value.reason


def test_slow_mode_and_lock_notifications_are_shown_in_the_readers_zone(client, login, moderator,
                                                                        berliner):
    """Stored as the instant; worded in the zone of whoever reads them, when they read."""
    thread = factories.make_thread(factories.make_board(), author=berliner, title="Busy")
    until, starts = _future(40), _future(60)
    thread_tools.set_slow_mode(moderator, thread, 600, "Breathe", until=until)
    thread_tools.lock_thread(moderator, thread, "Contest over", starts_at=starts)
    stored = [note.params for note in db.session.query(Notification).filter_by(
        recipient_id=berliner.id)]
    assert any(params.get("until_at") == until.isoformat() for params in stored)
    login(berliner)
    page = text(client.get("/notifications"))
    assert _berlin(until) in page and _berlin(starts) in page
    # The same rows, read after the member moved: their new zone.
    berliner.timezone = "Asia/Tokyo"
    db.session.commit()
    page = text(client.get("/notifications"))
    assert "(Asia/Tokyo)" in page and "(Europe/Berlin)" not in page
