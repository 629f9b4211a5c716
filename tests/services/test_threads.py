"""Read-side queries: what each viewer sees, in which order, page by page."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import Access, utcnow
from forum.policy import Policy
from forum.services.content import posting, reading
from tests import factories

GUEST = Policy(AnonymousUserMixin())


@pytest.fixture
def boards(app):
    first = factories.make_category("First", position=1)
    second = factories.make_category("Second", position=2)
    empty_for_members = factories.make_category("Staff room", position=3)
    return {
        # Made out of order so the test sees ordering come from positions.
        "rules": factories.make_board(first, slug="rules", position=2),
        "welcome": factories.make_board(first, slug="welcome", position=1),
        "members": factories.make_board(second, slug="members", access=Access.MEMBERS),
        "open": factories.make_board(second, slug="open", position=0),
        "staff": factories.make_board(empty_for_members, slug="staff", access=Access.STAFF),
    }


def slugs(cards):
    return [[b.slug for b in card.boards] for card in cards]


# -- board index --------------------------------------------------------------------------------
def test_index_orders_and_filters_by_viewer(boards, member, moderator):
    assert slugs(reading.board_index(GUEST)) == [["welcome", "rules"], ["open"]]
    assert slugs(reading.board_index(Policy(member))) == [["welcome", "rules"], ["open", "members"]]
    assert slugs(reading.board_index(Policy(moderator))) == [
        ["welcome", "rules"], ["open", "members"], ["staff"]
    ]
    cards = reading.board_index(Policy(moderator))
    assert [c.category.title for c in cards] == ["First", "Second", "Staff room"]


def test_index_shows_staff_board_to_its_board_moderator(boards):
    board_mod = factories.make_board_moderator(factories.make_user(), boards["staff"])
    assert slugs(reading.board_index(Policy(board_mod)))[-1] == ["staff"]


def test_index_carries_latest_post_with_thread_and_author(boards, member, other_member):
    thread = factories.make_thread(boards["welcome"], author=member, title="Hi")
    reply = factories.make_post(thread, author=other_member)
    db.session.expire_all()
    welcome = reading.board_index(GUEST)[0].boards[0]
    assert welcome.last_post.id == reply.id
    assert welcome.last_post.thread.title == "Hi"
    assert welcome.last_post.author.username == "other"
    assert (welcome.thread_count, welcome.post_count) == (1, 2)


def test_index_is_empty_without_boards(app):
    assert reading.board_index(GUEST) == []


# -- board page ---------------------------------------------------------------------------------
def test_board_page_pins_first_then_latest_activity(boards, member):
    board = boards["open"]
    start = utcnow()
    a = posting.create_thread(member, board, "A", "x", now=start)
    b = posting.create_thread(member, board, "B", "x", now=start + timedelta(minutes=1))
    c = posting.create_thread(member, board, "C", "x", now=start + timedelta(minutes=2))
    pinned = posting.create_thread(member, board, "Pinned", "x", now=start - timedelta(days=9))
    pinned.is_pinned = True
    db.session.commit()
    posting.reply(member, a, "bump", now=start + timedelta(minutes=3))

    page = reading.board_page(GUEST, "open", per_page=10)
    assert [t.title for t in page.items] == ["Pinned", "A", "C", "B"]
    assert (page.page, page.pages) == (1, 1)
    assert page.items[1].last_post.author.username == "member"
    assert {b.id, c.id} <= {t.id for t in page.items}


def test_board_page_paginates(boards, member):
    for n in range(5):
        factories.make_thread(boards["open"], author=member, title=f"T{n}")
    first = reading.board_page(GUEST, "open", 1, per_page=2)
    last = reading.board_page(GUEST, "open", 3, per_page=2)
    assert first.pages == 3 and len(first.items) == 2 and first.page == 1
    assert [t.title for t in last.items] == ["T0"] and last.page == last.pages == 3
    with pytest.raises(NotFound):
        reading.board_page(GUEST, "open", 4, per_page=2)


def test_empty_board_has_a_page_one(boards):
    page = reading.board_page(GUEST, "open", 1)
    assert page.items == [] and page.pages == 1
    with pytest.raises(NotFound):
        reading.board_page(GUEST, "open", 2)


def test_deleted_threads_only_reach_moderators(boards, member, moderator):
    kept = factories.make_thread(boards["open"], author=member, title="Kept")
    gone = factories.make_thread(boards["open"], author=member, title="Gone")
    posting.delete_post(member, gone.first_post)
    assert [t.title for t in reading.board_page(Policy(member), "open").items] == ["Kept"]
    seen = reading.board_page(Policy(moderator), "open", per_page=1)
    assert seen.pages == 2
    assert {t.id for t in reading.board_page(Policy(moderator), "open").items} == {kept.id,
                                                                                    gone.id}


def test_board_access(boards, member, moderator):
    with pytest.raises(Refused) as caught:
        reading.board_page(GUEST, "members")
    assert caught.value.login_required
    assert reading.board_page(Policy(member), "members").board.slug == "members"
    with pytest.raises(Refused) as caught:
        reading.board_page(Policy(member), "staff")
    assert caught.value.status == 403 and not caught.value.login_required
    assert reading.board_page(Policy(moderator), "staff").items == []
    with pytest.raises(NotFound):
        reading.board_page(GUEST, "nowhere")


# -- thread page --------------------------------------------------------------------------------
@pytest.fixture
def long_thread(boards, member):
    thread = factories.make_thread(boards["open"], author=member, body="Post 1")
    for n in range(2, 46):
        posting.reply(member, thread, f"Post {n}")
    return thread


def test_thread_pages_are_position_ranges(long_thread):
    page = reading.thread_page(GUEST, long_thread.id, 2)
    assert [p.position for p in page.items] == list(range(21, 41))
    assert page.items[0].body == "Post 21" and page.pages == 3
    last = reading.thread_page(GUEST, long_thread.id, 3)
    assert [p.position for p in last.items] == [41, 42, 43, 44, 45]
    with pytest.raises(NotFound):
        reading.thread_page(GUEST, long_thread.id, 4)


def test_deleted_posts_keep_their_slot(long_thread, member):
    post = reading.thread_page(GUEST, long_thread.id, 1).items[4]
    posting.delete_post(member, post)
    page = reading.thread_page(GUEST, long_thread.id, 1)
    assert len(page.items) == 20 and page.items[4].is_deleted
    assert not GUEST.can_view_post(page.items[4])
    assert [p.position for p in reading.thread_page(GUEST, long_thread.id, 2).items][0] == 21


def test_deleted_thread_is_gone_except_for_moderators(boards, member, moderator):
    thread = factories.make_thread(boards["open"], author=member)
    posting.delete_post(member, thread.first_post)
    with pytest.raises(NotFound):
        reading.thread_page(Policy(member), thread.id)
    with pytest.raises(NotFound):
        reading.get_post(Policy(member), thread.first_post_id)
    assert reading.thread_page(Policy(moderator), thread.id).items[0].is_deleted


def test_thread_access_follows_board(boards, member):
    thread = factories.make_thread(boards["staff"], author=factories.make_user(role="moderator"))
    with pytest.raises(Refused) as caught:
        reading.thread_page(Policy(member), thread.id)
    assert caught.value.status == 403
    with pytest.raises(Refused) as caught:
        reading.thread_page(GUEST, thread.id)
    assert caught.value.login_required
    with pytest.raises(NotFound):
        reading.thread_page(GUEST, 999_999)


# -- single posts -------------------------------------------------------------------------------
def test_get_post_hides_unreadable_boards_as_not_found(boards, member):
    thread = factories.make_thread(boards["members"], author=member)
    assert reading.get_post(Policy(member), thread.first_post_id).id == thread.first_post_id
    with pytest.raises(NotFound):
        reading.get_post(GUEST, thread.first_post_id)
    with pytest.raises(NotFound):
        reading.get_post(GUEST, 424242)


def test_readable_post_excludes_deleted_for_members(boards, member, moderator):
    thread = factories.make_thread(boards["open"], author=member)
    post = factories.make_post(thread, author=member)
    posting.delete_post(member, post)
    with pytest.raises(NotFound):
        reading.get_readable_post(Policy(member), post.id)
    assert reading.get_readable_post(Policy(moderator), post.id).id == post.id


def test_post_history(boards, member, other_member, moderator):
    post = factories.make_thread(boards["open"], author=member, body="v1").first_post
    posting.edit_post(member, post, "v2")
    posting.edit_post(member, post, "v3")
    history = reading.post_history(Policy(member), post.id)
    assert [r.body for r in history.revisions] == ["v1", "v2"]
    assert history.revisions[0].editor.username == "member"
    assert reading.post_history(Policy(moderator), post.id).post.body == "v3"
    with pytest.raises(Refused) as caught:
        reading.post_history(Policy(other_member), post.id)
    assert caught.value.status == 403
    with pytest.raises(Refused) as caught:
        reading.post_history(GUEST, post.id)
    assert caught.value.login_required


def test_page_arithmetic():
    assert reading.page_count(0, 20) == 1
    assert reading.page_count(20, 20) == 1
    assert reading.page_count(21, 20) == 2
    assert reading.page_of(1, 20) == 1 and reading.page_of(20, 20) == 1
    assert reading.page_of(21, 20) == 2
