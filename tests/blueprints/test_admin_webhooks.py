"""The webhook pages under /admin/webhooks: adding (the secret shown once), refusing bad input
with the reason on the form and nothing saved, editing, stopping, the test delivery, secrets,
the delivery log and sending again, deleting; every change logged."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ModAction, Webhook, WebhookDelivery
from forum.services.webhooks import hooks
from tests import factories


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _actions() -> list[str]:
    return list(db.session.scalars(select(ModAction.action).order_by(ModAction.id)))


def _make(admin, server, **fields) -> Webhook:
    hook = hooks.create(admin, hooks.HookData(url=server.url(), events=["thread.created"],
                                              **fields))
    server.secrets.add(hook.secret)
    return hook


def test_adding_a_hook_shows_its_secret_once(client, login, admin, webhook_server):
    login(admin)
    page = client.get("/admin/webhooks/new")
    assert page.status_code == 200 and 'name="events"' in page.get_data(as_text=True)
    answer = client.post("/admin/webhooks/new", data={
        "url": webhook_server.url("/in?token=abc"), "description": "  Chat   bot ",
        "events": ["thread.created", "report.created"], "is_staff_only": "y"})
    assert answer.status_code == 200
    hook = db.session.scalar(select(Webhook))
    html = answer.get_data(as_text=True)
    assert hook.secret in html and hook.secret.startswith("whsec_")
    assert hook.events == ["thread.created", "report.created"] and hook.is_staff_only
    assert hook.description == "Chat bot" and hook.url.endswith("/in?token=abc")
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "webhook.create"))
    assert entry.after == {"host": "127.0.0.1", "description": "Chat bot",
                           "events": ["thread.created", "report.created"], "staff_only": True}
    assert "token=abc" not in str(entry.after) and "token=abc" not in entry.target_label
    listing = client.get("/admin/webhooks").get_data(as_text=True)
    assert "127.0.0.1" in listing and hook.secret not in listing
    detail = client.get(f"/admin/webhooks/{hook.id}").get_data(as_text=True)
    assert hook.secret not in detail


@pytest.mark.parametrize("data, message", [
    ({"url": "ftp://example.org/", "events": ["thread.created"]}, "http:// or https://"),
    ({"url": "", "events": ["thread.created"]}, "Enter the address"),
    ({"url": "http://example.org/" + "x" * 2000, "events": ["thread.created"]}, "at most"),
    ({"url": "http://127.0.0.1:9/", "events": []}, "at least one event"),
    ({"url": "http://127.0.0.1:9/", "events": ["thread.created", "nope"]}, "from the list"),
    ({"url": "http://127.0.0.1:9/", "events": ["thread.created"], "description": "d" * 201},
     "at most 200"),
    ({"url": "http://10.0.0.8/hook", "events": ["thread.created"]}, "private network"),
    ({"url": "http://169.254.169.254/", "events": ["thread.created"]}, "link-local"),
    ({"url": "http://[::1]/", "events": ["thread.created"]}, "loopback"),
])
def test_bad_input_is_refused_on_the_form(client, login, admin, app, data, message):
    app.config["WEBHOOK_ALLOWED_NETWORKS"] = ("127.0.0.1/32",)
    login(admin)
    answer = client.post("/admin/webhooks/new", data=data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert message in html and 'class="field-error"' in html
    assert _count(Webhook) == 0 and _count(ModAction) == 0


def test_localhost_is_refused_unless_allowed(client, login, admin, app):
    login(admin)
    answer = client.post("/admin/webhooks/new", data={"url": "http://localhost:8080/",
                                                      "events": ["thread.created"]})
    assert answer.status_code == 400 and "loopback" in answer.get_data(as_text=True)
    assert _count(Webhook) == 0


def test_editing_keeps_the_secret_and_logs_before_and_after(client, login, admin,
                                                            webhook_server):
    hook = _make(admin, webhook_server)
    secret = hook.secret
    login(admin)
    assert client.get(f"/admin/webhooks/{hook.id}/edit").status_code == 200
    bad = client.post(f"/admin/webhooks/{hook.id}/edit", data={"url": "http://10.0.0.1/",
                                                               "events": ["report.created"]})
    assert bad.status_code == 400
    db.session.expire_all()
    assert db.session.get(Webhook, hook.id).events == ["thread.created"]
    answer = client.post(f"/admin/webhooks/{hook.id}/edit", data={
        "url": webhook_server.url("/v2"), "events": ["report.created"]})
    assert answer.status_code == 302
    db.session.expire_all()
    hook = db.session.get(Webhook, hook.id)
    assert hook.url.endswith("/v2") and hook.events == ["report.created"]
    assert hook.secret == secret
    entry = db.session.scalar(select(ModAction).where(ModAction.action == "webhook.edit"))
    assert entry.before["events"] == ["thread.created"]
    assert entry.after["events"] == ["report.created"]


def test_test_ping_is_delivered_signed_at_once(client, login, admin, webhook_server):
    hook = _make(admin, webhook_server)
    login(admin)
    answer = client.post(f"/admin/webhooks/{hook.id}/test", follow_redirects=True)
    assert answer.status_code == 200
    assert "The test was delivered (answer 200)" in answer.get_data(as_text=True)
    (arrival,) = webhook_server.arrivals
    assert arrival.verified and arrival.event == "ping"
    assert arrival.json["data"]["hook"]["id"] == hook.id
    assert "webhook.test" in _actions()


def test_a_failed_test_says_why(client, login, admin, webhook_server):
    hook = _make(admin, webhook_server)
    webhook_server.status = 500
    login(admin)
    html = client.post(f"/admin/webhooks/{hook.id}/test",
                       follow_redirects=True).get_data(as_text=True)
    assert "The test was not delivered" in html and "Answered with an error status" in html


def test_stopping_and_starting(client, login, admin, webhook_server):
    hook = _make(admin, webhook_server)
    factories.make_thread(factories.make_board())
    login(admin)
    assert client.post(f"/admin/webhooks/{hook.id}/disable").status_code == 302
    db.session.expire_all()
    assert not db.session.get(Webhook, hook.id).is_active
    assert db.session.scalar(select(WebhookDelivery.status)) == "failed"
    # A stopped hook can't be tested, and stopping twice logs once.
    assert client.post(f"/admin/webhooks/{hook.id}/test").status_code == 409
    assert client.post(f"/admin/webhooks/{hook.id}/disable").status_code == 302
    assert client.post(f"/admin/webhooks/{hook.id}/enable").status_code == 302
    db.session.expire_all()
    assert db.session.get(Webhook, hook.id).is_active
    assert _actions().count("webhook.disable") == 1 and "webhook.enable" in _actions()


def test_secrets_are_revealed_and_replaced_on_record(client, login, admin, webhook_server):
    hook = _make(admin, webhook_server)
    old = hook.secret
    login(admin)
    shown = client.post(f"/admin/webhooks/{hook.id}/reveal")
    assert shown.status_code == 200 and old in shown.get_data(as_text=True)
    replaced = client.post(f"/admin/webhooks/{hook.id}/secret")
    db.session.expire_all()
    new = db.session.get(Webhook, hook.id).secret
    assert new != old and new in replaced.get_data(as_text=True)
    assert _actions()[-2:] == ["webhook.reveal_secret", "webhook.rotate_secret"]
    # The next delivery is signed with the new secret only.
    webhook_server.secrets = {old}
    client.post(f"/admin/webhooks/{hook.id}/test")
    assert not webhook_server.arrivals[-1].verified
    webhook_server.secrets = {new}
    client.post(f"/admin/webhooks/{hook.id}/test")
    assert webhook_server.arrivals[-1].verified


def test_the_log_pages_and_sends_again(client, login, admin, app, webhook_server,
                                       count_queries):
    from forum.services import webhooks

    app.config["WEBHOOK_DISABLE_AFTER"] = 1000
    hook = _make(admin, webhook_server)
    board = factories.make_board()
    for n in range(hooks.LOG_PER_PAGE + 5):
        factories.make_thread(board, title=f"Thread {n}")
    webhook_server.status = 404
    webhooks.deliver_due()
    login(admin)
    client.get(f"/admin/webhooks/{hook.id}")
    with count_queries() as first:
        page = client.get(f"/admin/webhooks/{hook.id}")
    with count_queries() as second:
        page_two = client.get(f"/admin/webhooks/{hook.id}?page=2")
    assert len(first) == len(second)
    assert page.status_code == page_two.status_code == 200
    assert "Answered with an error status" in page.get_data(as_text=True)
    assert client.get(f"/admin/webhooks/{hook.id}?page=9").status_code == 404
    assert client.get(f"/admin/webhooks/{hook.id}?page=x").status_code == 400
    failed = db.session.scalar(select(WebhookDelivery).order_by(WebhookDelivery.id))
    webhook_server.behave()
    again = client.post(f"/admin/webhooks/{hook.id}/deliveries/{failed.id}/redeliver")
    assert again.status_code == 302
    # A second click finds it waiting already.
    twice = client.post(f"/admin/webhooks/{hook.id}/deliveries/{failed.id}/redeliver")
    assert twice.status_code == 409
    assert webhooks.deliver_due().delivered == 1
    assert webhook_server.arrivals[-1].json["id"] == failed.event_id
    other = _make(admin, webhook_server)
    assert client.post(f"/admin/webhooks/{other.id}/deliveries/{failed.id}/redeliver"
                       ).status_code == 404
    assert _actions().count("webhook.redeliver") == 1


def test_deleting_takes_the_log_with_it(client, login, admin, webhook_server):
    hook = _make(admin, webhook_server)
    factories.make_thread(factories.make_board())
    login(admin)
    assert client.get(f"/admin/webhooks/{hook.id}/delete").status_code == 200
    assert client.post(f"/admin/webhooks/{hook.id}/delete").status_code == 302
    assert _count(Webhook) == 0 and _count(WebhookDelivery) == 0
    assert "webhook.delete" in _actions()
    assert client.get(f"/admin/webhooks/{hook.id}").status_code == 404


def test_the_list_costs_the_same_for_many_hooks(client, login, admin, webhook_server,
                                                count_queries):
    _make(admin, webhook_server)
    login(admin)
    client.get("/admin/webhooks")
    with count_queries() as one:
        client.get("/admin/webhooks")
    for _ in range(5):
        _make(admin, webhook_server)
    with count_queries() as six:
        client.get("/admin/webhooks")
    assert len(one) == len(six)


def test_the_log_names_the_hook_in_the_readers_language(client, login, admin, webhook_server):
    hook = _make(admin, webhook_server)
    login(admin)
    html = client.get("/mod/log").get_data(as_text=True)
    assert f"webhook #{hook.id} (127.0.0.1)" in html and "Webhook added" in html


def test_two_admins_sending_one_delivery_again_at_once_queue_it_once(app, admin,
                                                                    webhook_server):
    import threading

    from forum.services import webhooks

    hook = _make(admin, webhook_server)
    factories.make_thread(factories.make_board())
    webhook_server.status = 404
    webhooks.deliver_due()
    failed = db.session.scalar(select(WebhookDelivery))
    clients = []
    for user in (admin, factories.make_user(role="admin")):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = factories.login_cookie(user)
            session["_fresh"] = True
        clients.append(client)
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    url = f"/admin/webhooks/{hook.id}/deliveries/{failed.id}/redeliver"

    def send(client) -> None:
        barrier.wait(30)
        statuses.append(client.post(url).status_code)

    workers = [threading.Thread(target=send, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert sorted(statuses) == [302, 409]
    assert _actions().count("webhook.redeliver") == 1
    webhook_server.behave()
    assert webhooks.deliver_due().delivered == 1


def test_buttons_need_the_forms_token(client, login, admin, webhook_server, enable_csrf):
    hook = _make(admin, webhook_server)
    login(admin)
    for action in ("disable", "test", "secret", "reveal", "delete"):
        assert client.post(f"/admin/webhooks/{hook.id}/{action}").status_code == 400, action
    db.session.expire_all()
    assert db.session.get(Webhook, hook.id).is_active and webhook_server.arrivals == []
    assert _actions() == ["webhook.create"]
