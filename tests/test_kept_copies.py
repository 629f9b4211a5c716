"""What processes keep between requests, shared through Redis (``stores.kept_version``), and
what the forum does when Redis stops answering (``stores.redis_link``).

Two apps on one database stand for two hosts: each has its own instance folder and its own
process memory (page cache, settings copy), and with ``REDIS_URL`` they share one Redis, a
real ``redis-server`` of the test's own that some tests kill half way."""
from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select

from forum import create_app
from forum.extensions import db
from forum.models import Post, RateCounter
from forum.policy import Policy
from forum.services.accounts import bans
from forum.services.community import announcements
from forum.services.content import posting, watched_words
from forum.services.site import settings as site_settings
from forum.stores import kept_version, settings
from tests import factories

GUEST = {"environ_base": {"REMOTE_ADDR": "198.51.100.7"}}
# What is copied from the test's app to the second "host": everything but its instance.
SHARED = ("TESTING", "SECRET_KEY", "SQLALCHEMY_DATABASE_URI", "WTF_CSRF_ENABLED",
          "PASSWORD_HASH_METHOD", "MEMBER_COOLDOWNS", "REGISTRATION_MIN_SECONDS",
          "REDIS_URL", "REDIS_RETRY_SECONDS", "REDIS_TIMEOUT")


@contextmanager
def other_host(app, tmp_path):
    """A second app on the same database and Redis, with an instance folder of its own."""
    config = {key: app.config[key] for key in SHARED if key in app.config}
    config.update(INSTANCE_PATH=str(tmp_path / "host-b"), FORUM_SEARCH_INDEX=str(
        tmp_path / "host-b-search"), FORUM_SEARCH_INDEXING=False)
    other = create_app(config)
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def world(app):
    board = factories.make_board(slug="garden")
    thread = factories.make_thread(board, title="Tomatoes", body="Plant them in May.")
    return board, thread


def _edit_first_post(thread, body: str) -> None:
    post = db.session.get(Post, thread.first_post_id)
    posting.edit_post(post.author, post, body)


def _page(client, thread) -> str:
    response = client.get(f"/t/{thread.id}", **GUEST)
    assert response.status_code == 200
    return response.get_data(as_text=True)


# -- shared through Redis ------------------------------------------------------------------------


def test_a_guest_page_kept_on_one_host_changes_when_another_writes(app, tmp_path, world,
                                                                   redis_server):
    _board, thread = world
    with other_host(app, tmp_path) as host_b:
        guest_b = host_b.test_client()
        assert "Plant them in May." in _page(guest_b, thread)
        assert len(host_b.extensions["agora_page_cache"]) == 1  # kept on B
        _edit_first_post(thread, "Plant them after the last frost.")  # written through A
        page = _page(guest_b, thread)
        assert "Plant them after the last frost." in page
        assert "Plant them in May." not in page


def test_without_redis_another_process_keeps_its_copy_for_its_seconds(app, tmp_path, world):
    """The behaviour without REDIS_URL, as before: what the test above rules out."""
    _board, thread = world
    with other_host(app, tmp_path) as host_b:
        guest_b = host_b.test_client()
        assert "Plant them in May." in _page(guest_b, thread)
        _edit_first_post(thread, "Plant them after the last frost.")
        assert "Plant them in May." in _page(guest_b, thread)
        # The process that wrote shows it at once.
        assert "after the last frost" in _page(app.test_client(), thread)


def test_a_setting_changed_on_one_host_is_read_at_once_on_another(app, tmp_path, admin,
                                                                  redis_server):
    with other_host(app, tmp_path) as host_b:
        with host_b.app_context():
            assert settings.get("forum_name") == "Agora"  # B keeps its copy
        site_settings.update(admin, {"forum_name": "Gardeners"})
        with host_b.app_context():
            assert settings.get("forum_name") == "Gardeners"


def _notice_seen() -> bool:
    return any(notice.title == "Seed swap"
               for notice in announcements.visible_notices(Policy(None)))


def _announce(admin) -> None:
    announcements.create_announcement(admin, announcements.Draft(title="Seed swap"))


def _word_seen() -> bool:
    return any(entry.pattern == "casino" for entry in watched_words.watchlist().words)


def _watch(admin) -> None:
    watched_words.add(admin, "casino", "review")


def _ban_seen() -> bool:
    return bans.refusal_for(address="198.51.100.99") is not None


def _ban(admin) -> None:
    bans.add(admin, bans.NewEntry("network", "198.51.100.0/24"))


@pytest.mark.parametrize("seen, change", [(_notice_seen, _announce), (_word_seen, _watch),
                                          (_ban_seen, _ban)],
                         ids=["announcements", "watched words", "ban lists"])
def test_lists_changed_on_one_host_are_read_at_once_on_another(app, tmp_path, admin,
                                                               redis_server, seen, change):
    with other_host(app, tmp_path) as host_b:
        with host_b.test_request_context("/"):
            assert not seen()  # B keeps its copy of the list now
        change(admin)  # through A
        with host_b.test_request_context("/"):
            assert seen()


def test_each_request_reads_the_version_once(app, world, redis_server):
    _board, thread = world
    client = redis_server.client()
    before = client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)
    guest = app.test_client()
    for _ in range(3):
        _page(guest, thread)
    after = client.info("commandstats").get("cmdstat_get", {}).get("calls", 0)
    assert after - before == 3
    client.close()


def test_a_writing_commit_raises_the_version_and_a_reading_one_does_not(app, world,
                                                                       redis_server):
    _board, thread = world
    client = redis_server.client()
    start = int(client.get("agora:kept:version") or 0)
    db.session.execute(select(func.count(Post.id)))
    db.session.commit()
    assert int(client.get("agora:kept:version") or 0) == start
    _edit_first_post(thread, "A new opening.")
    assert int(client.get("agora:kept:version")) == start + 1
    client.close()


def test_an_idle_worker_round_leaves_kept_copies_alone(app, redis_server):
    """The queues claim with an UPDATE every few seconds; that changes nothing kept."""
    from forum.services.site import timers
    from forum.services.site.worker import run

    client = redis_server.client()
    start = int(client.get("agora:kept:version") or 0)
    run(once=True, echo=lambda line: None, timers_every=3600)
    assert int(client.get("agora:kept:version") or 0) == start
    timers.run_timers()
    assert int(client.get("agora:kept:version") or 0) == start
    client.close()


# -- Redis not answering ---------------------------------------------------------------------


def test_with_redis_down_guest_pages_render_uncached_with_a_warning(app, world, redis_server,
                                                                   caplog):
    _board, thread = world
    redis_server.stop()
    guest = app.test_client()
    with caplog.at_level(logging.WARNING, logger="forum.redis"):
        for _ in range(2):
            assert "Plant them in May." in _page(guest, thread)
    assert len(app.extensions["agora_page_cache"]) == 0
    assert "not answering" in caplog.text and "without kept copies" in caplog.text
    # Writing still works: the version can't be raised, which is logged too.
    with caplog.at_level(logging.WARNING, logger="forum.redis"):
        _edit_first_post(thread, "Still written.")
    assert "Still written." in _page(guest, thread)


def test_when_redis_comes_back_copies_are_kept_again(app, world, redis_server):
    _board, thread = world
    url = redis_server.url
    redis_server.stop()
    guest = app.test_client()
    _page(guest, thread)
    assert len(app.extensions["agora_page_cache"]) == 0
    from tests.redis_server import RedisServer

    again = RedisServer()
    again.port = redis_server.port
    again.url = url
    again.start()
    try:
        _page(guest, thread)
        assert len(app.extensions["agora_page_cache"]) == 1
    finally:
        again.stop()


def test_with_redis_down_logging_in_falls_back_to_the_database_counters(app, client, member,
                                                                        redis_server, caplog):
    from tests.blueprints.test_auth import log_in

    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="forum.redis"):
        for _ in range(5):
            assert log_in(client, password="wrong password").status_code == 400
        # The limit still holds: the failures were counted in the database.
        assert log_in(client).status_code == 429
    assert "rate limits count in the database" in caplog.text
    assert db.session.scalar(select(func.count(RateCounter.key))) >= 1
    assert log_in(app.test_client(), environ_base={"REMOTE_ADDR": "203.0.113.5"}
                  ).status_code == 302


def test_with_redis_down_posting_keeps_slow_mode(app, client, login, member, world,
                                                  redis_server):
    _board, thread = world
    app.config["MEMBER_COOLDOWNS"] = True
    thread.slow_mode_seconds = 600
    db.session.commit()
    redis_server.stop()
    login(member)
    assert client.post(f"/t/{thread.id}/reply", data={"body": "First"}).status_code == 302
    refused = client.post(f"/t/{thread.id}/reply", data={"body": "Second"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 590
    posts = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == thread.id))
    assert posts == 2


def test_with_redis_down_reports_are_filed_and_limited(app, client, login, member, world,
                                                       admin, redis_server):
    board, thread = world
    site_settings.update(admin, {"report_limit_per_hour": 1})
    other = factories.make_thread(board, title="Peppers")
    redis_server.stop()
    login(member)
    first = client.post(f"/report/post/{thread.first_post_id}", data={"reason": "spam"})
    assert first.status_code == 302
    second = client.post(f"/report/post/{other.first_post_id}", data={"reason": "spam"})
    assert second.status_code == 429


def test_with_redis_down_search_answers_and_is_limited(app, client, admin, world,
                                                       redis_server):
    site_settings.update(admin, {"searches_per_minute": 2})
    redis_server.stop()
    for _ in range(2):
        assert client.get("/search?q=tomatoes", **GUEST).status_code == 200
    assert client.get("/search?q=tomatoes", **GUEST).status_code == 429


def test_kept_version_without_redis_is_always_zero(app):
    assert kept_version.current() == 0
    kept_version.raise_version()
    assert kept_version.current() == 0
