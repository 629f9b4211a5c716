"""One version for everything processes keep between requests (guest pages, the settings, the
current announcements, the ban and watched-word lists), so that with ``REDIS_URL`` every
worker on every host drops its copies the moment any of them commits a change.

Each copy is stored with the version current when its data was read, and used only while the
version is still the same. The version is a counter in Redis, raised (``INCR``) after every
commit that wrote something and read (one ``GET``) at most once per request, the first time a
copy is wanted. A version read before the data and a raise after the commit make a stale copy
impossible: a copy read before another host's commit carries a version that commit's raise
has left behind.

Without Redis the version is always 0 and each copy lives by its own time limit as before
(a process empties its own copies when it commits; another process's live at most their
seconds). When Redis does not answer, ``current()`` is None: copies are neither used nor
made, pages are built afresh, and a warning is logged.
"""
from __future__ import annotations

from flask import Flask, current_app, g, has_app_context

from . import redis_link

_REQUEST = "_agora_kept_version"
KEY = "version"


def _key(app: Flask) -> str:
    return app.config.get("KEPT_VERSION_PREFIX", "agora:kept:") + KEY


def current() -> int | None:
    """The version for this request (or app context): 0 without Redis, None while Redis
    does not answer."""
    if not has_app_context():
        return 0
    found = g.get(_REQUEST, False)
    if found is not False:
        return found
    found = _read()
    setattr(g, _REQUEST, found)
    return found


def _read() -> int | None:
    if not redis_link.is_configured():
        return 0
    client = redis_link.available()
    if client is None:
        return None
    try:
        value = client.get(_key(current_app))
    except redis_link.DOWN as error:
        redis_link.warn(error, "pages are built without kept copies meanwhile")
        return None
    return int(value or 0)


def usable(version: int | None) -> bool:
    """Whether a copy stored with ``version`` may be used now."""
    return version is not None and version == current()


def raise_version() -> None:
    """After a commit that wrote: every copy made before it is stale, on every host."""
    if not redis_link.is_configured():
        return
    client = redis_link.available()
    if client is None:
        setattr(g, _REQUEST, None)
        return
    try:
        value = client.incr(_key(current_app))
    except redis_link.DOWN as error:
        redis_link.warn(error, "other hosts may show kept copies until their time is up")
        value = None
    # What this request keeps from now on was read after its own commit.
    setattr(g, _REQUEST, value)
