"""Private conversations: starting, answering, leaving, adding people, reading, the rules
from the settings, notifications, blocks, reports of messages and the data export."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import InvalidField, NotFound, Refused
from forum.extensions import db
from forum.models import (
    ConversationParticipant,
    Message,
    ModAction,
    Notification,
    NotificationKind,
    ReportedMessage,
    utcnow,
)
from forum.policy import Policy
from forum.services import blocks, data_export
from forum.services.conversations import reading, writing
from forum.services.moderation import reported_messages, reports, resolution, sanctions
from forum.services.site import account_removal, settings
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
def carol(app):
    return factories.make_established_user("carol")


def notes_for(user, kind=NotificationKind.MESSAGE) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == kind)
        .order_by(Notification.id)))


# -- starting ----------------------------------------------------------------------------------
def test_a_conversation_starts_with_its_first_message_and_tells_each_recipient(alice, bob,
                                                                                 carol):
    conversation = writing.start(alice, "bob, @Carol", "  Trading  the   drill ",
                                 "Is it **still** for sale?<script>alert(1)</script>")
    assert conversation.subject == "Trading the drill"
    assert conversation.participant_count == 3 and conversation.message_count == 1
    message = db.session.scalar(select(Message).where(
        Message.conversation_id == conversation.id))
    assert "<strong>still</strong>" in message.body_html
    assert "<script" not in message.body_html
    assert conversation.last_message_id == message.id
    for person in (bob, carol):
        (note,) = notes_for(person)
        assert said(note) == "alice started a conversation with you: “Trading the drill”"
        assert note.link == f"/messages/{conversation.id}"
    assert notes_for(alice) == []


@pytest.mark.parametrize("names, message", [
    ("", "Name at least one member to write to."),
    ("nobody", "There is no member called nobody."),
    ("alice", "You can't start a conversation with yourself."),
])
def test_recipients_must_exist_and_be_someone_else(alice, bob, names, message):
    with pytest.raises(InvalidField) as refused:
        writing.start(alice, names, "Hi", "Hello")
    assert refused.value.reason == message and refused.value.field == "recipients"
    assert refused.value.status == 400


def test_a_deleted_account_is_nobody_to_write_to(alice, bob):
    account_removal.delete_own_account(bob, factories.PASSWORD, "keep")
    db.session.refresh(bob)
    with pytest.raises(InvalidField):
        writing.start(alice, bob.username, "Hi", "Hello")


def test_more_people_than_the_setting_allows_are_refused(alice, bob, carol):
    settings.update(factories.make_user(role="admin"), {"conversation_max_participants": 2})
    with pytest.raises(InvalidField) as refused:
        writing.start(alice, "bob carol", "Hi", "Hello")
    assert "at most 2 people" in refused.value.reason
    assert writing.start(alice, "bob", "Hi", "Hello").participant_count == 2


def test_subject_and_message_are_required_and_bounded(alice, bob):
    with pytest.raises(InvalidField) as refused:
        writing.start(alice, "bob", "   ", "Hello")
    assert refused.value.field == "subject"
    with pytest.raises(InvalidField) as refused:
        writing.start(alice, "bob", "Hi", "x" * (writing.BODY_MAX + 1))
    assert refused.value.field == "body"


def test_new_members_answer_but_do_not_start(app, alice):
    newcomer = factories.make_user("newcomer")
    with pytest.raises(Refused) as refused:
        writing.start(newcomer, "alice", "Hi", "Hello")
    assert refused.value.status == 403
    assert "New members can start conversations" in refused.value.reason
    conversation = writing.start(alice, "newcomer", "Welcome", "Hello there")
    writing.reply(newcomer, conversation, "Thanks!")
    # The settings decide what "new" is.
    settings.update(factories.make_user(role="admin"), {"conversation_new_member_hours": 0,
                                                         "conversation_new_member_posts": 0})
    assert writing.start(newcomer, "alice", "Hi", "Hello").id


def test_a_timed_out_member_may_not_start_but_may_answer_the_team(alice, bob, moderator):
    sanctions.timeout(moderator, bob, "Heated", timedelta(hours=2))
    with pytest.raises(Refused) as refused:
        writing.start(bob, "alice", "Hi", "Hello")
    assert refused.value.status == 429 and "timeout" in refused.value.reason
    ordinary = writing.start(alice, "bob", "Hi", "Hello")
    with pytest.raises(Refused):
        writing.reply(bob, ordinary, "Can't answer this one")
    team = writing.start_for_team(moderator, bob, "Your last posts", "Let's talk first.")
    assert team.is_team
    writing.reply(bob, team, "Sorry, I got carried away.")
    assert team.message_count == 2


def test_suspended_members_send_nothing_and_receive_nothing_new(alice, bob, moderator):
    team = writing.start_for_team(moderator, bob, "About the suspension", "Here is why.")
    sanctions.suspend(moderator, bob, "Spam", utcnow() + timedelta(days=2))
    with pytest.raises(Refused) as refused:
        writing.reply(bob, team, "Let me explain")
    assert "suspended" in refused.value.reason
    with pytest.raises(InvalidField) as refused:
        writing.start(alice, "bob", "Hi", "Hello")
    assert refused.value.reason == "bob can't receive messages from you."


def test_blocked_reads_like_away_so_a_block_stays_private(alice, bob, moderator):
    blocks.block(bob, alice)
    with pytest.raises(InvalidField) as refused:
        writing.start(alice, "bob", "Hi", "Hello")
    assert refused.value.reason == "bob can't receive messages from you."
    # No block keeps the team out.
    team = writing.start_for_team(moderator, bob, "Hello", "From the team")
    assert team.participant_count == 2
    blocks.block(bob, moderator)
    assert writing.start_for_team(moderator, bob, "Again", "From the team").is_team


def test_the_hourly_limit_counts_new_conversations(alice, bob, carol):
    settings.update(factories.make_user(role="admin"), {"conversations_per_hour": 2})
    now = utcnow()
    writing.start(alice, "bob", "One", "1", now=now)
    writing.start(alice, "carol", "Two", "2", now=now)
    with pytest.raises(Refused) as refused:
        writing.start(alice, "bob", "Three", "3", now=now)
    assert refused.value.status == 429 and refused.value.retry_after
    # A refused start counted nothing, and answering is not limited.
    conversation = writing.start(alice, "bob", "Later", "4", now=now + timedelta(hours=1,
                                                                                   seconds=1))
    writing.reply(alice, conversation, "more")


def test_a_start_refused_after_counting_gives_the_count_back(alice, bob):
    settings.update(factories.make_user(role="admin"), {"conversations_per_hour": 1})
    with pytest.raises(InvalidField):
        writing.start(alice, "bob", "Hi", "")
    assert writing.start(alice, "bob", "Hi", "Hello").id


# -- answering, reading, leaving ---------------------------------------------------------------
def test_only_participants_read_not_even_administrators(alice, bob, admin, moderator):
    conversation = writing.start(alice, "bob", "Private", "Just us")
    for outsider in (admin, moderator, factories.make_user()):
        with pytest.raises(NotFound):
            reading.page_of(Policy(outsider), conversation.id)
        with pytest.raises(Refused):
            writing.reply(outsider, conversation, "Let me in")
    page = reading.page_of(Policy(bob), conversation.id)
    assert [message.body for message in page.messages] == ["Just us"]


def test_reading_marks_read_and_the_next_message_notifies_again(alice, bob):
    conversation = writing.start(alice, "bob", "Drill", "Still for sale?")
    assert notes_for(bob)[0].read_at is None
    writing.reply(alice, conversation, "Hello?")
    assert len(notes_for(bob)) == 1  # not read yet: no second notification
    page = reading.page_of(Policy(bob), conversation.id)
    assert page.read_before == 0
    assert notes_for(bob)[0].read_at is not None  # read with the conversation
    writing.reply(bob, conversation, "Yes, 40 euros.")
    (note,) = notes_for(alice)
    assert said(note) == "bob wrote in “Drill”"
    writing.reply(alice, conversation, "Deal")
    assert len(notes_for(bob)) == 2


def test_the_list_has_unread_counts_and_the_latest_message(alice, bob, carol):
    first = writing.start(alice, "bob", "First", "one")
    second = writing.start(carol, "bob", "Second", "two")
    writing.reply(alice, first, "three")
    listing = reading.inbox(Policy(bob))
    assert [row.conversation.id for row in listing.rows] == [first.id, second.id]
    assert [row.unread for row in listing.rows] == [2, 1]
    assert listing.rows[0].last_message.body == "three"
    assert listing.rows[0].last_author.username == "alice"
    assert [person.username for person in listing.rows[0].others] == ["alice"]
    count = db.session.scalar(select(reading.unread_count_query()), {"viewer_id": bob.id})
    assert count == 2
    reading.page_of(Policy(bob), first.id)
    assert db.session.scalar(select(reading.unread_count_query()),
                             {"viewer_id": bob.id}) == 1


def test_leaving_ends_reading_and_answering(alice, bob):
    conversation = writing.start(alice, "bob", "Hi", "Hello")
    writing.leave(bob, conversation)
    db.session.refresh(conversation)
    assert conversation.participant_count == 1
    with pytest.raises(Refused) as refused:
        writing.reply(bob, conversation, "Wait")
    assert refused.value.reason == "You left this conversation, so you can no longer read it."
    assert reading.inbox(Policy(bob)).rows == []
    with pytest.raises(Refused):
        writing.leave(bob, conversation)


def test_only_the_starter_adds_people_within_the_limit(alice, bob, carol):
    settings.update(factories.make_user(role="admin"), {"conversation_max_participants": 3})
    conversation = writing.start(alice, "bob", "Hi", "Hello")
    with pytest.raises(Refused) as refused:
        writing.add_participant(bob, conversation, "carol")
    assert "Only the member who started" in refused.value.reason
    writing.add_participant(alice, conversation, "carol")
    assert said(notes_for(carol)[0]) == "alice added you to the conversation “Hi”"
    assert [m.body for m in reading.page_of(Policy(carol), conversation.id).messages] == [
        "Hello"]
    with pytest.raises(InvalidField) as refused:
        writing.add_participant(alice, conversation, "carol")
    assert refused.value.reason == "carol is already in this conversation."
    with pytest.raises(InvalidField) as refused:
        writing.add_participant(alice, conversation, factories.make_established_user().username)
    assert "at most 3 people" in refused.value.reason
    # Someone who left may be brought back.
    writing.leave(carol, conversation)
    writing.add_participant(alice, conversation, "carol")
    db.session.refresh(conversation)
    assert conversation.participant_count == 3


def test_a_member_brought_back_reads_it_whole_and_what_they_missed_is_new(alice, bob, carol):
    """Decided: someone added again reads the whole conversation, like anyone added, what
    was written while they were away included; only what they missed counts as new."""
    start = datetime(2026, 5, 1, tzinfo=UTC)
    conversation = writing.start(alice, "bob, carol", "Trade", "Hello", now=start)
    writing.reply(bob, conversation, "Hi", now=start + timedelta(minutes=1))
    reading.page_of(Policy(carol, start), conversation.id, now=start + timedelta(minutes=2))
    writing.leave(carol, conversation, now=start + timedelta(minutes=3))
    writing.reply(bob, conversation, "While carol was away",
                  now=start + timedelta(minutes=4))
    # Away: nothing to read, nothing heard.
    with pytest.raises(Refused):
        reading.page_of(Policy(carol), conversation.id)
    assert [note.key for note in notes_for(carol)] == ["conversation.started"]
    # Only the starter brings her back, and only once.
    with pytest.raises(Refused):
        writing.add_participant(bob, conversation, "carol")
    writing.add_participant(alice, conversation, "carol", now=start + timedelta(minutes=5))
    with pytest.raises(InvalidField) as refused:
        writing.add_participant(alice, conversation, "carol")
    assert refused.value.reason == "carol is already in this conversation."
    assert said(notes_for(carol)[-1]) == "alice added you to the conversation “Trade”"
    (row,) = reading.inbox(Policy(carol)).rows
    assert row.unread == 1
    page = reading.page_of(Policy(carol), conversation.id)
    assert [m.body for m in page.messages] == ["Hello", "Hi", "While carol was away"]
    assert [m.body for m in page.messages if m.id > page.read_before] == [
        "While carol was away"]
    # Back in it: she answers, hears of answers, and her export holds it all.
    writing.reply(carol, conversation, "I'm back", now=start + timedelta(minutes=6))
    writing.reply(alice, conversation, "Welcome", now=start + timedelta(minutes=7))
    assert notes_for(carol)[-1].key == "conversation.message"
    (exported,) = json.loads(data_export.export_json(carol))["conversations"]
    assert [m["body"] for m in exported["messages"]] == [
        "Hello", "Hi", "While carol was away", "I'm back", "Welcome"]
    assert exported["left_at"] is None


def test_bringing_back_a_member_who_blocked_the_starter_is_refused(alice, bob):
    conversation = writing.start(alice, "bob", "Trade", "Hello")
    writing.leave(bob, conversation)
    blocks.block(bob, alice)
    with pytest.raises(InvalidField) as refused:
        writing.add_participant(alice, conversation, "bob")
    assert refused.value.reason == "bob can't receive messages from you."
    with pytest.raises(Refused):
        reading.page_of(Policy(bob), conversation.id)
    db.session.refresh(conversation)
    assert conversation.participant_count == 1


def test_a_deleted_accounts_messages_stay_as_from_a_deleted_member(alice, bob):
    conversation = writing.start(alice, "bob", "Hi", "Hello")
    writing.reply(bob, conversation, "Bye for good")
    account_removal.delete_account(factories.make_user(role="admin"), bob, "keep",
                                   "Asked us to")
    page = reading.page_of(Policy(alice), conversation.id)
    assert [message.author.name for message in page.messages] == ["alice", "Deleted member"]
    assert [person.has_left for person in page.people] == [False, True]
    with pytest.raises(InvalidField):
        writing.start(alice, page.messages[1].author.username, "Hi", "Hello")


# -- notifications and blocks --------------------------------------------------------------
def test_a_blocker_hears_nothing_of_the_blocked_members_messages(alice, bob, carol):
    conversation = writing.start(alice, "bob carol", "Group", "Hello")
    reading.page_of(Policy(bob), conversation.id)
    reading.page_of(Policy(carol), conversation.id)
    blocks.block(bob, carol)
    writing.reply(carol, conversation, "Hi all")
    assert len(notes_for(bob)) == 1  # only the first one
    assert len(notes_for(alice)) == 1


def test_blocking_is_one_block_and_can_be_lifted(alice, bob):
    blocks.block(alice, bob)
    blocks.block(alice, bob, collapse_posts=True)
    (block,) = blocks.blocked_by_me(alice)
    assert block.collapse_posts and block.blocked.username == "bob"
    assert Policy(alice).folded_author_ids == {bob.id}
    assert Policy(alice).has_blocked(bob) and not Policy(bob).has_blocked(alice)
    with pytest.raises(Refused):
        blocks.block(alice, alice)
    assert blocks.unblock(alice, bob)
    assert blocks.blocked_by_me(alice) == []
    assert not blocks.unblock(alice, bob)


def test_a_blocked_members_replies_and_quotes_do_not_notify(alice, bob):
    board = factories.make_board()
    thread = factories.make_thread(board, author=alice, title="My drill")
    blocks.block(alice, bob)
    factories.make_post(thread, author=bob, body="Nice drill")
    # The thread's author watches it: a reply is a "watched" notice, which a block stops.
    assert notes_for(alice, NotificationKind.WATCHED) == []
    blocks.unblock(alice, bob)
    factories.make_post(thread, author=bob, body="Still nice")
    assert len(notes_for(alice, NotificationKind.WATCHED)) == 1


# -- reports ----------------------------------------------------------------------------------
def test_a_reported_message_shows_the_team_it_and_the_five_before(alice, bob, moderator):
    conversation = writing.start(alice, "bob", "Trade", "m0")
    for n in range(1, 9):
        writing.reply(bob if n % 2 else alice, conversation, f"m{n}")
    reported = db.session.scalar(select(Message).where(Message.body == "m7"))
    report = reports.file_report(alice, reported, "harassment", "Threats")
    item = report.item
    assert item.target_kind == "message" and item.subject_id == bob.id
    assert item.thread_id is None and item.post_id is None
    link = db.session.get(ReportedMessage, item.id)
    assert link.message_id == reported.id
    shown = reported_messages.read_for_item(Policy(moderator), item)
    assert [message.body for message in shown] == ["m2", "m3", "m4", "m5", "m6", "m7"]
    views = db.session.scalars(select(ModAction).where(ModAction.action == "message.view"))
    (view,) = views
    assert view.actor_id == moderator.id and view.item_id == item.id
    assert view.target_label == f"message #{reported.id}"
    # Moderators still read nothing of the conversation itself.
    with pytest.raises(NotFound):
        reading.page_of(Policy(moderator), conversation.id)


def test_only_participants_report_and_not_their_own_messages(alice, bob, carol):
    conversation = writing.start(alice, "bob", "Trade", "Hello")
    writing.reply(bob, conversation, "Rude words")
    message = db.session.scalar(select(Message).where(Message.body == "Rude words"))
    with pytest.raises(NotFound):
        reports.get_target(Policy(carol), "message", message.id)
    with pytest.raises(Refused):
        reports.file_report(bob, message, "spam")
    with pytest.raises(NotFound):
        reports.file_report(carol, message, "spam")
    board_moderator = factories.make_board_moderator(factories.make_user(),
                                                     factories.make_board())
    item = reports.file_report(alice, message, "spam").item
    assert not Policy(board_moderator).can_handle_report(item)


def test_the_reporter_hears_the_outcome(alice, bob, moderator):
    conversation = writing.start(alice, "bob", "Trade", "Hello")
    writing.reply(bob, conversation, "Rude words")
    message = db.session.scalar(select(Message).where(Message.body == "Rude words"))
    item = reports.file_report(alice, message, "harassment").item
    resolution.dismiss(moderator, item, "Within the rules")
    (note,) = notes_for(alice, NotificationKind.REPORT_OUTCOME)
    assert "private message" in said(note)
    assert note.link == f"/messages/{conversation.id}"


# -- the data export ---------------------------------------------------------------------------
def test_the_export_holds_the_members_conversations(alice, bob, carol):
    conversation = writing.start(alice, "bob", "Trade", "Hello")
    writing.reply(bob, conversation, "Hi alice")
    writing.start(carol, "bob", "Other", "Not alice's")
    blocks.block(alice, carol)
    exported = json.loads(data_export.export_json(alice))
    (mine,) = exported["conversations"]
    assert mine["subject"] == "Trade" and mine["participants"] == ["alice", "bob"]
    assert [m["body"] for m in mine["messages"]] == ["Hello", "Hi alice"]
    assert exported["blocks"][0]["username"] == "carol"
    # Who blocked them is the blocker's own business.
    assert json.loads(data_export.export_json(carol))["blocks"] == []


def test_the_export_stops_where_the_member_left(alice, bob):
    start = datetime(2026, 5, 1, tzinfo=UTC)
    conversation = writing.start(alice, "bob", "Trade", "Hello", now=start)
    writing.leave(bob, conversation, now=start + timedelta(minutes=1))
    writing.reply(alice, conversation, "After you left", now=start + timedelta(minutes=2))
    (theirs,) = json.loads(data_export.export_json(bob))["conversations"]
    assert [m["body"] for m in theirs["messages"]] == ["Hello"]


def test_counters_stay_right(alice, bob):
    conversation = writing.start(alice, "bob", "Count", "1")
    for n in range(4):
        writing.reply(bob, conversation, str(n))
    db.session.refresh(conversation)
    assert conversation.message_count == db.session.scalar(
        select(func.count(Message.id)).where(Message.conversation_id == conversation.id)) == 5
    participants = db.session.scalar(select(func.count()).select_from(
        ConversationParticipant).where(ConversationParticipant.conversation_id ==
                                       conversation.id))
    assert participants == conversation.participant_count == 2
