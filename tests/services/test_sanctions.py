"""Warnings, timeouts, suspensions and bans, judged against the clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import func, select

from forum.errors import Conflict, Refused
from forum.extensions import db
from forum.models import Notification, NotificationKind, Sanction, SanctionKind, utcnow
from forum.models.moderation import LOGIN_BLOCKED_BY, POSTING_BLOCKED_BY
from forum.policy import Policy, standing
from forum.services.content import posting
from forum.services.moderation import sanctions
from tests import factories
from tests.factories import said, said_body

from .moderation_kit import T0, actions

HOUR = timedelta(hours=1)


def sanction_count() -> int:
    return db.session.scalar(select(func.count(Sanction.id)))


def last_notification(user) -> Notification:
    return db.session.scalar(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.id.desc()).limit(1)
    )


# -- issuing -----------------------------------------------------------------------------------
def test_warning_is_recorded_logged_and_told(moderator, member):
    warning = sanctions.warn(moderator, member, " Please keep it civil ",
                             message="Hi member, see the rules.", now=T0)

    assert (warning.kind, warning.reason, warning.issuer_id) == (
        "warning", "Please keep it civil", moderator.id)
    assert (warning.starts_at, warning.ends_at) == (T0, None)
    assert not warning.is_active(T0) and warning.ends_at is None
    [entry] = actions("user.warn")
    assert (entry.actor_id, entry.target_user_id, entry.reason) == (
        moderator.id, member.id, "Please keep it civil")
    assert entry.after == {"kind": "warning", "ends_at": None, "points": 1}
    note = last_notification(member)
    assert note.kind == NotificationKind.SANCTION
    assert said(note) == "You received a warning from the moderators."
    assert said_body(note) == "Reason: Please keep it civil\n\nHi member, see the rules."
    assert note.actor_id is None
    # A warning stops nothing.
    assert Policy(member, T0).posting_sanction()
    assert standing.login_refusal(member, T0) is None


@pytest.mark.parametrize("duration", [timedelta(minutes=10), timedelta(days=7)])
def test_timeout_lengths_at_the_bounds_are_fine(moderator, member, duration):
    timeout = sanctions.timeout(moderator, member, "Cool off", duration, now=T0)
    assert timeout.ends_at == T0 + duration


@pytest.mark.parametrize("duration", [timedelta(minutes=9, seconds=59),
                                      timedelta(days=7, seconds=1), timedelta(0), None])
def test_timeout_lengths_out_of_range_are_refused(moderator, member, duration):
    with pytest.raises(Refused, match="10 minutes to 7 days") as refused:
        sanctions.timeout(moderator, member, "Cool off", duration, now=T0)
    assert refused.value.status == 400
    assert sanction_count() == 0


def test_timeout_stops_posting_until_it_ends(moderator, member):
    sanctions.timeout(moderator, member, "Flaming", 2 * HOUR, now=T0)

    decision = Policy(member, T0 + HOUR).posting_sanction()
    assert not decision
    assert decision.reason == ("A moderator has given you a timeout: Flaming. "
                               "You can post again in 1 hr (25 Nov 2026, 16:00 (UTC)).")
    assert decision.retry_after == 3600
    # A timeout doesn't lock the member out.
    assert standing.login_refusal(member, T0 + HOUR) is None
    # Ended by the clock, exactly on time, with nothing run in between.
    assert Policy(member, T0 + 2 * HOUR).posting_sanction()
    assert standing.active_sanctions(member, T0 + 2 * HOUR) == []
    # Not in force before it starts either.
    assert Policy(member, T0 - HOUR).posting_sanction()


def test_suspension_stops_logging_in_and_says_until_when(moderator, member):
    until = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    sanctions.suspend(moderator, member, "Repeated harassment", until, now=T0)

    assert standing.login_refusal(member, T0) == (
        "Your account is suspended until 1 Dec 2026, 09:30 (UTC): Repeated harassment")
    decision = Policy(member, T0).posting_sanction()
    assert not decision and decision.reason.startswith("Your account is suspended")
    assert standing.login_refusal(member, until) is None
    assert said(last_notification(member)) == (
        "Your account is suspended until 1 Dec 2026, 09:30 (UTC).")
    assert actions("user.suspend")[0].after["ends_at"] == until.isoformat()


@pytest.mark.parametrize("until", [None, T0, T0 - HOUR])
def test_suspension_needs_a_future_end(moderator, member, until):
    with pytest.raises(Refused) as refused:
        sanctions.suspend(moderator, member, "x", until, now=T0)
    assert refused.value.status == 400
    assert sanction_count() == 0


def test_permanent_ban(moderator, member):
    ban = sanctions.ban(moderator, member, "Spam bot", now=T0)

    assert ban.ends_at is None
    far = T0 + timedelta(days=3650)
    assert standing.login_refusal(member, far) == "Your account is banned: Spam bot"
    decision = Policy(member, far).posting_sanction()
    assert not decision and decision.retry_after is None
    assert said(last_notification(member)) == "Your account is banned."


def test_ban_until_a_date(moderator, member):
    sanctions.ban(moderator, member, "Cooling off", until=T0 + timedelta(days=30), now=T0)
    assert standing.login_refusal(member, T0) == (
        "Your account is banned until 25 Dec 2026, 14:00 (UTC): Cooling off")
    assert standing.login_refusal(member, T0 + timedelta(days=30)) is None
    with pytest.raises(Refused, match="in the future"):
        sanctions.ban(moderator, member, "x", until=T0 - HOUR, now=T0)


def test_the_longest_sanction_decides(moderator, member):
    sanctions.timeout(moderator, member, "short", HOUR, now=T0)
    sanctions.timeout(moderator, member, "long", 5 * HOUR, now=T0)
    decision = Policy(member, T0).posting_sanction()
    assert "timeout: long." in decision.reason and decision.retry_after == 5 * 3600
    sanctions.ban(moderator, member, "for good", now=T0)
    decision = Policy(member, T0).posting_sanction()
    assert decision.reason == "Your account is banned: for good"


@pytest.mark.parametrize("reason, message, expected", [
    ("", None, "Please give a reason"),
    ("x" * 501, None, "at most 500"),
    ("ok", "y" * 5001, "at most 5,000"),
])
def test_reason_and_message_are_checked(moderator, member, reason, message, expected):
    with pytest.raises(Refused, match=expected) as refused:
        sanctions.warn(moderator, member, reason, message=message, now=T0)
    assert refused.value.status == 400
    assert sanction_count() == 0


# -- rank --------------------------------------------------------------------------------------
@pytest.mark.parametrize("actor_role, target_role, message", [
    ("member", "member", "Only moderators"),
    ("moderator", "moderator", "another moderator"),
    ("moderator", "admin", "an administrator"),
])
def test_rank_rules(app, actor_role, target_role, message):
    actor = factories.make_user(role=actor_role)
    target = factories.make_user(role=target_role)
    with pytest.raises(Refused, match=message) as refused:
        sanctions.timeout(actor, target, "x", HOUR, now=T0)
    assert refused.value.status == 403
    assert sanction_count() == 0


def test_guests_are_asked_to_log_in(member):
    with pytest.raises(Refused) as refused:
        sanctions.warn(AnonymousUserMixin(), member, "x")
    assert refused.value.login_required


def test_nobody_sanctions_themselves(admin):
    with pytest.raises(Refused, match="yourself"):
        sanctions.warn(admin, admin, "x", now=T0)


def test_admins_may_sanction_moderators(admin, moderator):
    sanctions.timeout(admin, moderator, "Abuse of tools", HOUR, now=T0)
    assert not Policy(moderator, T0).posting_sanction()


def test_board_moderators_sanction_only_from_their_boards(member):
    mine, theirs = factories.make_board(), factories.make_board()
    board_moderator = factories.make_board_moderator(factories.make_user(), mine)
    with pytest.raises(Refused, match="inside the boards you moderate"):
        sanctions.warn(board_moderator, member, "x", now=T0)
    with pytest.raises(Refused, match="inside the boards you moderate"):
        sanctions.warn(board_moderator, member, "x", board=theirs, now=T0)
    sanctions.warn(board_moderator, member, "x", board=mine, now=T0)
    assert sanction_count() == 1


def test_the_last_admin_who_can_log_in_cannot_be_suspended(app):
    first, second = factories.make_user(role="admin"), factories.make_user(role="admin")
    sanctions.suspend(first, second, "Compromised account", T0 + timedelta(days=2), now=T0)

    # The suspended admin's session is still alive somewhere, and tries to retaliate.
    with pytest.raises(Refused, match="no administrator able to log in"):
        sanctions.ban(second, first, "x", now=T0)
    assert sanction_count() == 1
    assert actions("user.ban") == []
    # A timeout or a warning leaves them able to administer, so it stays possible.
    sanctions.warn(second, first, "Be careful", now=T0)


# -- lifting -----------------------------------------------------------------------------------
def test_lift_ends_a_sanction_early(moderator, member):
    timeout = sanctions.timeout(moderator, member, "x", 5 * HOUR, now=T0)
    other = factories.make_user(role="moderator")

    sanctions.lift(other, timeout, "Apologised", now=T0 + HOUR)

    assert (timeout.lifted_at, timeout.lifted_by_id, timeout.lift_reason) == (
        T0 + HOUR, other.id, "Apologised")
    assert Policy(member, T0 + HOUR).posting_sanction()
    assert not timeout.is_active(T0 + 2 * HOUR)
    [entry] = actions("sanction.lift")
    assert (entry.target_kind, entry.target_id, entry.target_user_id) == (
        "sanction", timeout.id, member.id)
    assert entry.before == {"ends_at": (T0 + 5 * HOUR).isoformat()}
    assert said(last_notification(member)) == "Your timeout was lifted early."


def test_lift_refusals(moderator, member):
    timeout = sanctions.timeout(moderator, member, "x", HOUR, now=T0)
    with pytest.raises(Refused, match="give a reason"):
        sanctions.lift(moderator, timeout, " ", now=T0)
    with pytest.raises(Conflict, match="already ended"):
        sanctions.lift(moderator, timeout, "late", now=T0 + 2 * HOUR)
    sanctions.lift(moderator, timeout, "ok", now=T0)
    with pytest.raises(Conflict, match="already ended or been lifted"):
        sanctions.lift(moderator, timeout, "again", now=T0)
    warning = sanctions.warn(moderator, member, "x", now=T0)
    with pytest.raises(Refused, match="nothing to lift") as refused:
        sanctions.lift(moderator, warning, "x", now=T0)
    assert refused.value.status == 400
    with pytest.raises(Refused):
        sanctions.lift(factories.make_user(), timeout, "x", now=T0)
    assert len(actions("sanction.lift")) == 1


def test_history_is_for_the_member_and_the_team(moderator, member, other_member):
    sanctions.warn(moderator, member, "one", now=T0)
    sanctions.timeout(moderator, member, "two", HOUR, now=T0 + HOUR)
    assert [s.reason for s in sanctions.history(Policy(member), member)] == ["two", "one"]
    assert len(sanctions.history(Policy(moderator), member)) == 2
    with pytest.raises(Refused):
        sanctions.history(Policy(other_member), member)


# -- the policy --------------------------------------------------------------------------------
def test_policy_refuses_replies_and_threads_under_a_timeout(moderator, member):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user())
    sanctions.timeout(moderator, member, "Flaming", HOUR, now=T0)

    during = Policy(member, now=T0 + timedelta(minutes=30))
    for decision in (during.can_reply(thread), during.can_create_thread(board)):
        assert not decision
        assert decision.retry_after == 1800
        assert "timeout: Flaming. You can post again in" in decision.reason
    after = Policy(member, now=T0 + HOUR)
    assert after.can_reply(thread) and after.can_create_thread(board)


def test_a_timed_out_moderator_is_refused_too(admin, moderator):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user())
    sanctions.timeout(admin, moderator, "x", HOUR, now=T0)
    assert not Policy(moderator, now=T0).can_reply(thread)


def test_posting_service_refuses_a_timed_out_member(moderator, member):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user())
    sanctions.timeout(moderator, member, "Flaming", HOUR)  # the real clock: posting uses it

    with pytest.raises(Refused) as refused:
        posting.reply(member, thread, "Let me in")

    assert refused.value.status == 429
    assert 3500 < refused.value.retry_after <= 3600
    assert "timeout: Flaming. You can post again in" in refused.value.reason


def test_policy_looks_sanctions_up_once_and_never_for_guests(member, count_queries):
    board = factories.make_board()
    thread = factories.make_thread(board, author=factories.make_user())
    db.session.expire_all()
    thread = db.session.get(type(thread), thread.id)
    _ = thread.board, member.username  # loaded outside the count

    policy = Policy(member, now=utcnow())
    with count_queries() as queries:
        for _ in range(5):
            policy.can_reply(thread)
            policy.can_create_thread(thread.board)
    assert len(queries) == 1

    guest = Policy(AnonymousUserMixin())
    with count_queries() as queries:
        guest.can_reply(thread)
        assert guest.active_sanctions == ()
    assert queries == []


def test_sanction_model_edges():
    timeout = Sanction(kind=SanctionKind.TIMEOUT, starts_at=T0, ends_at=T0 + HOUR)
    assert timeout.kind in POSTING_BLOCKED_BY and timeout.kind not in LOGIN_BLOCKED_BY
    assert timeout.is_active(T0) and not timeout.is_active(T0 + HOUR)
    assert not timeout.is_active(T0 - timedelta(seconds=1))
    ban = Sanction(kind=SanctionKind.BAN, starts_at=T0, ends_at=None)
    assert ban.ends_at is None and ban.kind in LOGIN_BLOCKED_BY
    assert ban.is_active(T0 + timedelta(days=9999))
    lifted = Sanction(kind=SanctionKind.BAN, starts_at=T0, ends_at=None, lifted_at=T0)
    assert not lifted.is_active(T0 + HOUR)


@pytest.mark.parametrize("kind", [SanctionKind.SUSPENSION, SanctionKind.BAN])
def test_a_sanction_ends_at_most_ten_years_ahead(kind):
    with pytest.raises(Refused, match="at most ten years from now") as refused:
        sanctions.sanction_end(kind, T0, until=datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    assert refused.value.status == 400
    assert sanctions.sanction_end(kind, T0, until=T0 + timedelta(days=3650)) is not None
