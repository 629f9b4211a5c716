"""Filing reports, the queue, claiming and the item page's context."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Conflict, NotFound, Refused
from forum.extensions import db
from forum.models import (
    Access,
    ItemStatus,
    ModeratorNote,
    Notification,
    NotificationKind,
    Report,
    ReportItem,
    ReportReason,
)
from forum.policy import Policy
from forum.services.moderation import report_queue, reports, resolution, sanctions
from forum.services.moderation.reports import AlreadyReported
from forum.services.site import settings
from tests import factories
from tests.factories import said

from .moderation_kit import T0, actions, race, reported_post


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def post(board, member):
    thread = factories.make_thread(board, author=factories.make_user(), title="Hello")
    return factories.make_post(thread, author=member, body="Something rude")


@pytest.fixture(autouse=True)
def _database_rate_limits(app):
    # The clock-controlled limit tests need the database backend, whose windows follow `now`.
    app.config["REDIS_URL"] = None


def item_count() -> int:
    return db.session.scalar(select(func.count(ReportItem.id)))


# -- filing ------------------------------------------------------------------------------------
def test_report_opens_an_item_for_the_target(post, other_member, member):
    report = reports.file_report(other_member, post, "harassment", " Rude to me ", now=T0)

    assert report.reporter_id == other_member.id
    assert report.reason == ReportReason.HARASSMENT
    assert report.note == "Rude to me"
    assert report.status == ItemStatus.OPEN
    item = report.item
    assert (item.target_kind, item.post_id, item.thread_id) == ("post", post.id, post.thread_id)
    assert item.subject_id == member.id
    assert item.status == ItemStatus.OPEN
    assert item.report_count == 1
    assert item.open_key == f"post:{post.id}"
    assert item.first_reported_at == T0


def test_reports_on_one_target_gather_in_one_item(post):
    first = reports.file_report(factories.make_user(), post, "spam", now=T0)
    second = reports.file_report(factories.make_user(), post, "off_topic",
                                 now=T0 + timedelta(minutes=5))
    third = reports.file_report(factories.make_user(), post, "spam",
                                now=T0 + timedelta(minutes=9))

    assert first.item_id == second.item_id == third.item_id
    item = db.session.get(ReportItem, first.item_id)
    db.session.refresh(item)
    assert item.report_count == 3
    assert item.last_reported_at == T0 + timedelta(minutes=9)
    assert report_queue.queue_page(Policy(factories.make_user(role="moderator"))).reasons[
        item.id] == [(ReportReason.SPAM, 2), (ReportReason.OFF_TOPIC, 1)]
    assert item_count() == 1


def test_the_queue_page_counts_reasons_like_the_item(post, moderator):
    for reason in ("spam", "off_topic", "harassment"):  # equal counts: by reason, as the item
        reports.file_report(factories.make_user(), post, reason, now=T0)
    page = report_queue.queue_page(Policy(moderator))
    item = page.items[0]
    assert page.reasons[item.id] == [
        (ReportReason.HARASSMENT, 1), (ReportReason.OFF_TOPIC, 1), (ReportReason.SPAM, 1)]


def test_thread_and_member_reports(board, member, other_member):
    thread = factories.make_thread(board, author=member)
    on_thread = reports.file_report(other_member, thread, "off_topic", now=T0)
    on_member = reports.file_report(other_member, member, "harassment", now=T0)

    assert (on_thread.item.target_kind, on_thread.item.thread_id) == ("thread", thread.id)
    assert on_thread.item.post_id is None
    assert on_thread.item.subject_id == member.id
    assert on_member.item.target_kind == "user"
    assert (on_member.item.thread_id, on_member.item.subject_id) == (None, member.id)


def test_second_open_report_is_refused_kindly(post, other_member):
    reports.file_report(other_member, post, "spam", now=T0)

    with pytest.raises(AlreadyReported) as refused:
        reports.file_report(other_member, post, "harassment", now=T0 + timedelta(minutes=1))

    assert refused.value.status == 409
    assert "already reported this post" in refused.value.reason
    assert db.session.scalar(select(func.count(Report.id))) == 1
    assert db.session.scalar(select(ReportItem.report_count)) == 1


def test_reporting_again_after_the_item_was_handled_opens_a_new_item(post, other_member,
                                                                      moderator):
    first = reports.file_report(other_member, post, "spam", now=T0)
    resolution.dismiss(moderator, first.item, "Not spam", now=T0 + timedelta(minutes=1))

    again = reports.file_report(other_member, post, "spam", now=T0 + timedelta(minutes=2))

    assert again.item_id != first.item_id
    assert again.item.status == ItemStatus.OPEN
    assert item_count() == 2


@pytest.mark.parametrize("who", ["guest", "author"])
def test_who_may_not_report(post, member, who):
    from flask_login import AnonymousUserMixin

    actor = AnonymousUserMixin() if who == "guest" else member
    with pytest.raises(Refused) as refused:
        reports.file_report(actor, post, "spam", now=T0)
    assert refused.value.login_required is (who == "guest")
    if who == "author":
        assert refused.value.status == 403
        assert refused.value.reason == "You can't report your own post."
    assert item_count() == 0


def test_members_cannot_report_themselves_or_their_threads(board, member):
    thread = factories.make_thread(board, author=member)
    with pytest.raises(Refused, match="report yourself"):
        reports.file_report(member, member, "spam", now=T0)
    with pytest.raises(Refused, match="your own thread"):
        reports.file_report(member, thread, "spam", now=T0)


def test_missing_or_deleted_targets_are_not_found(board, post, other_member, moderator):
    policy = Policy(other_member)
    with pytest.raises(NotFound):
        reports.get_target(policy, "post", 9999)
    with pytest.raises(NotFound):
        reports.get_target(policy, "planet", post.id)
    assert reports.get_target(policy, "post", post.id) == post
    assert reports.get_target(policy, "user", moderator.id) == moderator

    post.is_deleted = True
    db.session.commit()
    with pytest.raises(NotFound):
        reports.get_target(policy, "post", post.id)
    with pytest.raises(NotFound):
        reports.file_report(other_member, post, "spam", now=T0)

    thread = factories.make_thread(board, author=factories.make_user())
    thread.is_deleted = True
    db.session.commit()
    with pytest.raises(NotFound):
        reports.file_report(other_member, thread, "spam", now=T0)
    assert item_count() == 0


def test_targets_out_of_sight_are_not_found(other_member):
    staff_board = factories.make_board(access=Access.STAFF)
    staff_thread = factories.make_thread(staff_board, author=factories.make_user(role="moderator"))
    with pytest.raises(NotFound):
        reports.file_report(other_member, staff_thread, "spam", now=T0)


def test_a_hidden_post_cannot_be_reported_by_those_who_cannot_see_it(post, other_member, member):
    post.is_hidden = True
    db.session.commit()
    with pytest.raises(NotFound):
        reports.file_report(other_member, post, "spam", now=T0)


@pytest.mark.parametrize("reason, note, message", [
    ("rude", None, "choose a reason"),
    ("", None, "choose a reason"),
    ("spam", "x" * 1001, "at most 1,000 characters"),
])
def test_bad_input_is_refused(post, other_member, reason, note, message):
    with pytest.raises(Refused, match=message) as refused:
        reports.file_report(other_member, post, reason, note, now=T0)
    assert refused.value.status == 400
    assert item_count() == 0


def test_a_note_of_exactly_1000_characters_is_fine(post, other_member):
    report = reports.file_report(other_member, post, "other", "x" * 1000, now=T0)
    assert len(report.note) == 1000


def test_reports_per_hour_are_limited_by_the_setting(board, admin, other_member):
    settings.update(admin, {"report_limit_per_hour": "2"})
    targets = [factories.make_user() for _ in range(4)]
    reports.file_report(other_member, targets[0], "spam", now=T0)
    reports.file_report(other_member, targets[1], "spam", now=T0 + timedelta(minutes=10))

    with pytest.raises(Refused) as refused:
        reports.file_report(other_member, targets[2], "spam", now=T0 + timedelta(minutes=20))

    assert refused.value.status == 429
    assert refused.value.retry_after == 40 * 60
    assert "at most 2 reports an hour" in refused.value.reason
    assert item_count() == 2
    # A new hour, a new allowance.
    reports.file_report(other_member, targets[2], "spam", now=T0 + timedelta(minutes=61))


def test_a_refused_duplicate_does_not_use_up_the_allowance(post, admin, other_member):
    settings.update(admin, {"report_limit_per_hour": 2})
    reports.file_report(other_member, post, "spam", now=T0)
    with pytest.raises(AlreadyReported):
        reports.file_report(other_member, post, "spam", now=T0)
    reports.file_report(other_member, factories.make_user(), "spam", now=T0)


# -- hiding at the threshold -------------------------------------------------------------------
def test_post_is_hidden_pending_review_at_the_threshold(post, member):
    for minute in range(2):
        reports.file_report(factories.make_established_user(), post, "spam",
                            now=T0 + timedelta(minutes=minute))
    db.session.refresh(post)
    assert not post.is_hidden
    assert actions("post.autohide") == []

    third = reports.file_report(factories.make_established_user(), post, "spam",
                                now=T0 + timedelta(hours=1))

    db.session.refresh(post)
    assert post.is_hidden
    assert post.hidden_by_id is None
    assert post.hidden_at == T0 + timedelta(hours=1)
    assert "3 members" in post.hidden_reason
    db.session.refresh(third.item)
    assert third.item.auto_hidden
    [entry] = actions("post.autohide")
    assert entry.actor_id is None
    assert (entry.target_kind, entry.target_id, entry.target_user_id) == ("post", post.id,
                                                                          member.id)
    assert entry.item_id == third.item_id
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id))
    assert note.kind == NotificationKind.MODERATION
    assert "hidden until a moderator reviews it" in said(note)


def test_hidden_post_is_seen_by_its_author_and_moderators_only(app, post, member, moderator):
    reported_board_moderator = factories.make_board_moderator(factories.make_user(),
                                                              post.thread.board)
    other_board_moderator = factories.make_board_moderator(factories.make_user(),
                                                           factories.make_board())
    for _ in range(3):
        reports.file_report(factories.make_established_user(), post, "spam", now=T0)
    db.session.refresh(post)
    from flask_login import AnonymousUserMixin

    assert Policy(member).can_view_post(post)
    assert Policy(moderator).can_view_post(post)
    assert Policy(reported_board_moderator).can_view_post(post)
    refused = Policy(factories.make_user()).can_view_post(post)
    assert not refused and "hidden pending review" in refused.reason
    assert not Policy(other_board_moderator).can_view_post(post)
    assert not Policy(AnonymousUserMixin()).can_view_post(post)


def test_threshold_comes_from_the_setting_and_zero_turns_it_off(post, admin):
    settings.update(admin, {"auto_hide_threshold": 0})
    for _ in range(5):
        reports.file_report(factories.make_established_user(), post, "spam", now=T0)
    db.session.refresh(post)
    assert not post.is_hidden

    settings.update(admin, {"auto_hide_threshold": 1})
    _, item = reported_post(reporters=1)
    assert item.post.is_hidden


def test_reports_by_new_members_reach_the_queue_but_do_not_hide_the_post(post, admin):
    # Three accounts made a minute ago could hide anyone's post: they count no more.
    settings.update(admin, {"auto_hide_threshold": 3})
    for minute in range(3):
        report = reports.file_report(factories.make_user(), post, "spam",
                                     now=T0 + timedelta(minutes=minute))
    db.session.refresh(post)
    db.session.refresh(report.item)
    assert not post.is_hidden
    assert report.item.report_count == 3  # the queue shows all three
    assert report.item.status == ItemStatus.OPEN
    assert actions("post.autohide") == []

    # New by posts, not by age: a year-old account with no posts is still new.
    quiet = factories.make_user(created_at=T0 - timedelta(days=365))
    reports.file_report(quiet, post, "spam", now=T0 + timedelta(minutes=5))
    db.session.refresh(post)
    assert not post.is_hidden

    # Once members past the limits make up the threshold, the post is hidden, and the
    # reason counts only them.
    for minute in range(3):
        reports.file_report(factories.make_established_user(), post, "spam",
                            now=T0 + timedelta(minutes=10 + minute))
    db.session.refresh(post)
    assert post.is_hidden
    assert "3 members" in post.hidden_reason


def test_staff_posts_are_not_hidden_automatically(board, moderator):
    post, item = reported_post(reporters=4, author=moderator, board=board)
    db.session.refresh(post)
    assert not post.is_hidden
    assert not item.auto_hidden


# -- the queue ---------------------------------------------------------------------------------
def test_queue_is_sorted_by_reports_then_age(moderator):
    _, quiet = reported_post(reporters=1, now=T0 - timedelta(days=2))
    _, loud = reported_post(reporters=3, now=T0)
    _, old = reported_post(reporters=2, now=T0 - timedelta(days=1))
    _, young = reported_post(reporters=2, now=T0)

    page = report_queue.queue_page(Policy(moderator))

    assert [i.id for i in page.items] == [loud.id, old.id, young.id, quiet.id]
    assert (page.total, page.page, page.pages, page.status) == (4, 1, 1, "active")


def test_queue_filters_by_status_board_and_reason(moderator, admin):
    board_a, board_b = factories.make_board(), factories.make_board()
    _, spam_a = reported_post(board=board_a, reason="spam")
    _, rude_b = reported_post(board=board_b, reason="harassment")
    _, claimed = reported_post(board=board_b, reason="spam")
    reports.claim(moderator, claimed, now=T0)
    _, dismissed = reported_post(board=board_a)
    resolution.dismiss(moderator, dismissed, "fine", now=T0)
    _, resolved = reported_post(board=board_a)
    resolution.resolve(moderator, resolved, [resolution.Action("hide_post", "spam")], now=T0)
    policy = Policy(moderator)

    def ids(**filters):
        return {i.id for i in report_queue.queue_page(policy, **filters).items}

    assert ids() == {spam_a.id, rude_b.id, claimed.id}
    assert ids(status="open") == {spam_a.id, rude_b.id}
    assert ids(status="claimed") == {claimed.id}
    assert ids(status="dismissed") == {dismissed.id}
    assert ids(status="resolved") == {resolved.id}
    assert ids(board_id=board_b.id) == {rude_b.id, claimed.id}
    assert ids(reason="spam") == {spam_a.id, claimed.id}
    assert ids(board_id=board_b.id, reason="harassment") == {rude_b.id}


def test_queue_refuses_unknown_filters_and_pages(moderator):
    policy = Policy(moderator)
    with pytest.raises(Refused) as refused:
        report_queue.queue_page(policy, status="lost")
    assert refused.value.status == 400
    with pytest.raises(Refused):
        report_queue.queue_page(policy, reason="boring")
    with pytest.raises(NotFound):
        report_queue.queue_page(policy, page=2)


def test_queue_is_for_the_moderation_team(member):
    from flask_login import AnonymousUserMixin

    with pytest.raises(Refused) as refused:
        report_queue.queue_page(Policy(member))
    assert refused.value.status == 403
    with pytest.raises(Refused) as refused:
        report_queue.queue_page(Policy(AnonymousUserMixin()))
    assert refused.value.login_required


def test_board_moderators_see_their_boards_only(member):
    mine, theirs = factories.make_board(), factories.make_board()
    board_moderator = factories.make_board_moderator(factories.make_user(), mine)
    _, in_mine = reported_post(board=mine)
    reported_post(board=theirs)
    reports.file_report(factories.make_user(), member, "spam", now=T0)

    page = report_queue.queue_page(Policy(board_moderator))

    assert [i.id for i in page.items] == [in_mine.id]
    assert page.total == 1


def test_queue_counts(moderator, member):
    _, a = reported_post()
    reported_post()
    reports.claim(moderator, a, now=T0)
    assert report_queue.queue_page(Policy(moderator), status="open").total == 1
    assert report_queue.queue_page(Policy(moderator), status="claimed").total == 1
    with pytest.raises(Refused):
        report_queue.queue_page(Policy(member))


def test_queue_costs_the_same_whatever_its_length(moderator, count_queries):
    reported_post(reporters=2)

    def cost() -> int:
        db.session.expire_all()
        policy = Policy(moderator)
        with count_queries() as queries:
            page = report_queue.queue_page(policy)
            for item in page.items:
                _ = (item.post.body, item.thread.board.slug, item.subject.username,
                     page.reasons[item.id], item.claimed_by)
        return len(queries)

    short = cost()
    for _ in range(12):
        reported_post(reporters=2)
    assert cost() == short <= 3


# -- claiming ----------------------------------------------------------------------------------
def test_claim_marks_the_item_and_logs_it(moderator):
    _, item = reported_post()

    reports.claim(moderator, item, now=T0)

    assert item.status == ItemStatus.CLAIMED
    assert (item.claimed_by_id, item.claimed_at) == (moderator.id, T0)
    [entry] = actions("report.claim")
    assert (entry.actor_id, entry.target_kind, entry.target_id) == (moderator.id, "report",
                                                                   item.id)


def test_a_claimed_item_cannot_be_claimed_again(moderator):
    _, item = reported_post()
    reports.claim(moderator, item, now=T0)
    other = factories.make_user(role="moderator")

    with pytest.raises(Conflict) as conflict:
        reports.claim(other, item, now=T0)

    assert conflict.value.status == 409
    assert conflict.value.reason == (
        "moderator claimed this report at 25 Nov 2026, 14:00 (UTC) and is handling it."
    )
    assert len(actions("report.claim")) == 1


def test_a_closed_item_cannot_be_claimed(moderator):
    _, item = reported_post()
    resolution.dismiss(moderator, item, "Fine as it is", now=T0)
    with pytest.raises(Conflict, match="already dismissed"):
        reports.claim(factories.make_user(role="moderator"), item)


def test_claiming_outside_ones_boards_is_refused(member):
    _, item = reported_post()
    outsider = factories.make_board_moderator(factories.make_user(), factories.make_board())
    with pytest.raises(Refused) as refused:
        reports.claim(outsider, item)
    assert refused.value.status == 403
    with pytest.raises(Refused):
        reports.claim(member, item)
    assert db.session.get(ReportItem, item.id).status == ItemStatus.OPEN


def test_release(moderator, admin):
    _, item = reported_post()
    reports.claim(moderator, item, now=T0)
    other = factories.make_user(role="moderator")
    with pytest.raises(Refused, match="Only the moderator who claimed"):
        reports.release(other, item)

    reports.release(moderator, item, now=T0)
    assert (item.status, item.claimed_by_id) == (ItemStatus.OPEN, None)
    with pytest.raises(Conflict):
        reports.release(moderator, item)

    reports.claim(moderator, item, now=T0)
    reports.release(admin, item, now=T0)
    assert [e.action for e in actions(item=item)] == [
        "report.claim", "report.release", "report.claim", "report.release"]


# -- the item page -----------------------------------------------------------------------------
def test_item_context_has_everything_around_the_target(moderator, count_queries):
    board = factories.make_board()
    author = factories.make_user(username="troll")
    thread = factories.make_thread(board, author=factories.make_user())
    posts = [factories.make_post(thread, author=author, body=f"post {n}") for n in range(6)]
    target = posts[3]  # position 5 in the thread
    earlier = reports.file_report(factories.make_user(), posts[0], "spam", now=T0).item
    resolution.dismiss(moderator, earlier, "fine", now=T0)
    sanctions.warn(moderator, author, "Be nice", now=T0)
    db.session.add(ModeratorNote(user_id=author.id, author_id=moderator.id, body="Watch out"))
    db.session.commit()
    item_id = reports.file_report(factories.make_user(), target, "harassment", now=T0).item_id
    db.session.expire_all()
    policy = Policy(moderator)

    with count_queries() as queries:
        context = report_queue.item_context(policy, item_id)
        _ = [p.author.username for p in context.nearby]
        _ = [r.reporter.username for r in context.reports]
        _ = [s.issuer.username for s in context.sanctions]
        _ = [n.author.username for n in context.notes]

    assert [p.position for p in context.nearby] == [3, 4, 5, 6, 7]
    assert context.post.id == target.id
    assert context.thread.id == thread.id
    assert context.subject.username == "troll"
    assert [i.id for i in context.earlier] == [earlier.id]
    assert [s.reason for s in context.sanctions] == ["Be nice"]
    assert [n.body for n in context.notes] == ["Watch out"]
    assert len(context.reports) == 1
    assert len(queries) == 6


def test_item_context_refusals(member):
    _, item = reported_post()
    with pytest.raises(NotFound):
        report_queue.item_context(Policy(member), 9999)
    with pytest.raises(Refused) as refused:
        report_queue.item_context(Policy(member), item.id)
    assert refused.value.status == 403


def test_member_reports_are_for_global_moderators(member, moderator):
    item = reports.file_report(factories.make_user(), member, "spam", now=T0).item
    board_moderator = factories.make_board_moderator(factories.make_user(),
                                                     factories.make_board())
    assert Policy(moderator).can_handle_report(item)
    decision = Policy(board_moderator).can_handle_report(item)
    assert not decision and "reports about members" in decision.reason


# -- races -------------------------------------------------------------------------------------
def test_simultaneous_reports_on_one_target_share_one_item(app, post):
    reporters = [factories.make_user().id for _ in range(2)]
    post_id = post.id

    def report_as(user_id):
        def prepare():
            from forum.models import Post, User

            user, target = db.session.get(User, user_id), db.session.get(Post, post_id)
            return lambda: reports.file_report(user, target, "spam", now=T0).item_id

        return prepare

    results = race(app, report_as(reporters[0]), report_as(reporters[1]))

    assert [r[0] for r in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1]
    assert item_count() == 1
    assert db.session.scalar(select(ReportItem.report_count)) == 2

