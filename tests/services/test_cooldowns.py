"""Flood interval, new-member limits and slow mode, judged against a controlled clock."""
from __future__ import annotations

from datetime import timedelta

import pytest

from forum.errors import Refused
from forum.extensions import db
from forum.policy import Policy, pace
from forum.services.content import cooldowns
from forum.services.site import settings as site_settings
from forum.stores import settings
from tests import factories
from tests.services.moderation_kit import T0


@pytest.fixture(autouse=True)
def cooldowns_on(app):
    app.config["MEMBER_COOLDOWNS"] = True


@pytest.fixture
def board(app):
    return factories.make_board()


@pytest.fixture
def thread(board):
    return factories.make_thread(board, title="Heated")


@pytest.fixture
def veteran(app):
    # Joined long ago with plenty of posts: only the ordinary flood interval applies.
    return factories.make_user(created_at=T0 - timedelta(days=100), post_count=50)


@pytest.fixture
def newcomer(app):
    return factories.make_user(created_at=T0 - timedelta(hours=1), post_count=0)


def take(user, board, thread=None, now=T0):
    ticket = cooldowns.take(Policy(user, now), board, thread, now)
    db.session.commit()
    return ticket


def refused(user, board, thread=None, now=T0) -> Refused:
    with pytest.raises(Refused) as caught:
        cooldowns.take(Policy(user, now), board, thread, now)
    db.session.rollback()
    return caught.value


def test_flood_interval_between_any_two_posts(board, thread, veteran):
    take(veteran, board, thread)
    error = refused(veteran, board, None, T0 + timedelta(seconds=5))
    assert error.status == 429 and error.retry_after == 10
    assert error.reason == "Members can post once every 15 sec. You can post again in 10 sec."
    take(veteran, board, thread, T0 + timedelta(seconds=15))


def test_new_members_wait_longer(board, thread, newcomer):
    take(newcomer, board, thread)
    error = refused(newcomer, board, thread, T0 + timedelta(seconds=20))
    assert error.retry_after == 40
    assert error.reason.startswith("New members can post once every 1 min.")
    assert "You can reply again in 40 sec." in error.reason
    take(newcomer, board, thread, T0 + timedelta(seconds=60))


@pytest.mark.parametrize("created, posts, new", [
    (timedelta(hours=2), 50, True),   # joined today
    (timedelta(days=3), 2, True),     # few posts
    (timedelta(days=3), 5, False),    # neither
])
def test_who_counts_as_new(app, created, posts, new):
    user = factories.make_user(created_at=T0 - created, post_count=posts)
    assert pace.is_new_member(user, T0) is new


def test_settings_change_the_limits(board, veteran):
    site_settings.update(factories.make_user(role="admin"), {"flood_interval_seconds": 0})
    # No flood limit at all: two posts at the same moment, and nothing is even counted.
    assert take(veteran, board).keys == []
    assert take(veteran, board).keys == []
    assert Policy(veteran, T0).posting_wait(board)


def test_slow_mode_per_thread(board, thread, veteran):
    thread.slow_mode_seconds = 300
    db.session.commit()
    take(veteran, board, thread)
    error = refused(veteran, board, thread, T0 + timedelta(seconds=108))
    assert error.retry_after == 192
    assert error.reason == ("Slow mode is on in this thread: one post every 5 min. "
                            "You can reply again in 3 min 12 sec.")
    # Elsewhere only the flood interval applies.
    other = factories.make_thread(board)
    take(veteran, board, other, T0 + timedelta(seconds=108))
    take(veteran, board, thread, T0 + timedelta(seconds=300))


def test_slow_mode_until_a_time(board, thread, veteran):
    thread.slow_mode_seconds = 3600
    thread.slow_mode_until = T0 + timedelta(minutes=10)
    db.session.commit()
    take(veteran, board, thread)
    assert refused(veteran, board, thread, T0 + timedelta(minutes=5)).retry_after == 3300
    ended = T0 + timedelta(minutes=10)
    take(veteran, board, thread, ended)
    # Slow mode is over: only the flood interval stands between two replies now.
    assert not Policy(veteran, ended + timedelta(seconds=5)).posting_wait(board, thread)
    assert Policy(veteran, ended + timedelta(seconds=15)).posting_wait(board, thread)


def test_board_default_and_thread_setting_the_stricter_wins(board, thread, veteran):
    board.slow_mode_seconds = 600
    thread.slow_mode_seconds = 60
    db.session.commit()
    assert pace.slow_mode(board, thread, T0) == 600
    thread.slow_mode_seconds = 1800
    assert pace.slow_mode(board, thread, T0) == 1800
    thread.slow_mode_until = T0
    assert pace.slow_mode(board, thread, T0) == 600  # the thread's own has ended
    assert pace.slow_mode(board, None, T0) == 600


def test_moderators_of_the_board_are_exempt(board, thread):
    thread.slow_mode_seconds = 3600
    db.session.commit()
    for user in (factories.make_user(role="moderator"), factories.make_user(role="admin"),
                 factories.make_board_moderator(factories.make_user(), board)):
        # Exempt: two replies at the same moment, and nothing is counted.
        assert take(user, board, thread).keys == []
        assert take(user, board, thread).keys == []
    elsewhere = factories.make_board_moderator(factories.make_user(), factories.make_board())
    elsewhere.created_at = T0 - timedelta(days=100)
    elsewhere.post_count = 50
    db.session.commit()
    take(elsewhere, board, thread)
    refused(elsewhere, board, thread, T0 + timedelta(seconds=20))


def test_wait_tells_the_page_without_counting(board, thread, veteran):
    thread.slow_mode_seconds = 120
    db.session.commit()
    viewer = Policy(veteran, T0)
    assert viewer.posting_wait(board, thread)
    take(veteran, board, thread)
    later = Policy(veteran, T0 + timedelta(seconds=30))
    decision = later.posting_wait(board, thread)
    assert not decision and decision.retry_after == 90
    assert "You can reply again in 1 min 30 sec." in decision.reason
    assert later.posting_wait(board, thread).retry_after == 90  # peeking counted nothing


def test_a_refused_post_gives_its_counters_back(board, thread, veteran):
    thread.slow_mode_seconds = 60
    db.session.commit()
    ticket = take(veteran, board, thread)
    assert not Policy(veteran, T0 + timedelta(seconds=1)).posting_wait(board, thread)
    ticket.give_back(T0)
    db.session.commit()
    assert Policy(veteran, T0 + timedelta(seconds=1)).posting_wait(board, thread)
    take(veteran, board, thread, T0 + timedelta(seconds=1))
    assert not Policy(veteran, T0 + timedelta(seconds=2)).posting_wait(board, thread)


def _counter_reads(statements) -> list[str]:
    return [s for s in statements if "FROM rate_counters" in s]


def test_a_member_whose_counters_ran_out_is_not_asked_about_them(board, thread, veteran,
                                                                  count_queries):
    thread.slow_mode_seconds = 120
    db.session.commit()
    with count_queries() as statements:
        assert Policy(veteran, T0).posting_wait(board, thread)
    assert not _counter_reads(statements)  # never posted: nothing to read
    take(veteran, board, thread)
    assert veteran.paced_until == T0 + timedelta(seconds=120)
    with count_queries() as statements:
        assert not Policy(veteran, T0 + timedelta(seconds=119)).posting_wait(board, thread)
    assert len(_counter_reads(statements)) == 1
    with count_queries() as statements:
        assert Policy(veteran, T0 + timedelta(seconds=120)).posting_wait(board, thread)
    assert not _counter_reads(statements)


def test_paced_until_covers_the_longest_counter_and_never_moves_back(board, thread, veteran):
    thread.slow_mode_seconds = 600
    db.session.commit()
    take(veteran, board, thread)
    thread.slow_mode_seconds = 0  # slow mode lifted: the flood interval alone applies now
    db.session.commit()
    take(veteran, board, thread, T0 + timedelta(minutes=5))
    db.session.expire_all()
    # The slow-mode counter taken first still runs, past the flood interval of the second.
    assert settings.get("flood_interval_seconds") < 300
    assert veteran.paced_until == T0 + timedelta(seconds=600)
    take(veteran, board, thread, T0 + timedelta(minutes=20))
    db.session.expire_all()
    assert veteran.paced_until == T0 + timedelta(
        minutes=20, seconds=settings.get("flood_interval_seconds"))


def test_a_refused_post_leaves_paced_until_alone(board, thread, veteran):
    thread.slow_mode_seconds = 60
    db.session.commit()
    take(veteran, board, thread)
    refused(veteran, board, thread, T0 + timedelta(seconds=10))
    db.session.rollback()
    db.session.expire_all()
    assert veteran.paced_until == T0 + timedelta(seconds=60)


@pytest.mark.parametrize("body, links", [
    ("no links here", 0),
    ("see https://a.example and http://b.example/x?y=1", 2),
    ("[one](https://a.example) and www.b.example and [two](/local)", 3),
])
def test_count_links(body, links):
    assert cooldowns.count_links(body) == links


def test_new_members_may_add_only_a_few_links(board, newcomer, veteran):
    body = "https://a.example https://b.example https://c.example"
    with pytest.raises(Refused) as caught:
        cooldowns.check_links(Policy(newcomer, T0), board, body, T0)
    assert caught.value.status == 400
    assert "at most 2 links in a post; this one has 3" in caught.value.reason
    cooldowns.check_links(Policy(newcomer, T0), board, "https://a.example", T0)
    cooldowns.check_links(Policy(veteran, T0), board, body, T0)
