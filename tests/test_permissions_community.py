"""Role × announcements and events: who sees an audience, who announces where, who creates,
changes and answers events (with the clock given, so deadlines are exact)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

from forum.extensions import db
from forum.models import Access, Audience, Event, Placement
from forum.policy import Policy
from forum.services.moderation import sanctions
from tests import permission_kit
from tests.permission_kit import VIEWERS

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
# Every question judged at T0, so deadlines and timeouts are exact.
answers = partial(permission_kit.answers, now=T0)



def _event(board, author, **fields) -> Event:
    values = dict(title="Ask an expert", starts_at=T0 + timedelta(days=2),
                  ends_at=T0 + timedelta(days=2, hours=1), board_id=board.id,
                  author_id=author.id)
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def test_audiences(role_world):
    assert answers(role_world, lambda p, b, u: p.sees_audience(Audience.EVERYONE)) == dict.fromkeys(
        VIEWERS, "yes")
    assert answers(role_world, lambda p, b, u: p.sees_audience(Audience.MEMBERS)) == {
        "guest": "no", "member": "yes", "other_board_moderator": "yes",
        "board_moderator": "yes", "moderator": "yes", "admin": "yes"}
    assert answers(role_world, lambda p, b, u: p.sees_audience(Audience.MODERATORS)) == {
        "guest": "no", "member": "no", "other_board_moderator": "yes",
        "board_moderator": "yes", "moderator": "yes", "admin": "yes"}


def test_who_announces_where(role_world):
    assert answers(role_world, lambda p, b, u: p.can_manage_announcements()) == {
        "guest": "login", "member": "no", "other_board_moderator": "yes",
        "board_moderator": "yes", "moderator": "yes", "admin": "yes"}
    for placement in (Placement.BANNER, Placement.ALL_BOARDS):
        assert answers(role_world, lambda p, b, u, where=placement:
                       p.can_manage_announcement(where, None)) == {
            "guest": "login", "member": "no", "other_board_moderator": "no",
            "board_moderator": "no", "moderator": "no", "admin": "yes"}
    assert answers(role_world, lambda p, b, u: p.can_manage_announcement(Placement.BOARD, b)) == {
        "guest": "login", "member": "no", "other_board_moderator": "no",
        "board_moderator": "yes", "moderator": "yes", "admin": "yes"}


def test_who_creates_events(role_world):
    board, _ = role_world
    staff_only = {"guest": "login", "member": "no", "other_board_moderator": "no",
                  "board_moderator": "yes", "moderator": "yes", "admin": "yes"}
    assert answers(role_world, lambda p, b, u: p.can_create_event(b)) == staff_only
    board.allows_member_events = True
    db.session.commit()
    assert answers(role_world, lambda p, b, u: p.can_create_event(b)) == {
        **staff_only, "member": "yes", "other_board_moderator": "yes"}
    # So does a board where only the team starts threads: an event opens one.
    board.thread_access = Access.STAFF
    db.session.commit()
    assert answers(role_world, lambda p, b, u: p.can_create_event(b)) == staff_only
    board.thread_access = Access.MEMBERS
    # A read-only board stays the moderators' even when it welcomes members' events.
    board.is_read_only = True
    db.session.commit()
    assert answers(role_world, lambda p, b, u: p.can_create_event(b)) == staff_only


def test_a_timed_out_member_creates_no_event(role_world):
    board, users = role_world
    board.allows_member_events = True
    db.session.commit()
    sanctions.timeout(users["moderator"], users["member"], "Cool off", timedelta(hours=2),
                      now=T0)
    decision = Policy(users["member"], T0 + timedelta(hours=1)).can_create_event(board)
    assert not decision and decision.retry_after == 3600


def test_events_in_a_staff_board_are_the_teams(role_world):
    board, users = role_world
    board.access = Access.STAFF
    db.session.commit()
    event = _event(board, users["moderator"])
    assert answers(role_world, lambda p, b, u: p.can_view_event(event)) == {
        "guest": "login", "member": "no", "other_board_moderator": "no",
        "board_moderator": "yes", "moderator": "yes", "admin": "yes"}


def test_who_changes_an_event(role_world):
    board, users = role_world
    event = _event(board, users["member"])
    assert answers(role_world, lambda p, b, u: p.can_edit_event(event)) == {
        "guest": "login", "member": "yes", "other_board_moderator": "no",
        "board_moderator": "yes", "moderator": "yes", "admin": "yes"}
    event.cancelled_at = T0
    db.session.commit()
    refused = Policy(users["admin"], T0).can_edit_event(event)
    assert not refused and "cancelled" in refused.reason


def test_answering_follows_the_clock(role_world):
    board, users = role_world
    event = _event(board, users["moderator"], rsvp_deadline=T0 + timedelta(days=1))
    assert answers(role_world, lambda p, b, u: p.can_rsvp(event)) == {
        "guest": "login", **dict.fromkeys(VIEWERS[1:], "yes")}
    late = Policy(users["member"], T0 + timedelta(days=1)).can_rsvp(event)
    assert not late and late.reason.startswith("Answers closed at 26 Nov 2026, 12:00")
    event.rsvp_deadline = None
    db.session.commit()
    started = Policy(users["member"], event.starts_at).can_rsvp(event)
    assert not started and "already started" in started.reason
    event.cancelled_at = T0
    db.session.commit()
    assert Policy(users["member"], T0).can_rsvp(event).reason == "This event was cancelled."
