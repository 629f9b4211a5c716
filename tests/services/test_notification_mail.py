"""Notification mail against a real SMTP server on 127.0.0.1: email at once after the delay
(and not when read meanwhile), digests at the member's local hour, unsubscribe links per
topic, and workers racing for the same mail. Every clock is explicit."""
from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Notification, NotificationKind, OutboxMessage, Thread, User
from forum.services import mail, notification_mail, notifications
from forum.services.content import posting
from forum.services.mail import unsubscribe
from forum.services.notification_mail import at_once, digest, preferences
from forum.services.notification_mail.preferences import MailChoices
from forum.services.notification_mail.topics import Delivery, Frequency, choices
from tests import factories

LINK = re.compile(r"https?://[^\s\"<>]+")
T0 = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)


def _choose(user, digest_=Frequency.DAILY, hour=None, now=T0, **topics):
    preferences.save(user, MailChoices(
        {**choices(user), **{name: Delivery(value) for name, value in topics.items()}},
        digest_, hour), now=now)


def _thread_and_reply(author=None, replier=None, at=T0, body="Use flux, lots of it."):
    board = factories.make_board()
    author = author or factories.make_user(username="ann")
    thread = factories.make_thread(board, author, title="Soldering SMD")
    replier = replier or factories.make_user(username="bob", display_name="Bob Builder")
    posting.reply(replier, thread, body, now=at)
    db.session.commit()
    return thread, author, replier


def _mails(now):
    queued = at_once.send_due(now)
    mail.send_due(now)
    return queued


def _unread(user):
    return db.session.scalars(select(Notification).where(Notification.recipient_id == user.id,
                                                         Notification.read_at.is_(None))).all()


# -- email at once ------------------------------------------------------------------------------
def test_a_reply_is_mailed_only_after_the_delay(app, smtp_server):
    author = factories.make_user(username="ann", display_name="Ann")
    _choose(author, replies="now")
    _thread_and_reply(author)
    assert _mails(T0 + timedelta(minutes=9)) == 0 and smtp_server.received == []
    assert _mails(T0 + timedelta(minutes=10)) == 1
    (got,) = smtp_server.received
    assert got.recipients == ["ann@example.com"]
    assert "1 new post in “Soldering SMD”, by Bob Builder" in got.message["Subject"]
    text, html = got.part("plain"), got.part("html")
    (note,) = _unread(author)
    follow = f"http://localhost/notifications/{note.id}"
    assert follow in text and f'href="{follow}"' in html
    assert "http://localhost/account/mail" in text
    assert "email about replies in threads you watch at once" in " ".join(text.split())
    # One-click unsubscribe names the topic, not every notification mail.
    link = got.message["List-Unsubscribe"].strip("<>")
    token = urlsplit(link).path.rsplit("/", 1)[1]
    found = unsubscribe.find(token)
    assert found.scope is unsubscribe.SCOPES["notification:replies"]
    # Nothing is mailed twice.
    assert _mails(T0 + timedelta(minutes=30)) == 0 and len(smtp_server.received) == 1


def test_nothing_is_mailed_when_read_on_the_site_meanwhile(app, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now")
    _thread_and_reply(author)
    notifications.mark_all_read(author, now=T0 + timedelta(minutes=3))
    assert _mails(T0 + timedelta(minutes=15)) == 0
    assert smtp_server.received == []
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.mail_checked_at.is_(None))) == 0


def test_the_request_that_notifies_writes_nothing_for_mail(app, count_queries):
    author = factories.make_user(username="ann")
    _choose(author, replies="now")
    board = factories.make_board()
    thread = factories.make_thread(board, author)
    replier = factories.make_user()
    with count_queries() as queries:
        posting.reply(replier, thread, "A reply.", now=T0)
        db.session.commit()
    assert not any("outbox" in statement for statement in queries)
    assert sum(statement.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")
               for statement in queries) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_defaults_keep_replies_for_the_digest_and_mail_sanctions_at_once(app, smtp_server):
    author = factories.make_user(username="ann")
    _thread_and_reply(author)
    notifications.notify(author, NotificationKind.SANCTION, "sanction.warning", now=T0)
    db.session.commit()
    assert author.mail_preferences is None
    assert _mails(T0 + timedelta(hours=1)) == 1
    (got,) = smtp_server.received
    assert "You received a warning from the moderators." in got.message["Subject"]
    assert "Soldering" not in got.part("plain")


def test_several_notifications_of_a_topic_make_one_mail(app, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now")
    board = factories.make_board()
    first = factories.make_thread(board, author, title="First")
    second = factories.make_thread(board, author, title="Second")
    replier = factories.make_user(username="bob")
    posting.reply(replier, first, "One.", now=T0)
    posting.reply(replier, second, "Two.", now=T0 + timedelta(minutes=1))
    db.session.commit()
    assert _mails(T0 + timedelta(minutes=20)) == 1
    (got,) = smtp_server.received
    assert got.message["Subject"] == "2 new notifications: Replies in threads you watch"
    assert "“First”" in got.part("plain") and "“Second”" in got.part("plain")


def test_stale_notifications_are_not_mailed(app, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now")
    _thread_and_reply(author)
    assert _mails(T0 + timedelta(days=2)) == 0 and smtp_server.received == []


def test_the_mail_is_written_in_the_members_language_and_zone(app, smtp_server):
    author = factories.make_user(username="ann", language="de", timezone="Europe/Berlin")
    _choose(author, replies="now")
    _thread_and_reply(author)
    _mails(T0 + timedelta(minutes=15))
    (got,) = smtp_server.received
    text = got.part("plain")
    assert "1 neuer Beitrag in „Soldering SMD“, von Bob Builder" in got.message["Subject"]
    assert "Hallo" in text and "13:00" in text  # 12:00 UTC is 13:00 in Berlin in December


def test_a_topic_link_stops_only_that_topic(app, client, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now")
    _thread_and_reply(author)
    _mails(T0 + timedelta(minutes=15))
    link = smtp_server.received[0].message["List-Unsubscribe"].strip("<>")
    assert client.post(urlsplit(link).path).status_code == 200
    db.session.expire_all()
    member = db.session.get(User, author.id)
    assert choices(member)["replies"] == Delivery.APP
    assert member.notification_mail_stopped_at is None
    assert choices(member)["sanctions"] == Delivery.NOW
    # Another reply stays on the site; a sanction still comes by mail.
    thread = db.session.scalars(select(Thread)).first()
    posting.reply(factories.make_user(), thread, "More.", now=T0 + timedelta(hours=1))
    notifications.notify(member, NotificationKind.SANCTION, "sanction.warning",
                         now=T0 + timedelta(hours=1))
    db.session.commit()
    assert _mails(T0 + timedelta(hours=2)) == 1
    assert "warning" in smtp_server.received[1].message["Subject"]


def test_a_global_stop_wins_over_topic_choices(app, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now")
    author.notification_mail_stopped_at = T0
    db.session.commit()
    _thread_and_reply(author)
    assert _mails(T0 + timedelta(minutes=15)) == 0 and smtp_server.received == []


def _race(app, work):
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            with app.app_context():
                start.wait()
                results.append(work())
                db.session.remove()
        except Exception as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return results


def test_two_workers_mail_each_notification_once(app, smtp_server):
    board = factories.make_board()
    replier = factories.make_user(username="bob")
    for n in range(12):
        author = factories.make_user(username=f"author{n}")
        _choose(author, replies="now")
        thread = factories.make_thread(board, author, title=f"Thread {n}")
        posting.reply(replier, thread, "A reply.", now=T0)
    db.session.commit()
    later = T0 + timedelta(minutes=15)
    results = _race(app, lambda: at_once.send_due(later))
    assert sum(results) == 12
    mail.send_due(later)
    assert sorted(r.recipients[0] for r in smtp_server.received) == sorted(
        f"author{n}@example.com" for n in range(12))


# -- digests ------------------------------------------------------------------------------------
def _berliner(**fields):
    member = factories.make_user(username="ann", timezone="Europe/Berlin", **fields)
    # Taking part in a board: its busy threads come with the digest.
    board = factories.make_board(title="Electronics")
    factories.make_thread(board, member, title="My amplifier")
    return member, board


def _to(smtp_server, member):
    return [got for got in smtp_server.received if got.recipients == [member.email]]


def _digests(now):
    queued = digest.send_due(now)
    mail.send_due(now)
    return queued


def test_the_first_run_only_schedules_then_the_digest_comes_at_the_local_hour(app, smtp_server):
    member, board = _berliner()
    # 06:00 UTC is 07:00 in Berlin (December): the forum's digest hour.
    day1 = datetime(2030, 12, 10, 6, 0, tzinfo=UTC)
    assert _digests(day1 - timedelta(hours=2)) == 0  # moves the new account to its hour
    db.session.expire_all()
    assert db.session.get(User, member.id).digest_due_at == day1
    busy = factories.make_thread(board, factories.make_user(username="cyd"), title="Busy one")
    for n in range(3):
        posting.reply(factories.make_user(), busy, f"Post {n}", now=day1 + timedelta(hours=n))
    posting.reply(factories.make_user(username="bob"),
                  db.session.scalars(select(Thread).where(
                      Thread.title == "My amplifier")).one(),
                  "Nice amp.", now=day1 + timedelta(hours=4))
    db.session.commit()
    _digests(day1 + timedelta(minutes=1))
    assert _to(smtp_server, member) == []  # nothing in the day before
    _digests(day1 + timedelta(hours=23, minutes=59))
    assert _to(smtp_server, member) == []
    _digests(day1 + timedelta(days=1, minutes=2))
    (got,) = _to(smtp_server, member)
    assert got.message["Subject"] == "Your daily digest from Agora"
    text, html = got.part("plain"), got.part("html")
    assert "1 new post in “My amplifier”, by bob" in text
    assert "Busy one" in text and "3 new posts in Electronics" in text
    assert f"http://localhost/t/{busy.id}-" in text and 'href="http://localhost/t/' in html
    assert "because you chose a daily digest" in " ".join(text.split())
    token = urlsplit(got.message["List-Unsubscribe"].strip("<>")).path.rsplit("/", 1)[1]
    assert unsubscribe.find(token).scope is unsubscribe.SCOPES["digest"]
    db.session.expire_all()
    assert db.session.get(User, member.id).digest_due_at == day1 + timedelta(days=2)
    # The same day again: nothing more.
    _digests(day1 + timedelta(days=1, hours=3))
    assert len(_to(smtp_server, member)) == 1


def test_an_empty_digest_is_not_sent_but_the_day_is_done(app, smtp_server):
    member, _board = _berliner()
    day1 = datetime(2030, 12, 10, 6, 0, tzinfo=UTC)
    _digests(day1 - timedelta(hours=1))
    assert _digests(day1 + timedelta(minutes=1)) == 0
    assert smtp_server.received == []
    db.session.expire_all()
    assert db.session.get(User, member.id).digest_due_at == day1 + timedelta(days=1)


def test_read_and_at_once_notifications_stay_out_of_the_digest(app, smtp_server):
    member, _board = _berliner()
    day1 = datetime(2030, 12, 10, 6, 0, tzinfo=UTC)
    _digests(day1 - timedelta(hours=1))
    notifications.notify(member, NotificationKind.SANCTION, "sanction.warning",
                         now=day1 - timedelta(hours=3))  # at once by default
    read = notifications.notify(member, NotificationKind.REPORT_OUTCOME,
                                "report.user.dismissed", {"username": "x"},
                                now=day1 - timedelta(hours=3))
    db.session.commit()
    notifications.mark_read(member, [read.id])
    assert _digests(day1) == 0


def test_a_weekly_digest_on_the_forums_day_at_the_members_hour(app, smtp_server):
    member = factories.make_user(username="kai", timezone="America/New_York")
    # Tuesday 10 December 2030 09:00 in New York is 14:00 UTC; the week's day is Tuesday.
    from forum.services.site import settings as site_settings

    admin = factories.make_user(role="admin")
    site_settings.update(admin, {"digest_weekday": "1"})
    _choose(member, digest_=Frequency.WEEKLY, hour=9, now=datetime(2030, 12, 4, tzinfo=UTC))
    due = datetime(2030, 12, 10, 14, 0, tzinfo=UTC)
    assert member.digest_due_at == due
    notifications.notify(member, NotificationKind.REPLY, "post.reply",
                         {"name": "bob", "title": "Week"}, "/t/1", now=due - timedelta(days=3))
    db.session.commit()
    assert _digests(due - timedelta(minutes=1)) == 0
    assert _digests(due) == 1
    assert smtp_server.received[0].message["Subject"] == "Your weekly digest from Agora"
    db.session.expire_all()
    assert db.session.get(User, member.id).digest_due_at == due + timedelta(days=7)


def test_a_german_digest(app, smtp_server):
    member, _board = _berliner(language="de")
    day1 = datetime(2030, 12, 10, 6, 0, tzinfo=UTC)
    _digests(day1 - timedelta(hours=1))
    notifications.notify(member, NotificationKind.REPLY, "post.reply",
                         {"name": "bob", "title": "Verstärker"}, "/t/1",
                         now=day1 - timedelta(hours=2))
    db.session.commit()
    assert _digests(day1) == 1
    got = smtp_server.received[0]
    assert "Deine tägliche Zusammenfassung" in got.message["Subject"]
    assert "bob hat auf „Verstärker“ geantwortet" in got.part("plain")


def test_the_digest_link_stops_digests(app, client, smtp_server):
    member, _board = _berliner()
    day1 = datetime(2030, 12, 10, 6, 0, tzinfo=UTC)
    _digests(day1 - timedelta(hours=1))
    notifications.notify(member, NotificationKind.REPLY, "post.reply",
                         {"name": "bob", "title": "Amp"}, "/t/1", now=day1 - timedelta(hours=2))
    db.session.commit()
    _digests(day1)
    link = smtp_server.received[0].message["List-Unsubscribe"].strip("<>")
    assert client.post(urlsplit(link).path).status_code == 200
    db.session.expire_all()
    stopped = db.session.get(User, member.id)
    assert stopped.digest_due_at is None and stopped.mail_preferences == {"digest": "off"}


def test_two_workers_send_one_digest_per_member(app, smtp_server):
    day1 = datetime(2030, 12, 10, 6, 0, tzinfo=UTC)
    members = []
    for n in range(8):
        member = factories.make_user(username=f"member{n}", timezone="Europe/Berlin")
        members.append(member)
    _digests(day1 - timedelta(hours=1))
    for member in members:
        notifications.notify(member, NotificationKind.REPLY, "post.reply",
                             {"name": "bob", "title": "Amp"}, "/t/1",
                             now=day1 - timedelta(hours=2))
    db.session.commit()
    results = _race(app, lambda: digest.send_due(day1 + timedelta(minutes=1)))
    assert sum(results) == 8
    mail.send_due(day1 + timedelta(minutes=1))
    assert len(smtp_server.received) == 8
    assert len({r.recipients[0] for r in smtp_server.received}) == 8


def test_run_timers_queues_and_sends_notification_mail(app, runner, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now", now=datetime(2020, 1, 1, tzinfo=UTC))
    board = factories.make_board()
    thread = factories.make_thread(board, author)
    posting.reply(factories.make_user(), thread, "Hi.",
                  now=datetime.now(UTC) - timedelta(minutes=30))
    db.session.commit()
    result = runner.invoke(args=["forum", "run-timers"])
    assert result.exit_code == 0, result.output
    assert "Notification mail: queued 1 at once" in result.output
    assert len(smtp_server.received) == 1


def test_the_worker_runs_the_notification_mail_jobs(app, runner, smtp_server):
    author = factories.make_user(username="ann")
    _choose(author, replies="now", now=datetime(2020, 1, 1, tzinfo=UTC))
    board = factories.make_board()
    thread = factories.make_thread(board, author)
    posting.reply(factories.make_user(), thread, "Hi.",
                  now=datetime.now(UTC) - timedelta(minutes=30))
    db.session.commit()
    result = runner.invoke(args=["forum", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert len(smtp_server.received) == 1


def test_queue_due_reports_both(app, smtp_server):
    run = notification_mail.queue_due(T0)
    assert (run.at_once, run.digests) == (0, 0)


def test_a_mail_that_cant_be_written_holds_up_no_other(app, smtp_server):
    board = factories.make_board()
    replier = factories.make_user(username="bob")
    broken = factories.make_user(username="eve")
    fine = factories.make_user(username="ann")
    for member in (broken, fine):
        _choose(member, replies="now")
        posting.reply(replier, factories.make_thread(board, member), "Hi.", now=T0)
    # An address no header can carry (written around the account rules, as old data may be).
    broken.email = "eve @example.com"
    db.session.commit()
    assert _mails(T0 + timedelta(minutes=15)) == 1
    assert [got.recipients for got in smtp_server.received] == [["ann@example.com"]]
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.mail_checked_at.is_(None))) == 0


def test_the_choices_are_in_the_members_data_export(app):
    from forum.services import data_export

    member = factories.make_user()
    _choose(member, replies="now", digest_=Frequency.WEEKLY, hour=9)
    exported = data_export.export(member)["notification_mail"]
    assert exported["topics"]["replies"] == "now" and exported["topics"]["sanctions"] == "now"
    assert exported["digest"] == "weekly" and exported["digest_hour"] == 9
