"""Timed and site-wide pins, and the "moved" notice a move may leave: read against the clock,
logged with before and after, the author told, and refused where the policy says so."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import Refused
from forum.extensions import db
from forum.models import Access, Notification, ThreadMoveNotice
from forum.policy import Policy
from forum.services.content import reading
from forum.services.moderation import thread_moving, thread_pins, thread_tools
from tests import factories
from tests.factories import said
from tests.services.moderation_kit import T0, actions


@pytest.fixture
def board(app):
    return factories.make_board(slug="printers", title="Printers")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Which slicer?")


def _told(user) -> list[str]:
    return [said(note) for note in db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id))]


# -- pins ----------------------------------------------------------------------------------------
def test_a_timed_pin_ends_by_itself(thread, moderator, member):
    until = T0 + timedelta(days=2)
    thread_pins.pin_thread(moderator, thread, "For the weekend", now=T0, until=until)
    assert thread.pinned_now(T0) and thread.pinned_now(until - timedelta(seconds=1))
    assert not thread.pinned_now(until)
    entry = actions("thread.pin")[0]
    assert entry.before == {"pinned": False, "until": None, "everywhere": False}
    assert entry.after == {"pinned": True, "until": until.isoformat(), "everywhere": False}
    assert _told(member)[-1].startswith("A moderator pinned your thread “Which slicer?” until ")
    # An ended pin is no pin: unpinning it is refused, pinning it again is not.
    with pytest.raises(Refused, match="isn't pinned"):
        thread_pins.unpin_thread(moderator, thread, "Done", now=until)
    thread_pins.pin_thread(moderator, thread, "Again", now=until)
    assert thread.pinned_now(until + timedelta(days=30))


def test_pinning_again_changes_the_end_or_the_reach(thread, moderator):
    thread_pins.pin_thread(moderator, thread, "Pinned", now=T0)
    with pytest.raises(Refused, match="already pinned") as refused:
        thread_pins.pin_thread(moderator, thread, "Same", now=T0)
    assert refused.value.status == 409
    thread_pins.pin_thread(moderator, thread, "Everywhere now", now=T0, everywhere=True)
    assert thread.pinned_everywhere
    assert actions("thread.pin")[-1].before == {"pinned": True, "until": None,
                                                "everywhere": False}


@pytest.mark.parametrize(("who", "allowed"), [("board moderator", False), ("moderator", True),
                                              ("admin", True)])
def test_only_moderators_of_the_whole_forum_pin_everywhere(board, thread, who, allowed):
    if who == "board moderator":
        actor = factories.make_board_moderator(factories.make_user(), board)
    else:
        actor = factories.make_user(role=who)
    if allowed:
        thread_pins.pin_thread(actor, thread, "For all", now=T0, everywhere=True)
        assert thread.pinned_everywhere
    else:
        with pytest.raises(Refused) as refused:
            thread_pins.pin_thread(actor, thread, "For all", now=T0, everywhere=True)
        assert refused.value.status == 403 and not thread.is_pinned
        # Their own board's pin is theirs to set.
        thread_pins.pin_thread(actor, thread, "Here", now=T0)
        assert thread.is_pinned and not thread.pinned_everywhere


def test_a_board_moderator_cannot_unpin_a_pin_everywhere(board, thread, moderator):
    thread_pins.pin_thread(moderator, thread, "For all", now=T0, everywhere=True)
    here = factories.make_board_moderator(factories.make_user(), board)
    with pytest.raises(Refused) as refused:
        thread_pins.unpin_thread(here, thread, "Mine", now=T0)
    assert refused.value.status == 403 and thread.pinned_everywhere


@pytest.mark.parametrize("change", [{}, {"until": T0 + timedelta(hours=1)}])
def test_a_board_moderator_cannot_replace_a_pin_everywhere(board, thread, moderator, change):
    thread_pins.pin_thread(moderator, thread, "For all", now=T0, everywhere=True)
    here = factories.make_board_moderator(factories.make_user(), board)
    with pytest.raises(Refused) as refused:
        thread_pins.pin_thread(here, thread, "Only here", now=T0, **change)
    assert refused.value.status == 403
    assert thread.pinned_everywhere and thread.pinned_until is None
    # Once that pin has ended, the board's own pin is theirs to set again.
    thread_pins.unpin_thread(moderator, thread, "Done", now=T0)
    thread_pins.pin_thread(here, thread, "Only here", now=T0, **change)
    assert thread.is_pinned and not thread.pinned_everywhere


def test_pin_refusals(thread, moderator):
    with pytest.raises(Refused, match="only end in the future") as refused:
        thread_pins.pin_thread(moderator, thread, "x", now=T0, until=T0)
    assert refused.value.status == 400 and not thread.is_pinned
    with pytest.raises(Refused, match="at most a year from now") as refused:
        thread_pins.pin_thread(moderator, thread, "x", now=T0,
                               until=T0 + timedelta(days=367))
    assert refused.value.status == 400 and not thread.is_pinned
    thread_pins.pin_thread(moderator, thread, "x", now=T0, until=T0 + timedelta(days=365))
    assert thread.is_pinned


def test_timed_locks_and_slow_mode_end_within_a_year(thread, moderator):
    far = T0 + timedelta(days=400)
    for call in (lambda: thread_tools.lock_thread(moderator, thread, "x", now=T0, ends_at=far),
                 lambda: thread_tools.lock_thread(moderator, thread, "x", now=T0, starts_at=far),
                 lambda: thread_tools.set_slow_mode(moderator, thread, 60, "x", now=T0,
                                                    until=far)):
        with pytest.raises(Refused, match="at most a year from now") as refused:
            call()
        assert refused.value.status == 400
    assert not thread.is_locked and not thread.slow_mode_seconds


# -- the board page, against the clock ----------------------------------------------------------
def _titles(page) -> list[str]:
    return [thread.title for thread in page.items]


def test_an_ended_pin_sorts_with_the_others_at_once(board, member, moderator):
    old = factories.make_thread(board, author=member, title="Old news")
    newer = factories.make_thread(board, author=member, title="Newer")
    newest = factories.make_thread(board, author=member, title="Newest")
    for thread, minutes in ((old, 0), (newer, 10), (newest, 20)):
        thread.last_post_at = T0 + timedelta(minutes=minutes)
    db.session.commit()
    thread_pins.pin_thread(moderator, old, "For a day", now=T0, until=T0 + timedelta(days=1))
    during = reading.board_page(Policy(member, T0 + timedelta(hours=1)), board.slug)
    assert _titles(during) == ["Old news", "Newest", "Newer"]
    after = reading.board_page(Policy(member, T0 + timedelta(days=1)), board.slug)
    assert _titles(after) == ["Newest", "Newer", "Old news"]
    # Across pages too: the ended pin takes its place by activity, nothing lost or repeated.
    pages = [reading.board_page(Policy(member, T0 + timedelta(days=1)), board.slug, n,
                                per_page=1) for n in (1, 2, 3)]
    assert [_titles(page) for page in pages] == [["Newest"], ["Newer"], ["Old news"]]
    assert pages[0].pages == 3


def test_pins_everywhere_show_on_every_board_its_readers_may_read(board, member, moderator):
    staff = factories.make_board(slug="team", access=Access.STAFF)
    other = factories.make_board(slug="other")
    public = factories.make_thread(board, author=member, title="Rules")
    secret = factories.make_thread(staff, author=moderator, title="Team rota")
    thread_pins.pin_thread(moderator, public, "For all", everywhere=True)
    thread_pins.pin_thread(moderator, secret, "For the team", everywhere=True)
    as_member = reading.board_page(Policy(member), other.slug)
    assert [thread.title for thread in as_member.everywhere] == ["Rules"]
    as_moderator = reading.board_page(Policy(moderator), other.slug)
    assert {thread.title for thread in as_moderator.everywhere} == {"Rules", "Team rota"}
    # In its own board it shows in the strip, not twice.
    own = reading.board_page(Policy(member), board.slug)
    assert [t.title for t in own.everywhere] == ["Rules"] and own.items == []


# -- moving with a notice ------------------------------------------------------------------------
def test_a_move_can_leave_a_notice_that_links_to_the_new_place(board, thread, moderator,
                                                               member):
    resin = factories.make_board(slug="resin", title="Resin")
    thread_moving.move_thread(moderator, thread, resin, "Wrong board", now=T0,
                              leave_notice=True, notice_until=T0 + timedelta(days=7))
    notice = db.session.scalar(select(ThreadMoveNotice))
    assert (notice.board_id, notice.thread_id) == (board.id, thread.id)
    page = reading.board_page(Policy(member, T0 + timedelta(days=1)), board.slug)
    assert [(row.thread.title, row.thread.board.title) for row in page.moved] == [
        ("Which slicer?", "Resin")]
    assert reading.board_page(Policy(member, T0 + timedelta(days=7)), board.slug).moved == []
    entry = actions("thread.move")[0]
    assert entry.after["notice"] is True
    assert _told(member)[-1] == "A moderator moved your thread “Which slicer?” to Resin."


def test_a_notice_ends_within_a_year(board, thread, moderator):
    resin = factories.make_board(slug="resin")
    with pytest.raises(Refused, match="at most a year from now") as refused:
        thread_moving.move_thread(moderator, thread, resin, "Wrong board", now=T0,
                                  leave_notice=True, notice_until=T0 + timedelta(days=400))
    assert refused.value.status == 400
    db.session.rollback()
    assert db.session.get(type(thread), thread.id).board_id == board.id


def test_the_notice_hides_from_who_may_not_read_the_new_board(board, thread, moderator,
                                                              member):
    staff = factories.make_board(slug="team", access=Access.STAFF)
    thread_moving.move_thread(moderator, thread, staff, "Internal", leave_notice=True)
    assert reading.board_page(Policy(member), board.slug).moved == []
    assert len(reading.board_page(Policy(moderator), board.slug).moved) == 1


def test_a_move_to_a_board_the_author_cannot_read_names_nothing(board, thread, moderator,
                                                                member):
    staff = factories.make_board(slug="team", title="Secret Team Room", access=Access.STAFF)
    thread_moving.move_thread(moderator, thread, staff, "Internal", now=T0)
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id)
                             .order_by(Notification.id.desc()))
    assert said(note) == ("A moderator moved your thread “Which slicer?” to a board you can't "
                         "open.")
    assert note.link is None


def test_the_event_follows_its_thread_to_the_new_board(board, thread, moderator, member):
    from forum.models import Event

    event = Event(title="Meetup", kind="meetup", board_id=board.id, author_id=member.id,
                  starts_at=T0 + timedelta(days=3), ends_at=T0 + timedelta(days=3, hours=2),
                  timezone="UTC", thread_id=thread.id)
    db.session.add(event)
    db.session.commit()
    staff = factories.make_board(slug="team", access=Access.STAFF)
    thread_moving.move_thread(moderator, thread, staff, "Internal", now=T0)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.board_id == staff.id
    assert not Policy(member).can_view_event(event)


def test_moving_back_takes_the_old_notice_away(board, thread, moderator):
    resin = factories.make_board(slug="resin")
    thread_moving.move_thread(moderator, thread, resin, "Wrong board", leave_notice=True)
    thread_moving.move_thread(moderator, thread, board, "Right after all")
    assert db.session.scalar(select(ThreadMoveNotice)) is None


def test_moderators_of_the_old_board_remove_the_notice(board, thread, moderator):
    resin = factories.make_board(slug="resin")
    thread_moving.move_thread(moderator, thread, resin, "Wrong board", leave_notice=True)
    notice = db.session.scalar(select(ThreadMoveNotice))
    outsider = factories.make_board_moderator(factories.make_user(), resin)
    with pytest.raises(Refused) as refused:
        thread_moving.remove_notice(outsider, notice, "Mine")
    assert refused.value.status == 403
    with pytest.raises(Refused):
        thread_moving.remove_notice(moderator, notice, " ")
    thread_moving.remove_notice(moderator, notice, "Everyone found it")
    assert db.session.scalar(select(ThreadMoveNotice)) is None
    assert actions("thread.move_notice_remove")[0].reason == "Everyone found it"


def test_move_notice_refusals(board, thread, moderator):
    resin = factories.make_board(slug="resin")
    with pytest.raises(Refused, match="only end in the future"):
        thread_moving.move_thread(moderator, thread, resin, "x", now=T0, leave_notice=True,
                                  notice_until=T0)
    assert thread.board_id == board.id


# -- the archived board keeps read-only ---------------------------------------------------------
def test_an_archived_board_stays_read_only_on_the_pace_page(board, moderator):
    board.is_archived = True
    board.is_read_only = True
    db.session.commit()
    with pytest.raises(Refused, match="archived") as refused:
        thread_tools.set_board_pace(moderator, board, 60, False, "Open it")
    assert refused.value.status == 400 and board.is_read_only
    thread_tools.set_board_pace(moderator, board, 60, True, "Slower")
    assert board.is_read_only and board.slow_mode_seconds == 60
