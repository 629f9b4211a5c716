"""Removing a reported private message from its conversation, from the report queue: the
participants see that a moderator removed it, the log has it in the same transaction as the
report's closing, the reporter hears the outcome and the author is told; every refusal saves
nothing."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, Refused
from forum.extensions import db
from forum.models import (
    ItemStatus,
    Message,
    ModAction,
    Notification,
    NotificationKind,
)
from forum.policy import Policy
from forum.services import data_export
from forum.services.conversations import reading, writing
from forum.services.moderation import reported_messages, reports, resolution
from forum.services.moderation.resolution import Action, ActionKind
from tests import factories
from tests.factories import said


@pytest.fixture(autouse=True)
def _database_rate_limits(app):
    app.config["REDIS_URL"] = None


@pytest.fixture
def alice(app):
    return factories.make_established_user("alice")


@pytest.fixture
def bob(app):
    return factories.make_established_user("bob")


@pytest.fixture
def reported(alice, bob):
    """bob's threat in a conversation with alice, reported by alice."""
    conversation = writing.start(alice, "bob", "The drill", "Still for sale?")
    writing.reply(bob, conversation, "Yes, 40 euros")
    message = writing.reply(bob, conversation, "Pay or you will regret it")
    item = reports.file_report(alice, message, "harassment", "A threat").item
    return conversation, message, item


def _removals() -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == "message.hide")))


def _notes(user, kind) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)))


def test_removing_hides_it_logs_it_and_tells_reporter_and_author(alice, bob, moderator,
                                                                 reported):
    conversation, message, item = reported
    done = resolution.resolve(moderator, item, [Action(ActionKind.HIDE_MESSAGE, "Threats")])
    assert done.status == ItemStatus.RESOLVED
    db.session.expire_all()
    assert db.session.get(Message, message.id).is_hidden
    (entry,) = _removals()
    assert entry.actor_id == moderator.id and entry.item_id == item.id
    assert entry.reason == "Threats" and entry.target_user_id == bob.id
    assert entry.created_at == db.session.get(Message, message.id).hidden_at
    assert "removed the message" in resolution.summaries.summary_text(done.item.resolution)
    (outcome,) = _notes(alice, NotificationKind.REPORT_OUTCOME)
    assert outcome.key == "report.message.removed"
    assert "removed the message from the conversation" in said(outcome)
    assert outcome.link == conversation.url
    (told,) = _notes(bob, NotificationKind.MODERATION)
    assert said(told) == "A moderator removed your message in the conversation “The drill”."
    assert told.params["reason"] == "Threats" and told.actor_id is None
    # The participants see that it was removed, in its place; the rest stays.
    page = reading.page_of(Policy(alice), conversation.id)
    assert [m.is_hidden for m in page.messages] == [False, False, True]
    # It can't be reported again, and the team still reads it from the report.
    assert not Policy(alice).can_report_message(db.session.get(Message, message.id))
    shown = reported_messages.read_for_item(Policy(moderator), done.item)
    assert shown[-1].body == "Pay or you will regret it" and shown[-1].is_hidden


def test_removing_goes_with_a_sanction_in_one_step(alice, bob, moderator, reported):
    _conversation, message, item = reported
    resolution.resolve(moderator, item, [Action(ActionKind.HIDE_MESSAGE, "Threats"),
                                         Action(ActionKind.WARN, "Threats")])
    actions = [entry.action for entry in db.session.scalars(
        select(ModAction).where(ModAction.item_id == item.id).order_by(ModAction.id))]
    assert actions[-2:] == ["message.hide", "user.warn"]
    db.session.expire_all()
    assert db.session.get(Message, message.id).is_hidden


def test_the_export_keeps_a_removed_message_for_its_author_alone(alice, bob, moderator,
                                                                 reported):
    _conversation, message, item = reported
    resolution.resolve(moderator, item, [Action(ActionKind.HIDE_MESSAGE, "Threats")])
    (theirs,) = json.loads(data_export.export_json(alice))["conversations"]
    last = theirs["messages"][-1]
    assert last["removed_by_moderator"] and last["body"] is None
    (own,) = json.loads(data_export.export_json(bob))["conversations"]
    assert own["messages"][-1]["body"] == "Pay or you will regret it"


def _nothing_changed(message, item) -> None:
    db.session.expire_all()
    assert not db.session.get(Message, message.id).is_hidden
    assert _removals() == []
    assert db.session.get(type(item), item.id).status in (ItemStatus.OPEN, ItemStatus.CLAIMED)


@pytest.mark.parametrize("actions, status, says", [
    ([Action(ActionKind.HIDE_MESSAGE, "")], 400, "Please give a reason"),
    ([Action(ActionKind.HIDE_MESSAGE, "x"), Action(ActionKind.HIDE_MESSAGE, "y")], 400,
     "chosen twice"),
    ([Action(ActionKind.HIDE_MESSAGE, "x"), Action(ActionKind.DISMISS, "x")], 400,
     "can't be combined"),
    ([Action(ActionKind.HIDE_POST, "x")], 400, "about a private message, not a post"),
    ([Action(ActionKind.LOCK_THREAD, "x")], 400, "about a private message, not a thread"),
])
def test_bad_requests_save_nothing(moderator, reported, actions, status, says):
    _conversation, message, item = reported
    with pytest.raises(Refused) as refused:
        resolution.resolve(moderator, item, actions)
    assert refused.value.status == status and says in refused.value.reason
    _nothing_changed(message, item)


def test_only_who_handles_the_report_and_ranks_above_the_author_removes(alice, bob, reported):
    _conversation, message, item = reported
    board_moderator = factories.make_board_moderator(factories.make_user(),
                                                     factories.make_board())
    for who in (alice, bob, board_moderator):
        with pytest.raises(Refused) as refused:
            resolution.resolve(who, item, [Action(ActionKind.HIDE_MESSAGE, "Threats")])
        assert refused.value.status == 403
    _nothing_changed(message, item)
    # A moderator doesn't remove an administrator's message; an administrator does.
    chief = factories.make_established_user("chief", role="admin")
    conversation = writing.start(alice, "chief", "Question", "Hello")
    rude = writing.reply(chief, conversation, "Go away")
    other = reports.file_report(alice, rude, "harassment").item
    with pytest.raises(Refused) as refused:
        resolution.resolve(factories.make_user(role="moderator"), other,
                           [Action(ActionKind.HIDE_MESSAGE, "Rude")])
    assert refused.value.status == 403
    _nothing_changed(rude, other)
    resolution.resolve(factories.make_user(role="admin"), other,
                       [Action(ActionKind.HIDE_MESSAGE, "Rude")])
    assert db.session.get(Message, rude.id).is_hidden


def test_a_post_report_has_no_message_to_remove(moderator):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user(), title="Clocks")
    post = factories.make_post(thread, author=factories.make_user(), body="Cheap watches")
    item = reports.file_report(factories.make_user(), post, "spam").item
    with pytest.raises(Refused) as refused:
        resolution.resolve(moderator, item, [Action(ActionKind.HIDE_MESSAGE, "Spam")])
    assert refused.value.status == 400 and "isn't about a private message" in (
        refused.value.reason)
    assert _removals() == []


def test_a_closed_report_removes_nothing(moderator, reported):
    _conversation, message, item = reported
    resolution.dismiss(factories.make_user(role="moderator"), item, "Within the rules")
    with pytest.raises(Conflict):
        resolution.resolve(moderator, item, [Action(ActionKind.HIDE_MESSAGE, "Threats")])
    db.session.expire_all()
    assert not db.session.get(Message, message.id).is_hidden and _removals() == []


def test_a_message_removed_already_is_not_removed_twice(alice, bob, moderator, reported):
    conversation, message, item = reported
    resolution.resolve(moderator, item, [Action(ActionKind.HIDE_MESSAGE, "Threats")])
    # Called again for the closed report: the message's own condition refuses.
    with pytest.raises(Refused) as refused:
        reported_messages.hide_message(moderator, item, "Again")
    assert refused.value.status == 409
    db.session.rollback()
    assert len(_removals()) == 1
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.key == "message.hidden")) == 1
