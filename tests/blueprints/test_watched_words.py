"""Watched words on new threads, replies and edits, and the administrators' list."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ModAction, PendingPost, Post, ReportItem, Thread, WatchedWord
from forum.services.content import posting, watched_words
from tests import factories
from tests.factories import text


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, other_member):
    return factories.make_thread(board, author=other_member, title="Hello world",
                                 body="Opening post")


@pytest.fixture
def words(admin):
    def add(pattern, action, **kwargs):
        return watched_words.add(admin, pattern, action, **kwargs)
    return add


def logged(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


def test_block_refuses_and_keeps_the_draft(client, login, thread, member, words):
    words("crap*", "block")
    login(member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "What CRAPPY weather"})
    assert response.status_code == 400
    page = text(response)
    assert "allowed here" in page and "crap*" in page
    assert "What CRAPPY weather" in page
    assert db.session.scalar(select(Post).where(Post.author_id == member.id)) is None


def test_block_in_a_title(client, login, board, member, words):
    words("crap", "block")
    login(member)
    response = client.post("/b/general/new", data={"title": "Crap title", "body": "Fine"})
    assert response.status_code == 400
    assert "Crap title" in text(response)
    assert db.session.scalar(select(Thread).where(Thread.author_id == member.id)) is None


def test_no_false_hit_on_a_longer_word(client, login, thread, member, words):
    words("ass", "block")
    login(member)
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Our class passed."})
    assert response.status_code == 302


def test_blocked_domain_and_its_subdomains(client, login, thread, member, words):
    words("spam.example", "block", is_domain=True)
    login(member)
    response = client.post(f"/t/{thread.id}/reply",
                           data={"body": "Visit [this](https://shop.spam.example/deal)"})
    assert response.status_code == 400
    assert "spam.example" in text(response)
    assert client.post(f"/t/{thread.id}/reply", data={"body": "https://example.org"}
                       ).status_code == 302


def test_replace_censors(thread, member, words):
    words("darn", "replace")
    words("heck", "replace", replacement="h*ck")
    post = posting.reply(member, thread, "Darn it, what the heck")
    assert post.body == "*** it, what the h*ck"


def test_review_sends_the_post_to_the_approval_list(thread, member, words):
    words("casino", "review")
    pending = posting.reply(member, thread, "Best casino deals")
    assert isinstance(pending, PendingPost)
    assert pending.cause == "words" and pending.words == "casino"


def test_flag_posts_and_opens_a_queue_item(thread, member, words):
    words("lottery", "flag")
    post = posting.reply(member, thread, "I won the lottery")
    assert isinstance(post, Post) and not post.is_hidden
    item = db.session.scalar(select(ReportItem).where(ReportItem.post_id == post.id))
    assert item is not None and item.status == "open" and item.report_count == 0
    entry = logged("post.flag")[0]
    assert entry.actor_id is None and entry.item_id == item.id
    assert entry.reason == "Watched words: lottery"


def test_edits_are_screened(client, login, thread, member, words):
    post = posting.reply(member, thread, "Harmless")
    words("crap", "block")
    words("casino", "review")
    login(member)
    response = client.post(f"/p/{post.id}/edit", data={"body": "crap"})
    assert response.status_code == 400 and "crap" in text(response)
    response = client.post(f"/p/{post.id}/edit", data={"body": "casino time"})
    assert response.status_code == 302
    db.session.expire_all()
    assert post.is_hidden and post.hidden_by_id is None
    assert db.session.scalar(select(ReportItem).where(ReportItem.post_id == post.id)) is not None


def test_moderators_are_not_held_by_review_words(thread, moderator, words):
    words("casino", "review")
    assert isinstance(posting.reply(moderator, thread, "About the casino spam"), Post)


def test_a_change_reaches_the_list_at_once(thread, member, words, admin):
    entry = words("casino", "review")
    assert isinstance(posting.reply(member, thread, "casino"), PendingPost)
    watched_words.update(admin, entry, "replace")
    assert posting.reply(member, thread, "casino").body == "***"
    watched_words.remove(admin, entry)
    assert posting.reply(member, thread, "casino").body == "casino"


# -- the administrators' page ------------------------------------------------------------------
def test_admin_adds_changes_and_removes_entries(client, login, admin):
    login(admin)
    assert "The list is empty" in text(client.get("/admin/words"))
    response = client.post("/admin/words", data={"pattern": "Spam*", "action": "block"})
    assert response.status_code == 302
    entry = db.session.scalar(select(WatchedWord))
    assert entry.pattern == "spam*" and entry.action == "block"
    assert "spam*" in text(client.get("/admin/words"))
    response = client.post(f"/admin/words/{entry.id}",
                           data={f"e{entry.id}-action": "replace",
                                 f"e{entry.id}-replacement": "[…]"})
    assert response.status_code == 302
    db.session.expire_all()
    assert entry.action == "replace" and entry.replacement == "[…]"
    assert client.post(f"/admin/words/{entry.id}/delete").status_code == 302
    assert db.session.scalar(select(WatchedWord)) is None
    assert [len(logged(a)) for a in ("words.add", "words.update", "words.remove")] == [1, 1, 1]


@pytest.mark.parametrize("data", [
    {"pattern": "*", "action": "block"},
    {"pattern": "a*", "action": "block"},
    {"pattern": "(foo|bar)", "action": "block"},
    {"pattern": "", "action": "block"},
    {"pattern": "spam", "action": "explode"},
    {"pattern": "not a domain", "action": "block", "is_domain": "y"},
    {"pattern": "spam.example", "action": "replace", "is_domain": "y"},
])
def test_bad_entries_are_refused(client, login, admin, data):
    login(admin)
    response = client.post("/admin/words", data=data)
    assert response.status_code == 400
    assert db.session.scalar(select(WatchedWord)) is None


def test_duplicate_entry(client, login, admin, words):
    words("spam", "block")
    login(admin)
    assert client.post("/admin/words", data={"pattern": "SPAM", "action": "flag"}
                       ).status_code == 409


def test_members_and_moderators_may_not_edit_the_list(client, login, member, moderator):
    for user in (member, moderator):
        login(user)
        assert client.get("/admin/words").status_code == 403
        assert client.post("/admin/words", data={"pattern": "x1", "action": "block"}
                           ).status_code == 403
