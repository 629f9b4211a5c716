"""The services' refusals in German mode: pages that show them render in the reader's language
without errors, and messages built from values are whole sentences with every placeholder
filled (German texts appear once the catalog has them)."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale

from forum.errors import Refused
from forum.services.content import posting
from forum.services.moderation import post_tools, reports, resolution
from tests import factories
from tests.factories import text

GERMAN = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}


def _lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', text(response)).group(1)


@pytest.fixture
def thread(app, member):
    return factories.make_thread(factories.make_board(slug="general"), author=member)


def test_missing_pages_in_german(client, thread):
    for url in ("/t/999999", "/b/no-such-board", f"/t/{thread.id}?page=99"):
        response = client.get(url, headers=GERMAN)
        assert response.status_code == 404 and _lang(response) == "de", url


def test_queue_filters_and_reply_refusals_in_german(client, login, moderator, member, thread):
    login(moderator)
    queue = client.get("/mod/reports?status=nonsense", headers=GERMAN)
    assert queue.status_code == 400 and _lang(queue) == "de"
    login(member)
    empty = client.post(f"/t/{thread.id}/reply", data={"body": " "}, headers=GERMAN)
    assert empty.status_code == 400 and _lang(empty) == "de"


def _refusal(call) -> str:
    with pytest.raises(Refused) as refused:
        call()
    return refused.value.reason


def test_whole_sentences_with_their_values(app, moderator, member, thread):
    post = factories.make_post(thread)
    with app.test_request_context(headers=GERMAN), force_locale("de"):
        hidden = _refusal(lambda: post_tools.hide_post(moderator, post, " "))
        twice = _refusal(lambda: resolution._checked([
            resolution.Action(resolution.ActionKind.WARN, "rude"),
            resolution.Action(resolution.ActionKind.WARN, "rude")]))
        reports.file_report(member, post, "spam")
        again = _refusal(lambda: reports.file_report(member, post, "spam"))
        long = _refusal(lambda: posting.reply(member, thread, "x" * (posting.BODY_MAX + 1)))
    for message in (hidden, twice, again, long):
        assert message and "%(" not in message
    assert "50.000" in long  # written the German way


def test_outside_a_request_the_english_text(app, moderator, thread):
    message = _refusal(lambda: post_tools.hide_post(moderator, factories.make_post(thread), ""))
    assert message == "Please give a reason for “hide the post”."
