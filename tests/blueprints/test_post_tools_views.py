"""The moderator menu under each post on the thread page, and the post tools page it leads to:
hide, show again, restore, and the way to the author's record. Offered only to those who may
act, filled in per viewer on the kept page of posts, each action with a reason and logged."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Notification, Post
from forum.services.content import posting
from forum.services.moderation import post_tools
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import actions


@pytest.fixture
def board(app):
    return factories.make_board(slug="workshop", title="Workshop")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Soldering", body="Flux first.")


def _menu(html: str, post: Post) -> str:
    """The moderator menu under the post, or "" when there is none."""
    start = html.find(f'id="p{post.id}"')
    end = html.find("</article>", start)
    block = html[start:end]
    at = block.find('<details class="menu post-menu">')
    return "" if at < 0 else block[at:block.index("</details>", at)]


def _fresh(post: Post) -> Post:
    db.session.expire_all()
    return db.session.get(Post, post.id)


# -- the menu on the thread page -------------------------------------------------------------
def test_a_moderator_gets_a_menu_under_a_members_post(client, login, thread, member,
                                                      moderator):
    reply = factories.make_post(thread, author=factories.make_user(username="dave"))
    login(moderator)
    for _ in range(2):  # rendered, then filled in on the kept page
        menu = _menu(text(client.get(thread.url)), reply)
        assert f'href="/mod/posts/{reply.id}#hide"' in menu
        assert f'href="/p/{reply.id}/delete"' in menu
        assert f'href="/mod/posts/{reply.id}#sanction"' in menu and "Warn or time out dave" in menu
        assert "#restore" not in menu and "#unhide" not in menu


def test_members_and_guests_get_no_menu(app, client, login, thread, member, other_member):
    reply = factories.make_post(thread, author=other_member)
    login(member)
    assert _menu(text(client.get(thread.url)), reply) == ""
    assert "post-menu" not in text(app.test_client().get(thread.url))


def test_the_menu_follows_the_rank_on_the_shared_staff_page(client, login, thread, admin):
    """Moderators and administrators share one kept page; each gets their own menus."""
    by_moderator = factories.make_post(thread, author=factories.make_user(role="moderator"))
    login(factories.make_user(role="moderator"))
    client.get(thread.url)
    assert _menu(text(client.get(thread.url)), by_moderator) == ""
    login(admin)
    assert "#hide" in _menu(text(client.get(thread.url)), by_moderator)


def test_a_board_moderator_hides_but_sanctions_from_reports(client, login, board, thread):
    reply = factories.make_post(thread, author=factories.make_user())
    login(factories.make_board_moderator(factories.make_user(), board))
    menu = _menu(text(client.get(thread.url)), reply)
    assert "#hide" in menu and "/mod/members/" not in menu
    login(factories.make_board_moderator(factories.make_user(), factories.make_board()))
    assert _menu(text(client.get(thread.url)), reply) == ""


def test_hidden_and_deleted_posts_offer_showing_and_restoring(client, login, thread, moderator):
    hidden = factories.make_post(thread, author=factories.make_user(), body="Hidden one")
    deleted = factories.make_post(thread, author=factories.make_user(), body="Deleted one")
    post_tools.hide_post(factories.make_user(role="admin"), hidden, "Spam")
    posting.delete_post(deleted.author, deleted)
    login(moderator)
    html = text(client.get(thread.url))
    assert "#unhide" in _menu(html, hidden) and "#hide\"" not in _menu(html, hidden)
    restore = _menu(html, deleted)
    assert "#restore" in restore and "/delete" not in restore


# -- the post tools page ---------------------------------------------------------------------
def test_hide_then_show_again_from_the_page(client, login, thread, member, moderator):
    reply = factories.make_post(thread, author=factories.make_user(), body="Buy watches")
    login(moderator)
    html = text(client.get(f"/mod/posts/{reply.id}"))
    assert "Moderate post #2" in html and "Buy watches" in html and "Hide the post" in html
    response = client.post(f"/mod/posts/{reply.id}/hide", data={"reason": "Advertising"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/p/{reply.id}"
    assert _fresh(reply).is_hidden
    told = db.session.scalars(select(Notification)
                              .where(Notification.recipient_id == reply.author_id)).all()
    assert [factories.said_body(note) for note in told] == ["Reason: Advertising"]
    assert "Show the post again" in text(client.get(f"/mod/posts/{reply.id}"))
    assert client.post(f"/mod/posts/{reply.id}/unhide",
                       data={"reason": "Sponsor, agreed"}).status_code == 302
    assert not _fresh(reply).is_hidden
    assert [(a.action, a.reason) for a in actions()] == [("post.hide", "Advertising"),
                                                         ("post.unhide", "Sponsor, agreed")]


def test_restore_from_the_page(client, login, thread, moderator, other_member):
    reply = factories.make_post(thread, author=other_member, body="Sorry, wrong thread")
    posting.delete_post(other_member, reply)
    login(moderator)
    assert "Restore the post" in text(client.get(f"/mod/posts/{reply.id}"))
    assert client.post(f"/mod/posts/{reply.id}/restore",
                       data={"reason": "It belongs here"}).status_code == 302
    assert not _fresh(reply).is_deleted
    db.session.expire_all()
    assert thread.reply_count == 1
    assert actions("post.restore")[0].reason == "It belongs here"
    response = client.post(f"/mod/posts/{reply.id}/restore", data={"reason": "Again"})
    assert response.status_code == 409 and "isn&#39;t deleted" in text(response)


def test_restoring_the_opening_post_brings_the_thread_back(client, login, thread, moderator,
                                                           member):
    posting.delete_post(moderator, thread.first_post, "Spam")
    login(moderator)
    html = text(client.get(f"/mod/posts/{thread.first_post_id}"))
    assert "restores the thread too" in html
    assert client.post(f"/mod/posts/{thread.first_post_id}/restore",
                       data={"reason": "Not spam"}).status_code == 302
    login(member)
    assert client.get(thread.url).status_code == 200


@pytest.mark.parametrize("path", ["hide", "restore"])
def test_no_reason_is_400_with_the_message(client, login, thread, moderator, other_member,
                                           path):
    reply = factories.make_post(thread, author=other_member)
    if path == "restore":
        posting.delete_post(other_member, reply)
    login(moderator)
    response = client.post(f"/mod/posts/{reply.id}/{path}", data={"reason": ""})
    assert response.status_code == 400 and "Please give a reason" in text(response)
    fresh = _fresh(reply)
    assert not fresh.is_hidden and fresh.is_deleted == (path == "restore")
    assert actions("post.hide") == [] and actions("post.restore") == []


def test_hiding_an_administrators_post_is_403_with_the_reason(client, login, thread, moderator,
                                                             admin):
    reply = factories.make_post(thread, author=admin, body="House rules")
    login(moderator)
    html = text(client.get(f"/mod/posts/{reply.id}"))
    assert "can&#39;t act on an administrator" in html and "Hide the post" not in html
    response = client.post(f"/mod/posts/{reply.id}/hide", data={"reason": "No"})
    assert response.status_code == 403
    assert "can&#39;t act on an administrator" in text(response)
    assert not _fresh(reply).is_hidden and actions() == []


def test_the_page_is_for_the_boards_moderators(client, login, thread, member):
    reply = factories.make_post(thread, author=factories.make_user())
    assert client.get(f"/mod/posts/{reply.id}").status_code == 302  # to the login page
    login(member)
    assert client.get(f"/mod/posts/{reply.id}").status_code == 403
    assert client.get("/mod/posts/999").status_code == 403  # nothing confirmed to members
    login(factories.make_board_moderator(factories.make_user(), factories.make_board()))
    assert client.get(f"/mod/posts/{reply.id}").status_code == 403
    assert client.post(f"/mod/posts/{reply.id}/hide", data={"reason": "x"}).status_code == 403
    login(factories.make_user(role="moderator"))
    assert client.get("/mod/posts/999").status_code == 404
    assert not _fresh(reply).is_hidden


# -- sanctions from the post ---------------------------------------------------------------------
def _sanctions(user) -> list:
    from forum.models import Sanction

    db.session.expire_all()
    return list(db.session.scalars(select(Sanction).where(Sanction.user_id == user.id)))


def test_the_post_tools_page_carries_the_sanction_form(client, login, thread, member, moderator):
    reply = factories.make_post(thread, author=factories.make_user(username="dave"))
    login(moderator)
    html = text(client.get(f"/mod/posts/{reply.id}"))
    assert f'action="/mod/posts/{reply.id}/sanction#sanction"' in html
    assert "Warn or time out dave" in html and 'href="/mod/members/dave"' in html


def test_a_moderator_times_out_the_author_from_the_post(client, login, thread, moderator):
    dave = factories.make_user(username="dave")
    reply = factories.make_post(thread, author=dave)
    login(moderator)
    response = client.post(f"/mod/posts/{reply.id}/sanction", data={
        "kind": "timeout", "reason": "Insults in this thread", "duration": "60"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mod/posts/{reply.id}"
    [sanction] = _sanctions(dave)
    assert sanction.kind == "timeout" and sanction.reason == "Insults in this thread"
    assert [entry.target_user_id for entry in actions("user.timeout")] == [dave.id]
    assert "dave is timed out." in text(client.get(f"/mod/posts/{reply.id}"))


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "warning", "reason": ""}, "reason"),
    ({"kind": "nonsense", "reason": "x"}, "Choose"),
    ({"kind": "timeout", "reason": "x", "duration": "custom", "minutes": "5"}, "10"),
])
def test_a_bad_sanction_form_comes_back_with_its_message(client, login, thread, moderator,
                                                         data, message):
    dave = factories.make_user(username="dave")
    reply = factories.make_post(thread, author=dave)
    login(moderator)
    response = client.post(f"/mod/posts/{reply.id}/sanction", data=data)
    assert response.status_code == 400 and message in text(response)
    assert _sanctions(dave) == [] and actions("user.warn") == []


def test_no_sanction_from_the_post_of_an_equal_or_higher_rank(client, login, thread,
                                                              moderator, admin):
    reply = factories.make_post(thread, author=admin)
    login(moderator)
    html = text(client.get(f"/mod/posts/{reply.id}"))
    assert "/sanction" not in html
    response = client.post(f"/mod/posts/{reply.id}/sanction",
                           data={"kind": "warning", "reason": "Nope"})
    assert response.status_code == 403 and _sanctions(admin) == []
