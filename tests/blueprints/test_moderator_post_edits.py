"""Editing and deleting someone else's post from the thread page: only a moderator of the board
who outranks its author, always with a reason, always logged and the author told. Authors keep
editing and deleting their own posts as before, without a log entry."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModAction, Notification, Post
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import actions

# (who acts, whose post, allowed). "self" is the post's own author.
PAIRS = [
    ("member", "self", True),
    ("moderator", "member", True),
    ("board moderator here", "member", True),
    ("board moderator elsewhere", "member", False),
    ("member", "member", False),
    ("moderator", "admin", False),
    ("moderator", "moderator", False),
    ("moderator", "board moderator here", False),
    ("board moderator here", "moderator", False),
    ("board moderator here", "board moderator here", False),
    ("admin", "moderator", True),
    ("admin", "board moderator here", True),
    ("admin", "admin", True),  # administrators act on administrators (never themselves)
]


@pytest.fixture
def board(app):
    return factories.make_board(slug="workshop", title="Workshop")


def _person(kind: str, board):
    if kind == "board moderator here":
        return factories.make_board_moderator(factories.make_user(), board)
    if kind == "board moderator elsewhere":
        return factories.make_board_moderator(factories.make_user(), factories.make_board())
    return factories.make_user(role=kind)


def _scene(board, actor_kind: str, author_kind: str):
    actor = _person(actor_kind, board)
    author = actor if author_kind == "self" else _person(author_kind, board)
    thread = factories.make_thread(board, author=factories.make_user(), title="Soldering tips")
    post = factories.make_post(thread, author=author, body="Flux first, then heat.")
    return actor, author, post


def _fresh(post: Post) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post.id)


def _told(user) -> list[Notification]:
    return list(db.session.scalars(select(Notification)
                                   .where(Notification.recipient_id == user.id)))


@pytest.mark.parametrize("actor_kind, author_kind, allowed", PAIRS)
def test_edit_by_rank(client, login, board, actor_kind, author_kind, allowed):
    actor, author, post = _scene(board, actor_kind, author_kind)
    login(actor)
    response = client.post(f"/p/{post.id}/edit",
                           data={"body": "Heat first, then flux.", "reason": "Wrong order"})
    if not allowed:
        assert response.status_code == 403
        assert _fresh(post).body == "Flux first, then heat."
        assert actions() == []
        return
    assert response.status_code == 302
    assert _fresh(post).body == "Heat first, then flux."
    logged = actions("post.edit")
    if author_kind == "self":
        assert logged == [] and _told(author) == []
        return
    assert len(logged) == 1
    entry = logged[0]
    assert entry.actor_id == actor.id and entry.target_id == post.id
    assert entry.reason == "Wrong order"
    assert entry.before == {"body": "Flux first, then heat."}
    assert entry.after == {"body": "Heat first, then flux."}
    assert [factories.said_body(n) for n in _told(author)] == ["Reason: Wrong order"]


@pytest.mark.parametrize("actor_kind, author_kind, allowed", PAIRS)
def test_delete_by_rank(client, login, board, actor_kind, author_kind, allowed):
    actor, author, post = _scene(board, actor_kind, author_kind)
    login(actor)
    response = client.post(f"/p/{post.id}/delete", data={"reason": "Off topic"})
    if not allowed:
        assert response.status_code == 403
        assert not _fresh(post).is_deleted
        assert actions() == []
        return
    assert response.status_code == 302
    assert _fresh(post).is_deleted
    logged = actions("post.delete")
    if author_kind == "self":
        assert logged == []
        return
    assert [(e.actor_id, e.target_id, e.reason) for e in logged] == [
        (actor.id, post.id, "Off topic")]
    assert _fresh(post).delete_reason == "Off topic"
    assert [factories.said_body(n) for n in _told(author)] == ["Reason: Off topic"]


def test_the_moderators_forms_ask_for_a_reason(client, login, board, member, moderator):
    thread = factories.make_thread(board, author=member, title="Irons")
    post = factories.make_post(thread, author=member, body="Mine is 60 W.")
    login(moderator)
    edit = text(client.get(f"/p/{post.id}/edit"))
    assert 'name="reason"' in edit and "as a moderator" in edit
    assert 'name="reason"' in text(client.get(f"/p/{post.id}/delete"))
    login(member)
    assert 'name="reason"' not in text(client.get(f"/p/{post.id}/edit"))


@pytest.mark.parametrize("path, data", [
    ("edit", {"body": "Changed", "reason": ""}),
    ("edit", {"body": "Changed", "reason": "x" * 501}),
    ("delete", {"reason": "  "}),
])
def test_a_moderator_without_a_reason_changes_nothing(client, login, board, member, moderator,
                                                      path, data):
    thread = factories.make_thread(board, author=member, title="Irons")
    post = factories.make_post(thread, author=member, body="Mine is 60 W.")
    login(moderator)
    response = client.post(f"/p/{post.id}/{path}", data=data)
    assert response.status_code == 400
    html = text(response)
    assert "Please give a reason" in html or "at most 500 characters" in html
    fresh = _fresh(post)
    assert fresh.body == "Mine is 60 W." and not fresh.is_deleted
    assert db.session.scalars(select(ModAction)).all() == []


def test_a_moderators_edit_to_the_same_text_is_400(client, login, board, member, moderator):
    thread = factories.make_thread(board, author=member, title="Irons")
    post = factories.make_post(thread, author=member, body="Mine is 60 W.")
    login(moderator)
    response = client.post(f"/p/{post.id}/edit", data={"body": "Mine is 60 W.",
                                                       "reason": "Typo"})
    assert response.status_code == 400
    assert "same as the post" in text(response)
    assert actions() == []


def test_a_moderator_deleting_an_opening_post_takes_the_thread(client, login, board, member,
                                                               moderator):
    thread = factories.make_thread(board, author=member, title="Irons")
    factories.make_post(thread, author=factories.make_user(), body="Agreed.")
    login(moderator)
    response = client.post(f"/p/{thread.first_post_id}/delete", data={"reason": "Spam"})
    assert response.status_code == 302 and response.headers["Location"] == "/b/workshop"
    db.session.expire_all()
    assert thread.is_deleted
    assert [e.reason for e in actions("post.delete")] == ["Spam"]


def test_the_thread_page_offers_edit_and_delete_by_rank(client, login, board, member,
                                                         moderator, admin):
    thread = factories.make_thread(board, author=member, title="Irons")
    by_admin = factories.make_post(thread, author=admin, body="House rules apply.")
    by_member = factories.make_post(thread, author=member, body="Mine is 60 W.")
    login(moderator)
    for _ in range(2):  # rendered, then from the kept page of posts
        html = text(client.get(thread.url))
        assert f"/p/{by_member.id}/edit" in html and f"/p/{by_member.id}/delete" in html
        assert f"/p/{by_admin.id}/edit" not in html and f"/p/{by_admin.id}/delete" not in html
    login(admin)
    html = text(client.get(thread.url))
    assert f"/p/{by_member.id}/edit" in html and f"/p/{by_admin.id}/edit" in html
