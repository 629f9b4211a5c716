"""The in-process cache under the guest page cache and the rendered post lists."""
from __future__ import annotations

from forum.common import ttlcache
from forum.common.ttlcache import TtlCache


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


def test_a_size_budget_drops_the_least_recently_used_but_keeps_the_newest():
    cache = TtlCache(max_entries=100, max_size=10)
    cache.put("a", "A", 60, size=4)
    cache.put("b", "B", 60, size=4)
    assert cache.get("a") == "A"  # now b is the least recently used
    cache.put("c", "C", 60, size=4)
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("c") == "C"
    cache.put("a", "A2", 60, size=1)  # replacing an entry gives its size back
    cache.put("d", "D", 60, size=5)
    assert (cache.get("a"), cache.get("c"), cache.get("d")) == ("A2", "C", "D")
    cache.put("huge", "H", 60, size=50)  # over the budget alone: kept, everything else goes
    assert cache.get("huge") == "H" and len(cache) == 1


def test_entries_kept_forever_live_until_pushed_out():
    cache = TtlCache(max_entries=1)
    cache.put("a", 1, float("inf"))
    assert cache.get("a") == 1
    cache.put("b", 2, float("inf"))
    assert cache.get("a") is None and cache.get("b") == 2
