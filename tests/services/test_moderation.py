"""Resolving queue items in one step, and hiding posts outside the queue."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm.attributes import set_committed_value

from forum.errors import Conflict, Refused
from forum.extensions import db
from forum.models import (
    Board,
    ItemStatus,
    ModAction,
    Notification,
    NotificationKind,
    Post,
    PostRevision,
    Report,
    ReportItem,
    Sanction,
    SanctionKind,
    Thread,
    User,
)
from forum.policy import Policy
from forum.services.moderation import post_tools, report_queue, reports, resolution
from forum.services.moderation.resolution import Action
from forum.services.moderation.summaries import summary_text
from tests import factories
from tests.factories import said, said_body

from .moderation_kit import T0, actions, race, reported_post

LATER = T0 + timedelta(minutes=30)


def notes_for(user) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id)
    ))


def reporters_of(item) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Report, Report.reporter_id == User.id).where(Report.item_id == item.id)
    ))


def assert_untouched(item, post=None) -> None:
    """A refused resolve saved nothing."""
    db.session.expire_all()
    fresh = db.session.get(ReportItem, item.id)
    assert fresh.status in (ItemStatus.OPEN, ItemStatus.CLAIMED)
    assert fresh.open_key is not None
    assert db.session.scalar(
        select(func.count(ModAction.id)).where(ModAction.item_id == item.id,
                                               ModAction.actor_id.is_not(None),
                                               ModAction.action.not_in(["report.claim"]))
    ) == 0
    assert db.session.scalar(select(func.count(Sanction.id))) == 0
    if post is not None:
        assert not db.session.get(Post, post.id).is_deleted


# -- dismiss -----------------------------------------------------------------------------------
def test_dismiss_closes_the_item_and_every_report(moderator):
    post, item = reported_post(reporters=2)

    result = resolution.dismiss(moderator, item, "It's a joke between friends", now=LATER)

    assert result.status == ItemStatus.DISMISSED
    assert (item.status, item.open_key) == (ItemStatus.DISMISSED, None)
    assert (item.resolved_by_id, item.resolved_at) == (moderator.id, LATER)
    assert item.resolution == "dismiss"
    assert summary_text(item.resolution) == "no action needed"
    assert {r.status for r in item.reports} == {ItemStatus.DISMISSED}
    assert {r.closed_at for r in item.reports} == {LATER}
    [entry] = result.entries
    assert (entry.action, entry.actor_id, entry.reason) == (
        "report.dismiss", moderator.id, "It's a joke between friends")
    assert (entry.target_kind, entry.target_id, entry.item_id) == ("report", item.id, item.id)


def test_reporters_hear_the_outcome_without_the_moderator(app):
    moderator = factories.make_user(username="Zelda", role="moderator")
    _, dismissed = reported_post(reporters=2)
    _, actioned = reported_post(reporters=1)

    resolution.dismiss(moderator, dismissed, "fine", now=LATER)
    resolution.resolve(moderator, actioned, [Action("hide_post", "spam")], now=LATER)

    for reporter in reporters_of(dismissed):
        [note] = notes_for(reporter)
        assert note.kind == NotificationKind.REPORT_OUTCOME
        assert said(note) == ("Thanks for your report about a post in “Watches”. A moderator "
                             "reviewed it and found that no action was needed.")
        assert note.actor_id is None and "moderator" not in (said_body(note) or "")
        assert "Zelda" not in said(note)
    [reporter] = reporters_of(actioned)
    [note] = notes_for(reporter)
    assert said(note).endswith("A moderator reviewed it and took action.")
    assert note.link is None  # the post is hidden now: nothing to link to
    assert note.actor_id is None


def test_dismissing_shows_a_post_hidden_pending_review_again(moderator):
    post, item = reported_post(reporters=3)
    db.session.refresh(post)
    assert post.is_hidden

    resolution.dismiss(moderator, item, "Brigading, the post is fine", now=LATER)

    db.session.refresh(post)
    assert not post.is_hidden and post.hidden_reason is None
    assert [e.action for e in actions(item=item)] == [
        "post.autohide", "report.dismiss", "post.unhide"]
    unhide = actions("post.unhide")[0]
    assert unhide.actor_id == moderator.id
    assert unhide.reason == "Reviewed: Brigading, the post is fine"


# -- content actions ---------------------------------------------------------------------------
def test_hide_and_warn_in_one_step(moderator):
    post, item = reported_post(reporters=1)
    author = post.author

    result = resolution.resolve(moderator, item, [
        Action("warn", "Spam is not allowed", message="Hello {username}, please stop."),
        Action("hide_post", "Advertising"),
    ], now=LATER)

    assert result.status == ItemStatus.RESOLVED
    assert item.resolution == "hide_post,warn"
    assert summary_text(item.resolution) == "hid the post, warned the author"
    assert [(e.action, e.reason) for e in result.entries] == [
        ("post.hide", "Advertising"), ("user.warn", "Spam is not allowed")]
    assert all(e.item_id == item.id and e.created_at == LATER for e in result.entries)
    db.session.refresh(post)
    assert post.is_hidden and post.hidden_by_id == moderator.id
    assert post.hidden_reason == "Advertising"
    [warning] = db.session.scalars(select(Sanction)).all()
    assert (warning.kind, warning.user_id, warning.item_id) == ("warning", author.id, item.id)
    kinds = [n.kind for n in notes_for(author)]
    assert kinds == [NotificationKind.MODERATION, NotificationKind.SANCTION]
    assert all(n.actor_id is None for n in notes_for(author))
    assert {r.status for r in item.reports} == {ItemStatus.RESOLVED}


def test_confirming_an_automatic_hide_keeps_the_post_hidden(moderator):
    post, item = reported_post(reporters=3)
    resolution.resolve(moderator, item, [Action("hide_post", "Confirmed spam")], now=LATER)
    db.session.refresh(post)
    assert post.is_hidden and post.hidden_by_id == moderator.id
    [hide] = actions("post.hide")
    assert hide.before == {"hidden": True, "pending_review": True}


def test_delete_post_updates_the_counts(moderator):
    post, item = reported_post()
    thread, board, author = post.thread, post.thread.board, post.author
    before = (thread.reply_count, board.post_count, author.post_count)

    result = resolution.resolve(moderator, item, [Action("delete_post", "Spam")], now=LATER)

    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.is_deleted and post.deleted_by_id == moderator.id
    assert post.delete_reason == "Spam"
    thread, board = db.session.get(Thread, thread.id), db.session.get(Board, board.id)
    after = (thread.reply_count, board.post_count, db.session.get(User, author.id).post_count)
    assert after == tuple(n - 1 for n in before)
    assert [e.action for e in result.entries] == ["post.delete"]
    assert said(notes_for(author)[-1]) == "A moderator deleted your post in “Watches”."


def test_deleting_the_opening_post_of_a_reported_thread_removes_the_thread(moderator):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user())
    item = reports.file_report(factories.make_user(), thread, "spam", now=T0).item

    resolution.resolve(moderator, item, [Action("delete_post", "Spam thread")], now=LATER)

    db.session.expire_all()
    assert db.session.get(Thread, thread.id).is_deleted
    assert db.session.get(Board, board.id).thread_count == 0


def test_edit_post_keeps_a_revision(moderator):
    post, item = reported_post(body="Call me at 555-1234")

    result = resolution.resolve(moderator, item, [
        Action("edit_post", "Personal data removed", body="Call me at [removed]")], now=LATER)

    db.session.expire_all()
    post = db.session.get(Post, post.id)
    assert post.body == "Call me at [removed]"
    assert post.edited_by_id == moderator.id
    [revision] = db.session.scalars(select(PostRevision)).all()
    assert revision.body == "Call me at 555-1234"
    [entry] = result.entries
    assert entry.action == "post.edit"
    assert entry.before == {"body": "Call me at 555-1234"}
    assert entry.after == {"body": "Call me at [removed]"}


def test_an_edit_that_changes_nothing_is_refused(moderator):
    post, item = reported_post(body="Same")
    with pytest.raises(Refused, match="same as the post's current text") as refused:
        resolution.resolve(moderator, item, [Action("edit_post", "x", body="  Same \r\n")])
    assert refused.value.status == 400
    assert_untouched(item, post)


def test_lock_thread(moderator):
    post, item = reported_post()
    result = resolution.resolve(moderator, item, [Action("lock_thread", "Flame war")], now=LATER)
    thread = post.thread
    db.session.refresh(thread)
    assert thread.is_locked and thread.locked_reason == "Flame war"
    assert (thread.locked_by_id, thread.locked_at) == (moderator.id, LATER)
    [entry] = result.entries
    assert (entry.action, entry.target_kind, entry.target_id) == ("thread.lock", "thread",
                                                                  thread.id)


def test_a_failing_action_saves_nothing(moderator):
    post, item = reported_post()
    post.thread.is_locked = True
    db.session.commit()

    with pytest.raises(Refused, match="already locked") as refused:
        resolution.resolve(moderator, item, [
            Action("hide_post", "spam"), Action("warn", "stop"), Action("lock_thread", "x")])

    assert refused.value.status == 409
    assert_untouched(item, post)
    assert not db.session.get(Post, post.id).is_hidden
    assert notes_for(post.author) == []


def test_move_thread_moves_counts_and_queue_filter(moderator):
    source, destination = factories.make_board(slug="src"), factories.make_board(slug="dst")
    post, item = reported_post(board=source)
    thread = post.thread
    posts_in_thread = thread.reply_count + 1

    result = resolution.resolve(moderator, item, [
        Action("move_thread", "Belongs elsewhere", board=destination)], now=LATER)

    db.session.expire_all()
    source, destination = db.session.get(Board, source.id), db.session.get(Board, destination.id)
    assert db.session.get(Thread, thread.id).board_id == destination.id
    assert (source.thread_count, source.post_count, source.last_post_id) == (0, 0, None)
    assert (destination.thread_count, destination.post_count) == (1, posts_in_thread)
    assert destination.last_post_id == db.session.get(Thread, thread.id).last_post_id
    [entry] = result.entries
    assert (entry.before, entry.after) == ({"board": "src"}, {"board": "dst"})
    stored = db.session.get(ReportItem, item.id).resolution
    assert (stored, summary_text(stored)) == ("move_thread:dst", "moved the thread to /b/dst")
    resolved = report_queue.queue_page(Policy(moderator), status="resolved",
                                       board_id=destination.id)
    assert [i.id for i in resolved.items] == [item.id]


def test_move_to_the_same_board_is_refused(moderator):
    post, item = reported_post()
    with pytest.raises(Refused, match="already in that board"):
        resolution.resolve(moderator, item, [
            Action("move_thread", "x", board=post.thread.board)])
    assert_untouched(item)


# -- sanctions from the queue ------------------------------------------------------------------
@pytest.mark.parametrize("action, kind, ends", [
    (Action("timeout", "Cool off", duration=timedelta(hours=2)), "timeout",
     LATER + timedelta(hours=2)),
    (Action("suspend", "Serious", until=LATER + timedelta(days=3)), "suspension",
     LATER + timedelta(days=3)),
    (Action("ban", "Spam bot"), "ban", None),
    (Action("ban", "A year off", until=LATER + timedelta(days=365)), "ban",
     LATER + timedelta(days=365)),
])
def test_sanctions_from_the_queue(moderator, action, kind, ends):
    post, item = reported_post()

    result = resolution.resolve(moderator, item, [action], now=LATER)

    [sanction] = db.session.scalars(select(Sanction)).all()
    assert (sanction.kind, sanction.ends_at, sanction.starts_at) == (kind, ends, LATER)
    assert (sanction.user_id, sanction.issuer_id, sanction.item_id) == (
        post.author_id, moderator.id, item.id)
    [entry] = result.entries
    assert entry.action == {"timeout": "user.timeout", "suspension": "user.suspend",
                            "ban": "user.ban"}[kind]
    assert entry.target_user_id == post.author_id
    assert notes_for(post.author)[-1].kind == NotificationKind.SANCTION


def test_member_reports_take_sanctions_but_not_post_actions(moderator, member):
    item = reports.file_report(factories.make_user(), member, "harassment", now=T0).item
    with pytest.raises(Refused, match="about a member, not a post"):
        resolution.resolve(moderator, item, [Action("hide_post", "x")])
    with pytest.raises(Refused, match="about a member, not a thread"):
        resolution.resolve(moderator, item, [Action("lock_thread", "x")])

    resolution.resolve(moderator, item, [Action("warn", "Be civil")], now=LATER)
    assert db.session.scalar(select(Sanction.user_id)) == member.id


# -- what can't be asked -----------------------------------------------------------------------
@pytest.mark.parametrize("chosen, message", [
    ([], "at least one action"),
    ([Action("explode", "x")], "isn't an action"),
    ([Action("hide_post", "")], "give a reason for “hid the post”"),
    ([Action("hide_post", "   ")], "give a reason"),
    ([Action("hide_post", "x" * 501)], "at most 500"),
    ([Action("hide_post", "a"), Action("hide_post", "b")], "chosen twice"),
    ([Action("dismiss", "a"), Action("warn", "b")], "can't be combined"),
    ([Action("delete_post", "a"), Action("hide_post", "b")], "choose one"),
    ([Action("delete_post", "a"), Action("edit_post", "b", body="c")], "choose one"),
    ([Action("timeout", "a", duration=timedelta(hours=1)), Action("ban", "b")],
     "one of time out, suspend or ban"),
    ([Action("edit_post", "a")], "new text"),
    ([Action("move_thread", "a")], "Choose the board"),
    ([Action("timeout", "a", duration=timedelta(minutes=5))], "10 minutes to 7 days"),
    ([Action("timeout", "a")], "10 minutes to 7 days"),
    ([Action("suspend", "a")], "needs an end date"),
    ([Action("suspend", "a", until=T0 - timedelta(days=1))], "must be in the future"),
])
def test_bad_requests_are_refused_and_save_nothing(moderator, chosen, message):
    post, item = reported_post()
    with pytest.raises(Refused, match=message) as refused:
        resolution.resolve(moderator, item, chosen, now=LATER)
    assert refused.value.status == 400
    assert_untouched(item, post)


def test_acting_on_a_deleted_post_is_a_conflict(moderator):
    post, item = reported_post()
    post.is_deleted = True
    db.session.commit()
    with pytest.raises(Refused, match="deleted already") as refused:
        resolution.resolve(moderator, item, [Action("hide_post", "x")])
    assert refused.value.status == 409
    # Dismissing is still possible.
    resolution.dismiss(moderator, item, "Gone already", now=LATER)


# -- rank --------------------------------------------------------------------------------------
@pytest.mark.parametrize("author_role, chosen, message", [
    ("admin", [Action("hide_post", "x")], "can't act on an administrator"),
    ("moderator", [Action("warn", "x")], "can't act on another moderator"),
    ("moderator", [Action("edit_post", "x", body="new")], "another moderator"),
])
def test_moderators_cannot_act_above_their_rank(moderator, author_role, chosen, message):
    author = factories.make_user(role=author_role)
    post, item = reported_post(author=author)
    with pytest.raises(Refused, match=message) as refused:
        resolution.resolve(moderator, item, chosen)
    assert refused.value.status == 403
    assert_untouched(item, post)


def test_board_moderators_cannot_be_sanctioned_by_moderators(moderator):
    author = factories.make_board_moderator(factories.make_user(), factories.make_board())
    _, item = reported_post(author=author)
    with pytest.raises(Refused, match="another moderator"):
        resolution.resolve(moderator, item, [Action("warn", "x")])


def test_admins_may_act_on_moderators_and_anyone_may_dismiss(moderator, admin):
    moderators_post, by_moderator = reported_post(author=moderator)
    result = resolution.resolve(admin, by_moderator, [Action("hide_post", "x")], now=LATER)
    assert result.status == ItemStatus.RESOLVED
    db.session.refresh(moderators_post)
    assert moderators_post.is_hidden and moderators_post.hidden_by_id == admin.id
    admins_post, by_admin = reported_post(author=admin)
    result = resolution.dismiss(moderator, by_admin, "Fine", now=LATER)
    assert result.status == ItemStatus.DISMISSED
    assert by_admin.resolved_by_id == moderator.id
    assert not db.session.get(Post, admins_post.id).is_hidden


def test_nobody_acts_on_their_own_post(admin):
    _, item = reported_post(author=admin)
    with pytest.raises(Refused, match="on yourself"):
        resolution.resolve(admin, item, [Action("hide_post", "x")])


def test_board_moderators_act_inside_their_boards_only(member):
    mine, theirs = factories.make_board(), factories.make_board()
    board_moderator = factories.make_board_moderator(factories.make_user(), mine)
    _, inside = reported_post(board=mine)
    _, outside = reported_post(board=theirs)

    with pytest.raises(Refused, match="boards you moderate") as refused:
        resolution.resolve(board_moderator, outside, [Action("dismiss", "x")])
    assert refused.value.status == 403
    with pytest.raises(Refused, match="You don't moderate this board"):
        resolution.resolve(board_moderator, inside, [Action("move_thread", "x", board=theirs)])

    resolution.resolve(board_moderator, inside, [
        Action("hide_post", "spam"), Action("timeout", "cool off", duration=timedelta(hours=1))
    ], now=LATER)
    assert db.session.scalar(select(Sanction.kind)) == SanctionKind.TIMEOUT


def test_members_cannot_resolve(member):
    _, item = reported_post()
    with pytest.raises(Refused) as refused:
        resolution.dismiss(member, item, "x")
    assert refused.value.status == 403
    assert_untouched(item)


# -- already handled ---------------------------------------------------------------------------
def test_a_resolved_item_cannot_be_resolved_again(moderator):
    _, item = reported_post()
    resolution.resolve(moderator, item, [Action("hide_post", "x"), Action("warn", "y")],
                       now=LATER)
    other = factories.make_user(role="moderator", username="second")

    with pytest.raises(Conflict) as conflict:
        resolution.dismiss(other, item, "fine")

    assert conflict.value.status == 409
    assert conflict.value.reason == (
        "moderator already resolved this report at 25 Nov 2026, 14:30 (UTC) "
        "(hid the post, warned the author)."
    )
    assert len(actions("report.dismiss")) == 0


def test_a_stale_copy_of_the_item_still_loses(app, moderator):
    """The second moderator loaded the item while it was open; the status in the row wins."""
    _, item = reported_post()
    other = factories.make_user(role="moderator")
    resolution.dismiss(moderator, item, "fine", now=LATER)
    stale = db.session.get(ReportItem, item.id)
    # As the other moderator's page still shows it; the row says otherwise.
    set_committed_value(stale, "status", ItemStatus.OPEN)
    with pytest.raises(Conflict, match="already dismissed"):
        resolution.resolve(other, stale, [Action("warn", "x")])
    assert db.session.scalar(select(func.count(Sanction.id))) == 0


def test_claimed_items_can_be_resolved_by_anyone_on_the_team(moderator):
    _, item = reported_post()
    reports.claim(moderator, item, now=T0)
    other = factories.make_user(role="moderator")
    result = resolution.dismiss(other, item, "fine", now=LATER)
    assert result.item.resolved_by_id == other.id
    assert [e.action for e in result.entries] == ["report.dismiss"]


def test_two_moderators_resolving_at_once_one_wins(app, moderator):
    post, item = reported_post(reporters=2)
    other = factories.make_user(role="moderator", username="second")
    item_id = item.id

    def resolve_as(user_id, chosen):
        def prepare():
            actor = db.session.get(User, user_id)
            target = db.session.get(ReportItem, item_id)
            return lambda: resolution.resolve(actor, target, chosen, now=LATER).status

        return prepare

    results = race(
        app,
        resolve_as(moderator.id, [Action("hide_post", "spam"), Action("warn", "stop")]),
        resolve_as(other.id, [Action("dismiss", "looks fine")]),
    )

    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"], results
    [error] = [r[1] for r in results if r[0] == "error"]
    assert isinstance(error, Conflict), error
    assert "already" in error.reason
    item = db.session.get(ReportItem, item_id)
    winner_actions = {e.action for e in actions(item=item) if e.actor_id is not None}
    if item.status == ItemStatus.DISMISSED:
        assert item.resolved_by_id == other.id
        assert winner_actions == {"report.dismiss"}
        assert db.session.scalar(select(func.count(Sanction.id))) == 0
    else:
        assert item.resolved_by_id == moderator.id
        assert winner_actions == {"post.hide", "user.warn"}
        assert db.session.scalar(select(func.count(Sanction.id))) == 1
    # Each reporter heard exactly one outcome.
    for reporter in reporters_of(item):
        assert len(notes_for(reporter)) == 1


# -- outside the queue -------------------------------------------------------------------------
def test_hide_and_unhide_a_post_directly(moderator):
    post, _ = reported_post()
    post_tools.hide_post(moderator, post, "Off-topic rant", now=T0)
    assert post.is_hidden and post.hidden_by_id == moderator.id
    with pytest.raises(Refused, match="already hidden"):
        post_tools.hide_post(moderator, post, "again")

    post_tools.unhide_post(moderator, post, "On reflection, fine", now=LATER)
    assert not post.is_hidden
    with pytest.raises(Refused, match="isn't hidden"):
        post_tools.unhide_post(moderator, post, "again")
    assert [e.action for e in actions()] == ["post.hide", "post.unhide"]
    # The open report stays in the queue.
    assert report_queue.queue_page(Policy(moderator), status="open").total == 1


def test_hiding_directly_follows_the_rank_rules(moderator, member):
    post, _ = reported_post(author=factories.make_user(role="admin"))
    with pytest.raises(Refused, match="administrator"):
        post_tools.hide_post(moderator, post, "x")
    with pytest.raises(Refused):
        post_tools.hide_post(member, post, "x")
    with pytest.raises(Refused):
        post_tools.unhide_post(member, post, "x")
    with pytest.raises(Refused, match="Please give a reason"):
        post_tools.hide_post(moderator, reported_post()[0], " ")
