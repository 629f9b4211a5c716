"""The moderation pages in German mode: the queue, a report, a member's record, the log, a
thread's and a post's tools, splitting and a board's pace all render with ``<html lang="de">``,
in the states that show the most text, and bad input still gets a 4xx with a message."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from forum.extensions import db
from forum.models import utcnow
from forum.services.moderation import modnotes, post_tools, reports, sanctions, thread_pins
from forum.services.moderation import thread_tools as tools
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import reported_post

GERMAN = {"Accept-Language": "de-DE,de;q=0.9"}


def _lang(response) -> str:
    return re.search(r'<html lang="([\w-]+)"', text(response)).group(1)


@pytest.fixture
def scene(app, moderator, member, admin):
    """A reported post by ``member`` (claimed), a dismissed report, sanctions (one lifted) and a
    note, and a thread that is pinned, locked, slowed down and has a hidden reply."""
    post, item = reported_post(reporters=2, author=member)
    reports.claim(moderator, item)
    _other_post, dismissed = reported_post(reporters=1, author=member)
    reports.claim(moderator, dismissed)
    from forum.services.moderation import resolution

    resolution.dismiss(moderator, dismissed, "Fine as it is")
    thread = post.thread
    hidden = factories.make_post(thread, author=member, body="Something rude.")
    db.session.commit()
    sanctions.warn(moderator, member, "Rude", message="Read the rules")
    sanctions.timeout(moderator, member, "Again", timedelta(hours=6))
    lifted = sanctions.suspend(moderator, member, "Mistake", utcnow() + timedelta(days=1))
    sanctions.lift(admin, lifted, "Wrong member")
    modnotes.add_note(moderator, member, "Watch this one")
    post_tools.hide_post(moderator, hidden, "Rude")
    thread_pins.pin_thread(moderator, thread, "Useful", until=utcnow() + timedelta(days=2))
    tools.lock_thread(moderator, thread, "Heated", ends_at=utcnow() + timedelta(hours=3))
    tools.set_slow_mode(moderator, thread, 300, "Calm down",
                        until=utcnow() + timedelta(hours=1))
    return item, dismissed, thread, hidden


def test_moderation_pages_render_in_german(client, login, moderator, scene):
    item, dismissed, thread, hidden = scene
    login(moderator)
    slug = thread.board.slug
    for path in ["/mod/reports", "/mod/reports?status=dismissed", "/mod/reports?status=claimed",
                 "/mod/reports?reason=harassment", f"/mod/reports/{item.id}",
                 f"/mod/reports/{dismissed.id}", "/mod/members/member", "/mod/log",
                 "/mod/log?action=thread.pin", f"/mod/threads/{thread.id}",
                 f"/mod/threads/{thread.id}?item={item.id}", f"/mod/threads/{thread.id}/split",
                 f"/mod/posts/{hidden.id}", f"/mod/posts/{thread.first_post_id}",
                 f"/mod/boards/{slug}"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200, path
        assert _lang(response) == "de", path


def test_an_empty_queue_and_log_render_in_german(client, login, moderator, app):
    login(moderator)
    for path in ["/mod/reports", "/mod/log?member=nobody"]:
        response = client.get(path, headers=GERMAN)
        assert response.status_code == 200 and _lang(response) == "de", path


def test_german_mode_still_answers_bad_input(client, login, moderator, scene):
    item, dismissed, thread, hidden = scene
    login(moderator)
    too_long = client.get("/mod/log", query_string={"actor": "x" * 65}, headers=GERMAN)
    assert too_long.status_code == 400 and _lang(too_long) == "de"
    backwards = client.get("/mod/log?since=2026-02-01&until=2026-01-01", headers=GERMAN)
    assert backwards.status_code == 400
    move = client.post(f"/mod/threads/{thread.id}/move", data={"board": "", "reason": "x"},
                       headers=GERMAN)
    assert move.status_code == 400 and _lang(move) == "de"
    canned = client.post(f"/mod/reports/{item.id}/resolve",
                         data={"use_canned": "1", "canned": "", "reason": "x"}, headers=GERMAN)
    assert canned.status_code == 400 and _lang(canned) == "de"


def test_a_german_flash_after_an_action(client, login, moderator, scene):
    item, dismissed, thread, hidden = scene
    login(moderator)
    done = client.post(f"/mod/posts/{hidden.id}/unhide", data={"reason": "Fine after all"},
                       headers=GERMAN, follow_redirects=True)
    assert done.status_code == 200 and _lang(done) == "de"
    noted = client.post("/mod/members/member/notes", data={"body": "Second note"},
                        headers=GERMAN, follow_redirects=True)
    assert noted.status_code == 200 and _lang(noted) == "de"
