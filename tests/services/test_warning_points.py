"""Warning points: points per warning, their expiry, the thresholds that sanction by
themselves, no second sanction while one runs, and two warnings at once."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.errors import Refused
from forum.extensions import db
from forum.models import Notification, Sanction, SanctionKind, User
from forum.policy import Policy, standing
from forum.services.moderation import sanctions, system_reasons, warning_points
from forum.services.site import settings
from tests import factories
from tests.factories import said

from .moderation_kit import T0, actions, race

DAY = timedelta(days=1)


@pytest.fixture(autouse=True)
def _thresholds(admin):
    settings.update(admin, {"warning_points_days": 30, "warning_timeout_points": 3,
                            "warning_timeout_hours": 24, "warning_suspension_points": 5,
                            "warning_suspension_days": 7, "warning_points_max": 5})


def automatic(user) -> list[Sanction]:
    return list(db.session.scalars(
        select(Sanction).where(Sanction.user_id == user.id, Sanction.issuer_id.is_(None))
        .order_by(Sanction.id)))


def test_a_warning_carries_one_point_unless_given_more(moderator, member):
    first = sanctions.warn(moderator, member, "Off topic", now=T0)
    second = sanctions.warn(moderator, member, "Rude", points=2, now=T0 + DAY)
    assert (first.points, second.points) == (1, 2)
    [_, entry] = actions("user.warn")
    assert entry.after == {"kind": "warning", "ends_at": None, "points": 2}


@pytest.mark.parametrize("points", [0, -1, 6])
def test_points_out_of_range_are_refused(moderator, member, points):
    with pytest.raises(Refused, match="from 1 to 5 points") as refused:
        sanctions.warn(moderator, member, "x", points=points, now=T0)
    assert refused.value.status == 400
    assert db.session.scalar(select(func.count(Sanction.id))) == 0


def test_points_expire_after_the_set_number_of_days(moderator, member):
    sanctions.warn(moderator, member, "a", points=2, now=T0)
    sanctions.warn(moderator, member, "b", now=T0 + 10 * DAY)
    points = warning_points.current(member, T0 + 10 * DAY)
    assert (points.total, points.next_expiry, points.expiring) == (3, T0 + 30 * DAY, 2)
    # The clock moves past the first warning's 30 days: its two points are gone.
    later = warning_points.current(member, T0 + 30 * DAY)
    assert (later.total, later.next_expiry, later.expiring) == (1, T0 + 40 * DAY, 1)
    assert warning_points.current(member, T0 + 40 * DAY).total == 0


def test_reaching_the_timeout_threshold_times_out_in_the_same_transaction(moderator, member):
    sanctions.warn(moderator, member, "a", now=T0)
    sanctions.warn(moderator, member, "b", now=T0 + DAY)
    assert automatic(member) == []
    third = sanctions.warn(moderator, member, "c", now=T0 + 2 * DAY)

    [timeout] = automatic(member)
    assert timeout.kind == SanctionKind.TIMEOUT
    assert (timeout.starts_at, timeout.ends_at) == (T0 + 2 * DAY, T0 + 3 * DAY)
    assert timeout.reason == system_reasons.warning_points(3)
    assert system_reasons.shown(timeout.reason) == "Reached 3 warning points."
    [entry] = actions("user.timeout")
    assert entry.actor_id is None and entry.target_user_id == member.id
    warnings = [s.id for s in sanctions.list_for_user(member) if s.kind == "warning"]
    assert entry.before == {"points": 3, "threshold": 3, "warnings": sorted(warnings)}
    assert entry.before["warnings"][-1] == third.id
    assert entry.after["kind"] == "timeout" and entry.after["sanction"] == timeout.id
    decision = Policy(member, T0 + 2 * DAY).posting_sanction()
    assert not decision and "warning points reached the limit" in decision.reason
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == member.id)
                             .order_by(Notification.id.desc()).limit(1))
    assert "Your warnings add up to 3 points, so you are timed out" in said(note)


def test_the_highest_threshold_reached_decides(moderator, member):
    sanctions.warn(moderator, member, "serious", points=5, now=T0)
    [suspension] = automatic(member)
    assert suspension.kind == SanctionKind.SUSPENSION
    assert suspension.ends_at == T0 + 7 * DAY
    refusal = standing.login_refusal(member, T0 + DAY)
    assert "suspended until" in refusal and "warning points" in refusal


def test_expired_points_do_not_count_toward_a_threshold(moderator, member):
    sanctions.warn(moderator, member, "a", points=2, now=T0)
    sanctions.warn(moderator, member, "b", now=T0 + 31 * DAY)
    assert automatic(member) == []


def test_zero_turns_a_threshold_off(admin, moderator, member):
    settings.update(admin, {"warning_timeout_points": 0, "warning_suspension_points": 0})
    sanctions.warn(moderator, member, "a", points=5, now=T0)
    assert automatic(member) == []


def test_no_second_sanction_while_one_runs(moderator, member):
    # A moderator's own timeout already stops the member posting: the points add no other.
    sanctions.timeout(moderator, member, "Cool off", timedelta(hours=2), now=T0)
    sanctions.warn(moderator, member, "a", points=3, now=T0 + timedelta(minutes=5))
    assert automatic(member) == []
    # A stronger threshold reached while a timeout runs still applies.
    sanctions.warn(moderator, member, "b", points=2, now=T0 + timedelta(minutes=10))
    [suspension] = automatic(member)
    assert suspension.kind == SanctionKind.SUSPENSION


def test_the_threshold_applies_again_after_the_sanction_ends(moderator, member):
    sanctions.warn(moderator, member, "a", points=3, now=T0)
    sanctions.warn(moderator, member, "b", now=T0 + timedelta(hours=1))  # during the timeout
    assert len(automatic(member)) == 1
    sanctions.warn(moderator, member, "c", points=1, now=T0 + 2 * DAY)  # ended; still 4 ≥ 3
    # 5 points now: the suspension threshold.
    kinds = [s.kind for s in automatic(member)]
    assert kinds == [SanctionKind.TIMEOUT, SanctionKind.SUSPENSION]


def test_administrators_are_not_sanctioned_by_points(admin, member):
    other_admin = factories.make_user(role="admin")
    sanctions.warn(other_admin, admin, "a", points=5, now=T0)
    assert automatic(admin) == []


def test_two_warnings_at_once_bring_one_automatic_sanction(app, moderator, member):
    # At 2 points, two moderators each give one more at the same moment: 3 and 4 points, yet
    # only the first to commit times the member out; the second finds the timeout running.
    sanctions.warn(moderator, member, "a", points=2, now=T0)
    other = factories.make_user(role="moderator")
    member_id, moderator_ids = member.id, (moderator.id, other.id)

    def warn_as(actor_id):
        def prepare():
            actor, target = db.session.get(User, actor_id), db.session.get(User, member_id)
            return lambda: sanctions.warn(actor, target, "again", now=T0 + DAY).id

        return prepare

    results = race(app, *(warn_as(actor_id) for actor_id in moderator_ids))

    assert [result[0] for result in results] == ["ok", "ok"], results
    member = db.session.get(User, member_id)
    assert warning_points.current(member, T0 + DAY).total == 4
    [timeout] = automatic(member)
    assert timeout.kind == SanctionKind.TIMEOUT
    assert len(actions("user.timeout")) == 1
