"""Posting rules: limits, permissions, counters, revisions, soft deletes and racing writers."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select, update

from forum.errors import Refused
from forum.extensions import db
from forum.models import Access, Board, Post, PostRevision, Thread, User, utcnow
from forum.services.content import posting
from tests import factories


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def fresh(obj):
    db.session.refresh(obj)
    return obj


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General")


# -- starting threads ---------------------------------------------------------------------------
def test_create_thread_sets_opening_post_and_counters(board, member):
    now = utcnow()
    thread = posting.create_thread(member, board, "  Hello   there  ", "**Hi** all", now=now)

    assert thread.title == "Hello there"
    assert thread.slug == "hello-there"
    assert thread.post_seq == 1 and thread.reply_count == 0
    post = db.session.get(Post, thread.first_post_id)
    assert post.position == 1 and post.author_id == member.id
    assert post.body == "**Hi** all"
    assert post.body_html == "<p><strong>Hi</strong> all</p>"
    assert thread.last_post_id == post.id and thread.last_post_at == now
    fresh(board)
    assert (board.thread_count, board.post_count, board.last_post_id) == (1, 1, post.id)
    fresh(member)
    assert (member.post_count, member.thread_count) == (1, 1)


def test_create_thread_never_trusts_raw_html(board, member):
    body = "<script>alert(1)</script> [x](javascript:alert(1))"
    html = posting.create_thread(member, board, "Sneaky", body).first_post.body_html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "href" not in html


@pytest.mark.parametrize(
    ("title", "body", "field", "message"),
    [
        ("", "Body", "title", "A thread needs a title."),
        ("   \t ", "Body", "title", "A thread needs a title."),
        ("x" * 201, "Body", "title", "Titles can be at most 200 characters."),
        ("Title", "", "body", "A post can't be empty."),
        ("Title", " \r\n \n ", "body", "A post can't be empty."),
        ("Title", "x" * 50_001, "body", "Posts can be at most 50,000 characters."),
    ],
)
def test_create_thread_rejects_bad_input_and_saves_nothing(board, member, title, body, field,
                                                           message):
    with pytest.raises(posting.InvalidInput) as caught:
        posting.create_thread(member, board, title, body)
    assert caught.value.status == 400
    assert caught.value.field == field
    assert caught.value.reason == message
    db.session.rollback()
    assert count(Thread) == 0 and count(Post) == 0
    assert fresh(board).thread_count == 0


def test_limits_are_inclusive_and_count_lines_once(board, member):
    # 74,999 characters as sent, 50,000 once CRLF becomes LF.
    body = "a\r\n" * 24_999 + "ab"
    thread = posting.create_thread(member, board, "t" * 200, body)
    assert len(thread.title) == 200
    assert len(thread.first_post.body) == 50_000


def test_guest_cannot_start_a_thread(board):
    with pytest.raises(Refused) as caught:
        posting.create_thread(AnonymousUserMixin(), board, "Title", "Body")
    assert caught.value.login_required


def test_read_only_board_is_for_moderators(app, member, moderator):
    board = factories.make_board(is_read_only=True)
    with pytest.raises(Refused) as caught:
        posting.create_thread(member, board, "Title", "Body")
    assert caught.value.status == 403 and "read-only" in caught.value.reason
    assert count(Thread) == 0
    assert posting.create_thread(moderator, board, "News", "Body").id


def test_staff_board_refuses_members(app, member, moderator):
    board = factories.make_board(access=Access.STAFF)
    with pytest.raises(Refused):
        posting.create_thread(member, board, "Title", "Body")
    board_mod = factories.make_board_moderator(factories.make_user(), board)
    assert posting.create_thread(board_mod, board, "Staff talk", "Body").id


# -- replies ------------------------------------------------------------------------------------
def test_reply_claims_next_position_and_updates_counters(board, member, other_member):
    thread = factories.make_thread(board, author=member)
    later = utcnow() + timedelta(minutes=5)
    post = posting.reply(other_member, thread, "Me too", now=later)

    assert post.position == 2
    fresh(thread)
    assert (thread.post_seq, thread.reply_count) == (2, 1)
    assert thread.last_post_id == post.id and thread.last_post_at == later
    fresh(board)
    assert (board.post_count, board.last_post_id, board.thread_count) == (2, post.id, 1)
    assert fresh(other_member).post_count == 1


def test_locked_thread_refuses_members_but_not_moderators(board, member, moderator):
    thread = factories.make_thread(board, author=member, is_locked=True, locked_reason="Done.")
    with pytest.raises(Refused) as caught:
        posting.reply(member, thread, "Wait!")
    assert caught.value.reason == "Locked by a moderator: Done."
    db.session.rollback()
    assert count(Post) == 1
    assert posting.reply(moderator, thread, "Closing remark").position == 2


def test_guest_cannot_reply(board, member):
    thread = factories.make_thread(board, author=member)
    with pytest.raises(Refused) as caught:
        posting.reply(AnonymousUserMixin(), thread, "Hi")
    assert caught.value.login_required


def test_empty_reply_saves_nothing(board, member):
    thread = factories.make_thread(board, author=member)
    with pytest.raises(posting.InvalidInput):
        posting.reply(member, thread, "   ")
    db.session.rollback()
    assert fresh(thread).post_seq == 1 and count(Post) == 1


def _reply_from_worker(app, barrier: Barrier, user_id: int, thread_id: int, n: int) -> list[int]:
    with app.app_context():
        user = db.session.get(User, user_id)
        thread = db.session.get(Thread, thread_id)
        thread.board  # noqa: B018 - load before the race so only the writes overlap
        barrier.wait(timeout=30)
        positions = []
        for i in range(n):
            positions.append(posting.reply(user, thread, f"Reply {i} from {user_id}").position)
        return positions


@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_replies_get_distinct_positions(app, board, member, workers):
    thread = factories.make_thread(board, author=member)
    users = [factories.make_user() for _ in range(workers)]
    per_worker = 5
    barrier = Barrier(workers)
    with ThreadPoolExecutor(workers) as pool:
        futures = [
            pool.submit(_reply_from_worker, app, barrier, u.id, thread.id, per_worker)
            for u in users
        ]
        positions = [p for f in futures for p in f.result(timeout=60)]

    expected = workers * per_worker
    assert sorted(positions) == list(range(2, expected + 2))
    db.session.expire_all()
    thread = db.session.get(Thread, thread.id)
    assert thread.reply_count == expected and thread.post_seq == expected + 1
    stored = db.session.scalars(
        select(Post.position).where(Post.thread_id == thread.id).order_by(Post.position)
    ).all()
    assert stored == list(range(1, expected + 2))
    assert db.session.get(Board, board.id).post_count == expected + 1


# -- editing ------------------------------------------------------------------------------------
def test_edit_keeps_previous_text_as_revisions(board, member, moderator):
    start = utcnow()
    thread = factories.make_thread(board, author=member, body="First draft")
    post = thread.first_post
    t1, t2 = start + timedelta(minutes=1), start + timedelta(minutes=2)
    posting.edit_post(member, post, "Second draft", now=t1)
    posting.edit_post(moderator, post, "Third *draft*", now=t2, reason="Formatting")

    fresh(post)
    assert post.body == "Third *draft*" and post.body_html == "<p>Third <em>draft</em></p>"
    assert post.edited_at == t2 and post.edited_by_id == moderator.id
    assert post.revision_count == 2
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number)
    ).all()
    assert [(r.number, r.body, r.editor_id) for r in revisions] == [
        (1, "First draft", member.id),
        (2, "Second draft", member.id),
    ]
    assert revisions[1].created_at == t1
    assert revisions[0].body_html == "<p>First draft</p>"


def test_edit_without_change_records_nothing(board, member):
    post = factories.make_thread(board, author=member, body="Same").first_post
    posting.edit_post(member, post, "  Same \r\n")
    assert count(PostRevision) == 0 and fresh(post).edited_at is None


@pytest.mark.parametrize("case", ["other member", "locked", "deleted", "guest", "empty"])
def test_edit_refusals(board, member, other_member, moderator, case):
    thread = factories.make_thread(board, author=member)
    post = factories.make_post(thread, author=member, body="Original")
    actor = member
    if case == "other member":
        actor = other_member
    elif case == "locked":
        thread.is_locked = True
        db.session.commit()
    elif case == "deleted":
        posting.delete_post(moderator, post, "Spam")
    elif case == "guest":
        actor = AnonymousUserMixin()
    with pytest.raises(Refused):
        posting.edit_post(actor, post, "" if case == "empty" else "Changed")
    db.session.rollback()
    assert fresh(post).body == "Original" and count(PostRevision) == 0


# -- deleting -----------------------------------------------------------------------------------
def test_delete_reply_is_soft_and_fixes_counters(board, member, other_member):
    thread = factories.make_thread(board, author=member)
    first_reply = factories.make_post(thread, author=other_member)
    last_reply = factories.make_post(thread, author=other_member)

    posting.delete_post(other_member, last_reply, reason="oops")

    fresh(last_reply)
    assert last_reply.is_deleted and last_reply.deleted_by_id == other_member.id
    assert last_reply.delete_reason == "oops" and last_reply.body == "A reply."
    fresh(thread)
    assert thread.reply_count == 1 and thread.post_seq == 3
    assert thread.last_post_id == first_reply.id
    assert thread.last_post_at == first_reply.created_at
    fresh(board)
    assert board.post_count == 2 and board.last_post_id == first_reply.id
    assert fresh(other_member).post_count == 1


def test_delete_only_once_even_if_raced(app, board, member):
    thread = factories.make_thread(board, author=member)
    post = factories.make_post(thread, author=member)
    post.is_deleted  # noqa: B018 - this session now holds the copy a racing request would
    with app.app_context():
        # Another request deletes it first, in its own session.
        db.session.execute(update(Post).where(Post.id == post.id).values(is_deleted=True))
        db.session.commit()
    assert post.is_deleted is False
    with pytest.raises(Refused) as caught:
        posting.delete_post(member, post)
    assert caught.value.status == 409
    assert fresh(thread).reply_count == 1


def test_deleting_a_lone_opening_post_removes_the_thread(board, member):
    older = factories.make_thread(board, author=member, title="Older")
    thread = factories.make_thread(board, author=member, title="Newer")
    posting.delete_post(member, thread.first_post)

    fresh(thread)
    assert thread.is_deleted and thread.deleted_by_id == member.id
    fresh(board)
    assert board.thread_count == 1 and board.post_count == 1
    assert board.last_post_id == older.first_post_id
    fresh(member)
    assert member.thread_count == 1 and member.post_count == 1


def test_opening_post_with_replies_needs_a_moderator(board, member, other_member, moderator):
    thread = factories.make_thread(board, author=member)
    factories.make_post(thread, author=other_member)
    with pytest.raises(Refused) as caught:
        posting.delete_post(member, thread.first_post)
    assert "moderator" in caught.value.reason
    db.session.rollback()

    posting.delete_post(moderator, thread.first_post, reason="Spam")
    fresh(thread)
    assert thread.is_deleted
    fresh(board)
    assert (board.thread_count, board.post_count, board.last_post_id) == (0, 0, None)


@pytest.mark.parametrize("case", ["other member", "guest", "locked", "already deleted"])
def test_delete_refusals(board, member, other_member, moderator, case):
    thread = factories.make_thread(board, author=member)
    post = factories.make_post(thread, author=member)
    actor = member
    if case == "other member":
        actor = other_member
    elif case == "guest":
        actor = AnonymousUserMixin()
    elif case == "locked":
        thread.is_locked = True
        db.session.commit()
    else:
        posting.delete_post(moderator, post, "Spam")
    with pytest.raises(Refused):
        posting.delete_post(actor, post)
    db.session.rollback()
    assert fresh(thread).reply_count == (0 if case == "already deleted" else 1)


def test_moderator_deletes_reply_in_deleted_thread_without_touching_board(board, member,
                                                                          moderator):
    thread = factories.make_thread(board, author=member)
    reply = factories.make_post(thread, author=member)
    posting.delete_post(moderator, thread.first_post, "Spam")
    before = fresh(board).post_count
    posting.delete_post(moderator, reply, "Spam")
    assert fresh(board).post_count == before
    assert fresh(thread).reply_count == 0


def test_slugify():
    assert posting.slugify("Héllo, Wörld! 2024") == "hello-world-2024"
    assert posting.slugify("¿¿??") == ""
    assert len(posting.slugify("word " * 50)) <= 60


def test_reply_in_a_deleted_thread_stays_off_the_board(board, member, moderator):
    kept = factories.make_thread(board, author=member, title="Kept")
    gone = factories.make_thread(board, author=member, title="Gone")
    posting.delete_post(member, gone.first_post)
    posting.reply(moderator, gone, "Note for the record")
    fresh(board)
    assert board.post_count == 1 and board.last_post_id == kept.first_post_id
    assert fresh(gone).reply_count == 1


# -- someone else's post ------------------------------------------------------------------------
def _log(action: str) -> list:
    from forum.models import ModAction

    return db.session.scalars(select(ModAction).where(ModAction.action == action)).all()


@pytest.mark.parametrize("reason", [None, "  ", "x" * 501])
def test_a_moderator_edits_or_deletes_someone_elses_post_only_with_a_reason(board, member,
                                                                            moderator, reason):
    post = factories.make_post(factories.make_thread(board, author=member), author=member,
                               body="Original")
    with pytest.raises(Refused) as refused:
        posting.edit_post(moderator, post, "Changed", reason=reason)
    assert refused.value.status == 400
    db.session.rollback()
    with pytest.raises(Refused) as refused:
        posting.delete_post(moderator, post, reason)
    assert refused.value.status == 400
    db.session.rollback()
    assert fresh(post).body == "Original" and not fresh(post).is_deleted
    assert count(PostRevision) == 0 and not _log("post.edit") and not _log("post.delete")


def test_a_moderators_edit_and_delete_are_logged_and_the_author_told(board, member, moderator):
    from forum.models import Notification

    post = factories.make_post(factories.make_thread(board, author=member), author=member,
                               body="Call me on 555-0142")
    with pytest.raises(Refused, match="same as the post's current text"):
        posting.edit_post(moderator, post, "Call me on 555-0142", reason="Same")
    db.session.rollback()
    posting.edit_post(moderator, post, "Call me privately", reason="Contact details")
    posting.delete_post(moderator, post, "Off topic after all")
    [edited], [deleted] = _log("post.edit"), _log("post.delete")
    assert (edited.reason, edited.actor_id, edited.before["body"]) == (
        "Contact details", moderator.id, "Call me on 555-0142")
    assert deleted.reason == "Off topic after all"
    told = [factories.said(note) for note in db.session.scalars(select(Notification).where(
        Notification.recipient_id == member.id))]
    assert any("edited your post" in subject for subject in told)
    assert any("deleted your post" in subject for subject in told)


def test_an_authors_own_edit_and_delete_need_no_reason_and_log_nothing(board, member):
    post = factories.make_post(factories.make_thread(board, author=member), author=member)
    posting.edit_post(member, post, "Second thoughts")
    posting.delete_post(member, post)
    assert fresh(post).is_deleted and not _log("post.edit") and not _log("post.delete")
