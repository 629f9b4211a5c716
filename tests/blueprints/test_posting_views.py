"""Writing over HTTP: new threads, replies, quotes, edits, history and deletes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Access, Post, PostRevision, Thread
from forum.services.content import posting
from tests import factories
from tests.factories import text


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(obj):
    db.session.refresh(obj)
    return obj


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Hello world", body="Opening post")


def field_error(html: str, message: str) -> bool:
    return 'class="field-error"' in html and message in html


# -- new thread ---------------------------------------------------------------------------------
def test_new_thread_form(client, login, board, member):
    login(member)
    response = client.get("/b/general/new")
    assert response.status_code == 200
    html = text(response)
    assert 'name="title"' in html and 'name="body"' in html
    assert '<label for="title">' in html and '<label for="body">' in html


def test_start_a_thread(client, login, board, member):
    login(member)
    response = client.post("/b/general/new", data={"title": "  First   steps ", "body": "Hi *all*"})
    assert response.status_code == 302
    thread = db.session.scalar(select(Thread))
    assert response.headers["Location"] == f"/t/{thread.id}-first-steps"
    assert thread.title == "First steps" and thread.author_id == member.id
    assert thread.first_post.body_html == "<p>Hi <em>all</em></p>"
    assert "Hi <em>all</em>" in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(
    ("title", "body", "message"),
    [
        ("", "Body", "A thread needs a title."),
        ("   ", "Body", "A thread needs a title."),
        ("x" * 201, "Body", "Titles can be at most 200 characters."),
        ("Title", "", "A post can&#39;t be empty."),
        ("Title", " \r\n ", "A post can&#39;t be empty."),
        ("Title", "x" * 50_001, "Posts can be at most 50,000 characters."),
    ],
)
def test_bad_thread_input_is_a_400_and_saves_nothing(client, login, board, member, title, body,
                                                     message):
    login(member)
    response = client.post("/b/general/new", data={"title": title, "body": body})
    assert response.status_code == 400
    html = text(response)
    assert field_error(html, message)
    assert 'aria-invalid="true"' in html
    assert count(Thread) == 0 and count(Post) == 0


def test_missing_fields_are_a_400(client, login, board, member):
    login(member)
    assert client.post("/b/general/new", data={}).status_code == 400
    assert count(Thread) == 0


def test_new_thread_preview_saves_nothing(client, login, board, member):
    login(member)
    response = client.post("/b/general/new",
                           data={"title": "Draft", "body": "**strong**", "preview": "1"})
    assert response.status_code == 200
    html = text(response)
    assert "<strong>strong</strong>" in html and "**strong**" in html
    assert count(Thread) == 0


def test_guest_new_thread_goes_to_login(client, board):
    for response in (client.get("/b/general/new"),
                     client.post("/b/general/new", data={"title": "x", "body": "y"})):
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    assert count(Thread) == 0


@pytest.mark.parametrize(
    ("access", "read_only", "status"),
    [(Access.EVERYONE, True, 403), (Access.STAFF, False, 403), (Access.MEMBERS, False, 200)],
)
def test_new_thread_refusals_for_members(client, login, app, member, access, read_only, status):
    factories.make_board(slug="special", access=access, is_read_only=read_only)
    login(member)
    assert client.get("/b/special/new").status_code == status
    response = client.post("/b/special/new", data={"title": "x", "body": "y"})
    assert response.status_code == (status if status != 200 else 302)


def test_new_thread_unknown_board(client, login, app, member):
    login(member)
    assert client.get("/b/nowhere/new").status_code == 404


def test_new_thread_needs_csrf_token(client, login, board, member, enable_csrf):
    login(member)
    response = client.post("/b/general/new", data={"title": "x", "body": "y"})
    assert response.status_code == 400
    assert count(Thread) == 0
    assert 'name="csrf_token"' in text(client.get("/b/general/new"))


# -- replies ------------------------------------------------------------------------------------
def test_reply_redirects_to_the_new_post(client, login, app, thread, other_member):
    app.config["POSTS_PER_PAGE"] = 2
    factories.make_post(thread, author=other_member)
    login(other_member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Agreed."})
    assert response.status_code == 302
    post = db.session.scalar(select(Post).order_by(Post.id.desc()))
    assert response.headers["Location"] == f"/p/{post.id}"
    assert post.position == 3 and post.body == "Agreed."
    landing = client.get(response.headers["Location"])
    assert landing.headers["Location"] == f"/t/{thread.id}-hello-world?page=2#p{post.id}"


@pytest.mark.parametrize(
    ("body", "message"),
    [("   ", "A post can&#39;t be empty."), ("y" * 50_001, "at most 50,000 characters")],
)
def test_bad_reply_rerenders_the_thread_with_the_draft(client, login, thread, other_member,
                                                       body, message):
    login(other_member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": body})
    assert response.status_code == 400
    html = text(response)
    assert "<h1>Hello world</h1>" in html and "Opening post" in html
    assert field_error(html, message)
    assert fresh(thread).post_seq == 1 and count(Post) == 1


def test_reply_keeps_a_long_draft(client, login, thread, other_member):
    login(other_member)
    draft = "z" * 50_001
    html = text(client.post(f"/t/{thread.id}/reply", data={"body": draft}))
    assert draft in html


def test_reply_preview(client, login, thread, other_member):
    login(other_member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "`code`", "preview": "1"})
    assert response.status_code == 200
    assert "<code>code</code>" in text(response) and count(Post) == 1


def test_reply_refusals(client, login, board, thread, member, moderator):
    guest = client.post(f"/t/{thread.id}/reply", data={"body": "hi"})
    assert guest.status_code == 302 and guest.headers["Location"].startswith("/login")
    thread.is_locked = True
    db.session.commit()
    login(member)
    locked = client.post(f"/t/{thread.id}/reply", data={"body": "hi"})
    assert locked.status_code == 403 and "Locked by a moderator" in text(locked)
    assert client.post("/t/999/reply", data={"body": "hi"}).status_code == 404
    assert count(Post) == 1
    login(moderator)
    assert client.post(f"/t/{thread.id}/reply", data={"body": "mod note"}).status_code == 302


def test_reply_to_a_deleted_thread_is_404(client, login, thread, member):
    posting.delete_post(member, thread.first_post)
    login(member)
    assert client.post(f"/t/{thread.id}/reply", data={"body": "hi"}).status_code == 404


def test_quote_prefills_the_reply(client, login, thread, other_member):
    login(other_member)
    response = client.get(f"/t/{thread.id}/reply?quote={thread.first_post_id}")
    assert response.status_code == 200
    assert f"**[member](/p/{thread.first_post_id})** wrote:\n&gt; Opening post" in text(response)
    via_post = client.get(f"/p/{thread.first_post_id}/quote")
    assert via_post.status_code == 302
    assert via_post.headers["Location"] == f"/t/{thread.id}/reply?quote={thread.first_post_id}"


def test_quote_refusals(client, login, board, thread, member, other_member):
    gone = factories.make_post(thread, author=member, body="secret")
    posting.delete_post(member, gone)
    elsewhere = factories.make_thread(board, author=member)
    login(other_member)
    assert client.get(f"/t/{thread.id}/reply?quote={gone.id}").status_code == 404
    assert client.get(f"/p/{gone.id}/quote").status_code == 404
    assert client.get(f"/t/{thread.id}/reply?quote={elsewhere.first_post_id}").status_code == 404
    assert client.get(f"/t/{thread.id}/reply?quote=424242").status_code == 404
    assert client.get(f"/t/{thread.id}/reply?quote=abc").status_code == 400


def test_quote_from_a_hidden_board_is_404(client, login, app, member, other_member):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    secret = factories.make_thread(staff, author=factories.make_user(role="moderator"))
    login(other_member)
    assert client.get(f"/p/{secret.first_post_id}/quote").status_code == 404


# -- editing and history ------------------------------------------------------------------------
def test_edit_form_is_prefilled(client, login, thread, member):
    login(member)
    response = client.get(f"/p/{thread.first_post_id}/edit")
    assert response.status_code == 200
    assert "Opening post</textarea>" in text(response)


def test_edit_saves_and_keeps_a_revision(client, login, app, thread, member):
    login(member)
    response = client.post(f"/p/{thread.first_post_id}/edit", data={"body": "Better *now*"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{thread.id}-hello-world#p{thread.first_post_id}"
    post = fresh(thread.first_post)
    assert post.body == "Better *now*" and post.edited_by_id == member.id
    revision = db.session.scalar(select(PostRevision))
    assert revision.body == "Opening post" and revision.number == 1


def test_bad_edit_is_a_400(client, login, thread, member):
    login(member)
    response = client.post(f"/p/{thread.first_post_id}/edit", data={"body": " "})
    assert response.status_code == 400
    assert field_error(text(response), "A post can&#39;t be empty.")
    assert fresh(thread.first_post).body == "Opening post" and count(PostRevision) == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [("guest", 302), ("other", 403), ("moderator", 200), ("author", 200)],
)
def test_who_may_edit(client, login, thread, member, other_member, moderator, who, status):
    viewer = {"other": other_member, "moderator": moderator, "author": member}.get(who)
    if viewer:
        login(viewer)
    assert client.get(f"/p/{thread.first_post_id}/edit").status_code == status
    # A moderator's edit of someone else's post takes a reason; the author's form has none.
    response = client.post(f"/p/{thread.first_post_id}/edit",
                           data={"body": "changed", "reason": "Tidied up"})
    assert response.status_code == (302 if status == 200 else status)
    if status != 200:
        assert fresh(thread.first_post).body == "Opening post"


def test_edit_of_unknown_or_hidden_post_is_404(client, login, app, member):
    login(member)
    assert client.get("/p/999/edit").status_code == 404
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    secret = factories.make_thread(staff, author=factories.make_user(role="moderator"))
    assert client.get(f"/p/{secret.first_post_id}/edit").status_code == 404


def test_history_lists_revisions(client, login, thread, member, moderator):
    post = thread.first_post
    posting.edit_post(member, post, "Second version")
    posting.edit_post(moderator, post, "Third version", reason="Tidied")
    login(member)
    response = client.get(f"/p/{post.id}/history")
    assert response.status_code == 200
    html = text(response)
    assert html.index("Third version") < html.index("Second version") < html.index("Opening post")
    assert "Version 2" in html and "Version 1" in html and "by moderator" in html


@pytest.mark.parametrize(("who", "status"),
                         [("guest", 302), ("other", 403), ("moderator", 200)])
def test_who_may_see_history(client, login, thread, member, other_member, moderator, who,
                             status):
    posting.edit_post(member, thread.first_post, "Changed")
    viewer = {"other": other_member, "moderator": moderator}.get(who)
    if viewer:
        login(viewer)
    assert client.get(f"/p/{thread.first_post_id}/history").status_code == status


# -- deleting -----------------------------------------------------------------------------------
def test_delete_asks_first(client, login, thread, member):
    reply = factories.make_post(thread, author=member, body="Second thoughts")
    login(member)
    response = client.get(f"/p/{reply.id}/delete")
    assert response.status_code == 200
    html = text(response)
    assert "Second thoughts" in html and "Delete the post" in html
    assert 'name="reason"' not in html  # the reason is for moderators
    assert not fresh(reply).is_deleted


def test_delete_a_reply(client, login, thread, member):
    reply = factories.make_post(thread, author=member)
    login(member)
    response = client.post(f"/p/{reply.id}/delete")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{thread.id}-hello-world#p{reply.id}"
    assert fresh(reply).is_deleted and fresh(thread).reply_count == 0
    html = text(client.get(thread.url))
    assert "This post was deleted." in html


def test_deleting_the_opening_post_returns_to_the_board(client, login, thread, member):
    login(member)
    html = text(client.get(f"/p/{thread.first_post_id}/delete"))
    assert "removes the whole thread" in html
    response = client.post(f"/p/{thread.first_post_id}/delete")
    assert response.status_code == 302 and response.headers["Location"] == "/b/general"
    assert fresh(thread).is_deleted


def test_moderator_deletes_with_a_reason(client, login, thread, member, moderator):
    reply = factories.make_post(thread, author=member)
    login(moderator)
    assert 'name="reason"' in text(client.get(f"/p/{reply.id}/delete"))
    client.post(f"/p/{reply.id}/delete", data={"reason": "Off topic"})
    reply = fresh(reply)
    assert reply.is_deleted and reply.delete_reason == "Off topic"
    assert reply.deleted_by_id == moderator.id


@pytest.mark.parametrize(("who", "status"), [("guest", 302), ("other", 403)])
def test_who_may_not_delete(client, login, thread, member, other_member, who, status):
    reply = factories.make_post(thread, author=member)
    if who == "other":
        login(other_member)
    assert client.get(f"/p/{reply.id}/delete").status_code == status
    assert client.post(f"/p/{reply.id}/delete").status_code == status
    assert not fresh(reply).is_deleted


def test_delete_unknown_or_already_deleted(client, login, thread, member):
    reply = factories.make_post(thread, author=member)
    posting.delete_post(member, reply)
    login(member)
    assert client.post("/p/999/delete").status_code == 404
    assert client.post(f"/p/{reply.id}/delete").status_code == 403
