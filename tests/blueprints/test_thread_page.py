"""A thread's pages over HTTP: posts by position, placeholders, actions, reply box, budget."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Access, Post
from forum.services.content import posting
from forum.services.search import sync
from tests import factories
from tests.factories import quick_users, text

THREAD_BUDGET = 7
PAGE_MESSAGE = "Page must be a positive whole number."






def post_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<article class="post[^"]*" id="p(\d+)"', html)]


def article(html: str, post_id: int) -> str:
    start = html.index(f'id="p{post_id}"')
    return html[start: html.index("</article>", start)]


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Hello <world>",
                                 body="**Bold** <script>x()</script>")


@pytest.fixture
def long_thread(board, member):
    """45 posts: pages of 20, 20 and 5."""
    authors = quick_users(44)
    thread = factories.make_thread(board, author=member, title="Long thread", body="Post 1")
    with sync.paused():
        for n, author in enumerate(authors, start=2):
            posting.reply(author, thread, f"Post {n}")
    return thread


def test_thread_renders_posts_and_escapes_everything_but_the_body(client, thread, member):
    response = client.get(thread.url)
    assert response.status_code == 200
    html = text(response)
    assert "<h1>Hello &lt;world&gt;</h1>" in html
    assert "<p><strong>Bold</strong> &lt;script&gt;x()&lt;/script&gt;</p>" in html
    assert "<script>x()" not in html
    post = article(html, thread.first_post_id)
    assert f'href="#p{thread.first_post_id}"' in post
    assert 'href="/u/member"' in post and "/u/member/avatar.svg" in post
    assert "Joined" in post and "<dd>1</dd>" in post
    assert '<link rel="canonical" href="http://localhost/t/1-hello-world">' in html


def test_role_badges_in_the_author_column(client, thread, moderator, admin):
    factories.make_post(thread, author=moderator)
    factories.make_post(thread, author=admin)
    html = text(client.get(thread.url))
    assert "badge-moderator" in html and "badge-admin" in html


def test_pages_are_position_ranges(client, long_thread):
    page1 = text(client.get(long_thread.url))
    page2 = text(client.get(long_thread.url + "?page=2"))
    page3 = text(client.get(long_thread.url + "?page=3"))
    assert len(post_ids(page1)) == 20 and len(post_ids(page3)) == 5
    assert "<p>Post 21</p>" in page2 and "<p>Post 40</p>" in page2
    assert "<p>Post 20</p>" not in page2 and "<p>Post 41</p>" not in page2
    assert 'href="/t/1-long-thread?page=3"' in page1
    assert client.get(long_thread.url + "?page=4").status_code == 404


@pytest.mark.parametrize("page", ["0", "-3", "abc", "2x"])
def test_bad_page_numbers(client, thread, page):
    response = client.get(f"{thread.url}?page={page}")
    assert response.status_code == 400
    assert PAGE_MESSAGE in text(response)


def test_wrong_slug_redirects_permanently(client, long_thread):
    response = client.get(f"/t/{long_thread.id}-something-else?page=2")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/t/{long_thread.id}-long-thread?page=2"
    assert client.get(f"/t/{long_thread.id}").status_code == 200


def test_thread_without_a_slug(client, board, member):
    thread = factories.make_thread(board, author=member, title="¿¿??")
    assert client.get(f"/t/{thread.id}").status_code == 200
    response = client.get(f"/t/{thread.id}-stale")
    assert response.status_code == 301 and response.headers["Location"] == f"/t/{thread.id}"


def test_unknown_thread(client, app):
    assert client.get("/t/4242").status_code == 404
    assert client.get("/t/4242-nope").status_code == 404


def test_thread_access_follows_the_board(client, login, app, member):
    lounge = factories.make_board(slug="lounge", access=Access.MEMBERS)
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    members_thread = factories.make_thread(lounge, author=member)
    staff_thread = factories.make_thread(staff, author=factories.make_user(role="moderator"))
    response = client.get(members_thread.url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    login(member)
    assert client.get(members_thread.url).status_code == 200
    assert client.get(staff_thread.url).status_code == 403


def test_deleted_thread_is_404_except_for_moderators(client, login, thread, member, moderator):
    posting.delete_post(member, thread.first_post)
    login(member)
    assert client.get(thread.url).status_code == 404
    login(moderator)
    response = client.get(thread.url)
    assert response.status_code == 200 and "badge-deleted" in text(response)


def test_deleted_post_placeholder_and_moderator_view(client, login, thread, member, moderator):
    reply = factories.make_post(thread, author=member, body="Something rash")
    posting.delete_post(member, reply, reason="changed my mind")
    login(member)
    html = article(text(client.get(thread.url)), reply.id)
    assert "This post was deleted." in html and "Something rash" not in html
    assert "post-actions" not in html
    login(moderator)
    html = article(text(client.get(thread.url)), reply.id)
    assert "Something rash" in html and "badge-deleted" in html
    assert "changed my mind" in html


def test_edited_marker_links_history_for_those_allowed(client, login, thread, member,
                                                       other_member):
    posting.edit_post(member, thread.first_post, "Second thoughts")
    history = f'href="/p/{thread.first_post_id}/history"'
    login(member)
    html = article(text(client.get(thread.url)), thread.first_post_id)
    assert "edited" in html and history in html
    login(other_member)
    html = article(text(client.get(thread.url)), thread.first_post_id)
    assert "edited" in html and history not in html


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("guest", set(), set()),
        ("author", {"quote", "edit", "delete"}, {"quote"}),
        ("moderator", {"quote", "edit", "delete"}, {"quote", "edit", "delete"}),
    ],
)
def test_post_actions_follow_the_policy(client, login, thread, member, other_member, moderator,
                                        who, own, other):
    mine = factories.make_post(thread, author=member)
    theirs = factories.make_post(thread, author=other_member)
    viewer = {"author": member, "moderator": moderator}.get(who)
    if viewer is not None:
        login(viewer)
    html = text(client.get(thread.url))

    def actions(post):
        part = article(html, post.id)
        found = set()
        if f"quote={post.id}" in part:
            found.add("quote")
        if f'href="/p/{post.id}/edit"' in part:
            found.add("edit")
        if f'href="/p/{post.id}/delete"' in part:
            found.add("delete")
        return found

    assert actions(mine) == own
    assert actions(theirs) == other


def test_reply_form_for_members(client, login, thread, member):
    login(member)
    html = text(client.get(thread.url))
    assert 'class="reply-form"' in html
    assert f'action="/t/{thread.id}/reply"' in html and 'name="body"' in html


def test_guest_is_invited_to_log_in_to_reply(client, thread):
    html = text(client.get(thread.url))
    assert "Log in to reply" in html and 'name="body"' not in html


@pytest.mark.parametrize(("who", "form"), [("member", False), ("moderator", True),
                                           ("guest", False)])
def test_locked_thread_shows_the_reason(client, login, thread, member, moderator, who, form):
    thread.is_locked = True
    thread.locked_reason = "Resolved, thanks all."
    db.session.commit()
    if who != "guest":
        login({"member": member, "moderator": moderator}[who])
    html = text(client.get(thread.url))
    assert 'class="notice notice-locked"' in html and "Resolved, thanks all." in html
    assert ('name="body"' in html) is form
    assert "Log in to reply" not in html


def test_read_only_board_explains_itself(client, login, app, member):
    news = factories.make_board(slug="news", is_read_only=True)
    thread = factories.make_thread(news, author=factories.make_user(role="moderator"))
    login(member)
    html = text(client.get(thread.url))
    assert "read-only" in html and 'name="body"' not in html


# -- /p/<id> ------------------------------------------------------------------------------------
def test_post_permalink_redirects_to_its_page(client, long_thread):
    posts = db.session.scalars(
        select(Post.id).where(Post.thread_id == long_thread.id).order_by(Post.position)
    ).all()
    response = client.get(f"/p/{posts[44]}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{long_thread.id}-long-thread?page=3#p{posts[44]}"
    assert client.get(f"/p/{posts[0]}").headers["Location"].endswith(f"-long-thread#p{posts[0]}")
    assert client.get(f"/p/{posts[20]}").headers["Location"].endswith(f"?page=2#p{posts[20]}")


def test_post_permalink_404s(client, login, app, member):
    assert client.get("/p/999").status_code == 404
    lounge = factories.make_board(slug="lounge", access=Access.MEMBERS)
    hidden = factories.make_thread(lounge, author=member)
    assert client.get(f"/p/{hidden.first_post_id}").status_code == 404
    login(member)
    assert client.get(f"/p/{hidden.first_post_id}").status_code == 302


# -- the query budget ---------------------------------------------------------------------------
@pytest.mark.parametrize("per_page", [20, 50])
@pytest.mark.parametrize("viewer", ["guest", "member", "board moderator", "moderator"])
def test_thread_page_query_budget(client, login, app, count_queries, board, member, per_page,
                                  viewer):
    app.config["POSTS_PER_PAGE"] = per_page
    app.config["MEMBER_COOLDOWNS"] = True  # the page asks when the member may post again
    authors = quick_users(59)
    thread = factories.make_thread(board, author=member, title="Busy", body="Opening")
    with sync.paused():
        for author in authors:
            posting.reply(author, thread, "A *reply*")
    some = db.session.scalars(
        select(Post).where(Post.thread_id == thread.id).order_by(Post.position).limit(6)
    ).all()
    posting.edit_post(some[3].author, some[3], "Edited")
    posting.delete_post(some[5].author, some[5])
    if viewer == "member":
        login(authors[4])
    elif viewer == "board moderator":
        login(factories.make_board_moderator(factories.make_user(), board))
    elif viewer == "moderator":
        login(factories.make_user(role="moderator"))

    url = thread.url
    for page in (1, 2):
        for attempt in ("first request", "later request"):
            with count_queries() as queries:
                response = client.get(f"{url}?page={page}")
            assert response.status_code == 200, (page, attempt)
            assert len(queries) <= THREAD_BUDGET, (page, attempt, [q[:60] for q in queries])
    assert len(post_ids(text(client.get(thread.url)))) == per_page


def test_thread_page_offers_a_search_within_the_thread(client, thread):
    html = client.get(f"/t/{thread.id}").get_data(as_text=True)
    assert 'action="/search"' in html
    assert f'name="thread" value="{thread.id}"' in html


def test_the_reply_box_kept_for_every_page_posts_with_csrf_on(app, client, login, member,
                                                             thread, enable_csrf):
    login(member)
    html = text(client.get(thread.url))
    form = html[html.index('<form class="form card card-body"'):]
    form = form[:form.index("</form>")]
    token = re.search(r'<input id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)">',
                      form)
    assert token and '<textarea' in form and 'aria-describedby="body-help"' in form
    response = client.post(f"/t/{thread.id}/reply",
                           data={"csrf_token": token.group(1), "body": "Kept box, fresh token."})
    assert response.status_code == 302
    assert "Kept box, fresh token." in text(client.get(thread.url))


def test_a_refused_draft_comes_back_in_its_own_form(client, login, member, thread):
    login(member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": ""})
    assert response.status_code == 400
    html = text(response)
    assert 'class="field has-error"' in html and 'aria-invalid="true"' in html
