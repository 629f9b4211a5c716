"""Events: creating with a discussion thread, editing, cancelling, answering and the waitlist."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import Conflict, Refused
from forum.extensions import db
from forum.models import Access, Event, EventRsvp, ModAction, Post, Thread
from forum.services.community import event_rsvp, events
from forum.services.content import posting
from tests import factories
from tests.factories import said, said_body
from tests.services.event_kit import T0, event_data, event_notes, make_event, rsvp_status
from tests.services.moderation_kit import race


@pytest.fixture
def board(app):
    return factories.make_board(slug="meetups", allows_member_events=True)


# -- creating -----------------------------------------------------------------------------------
def test_create_stores_utc_and_opens_a_linked_thread(board, moderator):
    start = datetime(2026, 12, 3, 17, 30, tzinfo=UTC)  # 18:30 in Paris (CET)
    event = events.create_event(
        moderator, board, event_data(start, tz="Europe/Paris", capacity="12",
                                     rsvp_deadline="2026-12-02T12:00"), now=T0)
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.starts_at == start
    assert event.ends_at == start + timedelta(hours=2)
    assert event.rsvp_deadline == datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    assert event.timezone == "Europe/Paris"
    assert (event.capacity, event.sequence, event.going_count) == (12, 0, 0)
    assert "<strong>project</strong>" in event.description_html
    thread = db.session.get(Thread, event.thread_id)
    assert thread.board_id == board.id and thread.title == event.title
    opening = db.session.get(Post, thread.first_post_id)
    assert f"/events/{event.id}" in opening.body_html
    entry = db.session.scalars(select(ModAction).where(ModAction.action == "event.create")).one()
    assert (entry.target_kind, entry.target_id) == ("event", event.id)


def test_the_event_its_thread_and_the_link_are_one_commit(board, moderator):
    from sqlalchemy import event as sa_event

    commits = []

    def counted(_session):
        commits.append(1)

    session = db.session()
    sa_event.listen(session, "after_commit", counted)
    try:
        event = make_event(moderator, board)
    finally:
        sa_event.remove(session, "after_commit", counted)
    assert len(commits) == 1
    db.session.expire_all()
    assert db.session.get(Event, event.id).thread_id is not None


def test_work_joined_to_a_new_thread_fails_with_it(board, moderator):
    def broken(thread):
        raise RuntimeError("the linked work failed")

    with pytest.raises(RuntimeError):
        posting.create_thread(moderator, board, "Never", "Saved", now=T0, then=broken)
    assert db.session.scalar(select(func.count(Thread.id))) == 0
    assert db.session.scalar(select(func.count(Post.id))) == 0


def test_member_creates_only_where_the_board_allows(board, member):
    event = make_event(member, board)
    assert event.author_id == member.id
    closed = factories.make_board()
    with pytest.raises(Refused) as refused:
        make_event(member, closed)
    assert refused.value.status == 403
    assert db.session.scalar(select(func.count(Event.id))) == 1


def test_board_moderator_creates_in_their_board(app):
    board = factories.make_board()
    boss = factories.make_board_moderator(factories.make_user(), board)
    assert make_event(boss, board).board_id == board.id
    with pytest.raises(Refused):
        make_event(boss, factories.make_board())


def test_guest_cannot_create(board):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Refused) as refused:
        make_event(AnonymousUserMixin(), board)
    assert refused.value.login_required


BAD_INPUT = [
    ({"title": "  "}, "title", "needs a title"),
    ({"title": "x" * 151}, "title", "at most 150"),
    ({"description": "x" * 20_001}, "description", "at most 20,000"),
    ({"kind": "party"}, "kind", "kind of event"),
    ({"timezone": "Mars/Olympus"}, "timezone", "time zone"),
    ({"starts_at": "tomorrow"}, "starts_at", "date and time"),
    ({"starts_at": "2026-02-30T10:00"}, "starts_at", "doesn't exist"),
    ({"ends_at": "2026-12-02T13:00"}, "ends_at", "end after it starts"),
    ({"starts_at": "2026-11-20T10:00", "ends_at": "2026-11-20T12:00"}, "starts_at", "future"),
    ({"capacity": "0"}, "capacity", "at least 1"),
    ({"capacity": "-4"}, "capacity", "at least 1"),
    ({"capacity": "ten"}, "capacity", "whole number"),
    ({"capacity": "²"}, "capacity", "whole number"),
    ({"capacity": "--5"}, "capacity", "whole number"),
    ({"starts_at": "9999-12-31T10:00", "ends_at": "9999-12-31T12:00"}, "starts_at", "ten years"),
    ({"ends_at": "2040-01-01T00:00"}, "ends_at", "ten years"),
    ({"capacity": "1000001"}, "capacity", "at most"),
    ({"rsvp_deadline": "2026-12-02T15:00"}, "rsvp_deadline", "after the start"),
    ({"rsvp_deadline": "2026-11-24T15:00"}, "rsvp_deadline", "future"),
    ({"online_url": "javascript:alert(1)"}, "online_url", "http:// or https://"),
    ({"online_url": "ftp://files.example/x"}, "online_url", "http:// or https://"),
    ({"online_url": "https://x.example/" + "a" * 500}, "online_url", "at most 500"),
    ({"location": "y" * 201}, "location", "at most 200"),
]


@pytest.mark.parametrize(("overrides", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_and_nothing_is_saved(board, moderator, overrides, field, message):
    start = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
    with pytest.raises(posting.InvalidInput) as refused:
        events.create_event(moderator, board, event_data(start, **overrides), now=T0)
    assert refused.value.status == 400
    assert refused.value.field == field
    assert message in refused.value.reason
    db.session.rollback()
    assert db.session.scalar(select(func.count(Event.id))) == 0
    assert db.session.scalar(select(func.count(Thread.id))) == 0


def test_a_refused_thread_leaves_no_event(app, board, member):
    app.config["MEMBER_COOLDOWNS"] = True
    posting.create_thread(member, board, "First", "Hello", now=T0)
    with pytest.raises(Refused) as refused:
        make_event(member, board, now=T0 + timedelta(seconds=1))
    assert refused.value.status == 429
    assert db.session.scalar(select(func.count(Event.id))) == 0


# -- editing and cancelling ---------------------------------------------------------------------
def test_edit_reschedule_bumps_sequence_clears_reminders_and_notifies(board, moderator,
                                                                    member, other_member):
    event = make_event(moderator, board)
    event_rsvp.answer_event(member, event, "going", now=T0)
    event_rsvp.answer_event(other_member, event, "declined", now=T0)
    db.session.execute(EventRsvp.__table__.update().values(reminded_at=T0))
    db.session.commit()
    start = event.starts_at + timedelta(days=1)
    events.edit_event(moderator, event, event_data(start), now=T0)
    assert event.starts_at == start and event.sequence == 1
    assert all(row.reminded_at is None for row in db.session.scalars(select(EventRsvp)))
    assert ["new time" in said(n) for n in event_notes(member)] == [True]
    assert event_notes(other_member) == []  # "can't go" isn't told
    entry = db.session.scalars(select(ModAction).where(ModAction.action == "event.edit")).one()
    assert entry.before["starts_at"] != entry.after["starts_at"]


def test_edit_without_time_change_keeps_reminders(board, moderator, member):
    event = make_event(moderator, board)
    event_rsvp.answer_event(member, event, "going", now=T0)
    db.session.execute(EventRsvp.__table__.update().values(reminded_at=T0))
    db.session.commit()
    events.edit_event(moderator, event, event_data(event.starts_at, title="Renamed"), now=T0)
    assert (event.title, event.sequence) == ("Renamed", 1)
    assert db.session.scalar(select(EventRsvp.reminded_at)) is not None
    assert event_notes(member) == []


def test_unchanged_edit_changes_nothing(board, moderator):
    event = make_event(moderator, board)
    events.edit_event(moderator, event, event_data(event.starts_at), now=T0)
    assert event.sequence == 0
    assert db.session.scalar(select(func.count(ModAction.id))
                             .where(ModAction.action == "event.edit")) == 0


def test_only_author_and_moderators_edit(board, member, other_member, moderator):
    event = make_event(member, board)
    with pytest.raises(Refused) as refused:
        events.edit_event(other_member, event, event_data(event.starts_at, title="Mine"), now=T0)
    assert refused.value.status == 403
    events.edit_event(member, event, event_data(event.starts_at, title="Author"), now=T0)
    events.edit_event(moderator, event, event_data(event.starts_at, title="Moderator"), now=T0)
    assert event.title == "Moderator"


def test_edit_bad_input_saves_nothing(board, moderator):
    event = make_event(moderator, board)
    with pytest.raises(posting.InvalidInput):
        events.edit_event(moderator, event, event_data(event.starts_at, hours=-1), now=T0)
    db.session.rollback()
    assert db.session.get(Event, event.id).ends_at > event.starts_at


def test_moving_an_event_into_the_past_is_refused(board, moderator):
    event = make_event(moderator, board)
    with pytest.raises(posting.InvalidInput) as refused:
        events.edit_event(moderator, event, event_data(T0 - timedelta(hours=3)), now=T0)
    assert refused.value.field == "starts_at"


def test_more_capacity_lets_the_waitlist_in(board, moderator):
    event = make_event(moderator, board, capacity="1")
    first, second, third = (factories.make_user() for _ in range(3))
    for user in (first, second, third):
        event_rsvp.answer_event(user, event, "going", now=T0)
    assert (event.going_count, event.waitlist_count) == (1, 2)
    events.edit_event(moderator, event, event_data(event.starts_at, capacity="2"), now=T0)
    db.session.refresh(event)
    assert (event.going_count, event.waitlist_count) == (2, 1)
    assert rsvp_status(event, second) == "going" and rsvp_status(event, third) == "waitlisted"
    assert "place opened up" in said(event_notes(second)[0])


def test_cancel_notifies_logs_and_freezes(board, moderator, member, other_member):
    event = make_event(moderator, board)
    event_rsvp.answer_event(member, event, "maybe", now=T0)
    with pytest.raises(Refused) as refused:
        events.cancel_event(moderator, event, "   ", now=T0)
    assert refused.value.status == 400
    with pytest.raises(Refused):
        events.cancel_event(moderator, event, "x" * 501, now=T0)
    events.cancel_event(moderator, event, "Venue flooded", now=T0)
    assert event.is_cancelled and event.cancel_reason == "Venue flooded" and event.sequence == 1
    assert said_body(event_notes(member)[0]) == "Reason: Venue flooded"
    entry = db.session.scalars(select(ModAction).where(ModAction.action == "event.cancel")).one()
    assert entry.reason == "Venue flooded"
    with pytest.raises(Refused):
        events.edit_event(moderator, event, event_data(event.starts_at, title="Back"), now=T0)
    with pytest.raises(Refused) as refused:
        event_rsvp.answer_event(other_member, event, "going", now=T0)
    assert refused.value.status == 400 and "cancelled" in refused.value.reason


def test_members_the_board_closed_to_hear_nothing(board, moderator, member, other_member):
    event = make_event(moderator, board)
    event_rsvp.answer_event(member, event, "going", now=T0)
    event_rsvp.answer_event(other_member, event, "maybe", now=T0)
    factories.make_board_moderator(other_member, board)
    board.access = Access.STAFF
    db.session.commit()
    later = event.starts_at + timedelta(days=1)
    events.edit_event(moderator, event, event_data(later, title="Secret plans"), now=T0)
    events.cancel_event(moderator, event, "Called off", now=T0)
    assert event_notes(member) == []
    assert [said(n).split(" ")[0] for n in event_notes(other_member)] == ["“Secret", "“Secret"]


def test_cancelling_twice_is_a_conflict(board, moderator):
    event = make_event(moderator, board)
    stale = db.session.get(Event, event.id)
    db.session.execute(Event.__table__.update().values(cancelled_at=T0))
    db.session.commit()
    # As a page loaded before the other cancellation would see it.
    set_committed_value(stale, "cancelled_at", None)
    with pytest.raises(Conflict):
        events.cancel_event(moderator, stale, "Again", now=T0)


# -- answering ----------------------------------------------------------------------------------
def test_answers_move_the_counters(board, moderator, member):
    event = make_event(moderator, board)
    assert event_rsvp.answer_event(member, event, "going", now=T0) == "going"
    assert (event.going_count, event.maybe_count) == (1, 0)
    assert event_rsvp.answer_event(member, event, "maybe", now=T0) == "maybe"
    assert (event.going_count, event.maybe_count) == (0, 1)
    assert event_rsvp.answer_event(member, event, "declined", now=T0) == "declined"
    assert (event.maybe_count, event.declined_count) == (0, 1)
    assert event_rsvp.answer_event(member, event, "declined", now=T0) == "declined"
    assert event.declined_count == 1


@pytest.mark.parametrize("answer", ["", "waitlisted", "yes", "GOING"])
def test_unknown_answers_are_refused(board, moderator, member, answer):
    event = make_event(moderator, board)
    with pytest.raises(Refused) as refused:
        event_rsvp.answer_event(member, event, answer, now=T0)
    assert refused.value.status == 400
    assert rsvp_status(event, member) is None


def test_answers_close_at_the_deadline_and_the_start(board, moderator, member):
    event = make_event(moderator, board, rsvp_deadline="2026-12-01T12:00")
    deadline = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    event_rsvp.answer_event(member, event, "going", now=deadline - timedelta(seconds=1))
    with pytest.raises(Refused) as refused:
        event_rsvp.answer_event(member, event, "maybe", now=deadline)
    assert refused.value.status == 400 and "closed" in refused.value.reason
    with pytest.raises(Refused) as refused:
        event_rsvp.answer_event(member, event, "maybe", now=event.starts_at)
    assert "started" in refused.value.reason
    assert rsvp_status(event, member) == "going"


def test_hidden_board_events_refuse_answers(moderator, member):
    staff = factories.make_board(access=Access.STAFF)
    event = make_event(moderator, staff)
    with pytest.raises(Refused) as refused:
        event_rsvp.answer_event(member, event, "going", now=T0)
    assert refused.value.status == 403


def test_full_event_waitlists_and_promotes_in_order(board, moderator):
    event = make_event(moderator, board, capacity="2")
    a, b, c, d = (factories.make_user() for _ in range(4))
    assert [event_rsvp.answer_event(u, event, "going", now=T0 + timedelta(minutes=i))
            for i, u in enumerate((a, b, c, d))] == ["going", "going", "waitlisted", "waitlisted"]
    assert (event.going_count, event.waitlist_count, event.places_left) == (2, 2, 0)
    # A waiting member asking to go again keeps their place in the queue.
    assert event_rsvp.answer_event(c, event, "going", now=T0 + timedelta(hours=1)) == "waitlisted"
    event_rsvp.answer_event(a, event, "maybe", now=T0 + timedelta(hours=2))
    assert rsvp_status(event, c) == "going" and rsvp_status(event, d) == "waitlisted"
    assert (event.going_count, event.waitlist_count, event.maybe_count) == (2, 1, 1)
    assert "place opened up" in said(event_notes(c)[0]) and event_notes(d) == []
    event_rsvp.answer_event(b, event, "declined", now=T0 + timedelta(hours=3))
    assert rsvp_status(event, d) == "going"
    assert (event.going_count, event.waitlist_count, event.declined_count) == (2, 0, 1)


def test_waitlist_order_is_by_last_answer_then_id(board, moderator):
    event = make_event(moderator, board, capacity="1")
    holder, early, late = (factories.make_user() for _ in range(3))
    event_rsvp.answer_event(holder, event, "going", now=T0)
    event_rsvp.answer_event(late, event, "going", now=T0 + timedelta(minutes=5))
    event_rsvp.answer_event(early, event, "going", now=T0 + timedelta(minutes=5))
    event_rsvp.answer_event(holder, event, "declined", now=T0 + timedelta(minutes=9))
    assert rsvp_status(event, late) == "going"  # same time, lower id first


def test_a_place_freed_between_full_and_waitlisted_is_taken(board, moderator, member,
                                                              other_member, monkeypatch):
    event = make_event(moderator, board, capacity="1")
    event_rsvp.answer_event(member, event, "going", now=T0)
    real = event_rsvp._take_place
    calls = []

    def full_then_freed(event_id):
        calls.append(event_id)
        taken = real(event_id)
        if len(calls) == 1:
            # Another member's "can't go" lands right after this answer found no place.
            db.session.execute(update(EventRsvp).where(EventRsvp.user_id == member.id)
                               .values(status="declined"))
            db.session.execute(update(Event).where(Event.id == event_id).values(
                going_count=Event.going_count - 1, declined_count=Event.declined_count + 1))
        return taken

    monkeypatch.setattr(event_rsvp, "_take_place", full_then_freed)
    assert event_rsvp.answer_event(other_member, event, "going", now=T0) == "going"
    assert (event.going_count, event.waitlist_count) == (1, 0)
    assert rsvp_status(event, other_member) == "going"


def test_a_waiting_member_the_board_closed_to_is_passed_over(board, moderator):
    """The board became the team's only: a waiting member who lost access is passed over but
    keeps their place in the line; the next one who can still see it gets the place."""
    event = make_event(moderator, board, capacity="1")
    holder, shut_out, next_in_line = (factories.make_user() for _ in range(3))
    event_rsvp.answer_event(holder, event, "going", now=T0)
    event_rsvp.answer_event(shut_out, event, "going", now=T0 + timedelta(minutes=1))
    event_rsvp.answer_event(next_in_line, event, "going", now=T0 + timedelta(minutes=2))
    board.access = Access.STAFF
    factories.make_board_moderator(holder, board)
    factories.make_board_moderator(next_in_line, board)
    event_rsvp.answer_event(holder, event, "declined", now=T0 + timedelta(minutes=3))
    assert rsvp_status(event, next_in_line) == "going"
    assert rsvp_status(event, shut_out) == "waitlisted" and event_notes(shut_out) == []
    assert (event.going_count, event.waitlist_count) == (1, 1)


def test_leaving_the_waitlist_needs_no_promotion(board, moderator):
    event = make_event(moderator, board, capacity="1")
    holder, waiting = factories.make_user(), factories.make_user()
    event_rsvp.answer_event(holder, event, "going", now=T0)
    event_rsvp.answer_event(waiting, event, "going", now=T0)
    event_rsvp.answer_event(waiting, event, "maybe", now=T0)
    assert (event.going_count, event.waitlist_count, event.maybe_count) == (1, 0, 1)


# -- capacity under concurrency ----------------------------------------------------------------
def _answer_job(event_id: int, user_id: int):
    def job():
        from forum.models import User

        user = db.session.get(User, user_id)
        event = db.session.get(Event, event_id)
        return lambda: event_rsvp.answer_event(user, event, "going", now=T0)

    return job


def test_concurrent_answers_never_exceed_capacity(app, board, moderator):
    event = make_event(moderator, board, capacity="3")
    users = [factories.make_user() for _ in range(8)]
    results = race(app, *[_answer_job(event.id, user.id) for user in users])
    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(value for _, value in results) == ["going"] * 3 + ["waitlisted"] * 5
    event = db.session.get(Event, event.id)
    assert (event.going_count, event.waitlist_count) == (3, 5)
    going = db.session.scalar(select(func.count(EventRsvp.id)).where(
        EventRsvp.event_id == event.id, EventRsvp.status == "going"))
    assert going == 3


def test_concurrent_race_for_the_last_place(app, board, moderator):
    event = make_event(moderator, board, capacity="4")
    for _ in range(3):
        event_rsvp.answer_event(factories.make_user(), event, "going", now=T0)
    racers = [factories.make_user() for _ in range(6)]
    results = race(app, *[_answer_job(event.id, user.id) for user in racers])
    assert [value for _, value in results].count("going") == 1, results
    event = db.session.get(Event, event.id)
    assert (event.going_count, event.waitlist_count, event.capacity) == (4, 5, 4)


def test_same_member_answering_twice_at_once_counts_once(app, board, moderator, member):
    event = make_event(moderator, board, capacity="5")
    results = race(app, *[_answer_job(event.id, member.id) for _ in range(3)])
    assert any(kind == "ok" for kind, _ in results)
    assert all(kind == "ok" or isinstance(value, Conflict) for kind, value in results), results
    event = db.session.get(Event, event.id)
    assert (event.going_count, event.waitlist_count) == (1, 0)
