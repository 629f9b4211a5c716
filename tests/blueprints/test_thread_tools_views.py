"""The thread tools pages: lock, unlock, slow mode, cool down, and a board's pace."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import Board, Thread, utcnow
from forum.services.content import posting
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import actions


@pytest.fixture
def board(app):
    return factories.make_board(title="Printers")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Which slicer?")


def _thread(thread_id: int) -> Thread:
    db.session.expire_all()
    return db.session.get(Thread, thread_id)


def test_tools_page_shows_the_state(client, login, moderator, thread):
    login(moderator)
    html = text(client.get(f"/mod/threads/{thread.id}"))
    assert "Moderate “Which slicer?”" in html
    assert "Cool down" in html and "Slow mode" in html and "Set the lock" in html


@pytest.mark.parametrize("data, ends", [
    ({"mode": "for", "length": "6h"}, timedelta(hours=6)),
    ({"mode": "open_ended"}, None),
])
def test_lock_for_a_while_or_until_unlocked(client, login, moderator, thread, data, ends):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/lock", data={**data, "reason": "Heated"})
    assert response.status_code == 302
    locked = _thread(thread.id)
    assert locked.locked_now(utcnow())
    if ends is None:
        assert locked.lock_ends_at is None
    else:
        assert abs((locked.lock_ends_at - utcnow()) - ends) < timedelta(minutes=1)
    assert actions("thread.lock")[-1].reason == "Heated"


def test_lock_at_a_local_date(client, login, moderator, thread):
    moderator.timezone = "America/New_York"
    db.session.commit()
    login(moderator)
    year = utcnow().year + 1
    response = client.post(f"/mod/threads/{thread.id}/lock", data={
        "mode": "at", "starts": f"{year}-01-01T12:00", "reason": "Contest over"})
    assert response.status_code == 302
    assert _thread(thread.id).lock_starts_at.isoformat() == f"{year}-01-01T17:00:00+00:00"
    far = client.post(f"/mod/threads/{thread.id}/lock", data={
        "mode": "at", "starts": "2100-12-31T23:59", "reason": "Contest over"})
    assert far.status_code == 400 and "at most a year from now" in text(far)


@pytest.mark.parametrize("data, message", [
    ({"mode": "for", "length": "5y", "reason": "x"}, "how long"),
    ({"mode": "until", "until": "", "reason": "x"}, "when the lock ends"),
    ({"mode": "until", "until": "soon", "reason": "x"}, "Enter a date and time"),
    ({"mode": "at", "starts": "2001-01-01T00:00", "reason": "x"}, "start in the future"),
    ({"mode": "sideways", "reason": "x"}, "how to lock"),
    ({"mode": "for", "length": "1h", "reason": ""}, "Please give a reason"),
])
def test_bad_locks_are_400(client, login, moderator, thread, data, message):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/lock", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert not _thread(thread.id).is_locked


def test_unlock(client, login, moderator, thread):
    login(moderator)
    assert client.post(f"/mod/threads/{thread.id}/unlock",
                       data={"reason": "x"}).status_code == 409
    client.post(f"/mod/threads/{thread.id}/lock", data={"mode": "open_ended", "reason": "x"})
    assert client.post(f"/mod/threads/{thread.id}/unlock",
                       data={"reason": "Calm again"}).status_code == 302
    assert not _thread(thread.id).locked_now(utcnow())


def test_slow_mode_presets_custom_and_off(client, login, moderator, thread):
    login(moderator)
    assert client.post(f"/mod/threads/{thread.id}/slow-mode",
                       data={"interval": "300", "reason": "Fast"}).status_code == 302
    assert _thread(thread.id).slow_mode_seconds == 300
    until = (utcnow() + timedelta(days=60)).strftime("%Y-%m-%dT00:00")
    assert client.post(f"/mod/threads/{thread.id}/slow-mode", data={
        "interval": "custom", "custom": "45", "until": until,
        "reason": "Faster"}).status_code == 302
    assert _thread(thread.id).slow_mode_seconds == 45
    assert client.post(f"/mod/threads/{thread.id}/slow-mode/off",
                       data={"reason": "Done"}).status_code == 302
    assert _thread(thread.id).own_slow_mode(utcnow()) == 0


@pytest.mark.parametrize("data", [
    {"interval": "custom", "custom": "5", "reason": "x"},
    {"interval": "custom", "custom": "abc", "reason": "x"},
    {"interval": "999999999", "reason": "x"},
    {"interval": "60", "until": "2001-01-01T00:00", "reason": "x"},
    {"interval": "60", "reason": ""},
])
def test_bad_slow_modes_are_400(client, login, moderator, thread, data):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/slow-mode", data=data)
    assert response.status_code == 400
    assert _thread(thread.id).slow_mode_seconds == 0


def test_cool_down_from_the_page(client, login, moderator, thread):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/cool-down", data={
        "slow": "600", "slow_for": "24h", "lock_for": "1h",
        "notice": "Taking a breather.", "reason": "Tempers"})
    assert response.status_code == 302
    cooled = _thread(thread.id)
    assert cooled.locked_now(utcnow()) and cooled.own_slow_mode(utcnow()) == 600
    page = text(client.get(cooled.url))
    assert "Taking a breather." in page


@pytest.mark.parametrize("data", [
    {"slow": "0", "lock_for": "", "reason": "x"},
    {"slow": "x", "reason": "x"},
    {"slow": "60", "slow_for": "9y", "reason": "x"},
    {"slow": "60", "reason": ""},
    {"slow": "60", "reason": "x", "item": "abc"},
])
def test_bad_cool_downs_are_400(client, login, moderator, thread, data):
    login(moderator)
    assert client.post(f"/mod/threads/{thread.id}/cool-down", data=data).status_code == 400
    assert actions("thread.cool_down") == []


def test_board_pace(client, login, moderator, board, member):
    login(moderator)
    assert "Default slow mode" in text(client.get(f"/mod/boards/{board.slug}"))
    response = client.post(f"/mod/boards/{board.slug}", data={
        "slow": "120", "read_only": "y", "reason": "Announcements only"})
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Board, board.id)
    assert saved.slow_mode_seconds == 120 and saved.is_read_only
    assert client.post(f"/mod/boards/{board.slug}", data={
        "slow": "120", "read_only": "y", "reason": "Same"}).status_code == 400
    assert client.post(f"/mod/boards/{board.slug}", data={
        "slow": "7", "reason": "x"}).status_code == 400
    assert "Members may create events here" in text(client.get(f"/mod/boards/{board.slug}"))
    assert client.post(f"/mod/boards/{board.slug}", data={
        "slow": "120", "read_only": "y", "member_events": "y",
        "reason": "Meetups"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Board, board.id).allows_member_events


def test_tools_refuse_members_and_other_boards(client, login, member, thread):
    login(member)
    assert client.get(f"/mod/threads/{thread.id}").status_code == 403
    assert client.post(f"/mod/threads/{thread.id}/lock",
                       data={"mode": "open_ended", "reason": "x"}).status_code == 403
    elsewhere = factories.make_board_moderator(factories.make_user(), factories.make_board())
    login(elsewhere)
    assert client.get(f"/mod/threads/{thread.id}").status_code == 403
    assert client.get("/mod/threads/999").status_code == 404
    assert not _thread(thread.id).is_locked


def test_tools_need_csrf(client, login, moderator, thread, enable_csrf):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/lock",
                           data={"mode": "open_ended", "reason": "x"})
    assert response.status_code == 400
    assert not _thread(thread.id).is_locked


# -- pin, rename, move, restore -------------------------------------------------------------
def test_the_page_offers_pin_rename_and_move(client, login, moderator, thread, board):
    other = factories.make_board(title="Resin")
    login(moderator)
    html = text(client.get(f"/mod/threads/{thread.id}"))
    assert "Rename" in html and 'value="Which slicer?"' in html
    assert f'<option value="{other.slug}">Resin</option>' in html
    assert f'<option value="{board.slug}">' not in html  # not the board it is in
    assert ">Pin</button>" in html and "Restore the thread" not in html


def test_pin_then_unpin_from_the_page(client, login, moderator, thread):
    login(moderator)
    assert client.post(f"/mod/threads/{thread.id}/pin",
                       data={"reason": "Asked weekly"}).status_code == 302
    assert _thread(thread.id).is_pinned
    html = text(client.get(f"/mod/threads/{thread.id}"))
    assert ">Unpin</button>" in html and "badge-pinned" in html
    response = client.post(f"/mod/threads/{thread.id}/pin", data={"reason": "Again"})
    assert response.status_code == 409 and "already pinned" in text(response)
    assert client.post(f"/mod/threads/{thread.id}/unpin",
                       data={"reason": "Answered"}).status_code == 302
    assert not _thread(thread.id).is_pinned
    assert [a.action for a in actions()] == ["thread.pin", "thread.unpin"]


@pytest.mark.parametrize("path", ["pin", "rename", "move", "restore"])
def test_no_reason_is_400_with_the_message(client, login, moderator, thread, path):
    factories.make_board(title="Resin", slug="resin")
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/{path}",
                           data={"title": "New title", "board": "resin", "reason": " "})
    assert response.status_code == 400
    assert "Please give a reason" in text(response)
    assert actions() == []


def test_rename_from_the_page(client, login, moderator, thread):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/rename",
                           data={"title": "Which slicer for PETG?", "reason": "Clearer"})
    assert response.status_code == 302
    renamed = _thread(thread.id)
    assert renamed.title == "Which slicer for PETG?"
    # The old address leads to the new one.
    old = client.get(f"/t/{thread.id}-which-slicer")
    assert old.status_code == 301 and old.headers["Location"].endswith("which-slicer-for-petg")


@pytest.mark.parametrize("title, message", [
    ("Which slicer?", "already has that title"),
    ("", "needs a title"),
    ("x" * 201, "at most 200"),
])
def test_bad_renames_are_400_with_the_message(client, login, moderator, thread, title, message):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/rename",
                           data={"title": title, "reason": "x"})
    assert response.status_code == 400 and message in text(response)
    assert _thread(thread.id).title == "Which slicer?" and actions() == []


def test_move_from_the_page(client, login, moderator, thread, board):
    resin = factories.make_board(title="Resin", slug="resin")
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/move",
                           data={"board": "resin", "reason": "Resin question"})
    assert response.status_code == 302
    moved = _thread(thread.id)
    assert moved.board_id == resin.id
    assert db.session.get(Board, resin.id).thread_count == 1
    assert db.session.get(Board, board.id).thread_count == 0
    assert actions("thread.move")[0].after == {"board": "resin"}


def test_a_board_moderator_moves_only_between_their_boards(client, login, thread, board):
    mine = factories.make_board(title="Resin", slug="resin")
    theirs = factories.make_board(title="Lasers", slug="lasers")
    boardmod = factories.make_board_moderator(factories.make_user(), board)
    factories.make_board_moderator(boardmod, mine)
    login(boardmod)
    html = text(client.get(f"/mod/threads/{thread.id}"))
    assert 'value="resin"' in html and 'value="lasers"' not in html
    response = client.post(f"/mod/threads/{thread.id}/move",
                           data={"board": theirs.slug, "reason": "Lasers"})
    assert response.status_code == 403
    assert "You don&#39;t moderate this board." in text(response)
    assert _thread(thread.id).board_id == board.id and actions() == []


@pytest.mark.parametrize("data, status, message", [
    ({"board": "", "reason": "x"}, 400, "Choose the board"),
    ({"board": "printers-0", "reason": "x"}, 404, "no board"),
])
def test_bad_moves(client, login, moderator, thread, board, data, status, message):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/move", data=data)
    assert response.status_code == status and message in text(response)
    assert _thread(thread.id).board_id == board.id


def test_moving_into_the_same_board_is_400(client, login, moderator, thread, board):
    login(moderator)
    response = client.post(f"/mod/threads/{thread.id}/move",
                           data={"board": board.slug, "reason": "x"})
    assert response.status_code == 400 and "already in that board" in text(response)


def test_restore_a_deleted_thread_from_the_page(client, login, moderator, member, thread):
    posting.delete_post(moderator, thread.first_post, "Spam")
    login(moderator)
    html = text(client.get(f"/mod/threads/{thread.id}"))
    assert "Restore the thread" in html and "badge-deleted" in html
    assert client.post(f"/mod/threads/{thread.id}/restore",
                       data={"reason": "Not spam"}).status_code == 302
    assert not _thread(thread.id).is_deleted
    response = client.post(f"/mod/threads/{thread.id}/restore", data={"reason": "Again"})
    assert response.status_code == 409 and "isn&#39;t deleted" in text(response)
    login(member)
    assert client.get(thread.url).status_code == 200


def test_a_deleted_thread_stays_unconfirmed_to_members(client, login, moderator, member,
                                                       thread):
    posting.delete_post(moderator, thread.first_post, "Spam")
    login(member)
    assert client.post(f"/mod/threads/{thread.id}/restore",
                       data={"reason": "Mine"}).status_code == 403
    assert client.post("/mod/threads/999/restore", data={"reason": "x"}).status_code == 403
    assert _thread(thread.id).is_deleted
