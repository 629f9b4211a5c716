"""`forum run-timers`: event reminders, sent once per start time however often it runs."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import EventRsvp, utcnow
from forum.services.community import event_rsvp, events
from forum.services.site import settings, timers
from tests import factories
from tests.factories import said
from tests.services.event_kit import T0, event_data, event_notes, make_event
from tests.services.moderation_kit import race


@pytest.fixture
def event(app, moderator):
    return make_event(moderator, factories.make_board(), start=T0 + timedelta(days=1))


def test_reminders_go_once_to_going_members(event, member, other_member):
    maybe = factories.make_user()
    event_rsvp.answer_event(member, event, "going", now=T0)
    event_rsvp.answer_event(other_member, event, "going", now=T0)
    event_rsvp.answer_event(maybe, event, "maybe", now=T0)
    early = event.starts_at - timedelta(minutes=61)
    assert timers.send_event_reminders(early) == 0
    due = event.starts_at - timedelta(minutes=30)
    assert timers.run_timers(due).event_reminders == 2
    assert timers.run_timers(due + timedelta(minutes=1)).event_reminders == 0
    assert [said(n).startswith("Starting soon") for n in event_notes(member)] == [True]
    assert len(event_notes(other_member)) == 1 and event_notes(maybe) == []
    assert timers.send_event_reminders(event.starts_at) == 0  # started: too late


def test_rescheduling_reminds_again(event, moderator, member):
    event_rsvp.answer_event(member, event, "going", now=T0)
    assert timers.send_event_reminders(event.starts_at - timedelta(minutes=10)) == 1
    later = event.starts_at + timedelta(days=1)
    events.edit_event(moderator, event, event_data(later), now=T0)
    assert db.session.scalar(select(EventRsvp.reminded_at)) is None
    assert timers.send_event_reminders(later - timedelta(minutes=10)) == 1
    texts = [said(n) for n in event_notes(member)]
    assert [t.split(":")[0] for t in texts] == [
        "Starting soon", "“Soldering meetup” has a new time", "Starting soon"]


def test_a_new_end_alone_does_not_remind_again(event, moderator, member):
    event_rsvp.answer_event(member, event, "going", now=T0)
    due = event.starts_at - timedelta(minutes=30)
    assert timers.send_event_reminders(due) == 1
    events.edit_event(moderator, event, event_data(event.starts_at, hours=3), now=due)
    assert timers.send_event_reminders(due + timedelta(minutes=1)) == 0
    texts = [said(n).split(":")[0] for n in event_notes(member)]
    assert texts == ["Starting soon", "“Soldering meetup” has a new time"]


def test_cancelled_events_and_disabled_setting_send_nothing(app, event, moderator, member,
                                                           admin):
    event_rsvp.answer_event(member, event, "going", now=T0)
    settings.update(admin, {"event_reminder_minutes": "0"})
    assert timers.send_event_reminders(event.starts_at - timedelta(minutes=10)) == 0
    settings.update(admin, {"event_reminder_minutes": "120"})
    assert timers.send_event_reminders(event.starts_at - timedelta(minutes=100)) == 1
    other = make_event(moderator, factories.make_board(), start=T0 + timedelta(days=2))
    event_rsvp.answer_event(member, other, "going", now=T0)
    events.cancel_event(moderator, other, "No room", now=T0)
    assert timers.send_event_reminders(other.starts_at - timedelta(minutes=10)) == 0


def test_no_reminder_once_the_board_is_closed_to_the_member(event, moderator, member):
    from forum.models import Access

    event_rsvp.answer_event(member, event, "going", now=T0)
    event_rsvp.answer_event(moderator, event, "going", now=T0)
    event.board.access = Access.STAFF
    db.session.commit()
    due = event.starts_at - timedelta(minutes=10)
    assert timers.send_event_reminders(due) == 1
    assert event_notes(member) == [] and len(event_notes(moderator)) == 1
    # Opened again before the start: the reminder still goes, once.
    event.board.access = Access.EVERYONE
    db.session.commit()
    assert timers.send_event_reminders(due + timedelta(minutes=1)) == 1
    assert len(event_notes(member)) == 1


def test_overlapping_runs_send_each_reminder_once(app, event):
    members = [factories.make_user() for _ in range(5)]
    for user in members:
        event_rsvp.answer_event(user, event, "going", now=T0)
    due = event.starts_at - timedelta(minutes=5)
    results = race(app, *[(lambda: (lambda: timers.send_event_reminders(due)))
                          for _ in range(3)])
    assert all(kind == "ok" for kind, _ in results), results
    assert sum(value for _, value in results) == 5
    assert all(len(event_notes(user)) == 1 for user in members)


def test_cli_command(runner, moderator, member):
    now = utcnow()
    soon = make_event(moderator, factories.make_board(), start=now + timedelta(minutes=30),
                      now=now)
    event_rsvp.answer_event(member, soon, "going", now=now)
    result = runner.invoke(args=["forum", "run-timers"])
    assert result.exit_code == 0, result.output
    assert "Sent 1 event reminder." in result.output
    again = runner.invoke(args=["forum", "run-timers"])
    assert "Sent 0 event reminders." in again.output
