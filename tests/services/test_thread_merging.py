"""Merging threads and splitting posts out: positions unique and gap-free, every counter right
in the same transaction, permalinks kept, the log and the starter told, and every refusal
leaving everything as it was."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from forum.errors import Refused
from forum.extensions import db
from forum.models import (
    Access,
    Board,
    BoardGroup,
    Event,
    GroupLimit,
    Notification,
    Post,
    ReportItem,
    Thread,
    ThreadMoveNotice,
    User,
)
from forum.policy import Policy
from forum.services.accounts import groups
from forum.services.content import posting, reading
from forum.services.moderation import reports, thread_merging
from forum.services.moderation.thread_merging import SplitPlan
from tests import factories
from tests.factories import said
from tests.services.moderation_kit import T0, actions


@pytest.fixture
def board(app):
    return factories.make_board(slug="printers", title="Printers")


def _thread(board, author, title, *replies, start=T0):
    """A thread opened at ``start`` with replies a minute apart: [(author, minutes), …]."""
    thread = posting.create_thread(author, board, title, f"{title}: opening", now=start)
    for index, (who, minutes) in enumerate(replies):
        posting.reply(who, thread, f"{title}: reply {index}",
                      now=start + timedelta(minutes=minutes))
    return thread


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def positions(thread_id: int) -> list[tuple[int, str]]:
    return [tuple(row) for row in db.session.execute(
        select(Post.position, Post.body).where(Post.thread_id == thread_id)
        .order_by(Post.position)
    )]


def _told(user: User) -> list[str]:
    return [said(note) for note in db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id))]


def _snapshot(*things) -> list:
    db.session.expire_all()
    rows = []
    for thing in things:
        if isinstance(thing, Thread):
            fresh_thread = db.session.get(Thread, thing.id)
            rows.append((fresh_thread.post_seq, fresh_thread.reply_count, fresh_thread.is_deleted,
                         fresh_thread.merged_into_id, positions(thing.id)))
        elif isinstance(thing, Board):
            fresh_board = db.session.get(Board, thing.id)
            rows.append((fresh_board.thread_count, fresh_board.post_count,
                         fresh_board.last_post_id))
    return rows


# -- merging -------------------------------------------------------------------------------------
def test_merge_appends_in_time_order_and_keeps_everything_else(board, member, other_member,
                                                               moderator):
    elsewhere = factories.make_board(slug="resin", title="Resin")
    target = _thread(board, member, "Target", (other_member, 10), start=T0)
    # The source began before the target's reply and ends after it.
    source = _thread(elsewhere, other_member, "Source", (member, 20), (member, 30),
                     start=T0 + timedelta(minutes=5))
    target_first = target.first_post_id
    source_posts = [post.id for post in db.session.scalars(
        select(Post).where(Post.thread_id == source.id).order_by(Post.position))]
    posting.delete_post(member, db.session.get(Post, source_posts[1]))  # one deleted reply
    item = reports.file_report(factories.make_user(), db.session.get(Post, source_posts[2]),
                               "spam").item

    thread_merging.merge_threads(moderator, source, target, "Same question",
                                 now=T0 + timedelta(hours=1))

    assert positions(target.id) == [
        (1, "Target: opening"), (2, "Target: reply 0"), (3, "Source: opening"),
        (4, "Source: reply 0"), (5, "Source: reply 1")]
    target = fresh(Thread, target.id)
    assert (target.post_seq, target.reply_count, target.first_post_id) == (5, 3, target_first)
    # The latest post by time: the source's last reply (written 35 minutes in).
    assert target.last_post_id == source_posts[2]
    source = fresh(Thread, source.id)
    assert (source.is_deleted, source.merged_into_id, source.post_seq, source.reply_count) == (
        True, target.id, 0, 0)
    assert (fresh(Board, elsewhere.id).thread_count, fresh(Board, elsewhere.id).post_count,
            fresh(Board, elsewhere.id).last_post_id) == (0, 0, None)
    printers = fresh(Board, board.id)
    assert (printers.thread_count, printers.post_count, printers.last_post_id) == (
        1, 4, source_posts[2])
    assert fresh(User, other_member.id).thread_count == 0
    assert fresh(User, member.id).thread_count == 1
    # Permalinks lead to the posts where they are now; reports follow them.
    post = reading.get_post(Policy(member), source_posts[2])
    assert (post.thread_id, post.position) == (target.id, 5)
    assert fresh(ReportItem, item.id).thread_id == target.id
    entry = actions("thread.merge")[0]
    assert entry.after["into"] == target.id and entry.after["positions"] == [3, 5]
    assert entry.before["thread"] == source.id and entry.before["posts"] == 3
    assert _told(other_member)[-1] == "A moderator merged your thread “Source” into “Target”."


@pytest.mark.parametrize("how", ["delete", "purge"])
def test_after_a_merge_the_latest_post_is_the_last_written(board, member, other_member,
                                                           moderator, how):
    """Merged posts older than the target's last reply sit after it: deleting or purging one
    of them leaves the target's last reply as its latest post, not the highest position."""
    from forum.services.content import purging

    target = _thread(board, member, "Target", (member, 50))
    source = _thread(board, member, "Source", (other_member, 10), (other_member, 20),
                     start=T0 + timedelta(minutes=5))
    thread_merging.merge_threads(moderator, source, target, "Same", now=T0 + timedelta(hours=1))
    posts = _posts(fresh(Thread, target.id))
    assert [post.position for post in posts] == [1, 2, 3, 4, 5]
    latest = posts[1]  # the target's reply, written 50 minutes in
    if how == "delete":
        posting.delete_post(other_member, posts[4], now=T0 + timedelta(hours=2))
    else:
        purging.delete_member_posts(moderator, other_member, T0 + timedelta(hours=2))
        db.session.commit()
    target = fresh(Thread, target.id)
    assert (target.last_post_id, target.last_post_at) == (latest.id, latest.created_at)
    assert fresh(Board, board.id).last_post_id == latest.id


def test_the_merged_address_leads_to_the_target(board, member, moderator):
    target = _thread(board, member, "Target")
    middle = _thread(board, member, "Middle")
    first = _thread(board, member, "First")
    thread_merging.merge_threads(moderator, first, middle, "Same")
    thread_merging.merge_threads(moderator, fresh(Thread, middle.id), fresh(Thread, target.id),
                                 "Same")
    # The earlier merge's pointer moved on with the later one: no chain to walk.
    assert fresh(Thread, first.id).merged_into_id == target.id
    for old in (first.id, middle.id):
        with pytest.raises(reading.MergedAway) as merged:
            reading.get_thread(Policy(member), old)
        assert merged.value.target.id == target.id


def test_a_merged_thread_takes_no_reply_and_no_restore(board, member, moderator):
    target = _thread(board, member, "Target")
    source = _thread(board, member, "Source")
    stale = db.session.get(Thread, source.id)
    thread_merging.merge_threads(moderator, source, target, "Same")
    with pytest.raises(Refused) as refused:
        posting.reply(moderator, fresh(Thread, stale.id), "Late")
    assert refused.value.status in (403, 409)
    from forum.services.moderation import thread_tools

    with pytest.raises(Refused, match="merged into another"):
        thread_tools.restore_thread(moderator, fresh(Thread, source.id), "Back")


def test_merge_carries_the_event_and_move_notices(board, member, moderator):
    target = _thread(board, member, "Target")
    source = _thread(board, member, "Source")
    other = factories.make_board(slug="other")
    db.session.add(ThreadMoveNotice(board_id=other.id, thread_id=source.id))
    db.session.commit()
    event = Event(title="Meetup", kind="meetup", board_id=board.id, author_id=member.id,
                  starts_at=T0 + timedelta(days=3), ends_at=T0 + timedelta(days=3, hours=2),
                  timezone="UTC", thread_id=source.id)
    db.session.add(event)
    db.session.commit()
    thread_merging.merge_threads(moderator, source, target, "Same")
    notice = db.session.scalar(select(ThreadMoveNotice))
    assert notice.thread_id == target.id
    assert fresh(Event, event.id).thread_id == target.id


def test_a_merged_event_moves_to_the_targets_board(board, member, moderator):
    elsewhere = factories.make_board(slug="resin")
    target = _thread(elsewhere, member, "Target")
    source = _thread(board, member, "Source")
    event = Event(title="Meetup", kind="meetup", board_id=board.id, author_id=member.id,
                  starts_at=T0 + timedelta(days=3), ends_at=T0 + timedelta(days=3, hours=2),
                  timezone="UTC", thread_id=source.id)
    db.session.add(event)
    db.session.commit()
    thread_merging.merge_threads(moderator, source, target, "Same")
    event = fresh(Event, event.id)
    assert (event.thread_id, event.board_id) == (target.id, elsewhere.id)


def test_a_starter_who_cannot_read_the_target_is_told_without_its_name(member, moderator):
    # The member started a thread in a board later closed to the team: they read neither.
    team = factories.make_board(slug="team")
    rota = factories.make_board(slug="rota", access=Access.STAFF)
    source = _thread(team, member, "Mine", (moderator, 1), (moderator, 2))
    other = _thread(team, member, "Another", (moderator, 1))
    team.access = Access.STAFF
    db.session.commit()
    target = _thread(rota, moderator, "Secret plans")
    thread_merging.merge_threads(moderator, source, target, "Same")
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id)
                             .order_by(Notification.id.desc()))
    assert said(note) == ("A moderator merged your thread “Mine” into a thread in a board you "
                         "can't open.")
    assert note.link is None
    posts = _posts(other)
    thread_merging.split_posts(moderator, other, SplitPlan(
        reason="Tidy", post_ids=(posts[1].id,), title="Hidden topic", board=rota))
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id)
                             .order_by(Notification.id.desc()))
    assert said(note) == ("A moderator split a post of your thread “Another” into a new thread "
                         "in a board you can't open.")
    assert "Hidden topic" not in said(note) and note.link == fresh(Thread, other.id).url


@pytest.mark.parametrize("doing", ["merge", "split"])
def test_rights_are_asked_again_once_the_threads_are_held(board, member, moderator,
                                                         monkeypatch, doing):
    """A thread moved to a narrower board while the merge or split waited for it: the checks
    are asked of the board it is in now."""
    staff = factories.make_board(slug="team", access=Access.STAFF)
    source = _thread(board, member, "Source", (member, 1))
    target = _thread(board, member, "Target")
    held = thread_merging.hold_threads

    def moved_meanwhile(*ids):
        db.session.execute(update(Thread).where(Thread.id == target.id)
                           .values(board_id=staff.id)
                           .execution_options(synchronize_session=False))
        held(*ids)

    monkeypatch.setattr(thread_merging, "hold_threads", moved_meanwhile)
    with pytest.raises(Refused, match="open to fewer people") as refused:
        if doing == "merge":
            thread_merging.merge_threads(moderator, source, target, "Same")
        else:
            thread_merging.split_posts(moderator, source, SplitPlan(
                reason="Tidy", post_ids=(_posts(source)[1].id,), into=target))
    assert refused.value.status == 409
    db.session.rollback()
    assert fresh(Thread, target.id).board_id == board.id
    assert fresh(Thread, source.id).post_seq == 2


@pytest.mark.parametrize(("case", "status", "message"), [
    ("itself", 400, "into itself"),
    ("no reason", 400, "reason"),
    ("deleted target", 409, "deleted"),
    ("deleted source", 409, "deleted"),
    ("staff board", 403, "don't moderate"),
    ("not moderator", 403, "don't moderate"),
    ("into staff board", 409, "open to fewer people"),
    ("into members board", 409, "open to fewer people"),
    ("into group board", 409, "open to fewer people"),
])
def test_merge_refusals_change_nothing(board, member, moderator, case, status, message):
    target = _thread(board, member, "Target", (member, 1))
    source = _thread(board, member, "Source", (member, 2))
    actor, reason, into = moderator, "Same", target
    if case == "itself":
        into = source
    elif case == "no reason":
        reason = " "
    elif case == "deleted target":
        fresh(Thread, target.id).is_deleted = True
        db.session.commit()
    elif case == "deleted source":
        fresh(Thread, source.id).is_deleted = True
        db.session.commit()
    elif case == "staff board":
        staff = factories.make_board(slug="team", access=Access.STAFF)
        into = _thread(staff, moderator, "Staff only")
        actor = factories.make_board_moderator(factories.make_user(), board)
    elif case == "not moderator":
        actor = member
    elif case == "into staff board":  # a moderator may read and moderate it, its readers not
        into = _thread(factories.make_board(slug="team", access=Access.STAFF), moderator, "Team")
    elif case == "into members board":
        into = _thread(factories.make_board(slug="inner", access=Access.MEMBERS), member, "In")
    elif case == "into group board":
        limited = factories.make_board(slug="club")
        into = _thread(limited, member, "Club")
        group = groups.create_group(factories.make_user(role="admin"), "Makers Club")
        db.session.add(BoardGroup(board_id=limited.id, group_id=group.id, kind=GroupLimit.READ))
        db.session.commit()
    before = _snapshot(fresh(Thread, target.id), fresh(Thread, source.id), board)
    with pytest.raises(Refused) as refused:
        thread_merging.merge_threads(actor, fresh(Thread, source.id), fresh(Thread, into.id),
                                     reason)
    assert refused.value.status == status and message in refused.value.reason
    db.session.rollback()
    assert _snapshot(fresh(Thread, target.id), fresh(Thread, source.id), board) == before
    assert actions("thread.merge") == []


def test_unknown_thread_number_is_refused(app):
    with pytest.raises(Refused) as refused:
        thread_merging.find_thread(987654)
    assert refused.value.status == 400 and "no thread number 987654" in refused.value.reason


# -- splitting -----------------------------------------------------------------------------------
def _posts(thread) -> list[Post]:
    return list(db.session.scalars(select(Post).where(Post.thread_id == thread.id)
                                   .order_by(Post.position)))


def test_split_into_a_new_thread(board, member, other_member, moderator):
    elsewhere = factories.make_board(slug="resin", title="Resin")
    thread = _thread(board, member, "Mixed", (other_member, 1), (member, 2), (other_member, 3),
                     (member, 4))
    posts = _posts(thread)
    chosen = (posts[3].id, posts[1].id)  # any order: they go in the order written

    created = thread_merging.split_posts(moderator, thread, SplitPlan(
        reason="Its own topic", post_ids=chosen, title="Resin smells", board=elsewhere),
        now=T0 + timedelta(hours=1))

    assert positions(created.id) == [(1, "Mixed: reply 0"), (2, "Mixed: reply 2")]
    assert positions(thread.id) == [(1, "Mixed: opening"), (2, "Mixed: reply 1"),
                                    (3, "Mixed: reply 3")]
    created = fresh(Thread, created.id)
    assert (created.author_id, created.created_at, created.board_id) == (
        other_member.id, posts[1].created_at, elsewhere.id)
    assert (created.post_seq, created.reply_count, created.first_post_id,
            created.last_post_id) == (2, 1, posts[1].id, posts[3].id)
    source = fresh(Thread, thread.id)
    assert (source.post_seq, source.reply_count, source.last_post_id) == (3, 2, posts[4].id)
    assert (fresh(Board, board.id).thread_count, fresh(Board, board.id).post_count) == (1, 3)
    assert (fresh(Board, elsewhere.id).thread_count, fresh(Board, elsewhere.id).post_count,
            fresh(Board, elsewhere.id).last_post_id) == (1, 2, posts[3].id)
    assert fresh(User, other_member.id).thread_count == 1
    # /p/<id> finds the page from the new position.
    moved = reading.get_post(Policy(member), posts[3].id)
    assert (moved.thread_id, moved.position) == (created.id, 2)
    entry = actions("thread.split")[0]
    assert entry.before["posts"] == [posts[1].id, posts[3].id]
    assert entry.after["new_thread"] is True and entry.after["positions"] == [1, 2]
    assert _told(member)[-1] == ("A moderator split 2 posts of your thread “Mixed” into a new "
                                 "thread, “Resin smells”.")


def test_split_into_an_existing_thread_appends_in_time_order(board, member, moderator):
    target = _thread(board, member, "Target", (member, 50))
    thread = _thread(board, member, "Source", (member, 10), (member, 20), (member, 30))
    posts = _posts(thread)
    into = thread_merging.split_posts(moderator, thread, SplitPlan(
        reason="Belongs there", post_ids=(posts[2].id, posts[1].id), into=target))
    assert into.id == target.id
    assert positions(target.id) == [(1, "Target: opening"), (2, "Target: reply 0"),
                                    (3, "Source: reply 0"), (4, "Source: reply 1")]
    assert positions(thread.id) == [(1, "Source: opening"), (2, "Source: reply 2")]
    target = fresh(Thread, target.id)
    # The target's latest post stays its own reply (written later than the moved ones).
    assert (target.post_seq, target.reply_count, target.last_post_at) == (
        4, 3, T0 + timedelta(minutes=50))
    assert fresh(Board, board.id).post_count == 6


@pytest.mark.parametrize(("case", "status", "message"), [
    ("nothing", 400, "Choose the posts"),
    ("opening", 400, "opening post"),
    ("every post", 400, "opening post"),
    ("foreign post", 400, "aren't in this thread"),
    ("same thread", 400, "already in this one"),
    ("no title", 400, "needs a title"),
    ("no destination", 400, "Choose where"),
    ("deleted target", 409, "deleted"),
    ("deleted first", 400, "deleted post"),
    ("no reason", 400, "reason"),
    ("other board", 403, "don't moderate"),
    ("new thread in staff board", 409, "open to fewer people"),
    ("into staff board", 409, "open to fewer people"),
    ("into group board", 409, "open to fewer people"),
])
def test_split_refusals_change_nothing(board, member, moderator, case, status, message):
    thread = _thread(board, member, "Source", (member, 1), (member, 2))
    other = _thread(board, member, "Other", (member, 3))
    posts = _posts(thread)
    actor = moderator
    plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), title="New", board=board)
    if case == "nothing":
        plan = SplitPlan(reason="Tidy", post_ids=(), title="New", board=board)
    elif case == "opening":
        plan = SplitPlan(reason="Tidy", post_ids=(posts[0].id,), title="New", board=board)
    elif case == "every post":
        plan = SplitPlan(reason="Tidy", post_ids=tuple(p.id for p in posts), title="New",
                         board=board)
    elif case == "foreign post":
        plan = SplitPlan(reason="Tidy", post_ids=(_posts(other)[1].id,), title="New",
                         board=board)
    elif case == "same thread":
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), into=thread)
    elif case == "no title":
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), title=" ", board=board)
    elif case == "no destination":
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,))
    elif case == "deleted target":
        other.is_deleted = True
        db.session.commit()
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), into=other)
    elif case == "deleted first":
        posting.delete_post(member, posts[1])
    elif case == "no reason":
        plan = SplitPlan(reason="", post_ids=(posts[1].id,), title="New", board=board)
    elif case == "other board":
        actor = factories.make_board_moderator(factories.make_user(), board)
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), title="New",
                         board=factories.make_board(slug="not-theirs"))
    elif case == "new thread in staff board":
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), title="New",
                         board=factories.make_board(slug="team", access=Access.STAFF))
    elif case == "into staff board":
        team = factories.make_board(slug="team", access=Access.STAFF)
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,),
                         into=_thread(team, moderator, "Team"))
    elif case == "into group board":
        limited = factories.make_board(slug="club")
        club = _thread(limited, member, "Club")
        group = groups.create_group(factories.make_user(role="admin"), "Makers Club")
        db.session.add(BoardGroup(board_id=limited.id, group_id=group.id, kind=GroupLimit.READ))
        db.session.commit()
        plan = SplitPlan(reason="Tidy", post_ids=(posts[1].id,), into=club)
    before = _snapshot(fresh(Thread, thread.id), fresh(Thread, other.id), board)
    with pytest.raises(Refused) as refused:
        thread_merging.split_posts(actor, fresh(Thread, thread.id), plan)
    assert refused.value.status == status and message in refused.value.reason
    db.session.rollback()
    assert _snapshot(fresh(Thread, thread.id), fresh(Thread, other.id), board) == before
    assert actions("thread.split") == []
    assert db.session.scalar(select(Thread).where(Thread.title == "New")) is None


# -- the search index follows -------------------------------------------------------------------
@pytest.mark.search
@pytest.mark.whoosh  # reads Whoosh's documents; PostgreSQL's engine reads the rows
def test_the_index_follows_merged_and_split_posts(board, member, moderator):
    from forum.services.search import sync

    def stored(post_id):
        return sync.current_index().searcher().document(id=str(post_id))

    elsewhere = factories.make_board(slug="resin")
    target = _thread(board, member, "Target")
    source = _thread(board, member, "Source", (member, 1))
    moved = _posts(source)
    thread_merging.merge_threads(moderator, source, target, "Same")
    for post in moved:
        document = stored(post.id)
        assert document["thread_id"] == str(target.id)
        assert document["board_id"] == str(board.id)
    created = thread_merging.split_posts(moderator, fresh(Thread, target.id), SplitPlan(
        reason="Own topic", post_ids=(moved[1].id,), title="Spin-off", board=elsewhere))
    document = stored(moved[1].id)
    assert (document["thread_id"], document["board_id"]) == (str(created.id),
                                                            str(elsewhere.id))
