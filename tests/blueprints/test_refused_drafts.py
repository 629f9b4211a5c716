"""What changed while a member wrote (the thread locked, the board made read-only, the rules
changed) refuses their post, but hands the draft back with the reason, as a cooldown does."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Post, Thread
from forum.services.content import posting
from tests import factories
from tests.factories import text

DRAFT = "Three paragraphs of <careful> thought"
SHOWN = "Three paragraphs of &lt;careful&gt; thought"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Hello world", body="Opening")


def _draft_in_textarea(html: str) -> bool:
    box = html.partition('<textarea')[2].partition("</textarea>")[0]
    return SHOWN in box


def test_a_reply_to_a_thread_locked_meanwhile_keeps_the_draft(client, login, thread,
                                                              other_member):
    login(other_member)
    assert client.get(f"/t/{thread.id}/reply").status_code == 200
    thread.is_locked, thread.locked_reason = True, "Cooling down"
    db.session.commit()
    response = client.post(f"/t/{thread.id}/reply", data={"body": DRAFT})
    assert response.status_code == 403
    html = text(response)
    assert _draft_in_textarea(html)
    assert 'class="field-error"' in html and "Locked by a moderator: Cooling down." in html
    assert _count(Post) == 1


def test_a_reply_to_a_board_made_read_only_meanwhile_keeps_the_draft(client, login, board,
                                                                     thread, other_member):
    login(other_member)
    board.is_read_only = True
    db.session.commit()
    response = client.post(f"/t/{thread.id}/reply", data={"body": DRAFT})
    assert response.status_code == 403
    assert _draft_in_textarea(text(response)) and "read-only" in text(response)
    assert _count(Post) == 1


def test_a_new_thread_in_a_board_made_read_only_meanwhile_keeps_title_and_draft(
        client, login, board, member):
    login(member)
    board.is_read_only = True
    db.session.commit()
    response = client.post(f"/b/{board.slug}/new", data={"title": "My plan", "body": DRAFT})
    assert response.status_code == 403
    html = text(response)
    assert _draft_in_textarea(html) and 'value="My plan"' in html and "read-only" in html
    assert _count(Thread) == 0


def test_an_edit_of_a_post_in_a_thread_locked_meanwhile_keeps_the_draft(client, login, thread,
                                                                        other_member):
    post = posting.reply(other_member, thread, "First words")
    login(other_member)
    assert client.get(f"/p/{post.id}/edit").status_code == 200
    thread.is_locked = True
    db.session.commit()
    response = client.post(f"/p/{post.id}/edit", data={"body": DRAFT})
    assert response.status_code == 403
    html = text(response)
    assert _draft_in_textarea(html) and "locked" in html
    db.session.refresh(post)
    assert post.body == "First words"


def test_a_locked_thread_still_refuses_guests_machines_and_empty_forms(client, login, thread,
                                                                      other_member):
    thread.is_locked = True
    db.session.commit()
    guest = client.post(f"/t/{thread.id}/reply", data={"body": DRAFT})
    assert guest.status_code == 302 and guest.headers["Location"].startswith("/login")
    login(other_member)
    machine = client.post(f"/t/{thread.id}/reply", data={"body": DRAFT},
                          headers={"Accept": "application/json"})
    assert machine.status_code == 403 and machine.get_json()["message"].startswith("Locked")
    # Nothing to keep: the plain refusal.
    empty = client.post(f"/t/{thread.id}/reply", data={"body": ""})
    assert empty.status_code == 403 and "<textarea" not in text(empty)
    assert client.get(f"/t/{thread.id}/reply").status_code == 403
    assert _count(Post) == 1


def test_german_readers_get_the_refusal_in_german_with_their_draft(client, login, thread,
                                                                   other_member):
    login(other_member)
    thread.is_locked = True
    db.session.commit()
    response = client.post(f"/t/{thread.id}/reply", data={"body": DRAFT},
                           headers={"Accept-Language": "de"})
    assert response.status_code == 403
    html = text(response)
    assert _draft_in_textarea(html) and "Von einem Moderator geschlossen" in html
