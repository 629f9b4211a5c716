"""Keeping up over HTTP: "new" marks and jumping to the first unread post, a page view marking
what it showed without emptying the guests' cache, the watch and reaction forms (without
JavaScript), bad input, racing reactions, and the query budgets with reading state."""
from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from forum.extensions import db
from forum.models import Access, Post, Reaction, ReactionCount, ThreadRead, User
from forum.services.content import posting
from tests import factories
from tests.factories import quick_users, text
from tests.services.moderation_kit import race

BOARD_BUDGET = 6
THREAD_BUDGET = 7


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def reader(app):
    # Signed up before anything was written, so everything is new to them.
    return factories.make_user(username="reader")


@pytest.fixture
def thread(reader, board, member):
    thread = factories.make_thread(board, author=member, title="Long one", body="Opening")
    for n in range(24):
        posting.reply(member, thread, f"Reply {n}")
    return thread


def position_read(user, thread) -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(ThreadRead.last_position).where(
        ThreadRead.user_id == user.id, ThreadRead.thread_id == thread.id))


def test_board_marks_new_threads_and_jumps_to_the_first_unread(client, login, reader, thread):
    login(reader)
    html = text(client.get("/b/general"))
    assert "25 new" in html and f'href="/t/{thread.id}/unread"' in html
    client.get(thread.url)  # page 1 of 2: posts 1-20 read
    assert position_read(reader, thread) == 20
    assert "5 new" in text(client.get("/b/general"))
    fifth = db.session.scalar(select(Post.id).where(Post.thread_id == thread.id,
                                                    Post.position == 21))
    response = client.get(f"/t/{thread.id}/unread")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"?page=2#p{fifth}")
    client.get(f"{thread.url}?page=2")
    assert position_read(reader, thread) == 25
    assert "new</" not in text(client.get("/b/general")).replace("New thread", "")
    client.get(thread.url)  # going back never moves the place back
    assert position_read(reader, thread) == 25


def test_a_members_reading_keeps_the_guests_cache(app, client, login, reader, thread):
    login(reader)
    client.get("/")  # the login's own first visit
    guest = app.test_client()
    guest.get(thread.url)
    cache = app.extensions["agora_page_cache"]
    kept = len(cache)
    assert kept >= 1
    client.get(thread.url)
    assert position_read(reader, thread) == 20
    assert len(cache) == kept


def test_new_and_unread_lists_and_marking_everything(client, login, reader, thread, board):
    login(reader)
    assert "Long one" in text(client.get("/new"))
    assert "Long one" not in text(client.get("/unread"))
    client.post(f"/t/{thread.id}/watch", data={"level": "tracking"})
    assert "Long one" in text(client.get("/unread"))
    assert client.post("/read-all").status_code == 302
    assert "You&#39;re all caught up." in text(client.get("/new")) or \
        "You're all caught up." in text(client.get("/new"))


def test_watch_forms_work_without_javascript_and_refuse_nonsense(client, login, reader,
                                                                  thread):
    login(reader)
    html = text(client.get(thread.url))
    assert f'action="/t/{thread.id}/watch"' in html and 'name="level"' in html
    assert client.post(f"/t/{thread.id}/watch", data={"level": "loud"}).status_code == 400
    assert client.post(f"/t/{thread.id}/watch", data={"level": "watching"}).status_code == 302
    assert 'value="watching" selected' in text(client.get(thread.url))
    assert client.post("/b/general/watch", data={}).status_code == 400
    assert client.post("/b/general/read").status_code == 302


def test_reaction_buttons_toggle_and_refuse_bad_input(client, login, reader, thread, member):
    login(reader)
    post_id = thread.first_post_id
    html = text(client.get(thread.url))
    assert f'action="/p/{post_id}/react"' in html
    assert client.post(f"/p/{post_id}/react", data={"react": "thanks:add"}
                       ).status_code == 302
    html = text(client.get(thread.url))
    assert 'aria-pressed="true"' in html
    assert "reader" in text(client.get(f"/p/{post_id}/reactions"))
    assert client.post(f"/p/{post_id}/react", data={"react": "hooray:add"}).status_code == 302
    assert client.post(f"/p/{post_id}/react", data={"react": "shrug:add"}
                       ).status_code == 400
    assert client.post(f"/p/{post_id}/react", data={"react": "thanks:maybe"}
                       ).status_code == 400
    assert client.post(f"/p/{post_id}/react", data={"react": "thanks:remove"}
                       ).status_code == 302
    assert db.session.scalars(select(Reaction.kind)).all() == ["hooray"]
    login(member)
    assert client.post(f"/p/{post_id}/react", data={"react": "thanks:add"}
                       ).status_code == 403  # their own post


def test_no_reactions_in_a_board_one_cannot_read(client, login, reader):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    secret = factories.make_thread(staff, author=factories.make_user(role="moderator"))
    login(reader)
    response = client.post(f"/p/{secret.first_post_id}/react",
                           data={"react": "thanks:add"})
    assert response.status_code in (403, 404)
    assert client.get(f"/p/{secret.first_post_id}/reactions").status_code in (403, 404)


def test_bookmark_form_refuses_a_malformed_or_past_time(client, login, reader, thread):
    login(reader)
    url = f"/p/{thread.first_post_id}/bookmark"
    assert client.post(url, data={"remind_at": "next tuesday"}).status_code == 400
    assert client.post(url, data={"remind_at": "2001-01-01T10:00"}).status_code == 400
    assert client.post(url, data={"note": "x" * 501}).status_code == 400
    assert client.post(url, data={"note": "Check the vice", "remind_at": "2099-01-01T10:00"}
                       ).status_code == 302
    assert "Check the vice" in text(client.get("/bookmarks"))


def test_racing_reaction_requests_count_once(app: Flask, thread):
    """The same member's "add" sent from two browsers at once: one reaction, counted once."""
    fan = factories.make_established_user()
    cookie = factories.login_cookie(fan)
    post_id = thread.first_post_id
    jobs = []
    for _ in range(4):
        def job(cookie=cookie):
            browser = app.test_client()
            with browser.session_transaction() as session:
                session["_user_id"] = cookie
                session["_fresh"] = True
            return lambda: browser.post(f"/p/{post_id}/react",
                                        data={"react": "thanks:add"}).status_code
        jobs.append(job)
    results = race(app, *jobs)
    assert [status for outcome, status in results if outcome == "ok"] == [302] * 4
    assert db.session.scalar(select(ReactionCount.n).where(ReactionCount.post_id == post_id)) == 1
    assert db.session.scalar(select(User.reactions_received).where(
        User.id == thread.author_id)) == 1


# -- budgets with reading state ------------------------------------------------------------------
def test_member_board_page_with_new_marks_stays_in_budget(client, login, count_queries, reader,
                                                          board):
    authors = quick_users(12)
    for i, author in enumerate(authors):
        thread = factories.make_thread(board, author=author, title=f"Thread {i}")
        posting.reply(authors[(i + 1) % 12], thread, "Reply")
    login(reader)
    client.get(f"/t/{thread.id}")  # one read, the others new
    for attempt in ("first", "later"):
        with count_queries() as queries:
            html = text(client.get("/b/general"))
        assert len(queries) <= BOARD_BUDGET, (attempt, [q[:60] for q in queries])
    assert len(re.findall(r"\d+ new<", html)) == 11


def test_member_thread_page_marks_read_in_budget(client, login, count_queries, reader, thread):
    login(reader)
    with count_queries() as first:
        client.get(thread.url)
    upserts = [q for q in first if q.lstrip().upper().startswith("INSERT INTO THREAD_READS")]
    assert len(upserts) == 1 and len(first) <= THREAD_BUDGET, [q[:60] for q in first]
    with count_queries() as again:
        client.get(thread.url)
    assert not [q for q in again if "THREAD_READS" in q.upper() and "INSERT" in q.upper()]
    assert len(again) <= THREAD_BUDGET


def _page_form(html: str) -> str:
    """The token of the page's one form that the buttons under its posts send."""
    found = re.search(r'<form id="post-buttons" method="post" hidden><input type="hidden" '
                      r'name="csrf_token" value="([^"]+)"></form>', html)
    assert found, "a member's thread page holds the form its post buttons send"
    return found.group(1)


@pytest.mark.usefixtures("enable_csrf")
def test_buttons_under_posts_send_each_viewers_own_token(client, login, board):
    """The pieces under posts are kept and shared between viewers, so they hold no token: two
    moderators opening the same question in turn each mark the answer with their own."""
    board.is_questions = True
    db.session.commit()
    asker = factories.make_user("asker")
    question = factories.make_thread(board, author=asker, title="Which tip?")
    replies = [factories.make_post(question, author=factories.make_user(), body=f"Tip {n}")
               for n in range(2)]
    for n, reply in enumerate(replies):
        login(factories.make_user(f"keeper{n}", role="moderator"))
        html = text(client.get(f"/t/{question.id}"))
        token = _page_form(html)
        button = re.search(
            rf'<button[^>]*form="post-buttons" formaction="(/p/{reply.id}/answer)"', html)
        assert button, "each reply offers the moderator a button sending the page's form"
        assert client.post(button.group(1), data={"csrf_token": token}).status_code == 302
        reacted = re.search(rf'<button class="reaction" form="post-buttons" formaction="'
                            rf'(/p/{reply.id}/react)" name="react" value="([^"]+)"', html)
        assert reacted, "and a reaction button sending it too"
        assert client.post(reacted.group(1), data={"csrf_token": token,
                                                   "react": reacted.group(2)}).status_code == 302
    db.session.expire_all()
    assert db.session.get(type(question), question.id).accepted_post_id == replies[-1].id
    assert db.session.scalar(select(ReactionCount.n).where(
        ReactionCount.post_id == replies[-1].id)) == 1
    # Without the token the buttons do nothing.
    assert client.post(f"/p/{replies[0].id}/react",
                       data={"react": "thanks:add"}).status_code == 400


@pytest.mark.usefixtures("enable_csrf")
def test_kept_forms_carry_each_viewers_own_token(client, login, thread):
    """The watch form and the header's links are kept and shared; each member in turn gets
    their own token in them, and a form sent without it is refused."""
    watch = rf'<form class="inline-form watch-form" method="post" action="(/t/{thread.id}/watch)">'
    token = r'\s*<input type="hidden" name="csrf_token" value="([^"]+)">'
    logout = r'<form action="(/logout)" method="post">'
    for n in range(2):
        member = factories.make_user(f"follower{n}")
        login(member)
        html = text(client.get(f"/t/{thread.id}"))
        action, mine = re.search(watch + token, html).groups()
        assert client.post(action, data={"level": "watching"}).status_code == 400
        assert client.post(action, data={"level": "watching",
                                         "csrf_token": mine}).status_code == 302
        db.session.expire_all()
        assert db.session.scalar(select(ThreadRead.level).where(
            ThreadRead.user_id == member.id, ThreadRead.thread_id == thread.id)) == "watching"
        action, mine = re.search(logout + token, html).groups()
        assert client.post(action, data={"csrf_token": mine}).status_code == 302
