"""Private messages by email, end to end against a real SMTP server on 127.0.0.1: a new
conversation or message is mailed at once by default, to the participant alone and without
the words written; not when read on the site meanwhile, not when the member keeps messages on
the site, not after they left; and the mail's link opens the conversation for them only."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification, NotificationKind
from forum.policy import Policy
from forum.services import blocks, mail
from forum.services.conversations import reading, writing
from forum.services.notification_mail import at_once, preferences
from forum.services.notification_mail.preferences import MailChoices
from forum.services.notification_mail.topics import Delivery, choices, frequency
from tests import factories

T0 = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
SECRET = "My price is 40 euros, call me on 0170 1234567."
LINK = re.compile(r"http://localhost/notifications/(\d+)")


@pytest.fixture(autouse=True)
def _database_rate_limits(app):
    app.config["REDIS_URL"] = None


@pytest.fixture
def alice(app):
    return factories.make_established_user("alice", display_name="Alice Anders")


@pytest.fixture
def bob(app):
    return factories.make_established_user("bob")


def _mails(now) -> int:
    queued = at_once.send_due(now)
    mail.send_due(now)
    return queued


def _message_notes(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id, Notification.kind == NotificationKind.MESSAGE)))


def test_a_new_conversation_is_mailed_at_once_to_the_recipient_alone(
        app, client, login, smtp_server, alice, bob):
    assert bob.mail_preferences is None  # the default: private messages at once
    conversation = writing.start(alice, "bob", "The drill", SECRET, now=T0)
    assert _mails(T0 + timedelta(minutes=9)) == 0 and smtp_server.received == []
    assert _mails(T0 + timedelta(minutes=15)) == 1
    (got,) = smtp_server.received
    assert got.recipients == ["bob@example.com"]
    assert got.message["Subject"] == "Alice Anders started a conversation with you: “The drill”"
    text, html = got.part("plain"), got.part("html")
    # The words stay on the forum: mail crosses servers nobody here controls.
    for part in (text, html, got.message["Subject"]):
        assert "40 euros" not in part and "0170" not in part
    (note,) = _message_notes(bob)
    follow = f"http://localhost/notifications/{note.id}"
    assert LINK.search(text).group(0) == follow and f'href="{follow}"' in html
    unsubscribe = got.message["List-Unsubscribe"].strip("<>")
    assert urlsplit(unsubscribe).path.startswith("/mail/unsubscribe/")
    # Nothing is mailed twice, and the writer gets nothing.
    assert _mails(T0 + timedelta(hours=1)) == 0 and len(smtp_server.received) == 1

    # The link: the recipient lands in the conversation, anyone else learns nothing.
    path = urlsplit(follow).path
    assert "/login" in client.get(path).headers["Location"]
    login(alice)
    assert client.get(path).status_code == 404
    login(bob)
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/messages/{conversation.id}")
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "40 euros" in page.get_data(as_text=True)


def test_an_answer_is_mailed_to_the_others_in_their_language(app, smtp_server, alice, bob):
    bob.language = "de"
    db.session.commit()
    conversation = writing.start(alice, "bob", "The drill", "Still for sale?", now=T0)
    reading.page_of(Policy(bob, T0), conversation.id, now=T0 + timedelta(minutes=1))
    writing.reply(bob, conversation, "Yes", now=T0 + timedelta(minutes=2))
    writing.reply(alice, conversation, SECRET, now=T0 + timedelta(minutes=3))
    assert _mails(T0 + timedelta(minutes=20)) == 2
    by_recipient = {got.recipients[0]: got for got in smtp_server.received}
    assert by_recipient["alice@example.com"].message["Subject"] == "bob wrote in “The drill”"
    german = by_recipient["bob@example.com"]
    assert german.message["Subject"] == "Alice Anders hat in „The drill“ geschrieben"
    assert "Hallo bob" in german.part("plain") and "40 euros" not in german.part("plain")


def test_nothing_is_mailed_when_read_on_the_site_meanwhile(app, smtp_server, alice, bob):
    conversation = writing.start(alice, "bob", "The drill", SECRET, now=T0)
    reading.page_of(Policy(bob, T0), conversation.id, now=T0 + timedelta(minutes=3))
    assert _mails(T0 + timedelta(minutes=15)) == 0
    assert smtp_server.received == []
    assert all(note.read_at is not None for note in _message_notes(bob))


def test_nothing_is_mailed_to_a_member_who_keeps_messages_on_the_site(app, smtp_server, alice,
                                                                     bob):
    preferences.save(bob, MailChoices({**choices(bob), "messages": Delivery.APP},
                                      frequency(bob), None), now=T0)
    writing.start(alice, "bob", "The drill", SECRET, now=T0)
    assert _mails(T0 + timedelta(minutes=15)) == 0 and smtp_server.received == []
    # The bell still has it.
    (note,) = _message_notes(bob)
    assert note.read_at is None


def test_nothing_follows_a_member_who_left(app, smtp_server, alice, bob):
    conversation = writing.start(alice, "bob", "The drill", SECRET, now=T0)
    writing.leave(bob, conversation, now=T0 + timedelta(minutes=1))
    assert _mails(T0 + timedelta(minutes=15)) == 0 and smtp_server.received == []
    # Only their own notifications about this conversation count as read.
    other = writing.start(alice, "bob", "Another", "Hello", now=T0 + timedelta(minutes=2))
    assert [note.link for note in _message_notes(bob) if note.read_at is None] == [other.url]


def test_a_blocker_gets_no_mail_of_the_blocked_members_messages(app, smtp_server, alice, bob):
    conversation = writing.start(alice, "bob", "The drill", "Hello", now=T0)
    reading.page_of(Policy(alice, T0), conversation.id, now=T0)
    reading.page_of(Policy(bob, T0), conversation.id, now=T0)
    blocks.block(alice, bob)
    writing.reply(bob, conversation, SECRET, now=T0 + timedelta(minutes=1))
    assert _mails(T0 + timedelta(minutes=15)) == 0 and smtp_server.received == []
