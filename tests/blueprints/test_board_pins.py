"""Pins and "moved" notices on the board page and on the thread tools' forms: what shows, to
whom, and a query count that stays the same with timed, ended and site-wide pins and notices."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum import pagecache
from forum.extensions import db
from forum.models import ModAction, Thread, ThreadMoveNotice, utcnow
from forum.services.content import posting
from forum.services.moderation import thread_moving, thread_pins
from forum.services.search import sync
from tests import factories
from tests.factories import quick_users, text

BOARD_BUDGET = 6


@pytest.fixture
def board(app):
    return factories.make_board(slug="printers", title="Printers")


def _row_titles(html: str) -> list[str]:
    import re

    return re.findall(r'class="thread-title">.*?<a href="[^"]+">([^<]+)</a>', html, re.S)


@pytest.mark.parametrize("viewer", ["guest", "member", "board moderator"])
def test_board_page_queries_stay_fixed_with_pins_and_notices(client, login, app, count_queries,
                                                             page_clock, viewer):
    app.config["THREADS_PER_PAGE"] = 5
    boards = [factories.make_board(slug=f"b{n}") for n in range(3)]
    authors = quick_users(20)
    moderator = factories.make_user(role="moderator")
    now = utcnow()
    with sync.paused():
        threads = [posting.create_thread(authors[i % 20], boards[i % 3], f"Thread {i}", "Hi")
                   for i in range(30)]
    if viewer == "member":
        login(factories.make_user())
    elif viewer == "board moderator":
        login(factories.make_board_moderator(factories.make_user(), boards[0]))

    def measure() -> list[int]:
        pagecache.clear(app)  # guests' pages too are made afresh, then kept
        counts = []
        for url in ("/b/b0", "/b/b0?page=2"):
            for _ in ("first request", "later request"):
                with count_queries() as queries:
                    response = client.get(url)
                assert response.status_code == 200, url
                assert len(queries) <= BOARD_BUDGET, (url, queries)
                # The banners (kept per process for a few seconds) and a member's "last seen"
                # come and go with the time the test takes, not with the page.
                counts.append(sum(1 for q in queries if "FROM announcements" not in q
                                  and "last_seen_at=" not in q))
        return counts

    plain = measure()
    # Timed pins (one to end soon), a pin everywhere from another board, moved notices.
    thread_pins.pin_thread(moderator, threads[0], "Read me", until=now + timedelta(hours=1))
    thread_pins.pin_thread(moderator, threads[3], "And me")
    thread_pins.pin_thread(moderator, threads[1], "Everyone", everywhere=True)
    for thread in (threads[6], threads[9], threads[12]):
        thread_moving.move_thread(moderator, db.session.get(Thread, thread.id), boards[2],
                                  "Elsewhere", leave_notice=True)
    with_pins = measure()
    page_clock(now + timedelta(hours=2))  # the timed pin has ended
    ended = measure()
    assert plain == with_pins == ended


def test_board_page_shows_pins_in_force_the_strip_and_moved_rows(client, login, board, member,
                                                                 moderator, page_clock):
    now = utcnow()
    other = factories.make_board(slug="resin", title="Resin")
    rules = factories.make_thread(other, author=member, title="House rules")
    timed = factories.make_thread(board, author=member, title="Contest week")
    factories.make_thread(board, author=member, title="Plain talk")
    moved = factories.make_thread(board, author=member, title="Resin fumes")
    thread_pins.pin_thread(moderator, rules, "For all", everywhere=True)
    thread_pins.pin_thread(moderator, timed, "This week", until=now + timedelta(days=1))
    thread_moving.move_thread(moderator, moved, other, "Wrong board", leave_notice=True)

    html = text(client.get("/b/printers"))
    assert "Pinned everywhere" in html and "House rules" in html
    assert _row_titles(html)[:2] == ["House rules", "Contest week"]
    assert 'class="thread-row is-pinned' in html
    assert "Moved" in html and "Resin fumes" in html and "→ Resin" in html
    assert "Remove notice" not in html
    # (Guests' pages are kept for a few seconds: a member's page is made afresh.)
    login(member)
    page_clock(now + timedelta(days=2))
    later = text(client.get("/b/printers"))
    assert "Contest week" in later and later.count("badge-pinned") == 0

    login(moderator)
    assert "Remove notice" in text(client.get("/b/printers"))
    notice = db.session.scalar(select(ThreadMoveNotice))
    response = client.post(f"/mod/move-notices/{notice.id}/remove",
                           data={"reason": "Found it"})
    assert response.status_code == 302
    assert "Resin fumes" not in text(client.get("/b/printers"))


def test_pin_form_with_an_end_and_everywhere(client, login, board, member, moderator):
    thread = factories.make_thread(board, author=member, title="Spring cleaning")
    login(moderator)
    page = text(client.get(f"/mod/threads/{thread.id}"))
    assert "Pin above every board" in page and 'id="pin-until"' in page
    soon = utcnow() + timedelta(days=30)
    response = client.post(f"/mod/threads/{thread.id}/pin", data={
        "reason": "Seasonal", "until": soon.strftime("%Y-%m-%dT12:00"), "everywhere": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.pinned_everywhere and thread.pinned_until.date() == soon.date()
    tools = text(client.get(f"/mod/threads/{thread.id}"))
    assert "Pinned everywhere until <time" in tools
    assert "This thread is shown above every board until <time" in tools
    far = client.post(f"/mod/threads/{thread.id}/pin", data={
        "reason": "Again", "until": "9999-12-31T23:59", "everywhere": "y"})
    assert far.status_code == 400 and "at most a year from now" in text(far)
    past = client.post(f"/mod/threads/{thread.id}/pin", data={
        "reason": "Again", "until": "2001-01-01T12:00"})
    assert past.status_code == 400 and "only end in the future" in text(past)
    garbled = client.post(f"/mod/threads/{thread.id}/pin", data={
        "reason": "Again", "until": "next tuesday"})
    assert garbled.status_code == 400


def test_a_board_moderator_sees_no_everywhere_box_and_is_refused_it(client, login, board,
                                                                    member):
    thread = factories.make_thread(board, author=member, title="Spring cleaning")
    login(factories.make_board_moderator(factories.make_user(), board))
    assert "Pin above every board" not in text(client.get(f"/mod/threads/{thread.id}"))
    response = client.post(f"/mod/threads/{thread.id}/pin",
                           data={"reason": "For all", "everywhere": "y"})
    assert response.status_code == 403
    assert not db.session.get(Thread, thread.id).is_pinned


def test_move_form_leaves_a_notice(client, login, board, member, moderator):
    thread = factories.make_thread(board, author=member, title="Resin fumes")
    other = factories.make_board(slug="resin", title="Resin")
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/move", data={
        "board": other.slug, "notice": "y", "notice_for": "3d", "reason": "Wrong board"})
    assert response.status_code == 302
    notice = db.session.scalar(select(ThreadMoveNotice))
    assert notice.board_id == board.id and notice.expires_at is not None
    bad = client.post(f"/mod/threads/{thread.id}/move", data={
        "board": board.slug, "notice": "y", "notice_for": "99y", "reason": "Back"})
    assert bad.status_code == 400 and "from the list" in text(bad)


def test_the_pace_page_keeps_an_archived_board_read_only(client, login, board, moderator):
    board.is_archived = True
    board.is_read_only = True
    db.session.commit()
    login(moderator)
    response = client.post(f"/mod/boards/{board.slug}", data={"slow": "0", "reason": "Open"})
    assert response.status_code == 400 and "stays read-only" in text(response)
    db.session.expire_all()
    assert board.is_read_only
    assert db.session.scalar(select(ModAction).where(ModAction.action == "board.settings")) is None


def test_a_pin_ending_at_the_calendars_end_shows_in_any_time_zone(client, login, board):
    """A stored end near year 9999 (older data, a direct edit) can't be moved into a zone ahead
    of UTC; the page shows it in UTC rather than failing."""
    from datetime import UTC, datetime

    author = factories.make_user()
    thread = factories.make_thread(board, author=author, title="Forever")
    thread.is_pinned = True
    thread.pinned_everywhere = True
    thread.pinned_until = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    db.session.commit()
    login(factories.make_user(timezone="Asia/Tokyo"))
    response = client.get(f"/b/{board.slug}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Forever" in html
    assert 'pinned until <time datetime="9999-12-31T23:59:00Z">31 Dec 9999, 23:59' in html
