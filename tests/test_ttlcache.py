"""The in-process cache under the guest page cache and the rendered post lists."""
from __future__ import annotations

from forum import ttlcache
from forum.ttlcache import TtlCache


def test_entries_expire_after_their_time(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(ttlcache.time, "monotonic", lambda: clock[0])
    cache = TtlCache(max_entries=2)
    cache.put("a", (200, b"A"), 5)
    assert cache.get("a") == (200, b"A")
    clock[0] += 4.9
    assert cache.get("a") == (200, b"A")
    clock[0] += 0.1
    assert cache.get("a") is None
    assert len(cache) == 0


def test_the_least_recently_used_goes_first_when_full():
    cache = TtlCache(max_entries=2)
    cache.put("b", "B", 60)
    cache.put("c", "C", 60)
    assert cache.get("b") == "B"  # now c is the least recently used
    cache.put("d", "D", 60)
    assert cache.get("c") is None
    assert cache.get("b") == "B" and cache.get("d") == "D"


def test_clear_empties_it():
    cache = TtlCache(max_entries=4)
    cache.put("a", 1, 60)
    cache.clear()
    assert cache.get("a") is None and len(cache) == 0
