"""Mail's own pages: one-click unsubscribe (no login, RFC 8058) and the administrators'
outbox."""
from __future__ import annotations

from forum.extensions import db
from forum.models import MailStatus, ModAction, OutboxMessage, User
from forum.services import mail
from forum.services.mail import unsubscribe
from tests import factories


def _link(user):
    return f"/mail/unsubscribe/{unsubscribe.make_token(user)}"


def test_one_click_post_stops_notification_mail_without_login(app, client):
    user = factories.make_user()
    response = client.post(_link(user), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    db.session.expire_all()
    assert db.session.get(User, user.id).notification_mail_stopped_at is not None
    again = client.post(_link(user))
    assert again.status_code == 200


def test_the_link_opened_in_a_browser_asks_first(app, client):
    user = factories.make_user()
    page = client.get(_link(user))
    assert page.status_code == 200 and b'method="post"' in page.data
    db.session.expire_all()
    assert db.session.get(User, user.id).notification_mail_stopped_at is None


def test_a_tampered_or_foreign_link_changes_nothing(app, client):
    user = factories.make_user()
    token = unsubscribe.make_token(user)
    for bad in (token[:-2] + "xx", "nonsense", token + "a"):
        assert client.post(f"/mail/unsubscribe/{bad}").status_code == 404
        assert client.get(f"/mail/unsubscribe/{bad}").status_code == 404
    user.deleted_at = user.created_at
    db.session.commit()
    assert client.post(f"/mail/unsubscribe/{token}").status_code == 404


def test_the_link_in_a_mail_works(app, client, smtp_server):
    user = factories.make_user()
    mail.queue(user, "notification", category="notification", text="Hi", link="http://x/")
    db.session.commit()
    mail.send_due()
    url = smtp_server.received[0].message["List-Unsubscribe"].strip("<>")
    assert client.post(url.removeprefix("http://localhost")).status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).notification_mail_stopped_at is not None


def test_outbox_lists_states_and_retry_is_logged(app, client, login):
    admin = login(factories.make_user(role="admin"))
    member = factories.make_user(username="bob")
    row = mail.queue(member, "notification", text="Hi", link="http://x/")
    db.session.commit()
    row = db.session.get(OutboxMessage, row.id)
    row.status, row.last_error, row.attempts = MailStatus.FAILED.value, "550 gone", 3
    db.session.commit()
    page = client.get("/admin/outbox?status=failed")
    assert page.status_code == 200 and b"550 gone" in page.data and b"bob@example.com" in page.data
    assert client.get("/admin/outbox?status=bogus&page=99").status_code == 200
    response = client.post(f"/admin/outbox/{row.id}/retry")
    assert response.status_code == 302
    db.session.expire_all()
    again = db.session.get(OutboxMessage, row.id)
    assert again.status == MailStatus.QUEUED and again.attempts == 0
    entry = db.session.query(ModAction).filter_by(action="mail.retry").one()
    assert entry.actor_id == admin.id and entry.target_user_id == member.id
    # Twice: the second finds nothing failed.
    assert client.post(f"/admin/outbox/{row.id}/retry").status_code == 409
    assert client.post("/admin/outbox/999999/retry").status_code == 404
