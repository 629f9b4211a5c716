"""Webhooks: queued in the causing transaction, private content kept to staff-only hooks,
delivered signed to a real HTTP server, retried, stopped after failures, and refused for
addresses that are not public."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Access,
    DeliveryStatus,
    ModAction,
    Notification,
    Webhook,
    WebhookDelivery,
    utcnow,
)
from forum.services import webhooks
from forum.services.community import announcements
from forum.services.content import posting
from forum.services.moderation import reports, sanctions
from forum.services.webhooks import addresses, delivery, hooks, signing
from tests import factories
from tests.services.event_kit import T0, event_data
from tests.services.moderation_kit import race
from tests.smtp_server import free_port

ALL = ["thread.created", "report.created", "sanction.issued", "sanction.lifted",
       "event.created", "event.updated", "event.cancelled", "announcement.published"]


def _hook(server=None, url=None, staff=False, events=ALL, admin=None):
    admin = admin or factories.make_user(role="admin")
    hook = hooks.create(admin, hooks.HookData(url=url or server.url(), events=list(events),
                                              is_staff_only=staff))
    if server is not None:
        server.secrets.add(hook.secret)
    return hook


def _deliveries(hook=None):
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    if hook is not None:
        query = query.where(WebhookDelivery.webhook_id == hook.id)
    return list(db.session.scalars(query))


# -- queued in the transaction ----------------------------------------------------------------
def test_a_new_thread_is_queued_with_it_and_delivered_signed(app, webhook_server):
    hook = _hook(webhook_server)
    board = factories.make_board(slug="lounge", title="Lounge")
    author = factories.make_user(username="ann")
    thread = posting.create_thread(author, board, "Hello there", "First **post** here.")
    (row,) = _deliveries(hook)
    assert row.status == DeliveryStatus.QUEUED and row.event == "thread.created"

    run = webhooks.deliver_due()
    assert (run.delivered, run.failed, run.retrying) == (1, 0, 0)
    (arrival,) = webhook_server.arrivals
    assert arrival.verified and arrival.path == "/hook"
    assert arrival.event == "thread.created"
    assert arrival.headers["X-Agora-Delivery"] == str(row.id)
    payload = arrival.json
    assert payload["event"] == "thread.created" and payload["id"] == row.event_id
    data = payload["data"]["thread"]
    assert data["id"] == thread.id and data["title"] == "Hello there"
    assert data["url"].endswith(f"/t/{thread.id}-hello-there")
    assert data["board"]["slug"] == "lounge" and data["author"]["username"] == "ann"
    assert data["excerpt"] == "First **post** here."
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, row.id)
    assert row.status == DeliveryStatus.DELIVERED and row.response_code == 200
    assert row.attempts == 1 and row.finished_at is not None
    # Nothing is sent twice.
    assert webhooks.deliver_due().handled == 0 and len(webhook_server.arrivals) == 1


def test_a_change_rolled_back_queues_nothing(app, webhook_server):
    _hook(webhook_server)
    board = factories.make_board()
    author = factories.make_user()
    with pytest.raises(RuntimeError):
        posting.create_thread(author, board, "Doomed", "Never saved.",
                              then=lambda thread: (_ for _ in ()).throw(RuntimeError("boom")))
    db.session.rollback()
    assert _deliveries() == []
    assert webhooks.deliver_due().handled == 0 and webhook_server.arrivals == []


def test_only_hooks_that_chose_the_event_and_are_running_get_it(app, webhook_server):
    threads_only = _hook(webhook_server, events=["thread.created"])
    reports_only = _hook(webhook_server, events=["report.created"])
    stopped = _hook(webhook_server, events=["thread.created"])
    hooks.set_active(factories.make_user(role="admin"), stopped, False)
    factories.make_thread(factories.make_board())
    assert [row.webhook_id for row in _deliveries()] == [threads_only.id]
    assert _deliveries(reports_only) == []


def test_without_hooks_a_thread_costs_one_query_more(app, count_queries):
    board = factories.make_board()
    author = factories.make_user()
    posting.create_thread(author, board, "Warm up", "Caches filled.")
    with count_queries() as plain:
        posting.create_thread(author, board, "Measured", "Counted.")
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ("127.0.0.1/32",)
    hook = _hook(url="http://127.0.0.1:9/", events=["report.created"])
    assert hook.id
    with count_queries() as unwanted:
        posting.create_thread(author, board, "Measured again", "Counted.")
    assert len(unwanted) <= len(plain) + 1


# -- private content ------------------------------------------------------------------------
def test_private_boards_reach_staff_only_hooks_alone(app, webhook_server):
    public = _hook(webhook_server, events=["thread.created"])
    staff = _hook(webhook_server, events=["thread.created"], staff=True)
    for access in (Access.MEMBERS, Access.STAFF):
        board = factories.make_board(access=access)
        factories.make_thread(board, author=factories.make_user(role="admin"),
                              title=f"Secret {access}")
    from forum.models import BoardGroup

    makers = factories.make_group("Makers")
    group_board = factories.make_board()
    db.session.add(BoardGroup(board_id=group_board.id, group_id=makers.id, kind="read"))
    db.session.commit()
    factories.make_thread(group_board, author=factories.make_user(role="admin"),
                          title="Secret group")
    assert _deliveries(public) == []
    assert len(_deliveries(staff)) == 3
    factories.make_thread(factories.make_board(), title="Open to all")
    assert len(_deliveries(public)) == 1
    webhooks.deliver_due()
    titles = sorted(a.json["data"]["thread"]["title"] for a in webhook_server.arrivals)
    assert titles == ["Open to all", "Open to all", "Secret group", "Secret members",
                      "Secret staff"]


def test_reports_leave_out_the_reporter_and_note_unless_staff_only(app, webhook_server):
    public = _hook(webhook_server, events=["report.created"])
    staff = _hook(webhook_server, events=["report.created"], staff=True)
    board = factories.make_board()
    thread = factories.make_thread(board)
    post = factories.make_post(thread, author=factories.make_user(), body="Buy watches")
    reporter = factories.make_user(username="whistle")
    report = reports.file_report(reporter, post, "spam", "Seen this elsewhere")
    webhooks.deliver_due()
    by_hook = {a.verified and a.json["data"]["report"]["id"]: a for a in webhook_server.arrivals}
    assert list(by_hook) == [report.id]
    bodies = {row.webhook_id: row.body for row in _deliveries()}
    assert "whistle" not in bodies[public.id] and "Seen this elsewhere" not in bodies[public.id]
    assert "whistle" in bodies[staff.id] and "Seen this elsewhere" in bodies[staff.id]
    shown = [a.json["data"]["report"] for a in webhook_server.arrivals]
    public_data = next(d for d in shown if "reporter" not in d)
    assert public_data["target"]["kind"] == "post"
    assert public_data["target"]["url"].endswith(f"/p/{post.id}")


def test_a_report_on_a_private_board_names_only_the_kind_publicly(app, webhook_server):
    public = _hook(webhook_server, events=["report.created"])
    board = factories.make_board(access=Access.MEMBERS)
    thread = factories.make_thread(board, title="Members chat")
    post = factories.make_post(thread, body="Members-only words")
    reports.file_report(factories.make_user(), post, "spam")
    (row,) = _deliveries(public)
    assert "Members chat" not in row.body and f"/p/{post.id}" not in row.body
    assert '"target":{"kind":"post"}' in row.body


def test_sanctions_keep_their_reasons_for_staff_only_hooks(app, webhook_server):
    public = _hook(webhook_server, events=["sanction.issued", "sanction.lifted"])
    staff = _hook(webhook_server, events=["sanction.issued"], staff=True)
    member = factories.make_user(username="noisy")
    moderator = factories.make_user(role="moderator")
    timeout = sanctions.timeout(moderator, member, "Shouting at people", timedelta(hours=6))
    sanctions.lift(moderator, timeout, "Apologised")
    public_rows = _deliveries(public)
    assert [row.event for row in public_rows] == ["sanction.issued", "sanction.lifted"]
    assert all("Shouting" not in row.body for row in public_rows)
    assert '"lifted_at":null' not in public_rows[1].body
    (staff_row,) = _deliveries(staff)
    assert "Shouting at people" in staff_row.body and '"kind":"timeout"' in staff_row.body


def test_events_and_announcements(app, webhook_server):
    from forum.services.community import events as community_events

    hook = _hook(webhook_server)
    moderator = factories.make_user(role="moderator")
    board = factories.make_board()
    event = community_events.create_event(moderator, board, event_data(T0 + timedelta(days=3)),
                                          now=T0)
    community_events.edit_event(moderator, event,
                                event_data(T0 + timedelta(days=4), title="Later meetup"),
                                now=T0)
    community_events.cancel_event(moderator, event, "Rain", now=T0)
    admin = factories.make_user(role="admin")
    announcements.create_announcement(admin, announcements.Draft(title="Welcome week"))
    announcements.create_announcement(admin, announcements.Draft(title="Team only",
                                                                 audience="moderators"))
    events_sent = [row.event for row in _deliveries(hook)]
    assert events_sent == ["event.created", "thread.created", "event.updated",
                           "event.cancelled", "announcement.published"]
    webhooks.deliver_due()
    by_event = {a.event: a.json["data"] for a in webhook_server.arrivals}
    assert by_event["event.updated"]["event"]["title"] == "Later meetup"
    assert by_event["event.cancelled"]["event"]["cancelled_at"] is not None
    assert by_event["announcement.published"]["announcement"]["title"] == "Welcome week"


# -- failures, retries, stopping --------------------------------------------------------------
def _queued(hook, n=1):
    for i in range(n):
        factories.make_thread(factories.make_board(), title=f"Thread {i}")
    return _deliveries(hook)


def test_a_server_error_is_tried_again_later_then_delivered(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    (row,) = _queued(hook)
    webhook_server.status = 500
    run = webhooks.deliver_due()
    assert (run.retrying, run.delivered) == (1, 0)
    db.session.expire_all()
    row = db.session.get(WebhookDelivery, row.id)
    assert row.status == DeliveryStatus.QUEUED and row.response_code == 500
    assert row.last_error.startswith("http_status")
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert db.session.get(Webhook, hook.id).failure_count == 1
    assert webhooks.deliver_due().handled == 0  # not due yet
    webhook_server.behave()
    run = webhooks.deliver_due(now=utcnow() + timedelta(minutes=2))
    assert run.delivered == 1
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, row.id).attempts == 2
    assert db.session.get(Webhook, hook.id).failure_count == 0
    assert all(a.verified for a in webhook_server.arrivals)


def test_a_client_error_fails_at_once_and_410_stops_the_hook(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    rows = _queued(hook, 2)
    webhook_server.status = 404
    app.config["WEBHOOK_BATCH"] = 1
    run = webhooks.deliver_due(limit=1)
    assert run.failed == 1 and run.retrying == 0
    webhook_server.status = 410
    admin = db.session.scalar(select(Webhook.created_by_id).where(Webhook.id == hook.id))
    run = webhooks.deliver_due()
    assert run.failed == 1 and run.disabled == 1
    db.session.expire_all()
    hook = db.session.get(Webhook, hook.id)
    assert not hook.is_active and hook.disabled_reason == "gone"
    assert [db.session.get(WebhookDelivery, r.id).response_code for r in rows] == [404, 410]
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "webhook.auto_disable"))
    assert entry.actor_id is None and entry.target_label.startswith(f"webhook #{hook.id} (")
    notice = db.session.scalar(select(Notification).where(Notification.recipient_id == admin))
    assert notice.key == "webhook.disabled.gone" and notice.link == f"/admin/webhooks/{hook.id}"
    # Nothing more is queued for it.
    _queued(hook, 1)
    assert len(_deliveries(hook)) == 2


def test_repeated_failures_stop_the_hook_and_tell_every_admin(app, webhook_server):
    app.config["WEBHOOK_DISABLE_AFTER"] = 3
    other_admin = factories.make_user(role="admin")
    hook = _hook(webhook_server, events=["thread.created"])
    rows = _queued(hook, 5)
    webhook_server.status = 503
    run = webhooks.deliver_due()
    assert run.retrying == 3 and run.disabled == 1
    db.session.expire_all()
    assert not db.session.get(Webhook, hook.id).is_active
    # The three tried wait no more, and the two after them in the batch were never sent.
    states = [db.session.get(WebhookDelivery, r.id) for r in rows]
    assert [r.status for r in states] == ["failed"] * 5
    assert [r.attempts for r in states] == [1, 1, 1, 0, 0]
    assert len(webhook_server.arrivals) == 3
    later = webhooks.deliver_due(now=utcnow() + timedelta(hours=2))
    assert later.handled == 0 and len(webhook_server.arrivals) == 3
    told = db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.key == "webhook.disabled.failing"))
    assert told == 2  # both administrators
    assert other_admin.id


def test_a_down_host_keeps_its_other_deliveries_waiting(app):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ("127.0.0.1/32",)
    hook = _hook(url=f"http://127.0.0.1:{free_port()}/gone", events=["thread.created"])
    rows = _queued(hook, 3)
    run = webhooks.deliver_due()
    assert (run.retrying, run.delivered, run.failed) == (1, 0, 0)
    db.session.expire_all()
    found = [db.session.get(WebhookDelivery, r.id) for r in rows]
    assert [r.attempts for r in found] == [1, 0, 0]
    assert all(r.status == "queued" for r in found)
    assert found[0].last_error.startswith("connect")
    assert db.session.get(Webhook, hook.id).failure_count == 1


def test_a_slow_answer_times_out_and_a_huge_one_is_cut_off(app, webhook_server):
    app.config["WEBHOOK_TIMEOUT"] = 0.5
    hook = _hook(webhook_server, events=["thread.created"])
    (slow,) = _queued(hook)
    webhook_server.delay = 1.5
    started = time.monotonic()
    run = webhooks.deliver_due()
    assert run.retrying == 1 and time.monotonic() - started < 1.4
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, slow.id).last_error.startswith("timeout")
    webhook_server.behave()
    webhook_server.huge = True
    app.config["WEBHOOK_TIMEOUT"] = 5
    started = time.monotonic()
    run = webhooks.deliver_due(now=utcnow() + timedelta(hours=1))
    assert run.delivered == 1 and time.monotonic() - started < 4


def test_an_answer_trickling_in_is_cut_off_at_the_deadline(app, webhook_server):
    app.config["WEBHOOK_TIMEOUT"] = 1.0
    hook = _hook(webhook_server, events=["thread.created"])
    (row,) = _queued(hook)
    webhook_server.drip = True  # 40 header bytes, 0.1 s apart: each read is quick
    started = time.monotonic()
    run = webhooks.deliver_due()
    assert run.retrying == 1 and time.monotonic() - started < 2.5
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, row.id).last_error.startswith("timeout")


def test_a_redirect_is_not_followed(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    (row,) = _queued(hook)
    webhook_server.status = 302
    assert webhooks.deliver_due().failed == 1
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, row.id).last_error.startswith("redirect")
    assert len(webhook_server.arrivals) == 1


def test_claims_left_by_a_dead_worker_fail_rather_than_go_twice(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    (row,) = _queued(hook)
    token = delivery.QUEUE.claim(utcnow(), 10)
    assert token
    assert webhooks.deliver_due().handled == 0  # claimed: not sent again
    run = webhooks.deliver_due(now=utcnow() + timedelta(minutes=20))
    assert run.interrupted == 1 and webhook_server.arrivals == []
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, row.id).status == "failed"


def test_two_workers_at_once_deliver_each_once(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    _queued(hook, 30)
    app.config["WEBHOOK_BATCH"] = 3
    outcomes = race(app, *[lambda: webhooks.deliver_due] * 2)
    errors = [value for kind, value in outcomes if kind == "error"]
    results = [value for kind, value in outcomes if kind == "ok"]
    assert not errors
    assert sum(r.delivered for r in results) == 30
    ids = [a.json["id"] for a in webhook_server.arrivals]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert all(a.verified for a in webhook_server.arrivals)
    assert db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.status == "delivered")) == 30


def test_a_claim_takes_no_more_than_asked(app, webhook_server):
    """On PostgreSQL an IN (… LIMIT n FOR UPDATE SKIP LOCKED) subquery claimed more than n
    rows; the claim (shared with the mail outbox) takes exactly n."""
    hook = _hook(webhook_server, events=["thread.created"])
    _queued(hook, 5)
    token = delivery.QUEUE.claim(utcnow(), 2)
    claimed = db.session.scalar(select(func.count()).select_from(WebhookDelivery).where(
        WebhookDelivery.claimed_by == token, WebhookDelivery.status == "sending"))
    assert claimed == 2


def test_delivered_ones_are_purged_after_their_keeping_time(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    _queued(hook, 2)
    webhooks.deliver_due()
    assert webhooks.purge_finished(utcnow() + timedelta(days=29)) == 0
    assert webhooks.purge_finished(utcnow() + timedelta(days=31)) == 2


# -- addresses -------------------------------------------------------------------------------
@pytest.mark.parametrize("url, words", [
    ("http://10.1.2.3/hook", "private network"),
    ("http://169.254.169.254/latest", "link-local"),
    ("http://[::1]:8080/", "loopback"),
    ("http://localhost:8080/", "loopback"),
    ("http://127.0.0.1/", "loopback"),
    ("http://[::ffff:10.0.0.1]/", "private network"),
    ("http://224.0.0.1/", "multicast"),
    ("http://0.0.0.0/", "non-public"),
    ("ftp://example.org/", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("https://user:pw@example.org/", "user name or password"),
    ("https:///nohost", "host name"),
    ("http://" + "a" * 2000 + ".org/", "at most"),
    ("http://no-such-host.invalid/", "could not be found"),
])
def test_addresses_that_are_refused(app, url, words):
    with pytest.raises(addresses.AddressRefused) as refused:
        addresses.target(url)
    assert words in refused.value.reason


def test_allowed_networks_open_exactly_those(app):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ("127.0.0.1/32",)
    assert addresses.target("http://127.0.0.1:8000/x?y=1").addresses == ("127.0.0.1",)
    assert addresses.target("http://127.0.0.1:8000/x?y=1").path == "/x?y=1"
    with pytest.raises(addresses.AddressRefused):
        addresses.target("http://127.0.0.2/")
    with pytest.raises(addresses.AddressRefused):
        addresses.target("http://10.0.0.1/")


def test_an_address_refused_at_send_time_fails_the_delivery(app, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    (row,) = _queued(hook)
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ()  # the operator closed it since
    assert webhooks.deliver_due().failed == 1
    db.session.expire_all()
    assert "loopback" in db.session.get(WebhookDelivery, row.id).last_error
    assert webhook_server.arrivals == []


# -- signatures ------------------------------------------------------------------------------
def test_signatures_hold_only_for_the_body_the_secret_and_the_window():
    body = b'{"a":1}'
    header = signing.header("s3cret", 1_000_000, body)
    assert signing.verify("s3cret", header, body, 1_000_100)
    assert not signing.verify("other", header, body, 1_000_100)
    assert not signing.verify("s3cret", header, b'{"a":2}', 1_000_100)
    assert not signing.verify("s3cret", header, body, 1_000_000 + 301)  # replayed too late
    assert not signing.verify("s3cret", "t=abc,v1=00", body, 1_000_000)
    assert not signing.verify("s3cret", "", body, 1_000_000)


# -- approval, the commands ------------------------------------------------------------------
def test_a_thread_waiting_for_approval_is_told_when_approved(app, webhook_server):
    from forum.models import PendingPost
    from forum.services.content import approving

    hook = _hook(webhook_server, events=["thread.created"])
    writer = factories.make_user()
    writer.always_review = True
    db.session.commit()
    pending = posting.create_thread(writer, factories.make_board(), "Held back", "Wait.")
    assert isinstance(pending, PendingPost) and _deliveries(hook) == []
    approving.approve(factories.make_user(role="moderator"), pending)
    (row,) = _deliveries(hook)
    assert '"title":"Held back"' in row.body


def test_run_timers_and_the_worker_deliver(app, runner, webhook_server):
    hook = _hook(webhook_server, events=["thread.created"])
    _queued(hook, 2)
    result = runner.invoke(args=["forum", "run-timers"])
    assert result.exit_code == 0, result.output
    assert "Webhooks: delivered 2, 0 to retry later, 0 failed." in result.output
    _queued(hook, 1)
    result = runner.invoke(args=["forum", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "webhooks: delivered 1" in result.output
    assert len(webhook_server.arrivals) == 3 and all(a.verified for a in webhook_server.arrivals)


# -- the connection goes where the check said -------------------------------------------------
def test_the_checked_address_is_used_whatever_the_name(app, webhook_server):
    """The transport never looks the name up again: given a checked address it connects there
    and names the URL's host only in the Host header."""
    from forum.services.webhooks import transport

    target = addresses.Target("http", "hooks.example.invalid", webhook_server.port, "/pinned",
                              ("127.0.0.1",))
    status = transport.post(target, b"{}", {}, timeout=2, max_bytes=1024)
    assert status == 200
    (arrival,) = webhook_server.arrivals
    assert arrival.path == "/pinned"
    assert arrival.headers["Host"] == f"hooks.example.invalid:{webhook_server.port}"


def test_https_checks_the_certificate(app, tmp_path):
    """A TLS server with a certificate no authority signed is refused (the name is checked
    against the URL's host, the address is the pinned one)."""
    import ssl
    import subprocess
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from forum.services.mail.transport import ConnectionFailed
    from forum.services.webhooks import transport

    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                    str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=localhost"],
                   check=True, capture_output=True)
    server = HTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    worker = threading.Thread(target=server.handle_request, daemon=True)
    worker.start()
    target = addresses.Target("https", "localhost", server.server_address[1], "/",
                              ("127.0.0.1",))
    with pytest.raises(ConnectionFailed) as failed:
        transport.post(target, b"{}", {}, timeout=2, max_bytes=1024)
    assert failed.value.text.startswith("tls:") and "CERTIFICATE_VERIFY_FAILED" in \
        failed.value.text
    worker.join(5)
    server.server_close()


def test_the_readme_recipe_verifies_a_real_delivery(app, webhook_server):
    """The verification code in the README, run against what the forum sent."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("**Checking the signature.**"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)  # the README's own words, as a receiver would paste them
    hook = _hook(webhook_server, events=["thread.created"])
    _queued(hook)
    webhooks.deliver_due()
    (arrival,) = webhook_server.arrivals
    header = arrival.headers[signing.HEADER]
    assert namespace["verify"](hook.secret, header, arrival.body)
    assert not namespace["verify"](hook.secret, header, arrival.body + b" ")
    assert not namespace["verify"]("whsec_other", header, arrival.body)
