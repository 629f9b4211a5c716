"""A small in-process cache: entries expire after their time to live, the least recently used
go first when it is full (too many entries or, when a budget is given, too many bytes). One
lock, because threaded servers share it."""
from __future__ import annotations

import time
from collections import OrderedDict
from threading import Lock
from typing import Any


class TtlCache:
    def __init__(self, max_entries: int, max_size: int | None = None) -> None:
        # key -> (expires at, value, size)
        self._entries: OrderedDict[Any, tuple[float, Any, int]] = OrderedDict()
        self._max = max_entries
        self._max_size = max_size
        self._size = 0
        self._lock = Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                self._size -= entry[2]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Any, value: Any, seconds: float, size: int = 0) -> None:
        """Keep ``value`` for ``seconds``; ``size`` (bytes, say) counts against ``max_size``."""
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[2]
            self._entries[key] = (time.monotonic() + seconds, value, size)
            self._size += size
            while len(self._entries) > self._max or (
                    self._max_size is not None and self._size > self._max_size
                    and len(self._entries) > 1):
                self._size -= self._entries.popitem(last=False)[1][2]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0

    def __len__(self) -> int:
        return len(self._entries)
