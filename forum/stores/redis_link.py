"""The app's Redis connection (``REDIS_URL``), and what to do when Redis does not answer.

Redis only ever speeds things up or shares them between hosts; the database stays the truth.
So a Redis that is down or unreachable must not fail a request: callers catch ``DOWN``
(connection refused, timed out, still loading), log it with ``warn`` and carry on without
Redis: rate counters fall back to the database's, kept copies are not used. After a failure
Redis is left alone for ``REDIS_RETRY_SECONDS`` (default 5), so a Redis that hangs costs one
timeout per process every few seconds, not one per request.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask, current_app

log = logging.getLogger("forum.redis")

try:
    from redis.exceptions import ConnectionError as _ConnectionError
    from redis.exceptions import TimeoutError as _TimeoutError

    DOWN: tuple[type[BaseException], ...] = (_ConnectionError, _TimeoutError)
except ImportError:  # pragma: no cover - the package comes with the [redis] extra
    DOWN = ()

_EXTENSION = "agora_redis"


class _Link:
    def __init__(self, url: str, client: Any) -> None:
        self.url = url
        self.client = client
        self.resting_until = 0.0  # monotonic time before which Redis is not tried again


def _link(app: Flask, url: str) -> _Link:
    link = app.extensions.get(_EXTENSION)
    if link is not None and link.url == url:
        return link
    try:
        import redis
    except ImportError:
        raise RuntimeError(
            "REDIS_URL is set but the redis package is missing: pip install 'agora[redis]'"
        ) from None
    timeout = float(app.config.get("REDIS_TIMEOUT", 2))
    client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
    link = _Link(url, client)
    app.extensions[_EXTENSION] = link
    return link


def client(url: str | None = None) -> Any:
    """The client for ``url`` (default ``REDIS_URL``); its connection pool is what is reused
    across requests."""
    url = url or current_app.config["REDIS_URL"]
    return _link(current_app._get_current_object(), url).client


def available() -> Any | None:
    """The client while Redis is configured and not resting after a failure, else None."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    link = _link(current_app._get_current_object(), url)
    if link.resting_until and time.monotonic() < link.resting_until:
        return None
    return link.client


def is_configured() -> bool:
    return bool(current_app.config.get("REDIS_URL"))


def warn(error: BaseException, doing: str) -> None:
    """Log that Redis failed while ``doing`` something, and rest it for a while."""
    app = current_app._get_current_object()
    link = app.extensions.get(_EXTENSION)
    if link is not None:
        link.resting_until = time.monotonic() + float(app.config.get("REDIS_RETRY_SECONDS", 5))
    log.warning("Redis at %s is not answering (%s: %s); %s", _safe(link.url if link else ""),
                type(error).__name__, error, doing)


def _safe(url: str) -> str:
    """The URL without a password."""
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://…@{rest.rpartition('@')[2]}"
    return url
