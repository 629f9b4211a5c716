"""The page of a member's notification mail choices (/account/mail): guests are sent to log
in, each member sees and changes only their own, and a choice that isn't one changes nothing."""
from __future__ import annotations

import re
from datetime import UTC, datetime

from forum.extensions import db
from forum.models import User
from forum.services.notification_mail.topics import Delivery, Frequency, choices, frequency
from tests import factories


def _form(**changes):
    data = {f"topic_{name}": value.value for name, value in
            choices(User(mail_preferences=None)).items()}
    data.update({"digest": "daily", "hour": ""})
    data.update(changes)
    return data


def test_guests_are_sent_to_log_in(app, client):
    for response in (client.get("/account/mail"), client.post("/account/mail", data=_form())):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_page_shows_a_row_per_topic_with_the_defaults_checked(app, client, login):
    member = login(factories.make_user(username="ann", timezone="Europe/Berlin"))
    page = client.get("/account/mail")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="mail-replies"' in html and 'id="mail-sanctions"' in html
    # Topics of kinds this forum doesn't have yet are not offered.
    assert 'id="mail-mentions"' not in html
    assert _checked(html, "topic_replies", "digest")
    assert not _checked(html, "topic_replies", "now")
    assert _checked(html, "topic_sanctions", "now")
    assert _checked(html, "digest", "daily")
    assert "Europe/Berlin" in html and member.mail_preferences is None


def _checked(html: str, name: str, value: str) -> bool:
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return "checked" in tag
    return False


def test_saving_stores_only_what_differs(app, client, login):
    member = login(factories.make_user(username="ann", timezone="Europe/Berlin"))
    response = client.post("/account/mail", data=_form(topic_replies="now",
                                                       topic_sanctions="now",
                                                       digest="weekly", hour="18"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/mail")
    db.session.expire_all()
    saved = db.session.get(User, member.id)
    assert saved.mail_preferences == {"topics": {"replies": "now"}, "digest": "weekly",
                                      "hour": 18}
    assert saved.digest_due_at.astimezone(UTC).hour in (17, 16)  # 18:00 in Berlin
    assert _checked(client.get("/account/mail").get_data(as_text=True), "topic_replies", "now")
    # Back to every default: nothing stored.
    client.post("/account/mail", data=_form())
    db.session.expire_all()
    assert db.session.get(User, member.id).mail_preferences is None


def test_turning_the_digest_off_clears_its_schedule(app, client, login):
    member = login(factories.make_user())
    client.post("/account/mail", data=_form(digest="off"))
    db.session.expire_all()
    saved = db.session.get(User, member.id)
    assert frequency(saved) == Frequency.OFF and saved.digest_due_at is None


def test_saving_takes_back_a_stop_of_every_notification_mail(app, client, login):
    member = login(factories.make_user())
    member.notification_mail_stopped_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    assert "You stopped every email about notifications" in client.get(
        "/account/mail").get_data(as_text=True)
    client.post("/account/mail", data=_form())
    db.session.expire_all()
    assert db.session.get(User, member.id).notification_mail_stopped_at is None


def test_bad_choices_are_refused_and_change_nothing(app, client, login):
    member = login(factories.make_user())
    for bad in (_form(topic_replies="sometimes"), _form(digest="hourly"), _form(hour="24"),
                _form(hour="-1"), _form(hour="x" * 5000), {"digest": "daily"},
                _form(topic_replies=["now", "app"])):
        response = client.post("/account/mail", data=bad)
        assert response.status_code == 400, bad
    db.session.expire_all()
    assert db.session.get(User, member.id).mail_preferences is None
    assert choices(db.session.get(User, member.id))["replies"] == Delivery.DIGEST


def test_a_post_without_its_token_is_refused(app, client, login, enable_csrf):
    member = login(factories.make_user())
    assert client.post("/account/mail", data=_form(topic_replies="now")).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, member.id).mail_preferences is None


def test_the_profile_editor_links_to_the_page(app, client, login):
    login(factories.make_user())
    assert 'href="/account/mail"' in client.get("/account/profile").get_data(as_text=True)
