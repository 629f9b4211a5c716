"""A thread's page of posts is rendered once per kind of viewer and kept, and never shown
stale: the database raises a post's version on every update, whoever writes it."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update
from sqlalchemy import text as sql

from forum.extensions import db
from forum.models import Post
from forum.services.content import posting
from forum.services.moderation import post_tools
from tests import factories
from tests.blueprints.test_thread_page import article
from tests.factories import text


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, member, other_member):
    thread = factories.make_thread(board, author=member, title="Kept", body="Opening words")
    posting.reply(other_member, thread, "A first reply")
    return thread


def _posts(thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                   .order_by(Post.position)))


def _post_list(html: str) -> str:
    """The page's posts, up to the form their buttons send (which holds the viewer's token,
    signed anew every second)."""
    start = html.index('<div class="post-list">')
    ends = [html.find(mark, start) for mark in ('<form id="post-buttons"',
                                                 '<section class="reply-form"')]
    return html[start:min(end for end in ends if end >= 0)]


def _kept(app) -> int:
    return len(app.extensions["agora_post_lists"])


def _posts_queries(statements) -> list[str]:
    return [s for s in statements if "posts.body_html" in s]


def test_a_second_view_is_filled_in_from_the_kept_page(app, client, login, member, thread,
                                                       count_queries):
    login(member)
    first = text(client.get(thread.url))
    assert _kept(app) == 1
    with count_queries() as statements:
        second = text(client.get(thread.url))
    assert not _posts_queries(statements)
    # The posts as they were, to the letter: nothing in them is signed per request.
    assert _post_list(second) == _post_list(first)
    assert "Opening words" in second and "A first reply" in second


def test_an_update_by_any_writer_shows_at_once(app, client, login, member, thread):
    login(member)
    client.get(thread.url)
    reply = _posts(thread)[1]
    # A bare statement on its own connection, as another worker or a script would write.
    with db.engine.begin() as connection:
        connection.execute(sql("UPDATE posts SET body_html = '<p>Rewritten</p>' WHERE id = :id"),
                           {"id": reply.id})
    html = text(client.get(thread.url))
    assert "Rewritten" in html and "A first reply" not in html


def test_a_new_reply_shows_at_once(client, login, member, other_member, thread):
    login(member)
    client.get(thread.url)
    posting.reply(other_member, thread, "Late to the party")
    assert "Late to the party" in text(client.get(thread.url))


def test_every_update_raises_the_post_version(app, thread, member):
    post = _posts(thread)[0]
    start = post.version
    db.session.execute(update(Post).where(Post.id == post.id).values(is_mod_notice=True))
    db.session.commit()
    db.session.refresh(post)
    assert post.version == start + 1
    post.is_mod_notice = False  # through the ORM's unit of work too
    db.session.commit()
    db.session.refresh(post)
    assert post.version == start + 2


def test_moderators_and_members_each_get_their_own_page(app, client, login, member, moderator,
                                                        other_member, thread):
    reply = _posts(thread)[1]
    posting.delete_post(other_member, reply, "Wrong thread")
    login(member)
    as_member = article(text(client.get(thread.url)), reply.id)
    login(moderator)
    as_moderator = article(text(client.get(thread.url)), reply.id)
    login(member)
    again = article(text(client.get(thread.url)), reply.id)
    assert "A first reply" not in as_member and "This post was deleted." in as_member
    assert "A first reply" in as_moderator and "Deleted: Wrong thread" in as_moderator
    assert again == as_member
    assert _kept(app) == 2


def test_a_hidden_post_is_shown_to_its_author_alone(app, client, login, member, moderator,
                                                    other_member, thread):
    reply = _posts(thread)[1]
    post_tools.hide_post(moderator, reply, "Off topic")
    login(member)
    client.get(thread.url)  # kept for everyone else
    login(other_member)
    own = article(text(client.get(thread.url)), reply.id)
    assert "A first reply" in own and "A moderator hid your post." in own
    login(member)
    theirs = article(text(client.get(thread.url)), reply.id)
    assert "A first reply" not in theirs and "hidden by a moderator" in theirs
    assert "A moderator hid your post." not in theirs


def test_buttons_are_the_viewers_own(app, client, login, member, other_member, thread):
    opening, reply = _posts(thread)
    login(member)
    client.get(thread.url)
    mine = text(client.get(thread.url))
    assert f"/p/{opening.id}/edit" in mine and f"/p/{reply.id}/edit" not in mine
    assert f"/report/post/{reply.id}" in mine and f"/report/post/{opening.id}" not in mine
    login(other_member)
    theirs = text(client.get(thread.url))
    assert f"/p/{reply.id}/edit" in theirs and f"/p/{opening.id}/edit" not in theirs
    guest = text(app.test_client().get(thread.url))
    assert "/edit" not in guest and "Quote" not in guest and "Opening words" in guest


def test_bylines_are_read_fresh(client, login, member, other_member, thread):
    login(member)
    client.get(thread.url)
    other_member.display_name = "Renamed Person"
    db.session.commit()
    posting.reply(other_member, factories.make_thread(thread.board, author=member), "Elsewhere")
    html = text(client.get(thread.url))
    assert "Renamed Person" in html
    reply = article(html, _posts(thread)[1].id)
    assert "<dt>Posts</dt><dd>2</dd>" in reply


def test_each_time_zone_has_its_own_page(app, client, login, member, other_member, thread):
    other_member.timezone = "Asia/Tokyo"
    db.session.commit()
    login(member)
    utc = text(client.get(thread.url))
    login(other_member)
    tokyo = text(client.get(thread.url))
    assert _kept(app) == 2
    opening = _posts(thread)[0]
    assert opening.created_at.strftime("%H:%M") in article(utc, opening.id)
    shifted = opening.created_at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Tokyo"))
    assert shifted.strftime("%H:%M") in article(tokyo, opening.id)


def test_turned_off_it_renders_every_time(app, client, login, member, thread, count_queries):
    app.config["POST_LIST_CACHE_SECONDS"] = 0
    login(member)
    client.get(thread.url)
    with count_queries() as statements:
        html = text(client.get(thread.url))
    assert _posts_queries(statements) and "A first reply" in html
    assert _kept(app) == 0


def test_only_this_boards_moderators_share_the_staff_page(app, client, login, member,
                                                          other_member, thread):
    reply = _posts(thread)[1]
    posting.delete_post(other_member, reply, "Wrong thread")
    elsewhere = factories.make_board(slug="elsewhere")
    outsider = factories.make_board_moderator(factories.make_user(username="outsider"), elsewhere)
    insider = factories.make_board_moderator(factories.make_user(username="insider"), thread.board)
    login(outsider)
    assert "A first reply" not in article(text(client.get(thread.url)), reply.id)
    login(insider)
    assert "A first reply" in article(text(client.get(thread.url)), reply.id)
    login(outsider)
    assert "A first reply" not in article(text(client.get(thread.url)), reply.id)
