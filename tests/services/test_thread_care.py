"""Pinning, renaming and restoring threads and posts as a moderator: each logged, the author
told, the counters back exactly where they were, every refusal leaving everything as it was."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from forum.errors import Refused
from forum.extensions import db
from forum.models import Board, Notification, Post, Thread, User
from forum.services.content import posting
from forum.services.moderation import post_tools, thread_pins, thread_tools
from tests import factories
from tests.factories import said
from tests.services.moderation_kit import T0, actions


@pytest.fixture
def board(app):
    return factories.make_board(slug="printers", title="Printers")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, author=member, title="Which slicer?")


def _told(user: User) -> list[str]:
    return [said(note) for note in db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id))]


def _counts(thread: Thread, *people: User) -> dict:
    """Everything a delete changes and a restore must bring back."""
    db.session.expire_all()
    fresh = db.session.get(Thread, thread.id)
    board = db.session.get(Board, fresh.board_id)
    return {
        "thread": (fresh.is_deleted, fresh.reply_count, fresh.last_post_id, fresh.last_post_at),
        "board": (board.thread_count, board.post_count, board.last_post_id),
        "people": [(db.session.get(User, person.id).post_count,
                    db.session.get(User, person.id).thread_count) for person in people],
    }


# -- pin and unpin ---------------------------------------------------------------------------
def test_pin_and_unpin_are_logged_and_the_author_told(thread, moderator, member):
    thread_pins.pin_thread(moderator, thread, "Everyone asks this", now=T0)
    assert thread.is_pinned
    thread_pins.unpin_thread(moderator, thread, "Answered in the wiki", now=T0)
    assert not thread.is_pinned
    pin, unpin = actions("thread.pin")[0], actions("thread.unpin")[0]
    assert (pin.actor_id, pin.reason, pin.before, pin.after) == (
        moderator.id, "Everyone asks this",
        {"pinned": False, "until": None, "everywhere": False},
        {"pinned": True, "until": None, "everywhere": False})
    assert (unpin.reason, unpin.after) == (
        "Answered in the wiki", {"pinned": False, "until": None, "everywhere": False})
    assert _told(member) == ["A moderator pinned your thread “Which slicer?”.",
                             "A moderator unpinned your thread “Which slicer?”."]


def test_a_board_moderator_pins_in_their_board_only(thread, board):
    here = factories.make_board_moderator(factories.make_user(), board)
    thread_pins.pin_thread(here, thread, "Useful")
    elsewhere = factories.make_board_moderator(factories.make_user(), factories.make_board())
    with pytest.raises(Refused) as refused:
        thread_pins.unpin_thread(elsewhere, thread, "No")
    assert refused.value.status == 403
    db.session.expire_all()
    assert thread.is_pinned and actions("thread.unpin") == []


@pytest.mark.parametrize("state, call, status, message", [
    ({}, lambda m, t: thread_pins.pin_thread(m, t, " "), 400, "give a reason"),
    ({"is_pinned": True}, lambda m, t: thread_pins.pin_thread(m, t, "x"), 409,
     "already pinned"),
    ({"is_deleted": True}, lambda m, t: thread_pins.pin_thread(m, t, "x"), 409,
     "restore it first"),
    ({}, lambda m, t: thread_pins.unpin_thread(m, t, "x"), 409, "isn't pinned"),
    ({"is_pinned": True}, lambda m, t: thread_pins.unpin_thread(m, t, ""), 400,
     "give a reason"),
])
def test_pin_refusals(thread, moderator, state, call, status, message):
    for key, value in state.items():
        setattr(thread, key, value)
    db.session.commit()
    with pytest.raises(Refused) as refused:
        call(moderator, thread)
    assert refused.value.status == status and message in refused.value.reason
    db.session.expire_all()
    assert thread.is_pinned == state.get("is_pinned", False)
    assert actions() == []


# -- rename ----------------------------------------------------------------------------------
def test_rename_keeps_both_titles_in_the_log(thread, moderator, member):
    thread_tools.rename_thread(moderator, thread, "  Which slicer for  PETG? ", "Say what",
                               now=T0)
    db.session.expire_all()
    assert thread.title == "Which slicer for PETG?" and thread.slug == "which-slicer-for-petg"
    entry = actions("thread.rename")[0]
    assert entry.reason == "Say what"
    assert entry.before == {"title": "Which slicer?", "slug": "which-slicer"}
    assert entry.after == {"title": "Which slicer for PETG?", "slug": "which-slicer-for-petg"}
    assert _told(member) == [
        "A moderator renamed your thread “Which slicer?” to “Which slicer for PETG?”."]


@pytest.mark.parametrize("title, reason, message", [
    ("Which slicer?", "Same", "already has that title"),
    (" Which  slicer? ", "Same", "already has that title"),
    ("   ", "Empty", "needs a title"),
    ("x" * 201, "Long", "at most 200"),
    ("Better title", "", "give a reason"),
])
def test_rename_refusals_change_nothing(thread, moderator, title, reason, message):
    with pytest.raises(Refused) as refused:
        thread_tools.rename_thread(moderator, thread, title, reason)
    assert refused.value.status == 400 and message in refused.value.reason
    db.session.expire_all()
    assert (thread.title, thread.slug) == ("Which slicer?", "which-slicer")
    assert actions() == []


def test_rename_needs_a_moderator_of_the_board(thread, member, other_member):
    for actor in (member, other_member):
        with pytest.raises(Refused) as refused:
            thread_tools.rename_thread(actor, thread, "Mine now", "Because")
        assert refused.value.status == 403


# -- restoring a thread ----------------------------------------------------------------------
def test_restoring_a_thread_brings_every_count_back(board, thread, member, other_member,
                                                    moderator):
    factories.make_post(thread, author=other_member, body="Cura.")
    factories.make_post(thread, author=other_member, body="PrusaSlicer.")
    before = _counts(thread, member, other_member)
    posting.delete_post(moderator, thread.first_post, "Looked like spam", now=T0)
    gone = _counts(thread, member, other_member)
    assert gone["thread"][0] is True
    assert gone["board"][:2] == (before["board"][0] - 1, before["board"][1] - 3)
    assert gone["people"][0] == (before["people"][0][0] - 1, before["people"][0][1] - 1)
    thread_tools.restore_thread(moderator, thread, "It wasn't spam", now=T0)
    assert _counts(thread, member, other_member) == before
    db.session.expire_all()
    opening = db.session.get(Post, thread.first_post_id)
    assert not opening.is_deleted and opening.delete_reason is None
    entry = actions("thread.restore")[0]
    assert (entry.reason, entry.before, entry.after) == (
        "It wasn't spam", {"deleted": True}, {"deleted": False})
    assert _told(member)[-1] == "A moderator restored your thread “Which slicer?”."


def test_restoring_a_thread_puts_the_boards_latest_post_back(board, moderator):
    older = factories.make_thread(board, author=factories.make_user(), title="Older")
    newer = factories.make_thread(board, author=factories.make_user(), title="Newer")
    newer.last_post_at = older.last_post_at + timedelta(hours=1)
    db.session.commit()
    posting.delete_post(moderator, newer.first_post, "Spam")
    db.session.expire_all()
    assert db.session.get(Board, board.id).last_post_id == older.first_post_id
    thread_tools.restore_thread(moderator, newer, "Not spam")
    db.session.expire_all()
    assert db.session.get(Board, board.id).last_post_id == newer.first_post_id


@pytest.mark.parametrize("reason, status, message", [("", 400, "give a reason"),
                                                     ("Why not", 409, "isn't deleted")])
def test_restore_thread_refusals(thread, moderator, reason, status, message):
    before = _counts(thread)
    with pytest.raises(Refused) as refused:
        thread_tools.restore_thread(moderator, thread, reason)
    assert refused.value.status == status and message in refused.value.reason
    assert _counts(thread) == before and actions() == []


def test_restore_thread_outside_ones_boards_is_403(thread, moderator):
    posting.delete_post(moderator, thread.first_post, "Spam")
    elsewhere = factories.make_board_moderator(factories.make_user(), factories.make_board())
    with pytest.raises(Refused) as refused:
        thread_tools.restore_thread(elsewhere, thread, "Mine")
    assert refused.value.status == 403
    db.session.expire_all()
    assert thread.is_deleted and actions("thread.restore") == []


# -- restoring a post ------------------------------------------------------------------------
def test_restoring_a_reply_brings_every_count_back(thread, member, other_member, moderator):
    reply = factories.make_post(thread, author=other_member, body="Cura, obviously.")
    before = _counts(thread, other_member)
    posting.delete_post(moderator, reply, "Rude", now=T0)
    assert _counts(thread, other_member) != before
    post_tools.restore_post(moderator, reply, "Read it again: fine", now=T0)
    assert _counts(thread, other_member) == before
    db.session.expire_all()
    assert not db.session.get(Post, reply.id).is_deleted
    entry = actions("post.restore")[0]
    assert (entry.actor_id, entry.target_id, entry.reason) == (
        moderator.id, reply.id, "Read it again: fine")
    assert actions("thread.restore") == []
    assert _told(other_member)[-1] == "A moderator restored your post in “Which slicer?”."


def test_restoring_an_opening_post_restores_its_thread(thread, member, moderator):
    before = _counts(thread, member)
    posting.delete_post(moderator, thread.first_post, "Spam")
    post_tools.restore_post(moderator, thread.first_post, "Not spam")
    assert _counts(thread, member) == before
    assert [e.action for e in actions()] == ["post.delete", "post.restore", "thread.restore"]


def test_a_reply_restored_inside_a_deleted_thread_stays_out_of_the_board(
        thread, other_member, moderator):
    reply = factories.make_post(thread, author=other_member, body="Cura.")
    posting.delete_post(other_member, reply)
    posting.delete_post(moderator, thread.first_post, "Spam")
    gone = _counts(thread, other_member)
    post_tools.restore_post(moderator, reply, "The reply was fine")
    back = _counts(thread, other_member)
    assert back["board"] == gone["board"]
    assert back["thread"][1] == gone["thread"][1] + 1
    assert back["people"][0][0] == gone["people"][0][0] + 1
    # Restoring the thread later counts the restored reply in.
    thread_tools.restore_thread(moderator, thread, "Not spam")
    board = _counts(thread)["board"]
    assert board[1] == gone["board"][1] + 2


@pytest.mark.parametrize("author_role, actor_role", [("admin", "moderator"),
                                                     ("moderator", "moderator")])
def test_restore_post_follows_the_rank_rule(thread, author_role, actor_role):
    author = factories.make_user(role=author_role)
    reply = factories.make_post(thread, author=author, body="Note from the team.")
    posting.delete_post(author, reply)
    before = _counts(thread, author)
    with pytest.raises(Refused) as refused:
        post_tools.restore_post(factories.make_user(role=actor_role), reply, "Back")
    assert refused.value.status == 403
    assert _counts(thread, author) == before and actions() == []


@pytest.mark.parametrize("reason, status, message", [("", 400, "give a reason"),
                                                     ("Back", 409, "isn't deleted")])
def test_restore_post_refusals(thread, other_member, moderator, reason, status, message):
    reply = factories.make_post(thread, author=other_member, body="Cura.")
    before = _counts(thread, other_member)
    with pytest.raises(Refused) as refused:
        post_tools.restore_post(moderator, reply, reason)
    assert refused.value.status == status and message in refused.value.reason
    assert _counts(thread, other_member) == before and actions() == []


# -- search follows ----------------------------------------------------------------------------
def _found(viewer, words: str) -> list[int]:
    from forum.services.search import query

    outcome = query.search(viewer, query.SearchParams(q=words))
    assert outcome.error is None, outcome.error
    return [hit.post.id for hit in outcome.hits]


@pytest.mark.search
def test_search_finds_a_restored_post_and_a_renamed_thread(thread, member, other_member,
                                                          moderator):
    reply = factories.make_post(thread, author=other_member, body="Marzipan makes poor flux.")
    posting.delete_post(moderator, reply, "Off topic")
    assert _found(member, "marzipan") == []
    post_tools.restore_post(moderator, reply, "On topic after all")
    assert _found(member, "marzipan") == [reply.id]
    thread_tools.rename_thread(moderator, thread, "Gingerbread printers", "Clearer")
    assert _found(member, "gingerbread") == [thread.first_post_id]
