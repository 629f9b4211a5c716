"""Rate-limit counters: the database backend (SQLite/PostgreSQL) and the Redis backend."""
from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from forum.database import joined
from forum.models import RateCounter
from forum.stores import ratelimit

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
REDIS_URL = "redis://127.0.0.1:6379/15"


def _count(db, key: str) -> int | None:
    db.session.expire_all()
    return db.session.scalar(select(RateCounter.count).where(RateCounter.key == key))


# -- database backend ----------------------------------------------------------------------


def test_hits_within_the_limit_are_allowed_then_refused(app, db):
    decisions = [ratelimit.hit("k", 3, 60, now=T0 + timedelta(seconds=i)) for i in range(4)]
    assert [d.allowed for d in decisions] == [True, True, True, False]
    assert [d.count for d in decisions] == [1, 2, 3, 4]
    assert decisions[2].remaining == 0 and decisions[0].remaining == 2
    refused = decisions[3]
    assert not refused
    # The window opened at T0 and lasts 60 s; the fourth hit came at T0 + 3 s.
    assert refused.retry_after == 57
    assert decisions[0].retry_after is None


def test_window_expiry_opens_a_new_window(app, db):
    for _ in range(3):
        ratelimit.hit("k", 3, 60, now=T0)
    assert not ratelimit.hit("k", 3, 60, now=T0 + timedelta(seconds=59))
    # At the end of the window the count starts over, and the new window starts then.
    fresh = ratelimit.hit("k", 3, 60, now=T0 + timedelta(seconds=60))
    assert fresh.allowed and fresh.count == 1
    row = db.session.get(RateCounter, "k")
    assert row.window_ends_at == T0 + timedelta(seconds=120)


def test_hits_after_the_limit_do_not_extend_the_window(app, db):
    for i in range(10):
        ratelimit.hit("k", 2, 60, now=T0 + timedelta(seconds=i))
    assert ratelimit.hit("k", 2, 60, now=T0 + timedelta(seconds=60)).allowed


def test_peek_counts_nothing_and_leaves_room_for_one_more(app, db):
    assert ratelimit.peek("k", 2, 60, now=T0).allowed
    assert _count(db, "k") is None
    ratelimit.hit("k", 2, 60, now=T0)
    assert ratelimit.peek("k", 2, 60, now=T0).allowed
    ratelimit.hit("k", 2, 60, now=T0)
    full = ratelimit.peek("k", 2, 60, now=T0 + timedelta(seconds=20))
    assert not full and full.count == 2 and full.retry_after == 40
    assert _count(db, "k") == 2
    # An ended window reads as empty even before a hit replaces it.
    assert ratelimit.peek("k", 2, 60, now=T0 + timedelta(seconds=60)).count == 0


def test_peek_many_reads_several_keys_in_one_query(app, db, count_queries):
    ratelimit.hit("a", 1, 60, now=T0)
    with count_queries() as queries:
        seen = ratelimit.peek_many({"a": (1, 60), "b": (1, 60)}, now=T0 + timedelta(seconds=15))
    assert len(queries) == 1
    assert not seen["a"] and seen["a"].retry_after == 45
    assert seen["b"] and seen["b"].count == 0


def test_reset_and_refund(app, db):
    for _ in range(3):
        ratelimit.hit("k", 3, 60, now=T0)
    ratelimit.refund("k", now=T0)
    assert _count(db, "k") == 2
    ratelimit.reset("k")
    assert _count(db, "k") is None
    ratelimit.reset("k")  # resetting nothing is fine
    ratelimit.refund("missing", now=T0)
    assert _count(db, "missing") is None


def test_refund_never_goes_below_zero_nor_touches_an_ended_window(app, db):
    ratelimit.hit("k", 3, 60, now=T0)
    ratelimit.refund("k", now=T0)
    ratelimit.refund("k", now=T0)
    assert _count(db, "k") == 0
    ratelimit.hit("k", 3, 60, now=T0)
    ratelimit.refund("k", now=T0 + timedelta(seconds=61))
    assert _count(db, "k") == 1


def test_keys_are_independent_and_long_keys_fit(app, db):
    long_key = "login:name:" + "x" * 500
    ratelimit.hit(long_key, 1, 60, now=T0)
    assert not ratelimit.hit(long_key, 1, 60, now=T0)
    assert ratelimit.hit("other", 1, 60, now=T0)
    stored = db.session.scalars(select(RateCounter.key)).all()
    assert all(len(key) <= ratelimit.KEY_MAX for key in stored)


def test_a_hit_inside_joined_is_part_of_the_callers_transaction(app, db):
    with joined():
        ratelimit.hit("k", 3, 60, now=T0)
    db.session.rollback()
    assert _count(db, "k") is None


def test_a_hit_on_its_own_is_committed_at_once(app, db):
    ratelimit.hit("k", 3, 60, now=T0)
    db.session.rollback()
    assert _count(db, "k") == 1


def test_bad_arguments_are_rejected(app):
    with pytest.raises(ValueError):
        ratelimit.hit("", 3, 60)
    with pytest.raises(ValueError):
        ratelimit.hit("k", 0, 60)
    with pytest.raises(ValueError):
        ratelimit.peek("k", 3, 0)


def test_purge_expired_removes_only_ended_windows(app, db):
    ratelimit.hit("old", 3, 60, now=T0)
    ratelimit.hit("new", 3, 600, now=T0)
    assert ratelimit.purge_expired(now=T0 + timedelta(seconds=120)) == 1
    assert db.session.scalars(select(RateCounter.key)).all() == ["new"]


def _hammer(app, key: str, threads: int, hits_each: int, limit: int) -> list[bool]:
    """Hit one key from several threads at once, each with its own app context and session."""
    barrier = threading.Barrier(threads)
    results: list[bool] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(hits_each):
                    allowed = ratelimit.hit(key, limit, 600).allowed
                    with lock:
                        results.append(allowed)
        except BaseException as error:  # surfaced below, with the thread's traceback
            errors.append(error)

    workers = [threading.Thread(target=worker) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()
    if errors:
        raise errors[0]
    return results


def test_concurrent_hits_lose_no_increment(app, db):
    threads, hits_each, limit = 8, 10, 25
    results = _hammer(app, "race", threads, hits_each, limit)
    assert _count(db, "race") == threads * hits_each
    # Every count was handed out exactly once, so exactly `limit` hits were allowed.
    assert results.count(True) == limit


# -- Redis backend -------------------------------------------------------------------------


@pytest.fixture
def redis_app(app):
    redis = pytest.importorskip("redis", reason="the redis package is not installed")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis answering at {REDIS_URL} ({error})")
    prefix = f"agora-test-{uuid.uuid4().hex}:"
    app.config["REDIS_URL"] = REDIS_URL
    app.config["RATELIMIT_PREFIX"] = prefix
    app.redis_test_client = client
    yield app
    keys = list(client.scan_iter(match=prefix + "*"))
    if keys:
        client.delete(*keys)
    client.close()
    ratelimit.redis_client(REDIS_URL).close()


def test_redis_backend_is_chosen_when_configured(redis_app, db):
    assert isinstance(ratelimit.backend(), ratelimit.RedisBackend)
    ratelimit.hit("k", 3, 60)
    assert _count(db, "k") is None  # nothing went to the database


def test_redis_hits_peek_and_retry_after(redis_app):
    client = redis_app.redis_test_client
    prefix = redis_app.config["RATELIMIT_PREFIX"]
    assert ratelimit.peek("k", 2, 60).allowed
    assert [ratelimit.hit("k", 2, 60).allowed for _ in range(3)] == [True, True, False]
    refused = ratelimit.peek("k", 2, 60)
    assert not refused and refused.count == 3
    assert 1 <= refused.retry_after <= 60
    ttl = client.pttl(prefix + "k")
    assert 0 < ttl <= 60_000


def test_redis_peek_many(redis_app):
    ratelimit.hit("a", 1, 60)
    seen = ratelimit.peek_many({"a": (1, 60), "b": (2, 60)})
    assert not seen["a"] and 1 <= seen["a"].retry_after <= 60
    assert seen["b"] and seen["b"].count == 0


def test_redis_window_is_the_key_expiry(redis_app):
    client = redis_app.redis_test_client
    name = redis_app.config["RATELIMIT_PREFIX"] + "k"
    ratelimit.hit("k", 1, 60)
    assert not ratelimit.hit("k", 1, 60)
    # Later hits keep the window's original expiry instead of pushing it back.
    client.pexpire(name, 5_000)
    ratelimit.hit("k", 1, 60)
    assert client.pttl(name) <= 5_000
    # When Redis expires the key the next hit opens a fresh window.
    client.delete(name)
    fresh = ratelimit.hit("k", 1, 60)
    assert fresh.allowed and fresh.count == 1


def test_redis_key_without_expiry_gets_one(redis_app):
    client = redis_app.redis_test_client
    name = redis_app.config["RATELIMIT_PREFIX"] + "k"
    client.set(name, 7)
    decision = ratelimit.hit("k", 3, 60)
    assert not decision and decision.retry_after == 60
    assert 0 < client.pttl(name) <= 60_000


def test_redis_reset_and_refund(redis_app):
    client = redis_app.redis_test_client
    name = redis_app.config["RATELIMIT_PREFIX"] + "k"
    ratelimit.hit("k", 3, 60)
    ratelimit.hit("k", 3, 60)
    ratelimit.refund("k")
    assert int(client.get(name)) == 1
    assert client.pttl(name) > 0
    ratelimit.refund("k")
    ratelimit.refund("k")
    assert int(client.get(name)) == 0
    ratelimit.reset("k")
    assert client.get(name) is None
    ratelimit.refund("k")  # no key appears from a refund
    assert client.exists(name) == 0


def test_redis_concurrent_hits_lose_no_increment(redis_app):
    results = _hammer(redis_app, "race", 8, 10, 25)
    client = redis_app.redis_test_client
    assert int(client.get(redis_app.config["RATELIMIT_PREFIX"] + "race")) == 80
    assert results.count(True) == 25


def test_hit_apart_counts_on_its_own_connection_and_keeps_loaded_objects(app, db, member):
    db.session.refresh(member)
    decisions = [ratelimit.hit_apart("apart", 2, 60, now=T0) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].retry_after == 60
    # Nothing of the caller's session was committed or expired.
    assert "username" in member.__dict__
    assert _count(db, "apart") == 3
