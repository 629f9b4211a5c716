"""Outgoing mail against a real SMTP server on 127.0.0.1 (tests/smtp_server.py): what arrives
is parsed with the standard library; the server is made to fail in each way a real one does."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email import message_from_string, policy
from pathlib import Path

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import MailStatus, OutboxMessage, utcnow
from forum.services import mail
from forum.services.mail import delivery
from tests import factories
from tests.services.moderation_kit import race
from tests.smtp_server import free_port

LINK = re.compile(r"https?://[^\s\"<>]+")


def _queue(user, text="ann replied in “Soldering”", **extra):
    row = mail.queue(user, "notification", category="notification", text=text,
                     link="http://localhost/t/1", **extra)
    db.session.commit()
    return row


def _status(row_id):
    db.session.expire_all()
    return db.session.get(OutboxMessage, row_id)


def test_a_notification_arrives_multipart_with_its_headers(app, smtp_server):
    user = factories.make_user(username="bea", display_name="Bea Maker")
    row = _queue(user)
    assert db.session.get(OutboxMessage, row.id).status == MailStatus.QUEUED
    run = mail.send_due()
    assert run.sent == 1
    (got,) = smtp_server.received
    message = got.message
    assert got.recipients == ["bea@example.com"]
    assert got.sender == "forum@agora.test"
    assert message["To"].addresses[0].display_name == "Bea Maker"
    assert message["From"].addresses[0].display_name == "Agora"
    assert message["Message-ID"] == row.message_id and message["Message-ID"].startswith("<")
    assert "Soldering" in message["Subject"] and "Agora" in message["Subject"]
    assert message.is_multipart() and message.get_content_type() == "multipart/alternative"
    text, html = got.part("plain"), got.part("html")
    assert "ann replied in “Soldering”" in text and "http://localhost/t/1" in text
    assert 'href="http://localhost/t/1"' in html and "&lt;" not in text
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://localhost/mail/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe.strip("<>") in text and unsubscribe.strip("<>") in html
    assert _status(row.id).status == MailStatus.SENT and _status(row.id).sent_at


def test_html_escapes_what_members_wrote(app, smtp_server):
    user = factories.make_user()
    _queue(user, text="<script>alert(1)</script> & more")
    mail.send_due()
    (got,) = smtp_server.received
    assert "<script>" not in got.part("html") and "&lt;script&gt;" in got.part("html")
    assert "<script>alert(1)</script> & more" in got.part("plain")


def test_account_mail_has_no_unsubscribe_headers(app, smtp_server):
    user = factories.make_user()
    mail.queue(user, "notification", text="Hello", link="http://localhost/")
    db.session.commit()
    mail.send_due()
    (got,) = smtp_server.received
    assert got.message["List-Unsubscribe"] is None
    assert got.message["List-Unsubscribe-Post"] is None


def test_a_display_name_with_line_breaks_adds_no_header(app, smtp_server):
    user = factories.make_user(username="eve")
    # What the profile form would never allow, written straight to the row.
    user.display_name = "Eve\r\nBcc: victim@example.org\r\nSubject: pwned"
    db.session.commit()
    _queue(user)
    mail.send_due()
    (got,) = smtp_server.received
    message = got.message
    assert message["Bcc"] is None
    assert len(message.get_all("Subject")) == 1 and "pwned" not in message["Subject"]
    assert got.recipients == ["eve@example.com"]
    assert message["To"].addresses[0].addr_spec == "eve@example.com"
    assert "\n" not in message["To"].addresses[0].display_name


def test_a_forum_name_with_line_breaks_adds_no_header(app, smtp_server):
    from forum.services.site import settings as site_settings

    admin = factories.make_user(role="admin")
    site_settings.update(admin, {"forum_name": "Agora Club"})
    from forum.models import Setting

    db.session.get(Setting, "forum_name").value = "Agora\nBcc: x@example.org"
    db.session.commit()
    from forum.stores import settings

    settings.clear_cache()
    _queue(factories.make_user())
    mail.send_due()
    (got,) = smtp_server.received
    assert got.message["Bcc"] is None
    assert got.recipients == [got.recipients[0]] and len(got.recipients) == 1


def test_mail_is_written_in_the_members_language_and_time_zone(app, smtp_server):
    user = factories.make_user(language="de", timezone="Europe/Berlin")
    mail.queue(user, "password_reset", link="http://localhost/account/reset/x",
               expires_at=datetime(2026, 12, 4, 13, 0, tzinfo=UTC))
    db.session.commit()
    mail.send_due()
    (got,) = smtp_server.received
    text = got.part("plain")
    assert "4. Dez. 2026, 14:00" in text  # 13:00 UTC in Berlin's winter time
    assert "Du bekommst diese E-Mail" in text and "Passwort" in got.message["Subject"]
    assert "Passwort" in got.part("html")


def test_without_an_smtp_host_mail_is_written_as_files(app, tmp_path, caplog):
    app.config.update(MAIL_SERVER=None, MAIL_FOLDER=str(tmp_path / "mail"))
    user = factories.make_user()
    row = _queue(user)
    files = list(Path(tmp_path / "mail").glob("*.eml"))
    assert len(files) == 1
    parsed = message_from_string(files[0].read_text(), policy=policy.default)
    assert parsed["Message-ID"] == row.message_id
    assert _status(row.id).status == MailStatus.SENT
    assert str(files[0]) in caplog.text
    assert mail.send_due().sent == 0  # nothing left for the next run


def test_a_stopped_member_gets_no_notification_mail_but_account_mail(app, smtp_server):
    user = factories.make_user()
    user.notification_mail_stopped_at = utcnow()
    db.session.commit()
    assert mail.queue(user, "notification", category="notification", text="x",
                      link="http://localhost/") is None
    assert mail.queue(user, "notification", text="x", link="http://localhost/") is not None


def test_deleted_members_get_nothing(app, smtp_server):
    user = factories.make_user()
    user.deleted_at = utcnow()
    assert mail.queue(user, "notification", text="x", link="http://localhost/") is None


# -- faults ------------------------------------------------------------------------------------
def _later(minutes=600):
    return utcnow() + timedelta(minutes=minutes)


def test_server_down_retries_with_backoff_then_sends_once(app, smtp_server):
    user = factories.make_user()
    first, second = _queue(user, text="one"), _queue(user, text="two")
    app.config["MAIL_PORT"] = free_port()  # nothing listens there
    run = mail.send_due()
    assert run.retrying == 1 and run.sent == 0
    tried, untried = _status(first.id), _status(second.id)
    assert tried.status == MailStatus.QUEUED and tried.attempts == 1 and tried.last_error
    assert tried.next_attempt_at > utcnow() + timedelta(seconds=50)
    # The second was never tried: no attempt counted, but it waits as long.
    assert untried.attempts == 0 and untried.next_attempt_at == tried.next_attempt_at
    assert mail.send_due().handled == 0  # not due yet
    app.config["MAIL_PORT"] = smtp_server.port
    assert mail.send_due(now=_later()).sent == 2
    assert mail.send_due(now=_later(1200)).handled == 0
    assert sorted(r.message["Message-ID"] for r in smtp_server.received) == sorted(
        [first.message_id, second.message_id])


def test_backoff_doubles_up_to_its_cap(app):
    app.config["MAIL_RETRY_DELAY"] = (60, 600)
    assert [delivery.backoff(n).total_seconds() for n in (1, 2, 3, 4, 5, 9)] == [
        60, 120, 240, 480, 600, 600]


def test_a_refused_sender_5xx_fails_for_good(app, smtp_server):
    row = _queue(factories.make_user())
    smtp_server.collector.refuse_sender = "550 5.7.1 Sender rejected"
    assert mail.send_due().failed == 1
    failed = _status(row.id)
    assert failed.status == MailStatus.FAILED and "550" in failed.last_error
    smtp_server.collector.behave()
    assert mail.send_due(now=_later()).handled == 0 and not smtp_server.received


def test_a_refused_sender_4xx_is_retried(app, smtp_server):
    row = _queue(factories.make_user())
    smtp_server.collector.refuse_sender = "451 4.3.0 Try again later"
    assert mail.send_due().retrying == 1
    assert "451" in _status(row.id).last_error
    smtp_server.collector.behave()
    assert mail.send_due(now=_later()).sent == 1
    assert len(smtp_server.received) == 1


def test_a_server_that_stalls_times_out_and_is_retried(app, smtp_server):
    app.config["MAIL_TIMEOUT"] = 0.5
    row = _queue(factories.make_user())
    smtp_server.collector.stall_seconds = 2
    assert mail.send_due().retrying == 1
    assert "time" in _status(row.id).last_error
    smtp_server.collector.behave()
    assert mail.send_due(now=_later()).sent == 1
    assert len(smtp_server.received) == 1


def test_a_server_hanging_up_mid_message_is_retried_and_sends_once(app, smtp_server):
    user = factories.make_user()
    rows = [_queue(user, text=f"n{n}") for n in range(3)]
    smtp_server.collector.hang_up = True
    run = mail.send_due()
    assert run.sent == 0 and run.retrying >= 1
    assert all(_status(row.id).status == MailStatus.QUEUED for row in rows)
    smtp_server.collector.behave()
    assert mail.send_due(now=_later()).sent == 3
    assert len(smtp_server.received) == 3


def test_too_many_attempts_mark_it_failed(app, smtp_server):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    row = _queue(factories.make_user())
    smtp_server.collector.refuse_sender = "451 busy"
    mail.send_due()
    mail.send_due(now=_later())
    failed = _status(row.id)
    assert failed.status == MailStatus.FAILED and failed.attempts == 2


def test_a_message_left_claimed_counts_as_interrupted_not_sent_again(app, smtp_server):
    row = _queue(factories.make_user())
    token, claimed = delivery.claim(utcnow(), 10)
    assert [r.id for r in claimed] == [row.id]
    assert mail.send_due().handled == 0  # still claimed by the other run
    run = mail.send_due(now=_later(30))
    assert run.interrupted == 1 and not smtp_server.received
    assert _status(row.id).status == MailStatus.FAILED


def test_two_workers_at_once_send_each_message_once(app, smtp_server):
    user = factories.make_user()
    for n in range(40):
        mail.queue(user, "notification", category="notification", text=f"m{n}",
                   link="http://localhost/")
    db.session.commit()
    app.config["MAIL_BATCH"] = 3
    outcomes = race(app, *[lambda: mail.send_due] * 2)
    errors = [value for kind, value in outcomes if kind == "error"]
    results = [value for kind, value in outcomes if kind == "ok"]
    assert not errors
    assert sum(r.sent for r in results) == 40
    ids = [r.message["Message-ID"] for r in smtp_server.received]
    assert len(ids) == 40 and len(set(ids)) == 40
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == MailStatus.SENT)) == 40
