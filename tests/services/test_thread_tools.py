"""Locks that follow the clock, slow mode, board pace and the cool-down action."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import Refused
from forum.extensions import db
from forum.models import Notification, Post
from forum.policy import Policy
from forum.services.moderation import thread_tools
from forum.services.moderation.thread_tools import CoolDown
from tests import factories
from tests.factories import said, said_body
from tests.services.moderation_kit import T0, actions


@pytest.fixture
def board(app):
    return factories.make_board()


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Heated")


def test_lock_for_a_while_reopens_by_itself(thread, moderator, member):
    thread_tools.lock_thread(moderator, thread, "Cooling off", ends_at=T0 + timedelta(hours=6),
                             now=T0)
    assert thread.locked_now(T0 + timedelta(hours=5, minutes=59))
    assert not thread.locked_now(T0 + timedelta(hours=6))
    refusal = Policy(member, T0 + timedelta(hours=1)).can_reply(thread)
    assert not refusal
    assert refusal.reason == ("Locked by a moderator: Cooling off. "
                              "It reopens at 25 Nov 2026, 20:00 (UTC).")
    assert Policy(member, T0 + timedelta(hours=6)).can_reply(thread)
    assert Policy(moderator, T0 + timedelta(hours=1)).can_reply(thread)


def test_lock_at_a_future_moment(thread, moderator, member):
    thread_tools.lock_thread(moderator, thread, "The contest ends",
                             starts_at=T0 + timedelta(days=1), now=T0)
    assert thread.lock_pending(T0)
    assert Policy(member, T0 + timedelta(hours=23)).can_reply(thread)
    assert not Policy(member, T0 + timedelta(days=1)).can_reply(thread)


def test_lock_is_logged_and_the_author_told(thread, moderator, member):
    thread_tools.lock_thread(moderator, thread, "Off the rails", now=T0)
    entry = actions("thread.lock")[-1]
    assert entry.actor_id == moderator.id and entry.reason == "Off the rails"
    assert entry.after["locked"] is True
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id))
    assert said(note) == "A moderator locked your thread “Heated”."
    assert note.actor_id is None and said_body(note) == "Reason: Off the rails"


@pytest.mark.parametrize("kwargs, message", [
    ({"starts_at": T0 - timedelta(minutes=1)}, "must start in the future"),
    ({"ends_at": T0}, "must end after it starts"),
    ({"starts_at": T0 + timedelta(hours=2), "ends_at": T0 + timedelta(hours=1)},
     "must end after it starts"),
])
def test_bad_lock_times_are_refused(thread, moderator, kwargs, message):
    with pytest.raises(Refused) as caught:
        thread_tools.lock_thread(moderator, thread, "x", now=T0, **kwargs)
    assert caught.value.status == 400 and message in caught.value.reason
    db.session.rollback()
    assert not db.session.get(type(thread), thread.id).is_locked


def test_lock_refusals(thread, member, moderator):
    with pytest.raises(Refused) as caught:
        thread_tools.lock_thread(member, thread, "x", now=T0)
    assert caught.value.status == 403
    elsewhere = factories.make_board_moderator(factories.make_user(), factories.make_board())
    with pytest.raises(Refused):
        thread_tools.lock_thread(elsewhere, thread, "x", now=T0)
    with pytest.raises(Refused) as caught:
        thread_tools.lock_thread(moderator, thread, "  ", now=T0)
    assert caught.value.status == 400
    thread_tools.lock_thread(moderator, thread, "x", now=T0)
    with pytest.raises(Refused) as caught:
        thread_tools.lock_thread(moderator, thread, "again", now=T0)
    assert caught.value.status == 409


def test_unlock(thread, moderator, member):
    with pytest.raises(Refused) as caught:
        thread_tools.unlock_thread(moderator, thread, "x", now=T0)
    assert caught.value.status == 409
    thread_tools.lock_thread(moderator, thread, "Break", ends_at=T0 + timedelta(hours=1), now=T0)
    thread_tools.unlock_thread(moderator, thread, "Calm again", now=T0 + timedelta(minutes=5))
    assert Policy(member, T0 + timedelta(minutes=6)).can_reply(thread)
    assert actions("thread.unlock")[-1].reason == "Calm again"
    # A lock that ended by itself has nothing left to unlock.
    thread_tools.lock_thread(moderator, thread, "Short", ends_at=T0 + timedelta(hours=1), now=T0)
    with pytest.raises(Refused):
        thread_tools.unlock_thread(moderator, thread, "x", now=T0 + timedelta(hours=2))


def test_slow_mode_set_and_off(thread, moderator):
    thread_tools.set_slow_mode(moderator, thread, 300, "Too fast", now=T0,
                               until=T0 + timedelta(hours=2))
    assert thread.own_slow_mode(T0 + timedelta(hours=1)) == 300
    assert thread.own_slow_mode(T0 + timedelta(hours=2)) == 0
    entry = actions("thread.slow_mode")[-1]
    assert entry.after["seconds"] == 300
    thread_tools.set_slow_mode(moderator, thread, 0, "Calm now", now=T0 + timedelta(minutes=5))
    assert thread.own_slow_mode(T0 + timedelta(minutes=6)) == 0
    with pytest.raises(Refused) as caught:
        thread_tools.set_slow_mode(moderator, thread, 0, "again", now=T0)
    assert caught.value.status == 409


@pytest.mark.parametrize("seconds", [1, 29, 86401, -5])
def test_slow_mode_bounds(thread, moderator, seconds):
    with pytest.raises(Refused) as caught:
        thread_tools.set_slow_mode(moderator, thread, seconds, "x", now=T0)
    assert caught.value.status == 400
    assert "30 seconds to 24 hours" in caught.value.reason


def test_slow_mode_end_must_be_future(thread, moderator):
    with pytest.raises(Refused):
        thread_tools.set_slow_mode(moderator, thread, 60, "x", now=T0, until=T0)


def test_board_pace(board, moderator, member):
    thread_tools.set_board_pace(moderator, board, 120, True, "Announcements only", now=T0)
    assert board.slow_mode_seconds == 120 and board.is_read_only
    assert not Policy(member, T0).can_create_thread(board)
    entry = actions("board.settings")[-1]
    assert entry.before == {"slow_mode_seconds": 0, "read_only": False, "member_events": False}
    assert entry.after == {"slow_mode_seconds": 120, "read_only": True, "member_events": False}
    with pytest.raises(Refused) as caught:
        thread_tools.set_board_pace(moderator, board, 120, True, "same", now=T0)
    assert caught.value.status == 400
    with pytest.raises(Refused) as caught:
        thread_tools.set_board_pace(member, board, 0, False, "x", now=T0)
    assert caught.value.status == 403


def test_board_lets_members_create_events(board, moderator, member):
    assert not Policy(member, T0).can_create_event(board)
    thread_tools.set_board_pace(moderator, board, 0, False, "Meetups welcome", now=T0,
                                member_events=True)
    assert board.allows_member_events and Policy(member, T0).can_create_event(board)
    assert actions("board.settings")[-1].after["member_events"] is True
    # Left out, the flag stays as it is.
    thread_tools.set_board_pace(moderator, board, 60, False, "Calmer", now=T0)
    assert board.allows_member_events


def test_cool_down_combines_slow_mode_lock_and_notice(thread, moderator, member):
    plan = CoolDown(reason="Tempers are high", slow_seconds=600,
                    slow_for=timedelta(hours=12), lock_for=timedelta(hours=1),
                    notice="Let's take an hour off and come back kinder.")
    entries = thread_tools.cool_down(moderator, thread, plan, now=T0)
    assert [e.action for e in entries] == ["thread.notice", "thread.slow_mode", "thread.lock",
                                           "thread.cool_down"]
    assert thread.locked_now(T0 + timedelta(minutes=30))
    assert not thread.locked_now(T0 + timedelta(hours=1))
    assert thread.own_slow_mode(T0 + timedelta(hours=11)) == 600
    notice = db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                  Post.is_mod_notice.is_(True)))
    assert notice.author_id == moderator.id and "come back kinder" in notice.body


def test_cool_down_needs_something_and_a_reason(thread, moderator, member):
    with pytest.raises(Refused) as caught:
        thread_tools.cool_down(moderator, thread, CoolDown(reason="x"), now=T0)
    assert caught.value.status == 400
    with pytest.raises(Refused) as caught:
        thread_tools.cool_down(moderator, thread, CoolDown(reason="", slow_seconds=60), now=T0)
    assert caught.value.status == 400
    with pytest.raises(Refused) as caught:
        thread_tools.cool_down(member, thread, CoolDown(reason="x", slow_seconds=60), now=T0)
    assert caught.value.status == 403
    with pytest.raises(Refused):
        thread_tools.cool_down(moderator, thread, CoolDown(reason="x", slow_seconds=5), now=T0)
    db.session.rollback()
    assert actions("thread.cool_down") == []
