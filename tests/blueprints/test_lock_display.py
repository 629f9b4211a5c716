"""Pages show a thread as locked only while its lock is in force at their clock: a timed lock
that ended, or one set to start later, shows as open on the board's list, the reply page and
the report item page, with nothing run when the moment comes."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.models import utcnow
from forum.services.moderation import reports, thread_tools
from tests import factories
from tests.factories import text

HOUR = timedelta(hours=1)

# How the lock was set (times after the moment it was set), how long after that the page is
# read, and whether the lock is in force then.
LOCKS = {
    "ended": ({"ends_at": 6 * HOUR}, 7 * HOUR, False),
    "not started yet": ({"starts_at": 24 * HOUR}, HOUR, False),
    "for a while, in force": ({"ends_at": 6 * HOUR}, HOUR, True),
    "started": ({"starts_at": 24 * HOUR}, 25 * HOUR, True),
    "until unlocked": ({}, HOUR, True),
}
each_lock = pytest.mark.parametrize(("lock", "later", "in_force"), LOCKS.values(), ids=LOCKS)


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Which slicer?")


@pytest.fixture
def locked(moderator, thread, page_clock):
    """``locked(lock, later)``: lock the thread now as ``lock`` says, then read pages later."""

    def _lock(lock: dict, later: timedelta) -> None:
        now = utcnow()
        thread_tools.lock_thread(moderator, thread, "Cooling off", now=now,
                          **{name: now + after for name, after in lock.items()})
        page_clock(now + later)

    return _lock


def _row(html: str) -> str:
    rows = re.findall(r'<li class="thread-row[^"]*">.*?</li>\n', html, re.S)
    assert len(rows) == 1
    return rows[0]


@each_lock
def test_board_list_shows_the_lock_in_force(client, login, other_member, locked, lock, later,
                                            in_force):
    locked(lock, later)
    login(other_member)
    row = _row(text(client.get("/b/general")))
    assert ("badge-locked" in row) is in_force
    assert ">Locked<" in row if in_force else "Locked" not in row


@each_lock
def test_reply_page_for_a_member(client, login, other_member, thread, locked, lock, later,
                                 in_force):
    locked(lock, later)
    login(other_member)
    response = client.get(f"/t/{thread.id}/reply")
    if in_force:
        assert response.status_code == 403 and "Locked by a moderator" in text(response)
        return
    html = text(response)
    assert response.status_code == 200
    assert 'name="body"' in html and "Post reply" in html
    assert "notice-locked" not in html and "This thread is locked." not in html


@each_lock
def test_reply_page_for_a_moderator(client, login, moderator, thread, locked, lock, later,
                                    in_force):
    locked(lock, later)
    login(moderator)
    response = client.get(f"/t/{thread.id}/reply")
    html = text(response)
    assert response.status_code == 200 and 'name="body"' in html
    assert ("This thread is locked." in html) is in_force
    assert ("You can still reply as a moderator." in html) is in_force


@each_lock
def test_report_item_offers_a_lock_unless_one_is_in_force(client, login, moderator, thread,
                                                          locked, lock, later, in_force):
    item = reports.file_report(factories.make_user(), thread, "harassment").item
    locked(lock, later)
    login(moderator)
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert 'value="move_thread"' in html
    assert ('value="lock_thread"' in html) is not in_force
