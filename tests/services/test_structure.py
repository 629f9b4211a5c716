"""The forum's structure: categories and boards created, edited, reordered, archived and
deleted by administrators, each logged, every refusal with its status and nothing half-saved."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import (
    Access,
    Announcement,
    Board,
    BoardModerator,
    BoardSlug,
    Category,
    ModAction,
    Thread,
)
from forum.policy import Policy
from forum.services.content import reading
from forum.services.moderation import thread_moving
from forum.services.search import query
from forum.services.site import board_removal, boards, structure
from forum.services.site.boards import BoardDraft

from .. import factories


def draft(category: Category, title: str = "Workshop", **fields) -> BoardDraft:
    return BoardDraft(title=title, category_id=category.id, **fields)


def entries(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)
                                   .order_by(ModAction.id)))


def positions(category: Category) -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(b.slug, b.position) for b in db.session.scalars(
        select(Board).where(Board.category_id == category.id).order_by(Board.position))]


@pytest.fixture
def shop(app):
    return factories.make_category("Shop", position=1)


# -- policy ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_administrators_change_the_structure(shop, role):
    actor = factories.make_user(role=role)
    with pytest.raises(Refused) as refused:
        structure.create_category(actor, "Games")
    assert refused.value.status == 403
    with pytest.raises(Refused):
        boards.create_board(actor, draft(shop))
    with pytest.raises(Refused):
        structure.overview(Policy(actor))
    assert db.session.scalar(select(func.count(Board.id))) == 0
    with pytest.raises(Refused) as login:
        structure.overview(Policy(AnonymousUserMixin()))
    assert login.value.status in (401, 403)


# -- categories --------------------------------------------------------------------------------
def test_categories_are_created_last_renamed_and_logged(admin, shop):
    games = structure.create_category(admin, "  Games   and toys ", "For play")
    assert (games.title, games.description, games.position) == ("Games and toys", "For play", 2)
    structure.update_category(admin, games, "Games", "")
    assert (games.title, games.description) == ("Games", None)
    [created] = entries("category.create")
    assert created.target_label == "category “Games and toys”"
    [changed] = entries("category.update")
    assert changed.before == {"title": "Games and toys", "description": "For play"}
    assert changed.after == {"title": "Games", "description": ""}
    structure.update_category(admin, games, "Games", "")  # unchanged: nothing logged
    assert len(entries("category.update")) == 1


@pytest.mark.parametrize("title, description, field", [
    ("", None, "title"), ("   ", None, "title"), ("x" * 101, None, "title"),
    ("Fine", "d" * 301, "description"),
])
def test_category_text_is_checked(admin, title, description, field):
    with pytest.raises(boards.InvalidField) as refused:
        structure.create_category(admin, title, description)
    assert (refused.value.status, refused.value.field) == (400, field)
    assert db.session.scalar(select(func.count(Category.id))) == 0


def test_categories_move_up_and_down(admin, shop):
    games = structure.create_category(admin, "Games")
    news = structure.create_category(admin, "News")
    structure.move_category(admin, news, -1)
    structure.move_category(admin, shop, 1)
    order = db.session.scalars(select(Category.title).order_by(Category.position)).all()
    assert order == ["News", "Shop", "Games"]
    assert sorted(c.position for c in db.session.scalars(select(Category))) == [1, 2, 3]
    with pytest.raises(Refused) as first:
        structure.move_category(admin, news, -1)
    assert first.value.status == 409 and "already first" in first.value.reason
    with pytest.raises(Refused) as sideways:
        structure.move_category(admin, news, 2)
    assert sideways.value.status == 400
    assert [e.after for e in entries("category.move")] == [{"position": 2}, {"position": 2}]
    del games


def test_reordering_heals_duplicate_positions(admin):
    a = factories.make_category("A", position=5)
    b = factories.make_category("B", position=5)
    c = factories.make_category("C", position=9)
    structure.move_category(admin, c, -1)
    db.session.expire_all()
    assert [(x.title, x.position) for x in (a, b, c)] == [("A", 1), ("B", 3), ("C", 2)]


def test_only_empty_categories_are_deleted(admin, shop):
    board = factories.make_board(shop, slug="tools")
    games = structure.create_category(admin, "Games")
    with pytest.raises(Refused) as refused:
        structure.delete_category(admin, shop)
    assert refused.value.status == 409 and "still has 1 board" in refused.value.reason
    assert db.session.get(Category, shop.id) is not None
    structure.delete_category(admin, games)
    assert db.session.get(Category, games.id) is None
    [entry] = entries("category.delete")
    assert entry.target_label == "category “Games”"
    del board


# -- boards: creating and editing --------------------------------------------------------------
def test_a_board_gets_its_slug_from_the_title_and_is_logged(admin, shop):
    board = boards.create_board(admin, draft(shop, "Café & Tools: the Bench!",
                                             thread_access=Access.STAFF, is_questions=True,
                                             slow_mode_seconds=60, allows_member_events=True))
    assert board.slug == "cafe-tools-the-bench"
    assert (board.thread_access, board.is_questions, board.slow_mode_seconds) == (
        Access.STAFF, True, 60)
    [entry] = entries("board.create")
    assert entry.target_label == "board “Café & Tools: the Bench!” (/b/cafe-tools-the-bench)"
    assert entry.after["thread_access"] == "staff" and entry.after["category"] == "Shop"


@pytest.mark.parametrize("slug, status, words", [
    ("News", 409, "already has the address"),
    ("NEWS", 409, "already has the address"),
    ("new", 409, "reserved"),
    ("Admin", 409, "reserved"),
    ("events", 409, "reserved"),
    ("-_-!?", 400, "at least one letter or digit"),
    ("x" * 65, 400, "at most 64"),
])
def test_slugs_are_refused(admin, shop, slug, status, words):
    factories.make_board(shop, slug="news")
    with pytest.raises(boards.InvalidField) as refused:
        boards.create_board(admin, draft(shop, "Anything", slug=slug))
    assert (refused.value.status, refused.value.field) == (status, "slug")
    assert words in refused.value.reason
    assert db.session.scalar(select(func.count(Board.id))) == 1
    assert not entries("board.create")


def test_a_title_without_letters_needs_a_slug(admin, shop):
    with pytest.raises(boards.InvalidField) as refused:
        boards.create_board(admin, draft(shop, "!!!"))
    assert refused.value.field == "slug"
    assert boards.create_board(admin, draft(shop, "!!!", slug="bang")).slug == "bang"


@pytest.mark.parametrize("fields, field", [
    ({"title": ""}, "title"),
    ({"title": "t" * 101}, "title"),
    ({"description": "d" * 301}, "description"),
    ({"category_id": 999_999}, "category"),
    ({"access": "friends"}, "access"),
    ({"thread_access": Access.EVERYONE}, "thread_access"),
    ({"slow_mode_seconds": 5}, "slow_mode_seconds"),
    ({"position": 0}, "position"),
    ({"position": 3}, "position"),
])
def test_bad_board_input_is_refused_with_its_field(admin, shop, fields, field):
    factories.make_board(shop, slug="first")
    values = {"title": "Workshop", "category_id": shop.id, **fields}
    with pytest.raises(boards.InvalidField) as refused:
        boards.create_board(admin, BoardDraft(**values))
    assert (refused.value.status, refused.value.field) == (400, field)
    assert db.session.scalar(select(func.count(Board.id))) == 1


def test_a_board_is_placed_where_asked(admin, shop):
    for slug in ("a", "b"):
        factories.make_board(shop, slug=slug)
    boards.create_board(admin, draft(shop, "C", slug="c", position=1))
    assert positions(shop) == [("c", 1), ("a", 2), ("b", 3)]


def test_editing_logs_only_what_changed(admin, shop):
    board = boards.create_board(admin, draft(shop, "Workshop"))
    boards.update_board(admin, board, draft(shop, "Workshop", slug="workshop",
                                            description="Benches", access=Access.MEMBERS))
    [entry] = entries("board.update")
    assert entry.before == {"description": "", "access": "everyone"}
    assert entry.after == {"description": "Benches", "access": "members"}


# -- old slugs ---------------------------------------------------------------------------------
def test_a_renamed_board_keeps_its_old_slugs_and_may_take_one_back(admin, shop, member):
    board = boards.create_board(admin, draft(shop, "Workshop"))
    boards.update_board(admin, board, draft(shop, "Workshop", slug="bench"))
    boards.update_board(admin, board, draft(shop, "Workshop", slug="shed"))
    assert sorted(s.slug for s in db.session.scalars(select(BoardSlug))) == ["bench", "workshop"]
    assert reading.renamed_board(Policy(member), "workshop").id == board.id
    assert reading.renamed_board(Policy(member), "Shed").id == board.id  # letter case
    assert reading.renamed_board(Policy(member), "nowhere") is None
    # Another board may not take an address that still leads to this one.
    with pytest.raises(boards.InvalidField) as refused:
        boards.create_board(admin, draft(shop, "Bench"))
    assert refused.value.status == 409 and "still leads to" in refused.value.reason
    # The board itself may: that redirect ends, and "shed" becomes one.
    boards.update_board(admin, board, draft(shop, "Workshop", slug="workshop"))
    assert sorted(s.slug for s in db.session.scalars(select(BoardSlug))) == ["bench", "shed"]
    assert board.slug == "workshop"


def test_a_redirect_does_not_reveal_a_board_the_viewer_may_not_read(admin, shop):
    board = boards.create_board(admin, draft(shop, "Staff room", access=Access.STAFF))
    boards.update_board(admin, board, draft(shop, "Team room", access=Access.STAFF))
    with pytest.raises(Refused):
        reading.renamed_board(Policy(factories.make_user()), "staff-room")


# -- moving boards -----------------------------------------------------------------------------
def test_boards_move_within_and_across_categories(admin, shop):
    a, b, c = (factories.make_board(shop, slug=s) for s in "abc")
    games = structure.create_category(admin, "Games")
    x = factories.make_board(games, slug="x")
    structure.move_board(admin, c, -1)
    assert positions(shop) == [("a", 1), ("c", 2), ("b", 3)]
    with pytest.raises(Refused) as last:
        structure.move_board(admin, b, 1)
    assert last.value.status == 409
    # To another category: last there, and the old one closes the gap.
    boards.update_board(admin, a, draft(games, a.title, slug="a"))
    assert positions(shop) == [("c", 1), ("b", 2)]
    assert positions(games) == [("x", 1), ("a", 2)]
    boards.update_board(admin, b, draft(games, b.title, slug="b", position=1,
                                        description=b.description))
    assert positions(games) == [("b", 1), ("x", 2), ("a", 3)]
    assert [e.after for e in entries("board.update")][-1] == {"category": "Games", "position": 1}
    del x


def test_the_index_follows_the_new_order_at_once(admin, shop):
    a, b = factories.make_board(shop, slug="a"), factories.make_board(shop, slug="b")
    guest = Policy(AnonymousUserMixin())
    assert [x.slug for x in reading.board_index(guest)[0].boards] == ["a", "b"]
    structure.move_board(admin, b, -1)
    assert [x.slug for x in reading.board_index(guest)[0].boards] == ["b", "a"]
    del a


# -- archive -----------------------------------------------------------------------------------
def test_archived_boards_are_read_only_and_listed_last(admin, shop, member):
    games = structure.create_category(admin, "Games")
    old = factories.make_board(shop, slug="old")
    factories.make_board(games, slug="play")
    boards.archive_board(admin, old, "Quiet for a year")
    assert old.is_read_only and old.is_archived
    assert not Policy(member).can_create_thread(old)
    cards = reading.board_index(Policy(member))
    assert [(c.archived, [b.slug for b in c.boards]) for c in cards] == [
        (False, ["play"]), (True, ["old"])]
    with pytest.raises(boards.InvalidField) as writable:
        boards.update_board(admin, old, draft(shop, old.title, slug="old"))
    assert writable.value.field == "is_read_only"
    with pytest.raises(Refused) as again:
        boards.archive_board(admin, old)
    assert again.value.status == 409
    boards.unarchive_board(admin, old)
    assert not old.is_archived and not old.is_read_only
    assert [e.reason for e in entries("board.archive")] == ["Quiet for a year"]
    assert entries("board.unarchive")[0].after == {"archived": False, "read_only": False}


# -- deleting ----------------------------------------------------------------------------------
@pytest.fixture
def two_boards(shop, member):
    source = factories.make_board(shop, slug="source", title="Source")
    target = factories.make_board(shop, slug="target", title="Target")
    first = factories.make_thread(source, member, title="First")
    factories.make_post(first)
    factories.make_post(first)
    gone = factories.make_thread(source, member, title="Deleted one")
    gone.is_deleted = True
    kept = factories.make_thread(target, member, title="Already there")
    db.session.commit()
    return source, target, first, gone, kept


def test_deleting_a_board_moves_its_threads_with_their_counts(admin, two_boards):
    source, target, first, gone, kept = two_boards
    expected_posts = target.post_count + 3
    moderator = factories.make_board_moderator(factories.make_user(), source)
    db.session.add(Announcement(title="Pinned", placement="board", board_id=source.id,
                                severity="info", audience="everyone",
                                starts_at=first.created_at, author_id=admin.id))
    boards.update_board(admin, source, draft(source.category, "Source", slug="origin"))
    db.session.commit()
    moved = board_removal.delete_board(admin, source, target.id, "Merged into Target")
    assert moved == 2
    db.session.expire_all()
    assert db.session.get(Board, source.id) is None
    assert {t.board_id for t in db.session.scalars(select(Thread))} == {target.id}
    target = db.session.get(Board, target.id)
    assert (target.thread_count, target.post_count) == (2, expected_posts)
    assert target.last_post_id == max(first.last_post_id, kept.last_post_id)
    assert db.session.scalar(select(func.count(BoardSlug.id))) == 0  # freed
    assert db.session.scalar(select(func.count(Announcement.id))) == 0
    assert db.session.scalar(select(func.count(BoardModerator.user_id))) == 0
    assert not db.session.get(type(moderator), moderator.id).is_board_moderator
    [entry] = entries("board.delete")
    assert entry.target_label == "board “Source” (/b/origin)"
    assert entry.after == {"moved_to": "target", "threads": 2, "events": 0}
    assert entry.reason == "Merged into Target"
    assert positions(target.category) == [("target", 1)]


def test_counts_after_a_delete_match_moving_one_by_one(admin, moderator, shop, two_boards):
    """The set-based move counts what ``move_thread`` counts, thread by thread."""
    source, target, first, gone, kept = two_boards
    twin = factories.make_board(shop, slug="twin")
    thread_moving.move_thread(moderator, first, twin, "Tidy")
    db.session.expire_all()
    one_by_one = (twin.thread_count, twin.post_count)
    thread_moving.move_thread(moderator, db.session.get(Thread, first.id), source, "Back")
    board_removal.delete_board(admin, db.session.get(Board, source.id), twin.id)
    db.session.expire_all()
    assert (twin.thread_count, twin.post_count) == one_by_one


@pytest.mark.parametrize("where", ["itself", "missing", "none"])
def test_a_board_with_threads_needs_another_board(admin, two_boards, where):
    source = two_boards[0]
    destination = {"itself": source.id, "missing": 999_999, "none": None}[where]
    with pytest.raises(Refused) as refused:
        board_removal.delete_board(admin, source, destination)
    assert refused.value.status == 400
    db.session.rollback()
    assert db.session.get(Board, source.id) is not None
    assert db.session.scalar(select(func.count(Thread.id))
                             .where(Thread.board_id == source.id)) == 2
    assert not entries("board.delete")


def test_an_empty_board_is_deleted_without_a_destination(admin, shop):
    board = factories.make_board(shop, slug="empty")
    plan = board_removal.removal_plan(Policy(admin), board)
    assert (plan.threads, plan.events, plan.announcements) == (0, 0, 0)
    assert board_removal.delete_board(admin, board, None) == 0
    assert db.session.get(Board, board.id) is None


def test_deleting_needs_an_administrator(moderator, two_boards):
    with pytest.raises(Refused) as refused:
        board_removal.delete_board(moderator, two_boards[0], two_boards[1].id)
    assert refused.value.status == 403
    with pytest.raises(NotFound):
        structure.get_board(Policy(factories.make_user(role="admin")), 999_999)


@pytest.mark.search
def test_a_moved_thread_is_found_only_by_readers_of_its_new_board(admin, shop, member):
    public = factories.make_board(shop, slug="public")
    staff = factories.make_board(shop, slug="staff", access=Access.STAFF)
    factories.make_thread(public, member, title="Soldering irons compared",
                          body="Which soldering iron heats fastest?")
    guest = AnonymousUserMixin()
    search = query.SearchParams(q="soldering")
    assert query.search(guest, search).hits
    board_removal.delete_board(admin, public, staff.id)
    assert not query.search(guest, search).hits
    assert not query.search(member, search).hits
    assert query.search(admin, search).hits
