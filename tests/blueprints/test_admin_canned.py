"""Canned responses over HTTP: the list, adding, previewing, editing and deleting."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import CannedResponse, ModAction
from forum.services.moderation import modnotes
from tests.factories import text

XSS_TITLE = '<script>alert("t")</script>'
XSS_BODY = '<img src=x onerror=alert(1)> Hi {username}, about {thread}'


def log(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


def canned_count() -> int:
    return db.session.scalar(select(func.count(CannedResponse.id)))


@pytest.fixture
def canned(admin):
    return modnotes.create_canned(admin, "Off topic", "Hi {username}, {thread} is off topic.")


def test_empty_list_explains_itself(client, login, admin):
    login(admin)
    html = text(client.get("/admin/canned"))
    assert "No canned responses yet." in html
    assert "<code>{username}</code>" in html and "<code>{thread}</code>" in html
    assert "New canned response" in html


def test_list_shows_text_and_filled_sample(client, login, admin, canned):
    login(admin)
    html = text(client.get("/admin/canned"))
    assert "<h2>Off topic</h2>" in html
    assert "Hi {username}, {thread} is off topic." in html
    assert "Hi sample_member, Sample thread title is off topic." in html
    assert f'href="/admin/canned/{canned.id}/edit"' in html
    assert f'href="/admin/canned/{canned.id}/delete"' in html


def test_create(client, login, admin):
    login(admin)
    response = client.post("/admin/canned", data={
        "title": "  Be kind  ", "body": "Hello {username},\r\nplease be kind in {thread}.\r\n",
    })
    assert response.status_code == 302
    [made] = db.session.scalars(select(CannedResponse))
    assert response.headers["Location"].endswith(f"/admin/canned#canned-{made.id}")
    assert (made.title, made.body) == ("Be kind", "Hello {username},\nplease be kind in {thread}.")
    assert made.created_by_id == admin.id
    [entry] = log("canned.create")
    assert entry.actor_id == admin.id and entry.after["title"] == "Be kind"
    assert "Added “Be kind”." in text(client.get("/admin/canned"))


def test_preview_fills_the_placeholders_and_saves_nothing(client, login, admin):
    login(admin)
    response = client.post("/admin/canned", data={
        "title": "Draft", "body": "Dear {username}, see {thread}. {other} stays.", "preview": "1",
    })
    html = text(response)
    assert response.status_code == 200
    assert "Dear sample_member, see Sample thread title. {other} stays." in html
    assert 'value="Draft"' in html
    assert canned_count() == 0
    assert log("canned.create") == []


@pytest.mark.parametrize("data, message", [
    ({"title": "x" * 101, "body": "Text"}, "Titles can be at most 100 characters."),
    ({"title": "", "body": "Text"}, "A canned response needs a title."),
    ({"title": "   ", "body": "Text"}, "A canned response needs a title."),
    ({"title": "Title", "body": ""}, "A canned response needs some text."),
    ({"title": "Title", "body": "x" * 5001}, "The text can be at most 5,000 characters."),
    ({}, "A canned response needs a title."),
])
def test_bad_input_is_400_and_saves_nothing(client, login, admin, data, message):
    login(admin)
    response = client.post("/admin/canned", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert canned_count() == 0


def test_xss_in_title_and_body_stays_inert(client, login, admin):
    response = modnotes.create_canned(admin, XSS_TITLE, XSS_BODY)
    login(admin)
    pages = {
        "list": text(client.get("/admin/canned")),
        "edit": text(client.get(f"/admin/canned/{response.id}/edit")),
        "delete": text(client.get(f"/admin/canned/{response.id}/delete")),
        "preview": text(client.post(f"/admin/canned/{response.id}/edit", data={
            "title": XSS_TITLE, "body": XSS_BODY, "preview": "1"})),
    }
    for name, html in pages.items():
        assert "<script>alert" not in html, name
        assert "<img src=x" not in html, name
        assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in html, name
        assert "&lt;img src=x onerror=alert(1)&gt;" in html, name


def test_edit_page_is_filled_in(client, login, admin, canned):
    login(admin)
    html = text(client.get(f"/admin/canned/{canned.id}/edit"))
    assert 'value="Off topic"' in html
    assert "Hi {username}, {thread} is off topic.</textarea>" in html


def test_edit(client, login, admin, canned):
    login(admin)
    response = client.post(f"/admin/canned/{canned.id}/edit",
                           data={"title": "Off-topic", "body": "Please stay on topic, {username}."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/canned#canned-{canned.id}")
    db.session.expire_all()
    changed = db.session.get(CannedResponse, canned.id)
    assert (changed.title, changed.body) == ("Off-topic", "Please stay on topic, {username}.")
    assert changed.updated_at is not None
    [entry] = log("canned.update")
    assert entry.before["title"] == "Off topic" and entry.after["title"] == "Off-topic"


def test_edit_preview_saves_nothing(client, login, admin, canned):
    login(admin)
    response = client.post(f"/admin/canned/{canned.id}/edit",
                           data={"title": "New", "body": "Bye {username}", "preview": "1"})
    assert response.status_code == 200
    assert "Bye sample_member" in text(response)
    db.session.expire_all()
    assert db.session.get(CannedResponse, canned.id).title == "Off topic"
    assert log("canned.update") == []


def test_edit_bad_input_is_400(client, login, admin, canned):
    login(admin)
    response = client.post(f"/admin/canned/{canned.id}/edit",
                           data={"title": "y" * 101, "body": "Text"})
    assert response.status_code == 400
    assert "Titles can be at most 100 characters." in text(response)
    db.session.expire_all()
    assert db.session.get(CannedResponse, canned.id).title == "Off topic"


def test_delete_asks_first(client, login, admin, canned):
    login(admin)
    html = text(client.get(f"/admin/canned/{canned.id}/delete"))
    assert "Delete “Off topic”?" in html
    assert f'action="/admin/canned/{canned.id}/delete"' in html
    assert canned_count() == 1


def test_delete(client, login, admin, canned):
    login(admin)
    response = client.post(f"/admin/canned/{canned.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/canned")
    assert canned_count() == 0
    [entry] = log("canned.delete")
    assert entry.before["title"] == "Off topic"
    assert "Deleted “Off topic”." in text(client.get("/admin/canned"))


@pytest.mark.parametrize("method, path", [
    ("get", "/admin/canned/999/edit"),
    ("post", "/admin/canned/999/edit"),
    ("get", "/admin/canned/999/delete"),
    ("post", "/admin/canned/999/delete"),
])
def test_unknown_response_is_404(client, login, admin, method, path):
    login(admin)
    response = getattr(client, method)(path, data={"title": "T", "body": "B"})
    assert response.status_code == 404
    assert "That canned response doesn" in text(response)


@pytest.mark.parametrize("path, data", [
    ("/admin/canned", {"title": "New", "body": "Text"}),
    ("/admin/canned/{id}/edit", {"title": "Changed", "body": "Changed"}),
    ("/admin/canned/{id}/delete", {}),
])
def test_forms_need_csrf(client, login, admin, canned, enable_csrf, path, data):
    login(admin)
    response = client.post(path.format(id=canned.id), data=data)
    assert response.status_code == 400
    assert "did not come from this site" in text(response)
    db.session.expire_all()
    assert canned_count() == 1
    assert db.session.get(CannedResponse, canned.id).title == "Off topic"


# -- macros: a canned response with actions ---------------------------------------------------
def test_a_macro_is_added_with_its_actions_and_logged(client, login, admin):
    login(admin)
    response = client.post("/admin/canned", data={
        "title": "Spam removed", "body": "Hi {username}, we removed your advert.",
        "actions": ["hide_post"], "sanction": "warn", "timeout": "24h", "reason": "Spam"})
    assert response.status_code == 302
    macro = db.session.scalar(select(CannedResponse))
    assert (macro.actions, macro.sanction, macro.timeout, macro.reason) == (
        ["hide_post"], "warn", None, "Spam")
    [entry] = log("canned.create")
    assert entry.after["actions"] == ["hide_post"] and entry.after["sanction"] == "warn"
    html = text(client.get("/admin/canned"))
    assert "Macro" in html and "Hide + Warn" in html and "reason: Spam" in html
    assert "Preset actions" in text(client.get("/mod/log"))


def test_a_macro_is_edited_back_into_a_plain_response(client, login, admin):
    macro = modnotes.create_canned(admin, "Cool off", "Hi {username}, take a break.")
    login(admin)
    client.post(f"/admin/canned/{macro.id}/edit", data={
        "title": "Cool off", "body": "Hi {username}, take a break.", "sanction": "timeout",
        "timeout": "6h"})
    db.session.expire_all()
    assert (macro.sanction, macro.timeout) == ("timeout", "6h")
    form = text(client.get(f"/admin/canned/{macro.id}/edit"))
    assert 'value="6h" selected' in form or "selected value=\"6h\"" in form
    client.post(f"/admin/canned/{macro.id}/edit", data={
        "title": "Cool off", "body": "Hi {username}, take a break.", "sanction": ""})
    db.session.expire_all()
    assert not macro.is_macro
    assert len(log("canned.update")) == 2


@pytest.mark.parametrize("preset", [
    {"actions": ["hide_post", "delete_post"]},
    {"actions": ["move_thread"]},
    {"sanction": "suspend"},
    {"sanction": "timeout", "timeout": "9y"},
    {"reason": "x" * 501},
])
def test_presets_macros_cannot_hold_are_400(client, login, admin, preset):
    login(admin)
    response = client.post("/admin/canned", data={"title": "Odd", "body": "Text", **preset})
    assert response.status_code == 400
    assert canned_count() == 0
