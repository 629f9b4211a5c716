"""Pre-moderation: posts that wait for a moderator, who sees them, what they leave out until
approved, and approving and rejecting them from the approval list."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import (
    ModAction,
    Notification,
    PendingPost,
    PendingState,
    Post,
    Thread,
    User,
)
from forum.services.accounts import logins
from forum.services.content import approving, posting
from forum.services.site import settings as site_settings
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import race


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, other_member):
    return factories.make_thread(board, author=other_member, title="Hello world",
                                 body="Opening post")


@pytest.fixture
def premod(admin):
    site_settings.update(admin, {"premod_new_member_posts": 3})


def newcomer(name: str = "newbie") -> User:
    return factories.make_user(username=name)


def waiting() -> list[PendingPost]:
    return list(db.session.scalars(select(PendingPost).order_by(PendingPost.id)))


def notes_for(user: User) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(
        Notification.recipient_id == user.id).order_by(Notification.id)))


def logged(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


def held_reply(client, login, thread, author, body="A secret waiting reply") -> PendingPost:
    login(author)
    response = client.post(f"/t/{thread.id}/reply", data={"body": body})
    assert response.status_code == 302
    pending = waiting()[-1]
    assert response.headers["Location"].endswith(f"/waiting/{pending.id}")
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    return pending


# -- what waits --------------------------------------------------------------------------------
def test_a_new_members_first_posts_wait_and_nothing_counts_them(client, login, thread, board,
                                                                premod, other_member):
    author = newcomer()
    before = (thread.reply_count, thread.post_seq, board.post_count, board.last_post_id)
    pending = held_reply(client, login, thread, author)
    assert pending.cause == "new_member" and pending.state == PendingState.WAITING
    db.session.expire_all()
    assert (thread.reply_count, thread.post_seq, board.post_count, board.last_post_id) == before
    assert db.session.get(User, author.id).post_count == 0
    assert db.session.scalar(select(Post).where(Post.author_id == author.id)) is None
    assert notes_for(other_member) == []  # the thread's author hears nothing yet


def test_setting_off_by_default(client, login, thread):
    login(newcomer())
    response = client.post(f"/t/{thread.id}/reply", data={"body": "Straight up"})
    assert response.status_code == 302 and "/waiting/" not in response.headers["Location"]
    assert waiting() == []


def test_members_past_the_first_posts_and_moderators_do_not_wait(thread, premod, moderator):
    seasoned = factories.make_user(username="seasoned")
    seasoned.post_count = 3
    db.session.commit()
    assert isinstance(posting.reply(seasoned, thread, "No wait"), Post)
    assert isinstance(posting.reply(moderator, thread, "No wait either"), Post)


def test_always_review_switch_on_the_members_record(client, login, moderator, thread, member):
    login(moderator)
    response = client.post(f"/mod/members/{member.username}/review", data={"review": "on"})
    assert response.status_code == 302
    db.session.expire_all()
    assert member.always_review is True
    assert logged("user.review")[0].after == {"always_review": True}
    assert isinstance(posting.reply(member, thread, "Checked first"), PendingPost)
    client.post(f"/mod/members/{member.username}/review", data={"review": "off"})
    db.session.expire_all()
    assert member.always_review is False
    assert isinstance(posting.reply(member, thread, "Up at once"), Post)


def test_always_review_switch_refused_to_members(client, login, member, other_member):
    login(member)
    assert client.post(f"/mod/members/{other_member.username}/review",
                       data={"review": "on"}).status_code == 403


def test_a_board_can_want_every_new_thread_approved(client, login, board, member,
                                                     other_member, moderator):
    board.threads_need_approval = True
    db.session.commit()
    login(member)
    response = client.post("/b/general/new", data={"title": "Waiting thread",
                                                   "body": "Hello all"})
    pending = waiting()[-1]
    assert response.headers["Location"].endswith(f"/waiting/{pending.id}")
    assert pending.is_thread and pending.cause == "board"
    assert "Waiting thread" not in text(client.get("/b/general"))
    page = text(client.get(f"/waiting/{pending.id}"))
    assert "Waiting for a moderator" in page and "Hello all" in page
    assert db.session.scalar(select(Thread).where(Thread.title == "Waiting thread")) is None
    login(other_member)
    assert client.get(f"/waiting/{pending.id}").status_code == 404
    login(moderator)
    assert client.post(f"/mod/approvals/{pending.id}/approve").status_code == 302
    created = db.session.scalar(select(Thread).where(Thread.title == "Waiting thread"))
    assert created is not None and created.author_id == member.id
    db.session.expire_all()
    assert board.thread_count == 1 and board.last_post_id == created.first_post_id
    assert logged("thread.approve")
    login(other_member)
    assert "Waiting thread" in text(client.get("/b/general"))


# -- who sees a waiting post -------------------------------------------------------------------
def test_visibility_for_each_viewer(client, login, thread, premod, other_member, moderator):
    author = newcomer()
    pending = held_reply(client, login, thread, author)
    url = f"/waiting/{pending.id}"
    # Guest: asked to log in; the thread doesn't show it.
    assert client.get(url).status_code in (302, 401)
    assert "A secret waiting reply" not in text(client.get(thread.url))
    # Another member: 404, and not in the thread.
    login(other_member)
    assert client.get(url).status_code == 404
    assert "A secret waiting reply" not in text(client.get(thread.url))
    # The author: the post with "waiting", and in their list.
    login(author)
    page = text(client.get(url))
    assert "Waiting for a moderator" in page and "A secret waiting reply" in page
    assert "A secret waiting reply" not in text(client.get(thread.url))
    assert f"/waiting/{pending.id}" in text(client.get("/waiting"))
    # A moderator: the post and the approval list.
    login(moderator)
    assert "A secret waiting reply" in text(client.get(url))
    assert "A secret waiting reply" in text(client.get("/mod/approvals"))


def test_waiting_list_asks_guests_to_log_in(client):
    assert client.get("/waiting").status_code in (302, 401)


def test_kept_page_of_posts_never_holds_a_waiting_post(client, login, thread, premod, moderator,
                                                        other_member):
    # The moderators' kind of page is kept too: rendered before and after the post waits.
    login(moderator)
    client.get(thread.url)
    author = newcomer()
    held_reply(client, login, thread, author)
    for viewer in (moderator, other_member, author):
        login(viewer)
        assert "A secret waiting reply" not in text(client.get(thread.url))


# -- approving and rejecting -------------------------------------------------------------------
def test_approve_puts_the_post_at_the_end_and_counts_and_notifies(client, login, thread, board,
                                                                   premod, other_member,
                                                                   moderator):
    author = newcomer()
    pending = held_reply(client, login, thread, author)
    posting.reply(moderator, thread, "A later reply")
    login(moderator)
    response = client.post(f"/mod/approvals/{pending.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    post = db.session.scalar(select(Post).where(Post.author_id == author.id))
    assert post.position == 3 and thread.post_seq == 3 and thread.reply_count == 2
    assert board.last_post_id == post.id
    assert db.session.get(User, author.id).post_count == 1
    assert db.session.get(PendingPost, pending.id).post_id == post.id
    assert [note.key for note in notes_for(author)] == ["post.approved"]
    # The thread's author watches it: the approved reply counts among its new posts.
    [watched] = [note for note in notes_for(other_member) if note.kind == "watched"]
    assert (watched.link, watched.count) == (f"/t/{thread.id}/unread", 2)
    assert logged("post.approve")[0].actor_id == moderator.id
    login(other_member)
    assert "A secret waiting reply" in text(client.get(thread.url))
    # Approved once: a second click finds it decided.
    login(moderator)
    assert client.post(f"/mod/approvals/{pending.id}/approve").status_code == 409


def test_reject_needs_a_reason_and_tells_the_author(client, login, thread, premod, moderator):
    author = newcomer()
    pending = held_reply(client, login, thread, author)
    login(moderator)
    assert client.post(f"/mod/approvals/{pending.id}/reject", data={"reason": ""}
                       ).status_code == 400
    response = client.post(f"/mod/approvals/{pending.id}/reject",
                           data={"reason": "Advertising"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PendingPost, pending.id).state == PendingState.REJECTED
    assert [note.key for note in notes_for(author)] == ["post.rejected"]
    assert notes_for(author)[0].params["reason"] == "Advertising"
    assert logged("post.reject")[0].reason == "Advertising"
    assert db.session.scalar(select(Post).where(Post.author_id == author.id)) is None
    login(author)
    assert "Advertising" in text(client.get(f"/waiting/{pending.id}"))


def test_bulk_approve(client, login, thread, premod, moderator):
    first = held_reply(client, login, thread, newcomer("one"), "First waiting")
    second = held_reply(client, login, thread, newcomer("two"), "Second waiting")
    third = held_reply(client, login, thread, newcomer("three"), "Third waiting")
    login(moderator)
    response = client.post("/mod/approvals/bulk", data={"ids": [first.id, third.id]})
    assert response.status_code == 302
    db.session.expire_all()
    states = [db.session.get(PendingPost, p.id).state for p in (first, second, third)]
    assert states == ["approved", "waiting", "approved"]
    assert len(logged("post.approve")) == 2
    assert client.post("/mod/approvals/bulk", data={}).status_code == 400
    assert client.post("/mod/approvals/bulk", data={"ids": ["x"]}).status_code == 400


def test_board_moderators_decide_only_in_their_boards(client, login, thread, premod):
    pending = held_reply(client, login, thread, newcomer())
    elsewhere = factories.make_board_moderator(factories.make_user(username="boardmod"),
                                               factories.make_board(slug="other"))
    login(elsewhere)
    assert "A secret waiting reply" not in text(client.get("/mod/approvals"))
    assert client.post(f"/mod/approvals/{pending.id}/approve").status_code == 403
    assert client.post("/mod/approvals/bulk", data={"ids": [pending.id]}).status_code == 302
    assert db.session.get(PendingPost, pending.id).state == PendingState.WAITING


def test_approving_into_a_deleted_thread_is_refused(client, login, thread, premod, moderator):
    pending = held_reply(client, login, thread, newcomer())
    thread.is_deleted = True
    db.session.commit()
    login(moderator)
    assert client.post(f"/mod/approvals/{pending.id}/approve").status_code == 409
    assert db.session.get(PendingPost, pending.id).state == PendingState.WAITING


def test_two_moderators_deciding_at_once_one_wins(app, thread, premod):
    author = newcomer()
    pending = posting.reply(author, thread, "Racing post")
    first = factories.make_user(username="mod1", role="moderator")
    second = factories.make_user(username="mod2", role="moderator")
    pending_id, first_id, second_id = pending.id, first.id, second.id

    def as_moderator(user_id: int, path: str, data: dict):
        def prepare():
            client = app.test_client()
            moderator = db.session.get(User, user_id)
            logins.start(moderator, False, "127.0.0.1", None)
            with client.session_transaction() as session:
                session["_user_id"] = moderator.get_id()
                session["_fresh"] = True
            return lambda: client.post(path, data=data).status_code
        return prepare

    results = race(
        app,
        as_moderator(first_id, f"/mod/approvals/{pending_id}/approve", {}),
        as_moderator(second_id, f"/mod/approvals/{pending_id}/reject", {"reason": "No"}),
    )
    statuses = sorted(value for kind, value in results if kind == "ok")
    assert statuses == [302, 409], results
    decided = db.session.get(PendingPost, pending_id)
    approved = decided.state == PendingState.APPROVED
    posts = db.session.scalars(select(Post).where(Post.author_id == author.id)).all()
    assert len(posts) == (1 if approved else 0)
    assert len(logged("post.approve")) + len(logged("post.reject")) == 1


def test_service_race_of_two_approvals(app, thread, premod):
    pending = posting.reply(newcomer(), thread, "Racing post")
    one = factories.make_user(username="mod1", role="moderator")
    two = factories.make_user(username="mod2", role="moderator")
    # Ids read here: the racing threads must not touch this thread's session.
    pending_id, one_id, two_id = pending.id, one.id, two.id

    def job(user_id):
        def prepare():
            actor = db.session.get(User, user_id)
            item = db.session.get(PendingPost, pending_id)
            return lambda: approving.approve(actor, item)
        return prepare

    results = race(app, job(one_id), job(two_id))
    assert sorted(kind for kind, _value in results) == ["error", "ok"]
    db.session.expire_all()
    assert thread.reply_count == 1 and thread.post_seq == 2


@pytest.mark.search
def test_search_finds_a_waiting_post_only_once_approved(client, login, thread, premod, moderator):
    pending = held_reply(client, login, thread, newcomer(), "Zanzibarian marmalade recipe")
    for viewer in (None, moderator):
        if viewer is not None:
            login(viewer)
        assert "marmalade" not in text(client.get("/search?q=zanzibarian"))
    approving.approve(moderator, db.session.get(PendingPost, pending.id))
    assert "marmalade" in text(client.get("/search?q=zanzibarian"))


def test_the_authors_export_holds_their_waiting_and_rejected_posts(thread, premod, moderator):
    from forum.services import data_export

    author = newcomer()
    kept = posting.reply(author, thread, "Still waiting")
    turned_down = posting.reply(author, thread, "Turned down")
    approving.reject(moderator, turned_down, "Off-topic")
    rows = data_export.export(author)["waiting_posts"]
    assert [(row["body"], row["state"], row["reason"]) for row in rows] == [
        ("Still waiting", "waiting", None), ("Turned down", "rejected", "Off-topic")]
    assert kept.id == rows[0]["id"]


def test_the_approvals_tab_counts_what_waits_in_the_viewers_boards(client, login, thread,
                                                                    premod, moderator):
    held_reply(client, login, thread, newcomer())
    held_reply(client, login, thread, newcomer("second"), body="Another waiting reply")
    login(moderator)
    page = client.get("/mod/reports").get_data(as_text=True)
    assert 'aria-label="2 posts wait for approval">2</span>' in page
    elsewhere = factories.make_board_moderator(factories.make_user(username="boardmod"),
                                               factories.make_board(slug="other"))
    login(elsewhere)
    assert "wait for approval" not in client.get("/mod/reports").get_data(as_text=True)
    here = factories.make_board_moderator(factories.make_user(username="heremod"),
                                          thread.board)
    login(here)
    client.get("/mod/approvals")
    pending = waiting()[0]
    client.post(f"/mod/approvals/{pending.id}/approve")
    page = client.get("/mod/reports").get_data(as_text=True)
    assert 'aria-label="1 post waits for approval">1</span>' in page
