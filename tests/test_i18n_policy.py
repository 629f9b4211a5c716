"""Refusals, settings and moderation forms in German mode: every page of the area renders in
the reader's language without errors, the placeholders of the policy's messages are filled, and
the lazy texts (labels, choices, validator messages) work where views join or format them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale

from forum.extensions import db
from forum.models import SETTINGS, EventKind, ReportReason, Role, SanctionKind, utcnow
from forum.policy import Policy
from forum.services.moderation import sanctions
from tests import factories
from tests.factories import text

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def _lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', text(response)).group(1)


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member)


def test_settings_page_and_its_refusals_in_german(client, login, admin):
    login(admin)
    page = client.get("/admin/settings", headers=GERMAN)
    assert page.status_code == 200 and _lang(page) == "de"
    refused = client.post("/admin/settings", headers=GERMAN,
                          data={"report_limit_per_hour": "lots", "auto_hide_threshold": "7"})
    assert refused.status_code == 400 and _lang(refused) == "de"
    # The label is filled into the message, whatever the language.
    with force_locale("de"):
        label = str(SETTINGS["report_limit_per_hour"].label)
    assert f"{label}:" in text(refused)
    saved = client.post("/admin/settings", headers=GERMAN, data={"auto_hide_threshold": "5"})
    assert saved.status_code == 302
    assert _lang(client.get("/admin/settings", headers=GERMAN)) == "de"


def test_admin_refusal_for_a_member_in_german(client, login, member):
    login(member)
    response = client.get("/admin/settings", headers=GERMAN)
    assert response.status_code == 403 and _lang(response) == "de"


def test_structure_and_group_forms_in_german(client, login, admin, board):
    login(admin)
    for url in ("/admin/structure", f"/admin/structure/boards/{board.id}/edit",
                f"/admin/structure/boards/{board.id}/delete", "/admin/structure/boards/new",
                "/admin/groups", "/admin/canned", "/admin/invitations",
                f"/admin/users/{admin.username}"):
        response = client.get(url, headers=GERMAN)
        assert response.status_code == 200 and _lang(response) == "de", url


def test_moderation_record_and_its_forms_in_german(client, login, moderator, member):
    sanctions.warn(moderator, member, "rude")
    login(moderator)
    page = client.get(f"/mod/members/{member.username}", headers=GERMAN)
    assert page.status_code == 200 and _lang(page) == "de"
    # A lazy "required" message joined by the view, in German mode.
    timeout = sanctions.timeout(moderator, member, "x", timedelta(hours=1))
    lifted = client.post(f"/mod/sanctions/{timeout.id}/lift", data={}, headers=GERMAN)
    assert lifted.status_code == 400 and _lang(lifted) == "de"
    missing = client.post(f"/mod/members/{member.username}/sanctions", headers=GERMAN,
                          data={"kind": "suspension", "reason": ""})
    assert missing.status_code == 400 and _lang(missing) == "de"


def test_reply_refusal_with_a_timed_lock_in_german(client, login, thread, other_member):
    thread.is_locked = True
    thread.locked_reason = "cooling off"
    thread.lock_ends_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    login(other_member)
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "hi"}, headers=GERMAN)
    assert refused.status_code == 403 and _lang(refused) == "de"
    assert "cooling off" in text(refused)


def test_report_form_offers_the_reasons_in_german(client, login, thread, other_member):
    login(other_member)
    response = client.get(f"/report/post/{thread.first_post_id}", headers=GERMAN)
    assert response.status_code == 200 and _lang(response) == "de"
    refused = client.post(f"/report/post/{thread.first_post_id}", data={}, headers=GERMAN)
    assert refused.status_code == 400 and _lang(refused) == "de"


def test_policy_messages_fill_their_placeholders(app, member, moderator, thread):
    sanctions.timeout(moderator, member, "spamming links.", timedelta(hours=3))
    # Each request its own app context, as in a server: the language is chosen per request.
    with app.app_context(), app.test_request_context(headers=GERMAN):
        decision = Policy(member).can_reply(thread)
        assert not decision and decision.retry_after
        assert isinstance(decision.reason, str) and "%(" not in decision.reason
        assert decision.reason.startswith("Ein Moderator hat dir eine Zeitsperre gegeben: "
                                          "spamming links.")
    with app.app_context(), app.test_request_context():
        decision = Policy(member).can_reply(thread)
        assert decision.reason.startswith("A moderator has given you a timeout: spamming links. "
                                          "You can post again in ")
        admin_only = Policy(member).can_manage_settings()
        assert admin_only.reason == "Only administrators can change site settings."


def test_labels_stay_stored_values(app):
    with app.app_context(), app.test_request_context(headers=GERMAN):
        assert str(Role.MODERATOR.label) == "Moderator" and Role.MODERATOR == 2
        assert str(Role.ADMIN.label) == "Administrator"
        assert [reason.value for reason in ReportReason][0] == "spam"
        assert SanctionKind.BAN.value == "ban" and str(SanctionKind.BAN.label)
        assert EventKind.QA.value == "qa" and str(EventKind.QA.label)
    with app.app_context(), app.test_request_context():
        assert str(Role.ADMIN.label) == "Admin"
        assert str(ReportReason.OFF_TOPIC.label) == "Off-topic"
