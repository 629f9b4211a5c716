"""Rows of the board index and of a board's thread list are rendered once and kept under every
value they show, so whatever changes (a reply, a rename, a lock, the time zone) shows at once."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from forum.extensions import db
from forum.models import Thread, User, utcnow
from forum.services.content import posting, reading_state
from forum.services.moderation import thread_tools
from tests import factories
from tests.factories import text


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, member, other_member):
    thread = factories.make_thread(board, author=member, title="Kept rows", body="Opening")
    posting.reply(other_member, thread, "A first reply")
    return thread


def _rows(html: str, css: str) -> list[str]:
    return re.findall(rf'<li class="{css}[^"]*">.*?</li>\n', html, re.S)


def _kept(app) -> int:
    return len(app.extensions["agora_fragments"])


def test_a_second_view_reuses_the_rows(app, client, login, member, thread):
    login(member)
    first = _rows(text(client.get("/b/general")), "thread-row")
    index = _rows(text(client.get("/")), "board-row")
    assert len(first) == 1 and len(index) == 1
    kept = _kept(app)
    # A row on each page, the member's header links (the same on both) and the board's
    # watch form.
    assert kept == 4
    assert _rows(text(client.get("/b/general")), "thread-row") == first
    assert _rows(text(client.get("/")), "board-row") == index
    assert _kept(app) == kept


def test_a_reply_shows_at_once_on_the_board_and_the_index(client, login, member, moderator,
                                                          thread):
    login(member)
    assert "1</dd>" in _rows(text(client.get("/b/general")), "thread-row")[0]
    client.get("/")
    posting.reply(moderator, thread, "Another reply")
    row = _rows(text(client.get("/b/general")), "thread-row")[0]
    assert "<dt>Replies</dt><dd>2</dd>" in row and ">moderator</a>" in row
    board_row = _rows(text(client.get("/")), "board-row")[0]
    assert "<dt>Posts</dt><dd>3</dd>" in board_row and ">moderator</a>" in board_row


def test_a_new_display_name_shows_at_once(client, login, member, other_member, thread):
    login(member)
    client.get("/b/general")
    client.get("/")
    db.session.execute(update(User).where(User.id == other_member.id)
                       .values(display_name="Renamed Person"))
    db.session.commit()
    assert "Renamed Person" in _rows(text(client.get("/b/general")), "thread-row")[0]
    assert "Renamed Person" in _rows(text(client.get("/")), "board-row")[0]


def test_a_lock_and_an_older_last_post_show_at_once(client, login, member, thread):
    login(member)
    assert "just now" in _rows(text(client.get("/b/general")), "thread-row")[0]
    db.session.execute(update(Thread).where(Thread.id == thread.id).values(
        is_locked=True, last_post_at=utcnow() - timedelta(hours=3)))
    db.session.commit()
    row = _rows(text(client.get("/b/general")), "thread-row")[0]
    assert "badge-locked" in row and "3 hours ago" in row


def test_a_kept_row_follows_a_timed_lock_as_the_clock_moves(client, login, member, moderator,
                                                            thread, page_clock):
    now = utcnow()
    thread_tools.lock_thread(moderator, thread, "Cooling off", starts_at=now + timedelta(hours=1),
                      ends_at=now + timedelta(hours=7), now=now)
    login(member)
    shown = []
    for later in (0, 2, 6, 8):
        page_clock(now + timedelta(hours=later))
        shown.append("badge-locked" in _rows(text(client.get("/b/general")), "thread-row")[0])
    assert shown == [False, True, True, False]


def test_each_time_zone_gets_its_own_row(client, login, member, other_member, thread):
    other_member.timezone = "Asia/Tokyo"
    db.session.commit()
    # Both have read the thread, so only the zone differs between their rows.
    reading_state.mark_everything_read(member)
    reading_state.mark_everything_read(other_member)
    login(member)
    utc = _rows(text(client.get("/b/general")), "thread-row")[0]
    login(other_member)
    tokyo = _rows(text(client.get("/b/general")), "thread-row")[0]
    assert utc != tokyo
    assert re.sub(r'title="[^"]*"', "", utc) == re.sub(r'title="[^"]*"', "", tokyo)


def test_a_deleted_thread_is_a_moderators_row_only(client, login, member, moderator, board,
                                                   thread):
    other = factories.make_thread(board, author=member, title="Gone soon", body="Soon gone")
    login(moderator)
    assert len(_rows(text(client.get("/b/general")), "thread-row")) == 2
    db.session.execute(update(Thread).where(Thread.id == other.id).values(is_deleted=True))
    db.session.commit()
    rows = _rows(text(client.get("/b/general")), "thread-row")
    assert any("badge-deleted" in row and "Gone soon" in row for row in rows)
    login(member)
    rows = _rows(text(client.get("/b/general")), "thread-row")
    assert len(rows) == 1 and "Gone soon" not in rows[0]


def test_hostile_titles_stay_inert_in_kept_rows(client, login, member, board):
    factories.make_thread(board, author=member, title='<script>alert(1)</script>', body="x")
    login(member)
    for _ in range(2):
        row = _rows(text(client.get("/b/general")), "thread-row")[0]
        assert "<script>" not in row and "&lt;script&gt;" in row


# -- event cards --------------------------------------------------------------------------------
def _cards(html: str) -> list[str]:
    return re.findall(r'<article class="event-card.*?</article>', html, re.S)


def test_event_cards_follow_answers_and_cancellations(app, client, login, member, moderator):
    from forum.models import Event
    from forum.services.community import event_rsvp
    from tests.services.event_kit import make_event

    now = utcnow()
    board = factories.make_board(slug="meetups", title="Meetups")
    event = make_event(moderator, board, start=now + timedelta(days=3), now=now,
                       title="Kept card", capacity="5")
    login(member)
    first = _cards(text(client.get("/events")))
    assert len(first) == 1 and "0 going" in first[0]
    assert _cards(text(client.get("/events"))) == first
    event_rsvp.answer_event(member, event, "going")
    card = _cards(text(client.get("/events")))[0]
    assert "1 going" in card and "4 of 5 places left" in card
    db.session.execute(update(Event).where(Event.id == event.id).values(
        starts_at=now - timedelta(minutes=5)))
    db.session.commit()
    assert "Happening now" in _cards(text(client.get("/events")))[0]
    db.session.execute(update(Event).where(Event.id == event.id).values(cancelled_at=utcnow()))
    db.session.commit()
    card = _cards(text(client.get("/events")))[0]
    assert "Cancelled" in card and "Happening now" not in card
