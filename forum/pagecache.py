"""Whole pages for guests, kept for a few seconds in each worker.

Guests are most of a forum's readers and every guest sees the same index, board and thread
pages (their time zone is UTC; the only thing of their own is which banners they closed, which
is part of the key). So a guest's page is served from memory for ``GUEST_PAGE_CACHE_SECONDS``
(default 5) instead of being queried and rendered again. Members are never served from it.

Staleness is bounded: any commit that wrote through this process's session empties its cache
at once, and another worker's copy lives at most the configured seconds. With ``REDIS_URL``
no copy outlives a commit anywhere: a page is kept under the version in Redis
(``stores.kept_version``) that every writing commit raises, and while Redis does not answer
nothing is kept. A page is only kept when nothing in it was personal: no flashed message, no
CSRF token drawn, no cookie set.
"""
from __future__ import annotations

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session

from .common.ttlcache import TtlCache
from .errors import wants_json
from .i18n import language
from .stores import kept_version

# The pages every guest sees alike. Profiles show "last seen", which changes without a commit
# through the session, so they are left out.
CACHEABLE = frozenset({"boards.index", "boards.board", "boards.thread", "events.index",
                       "events.show"})
MAX_ENTRIES = 512
DISMISSED_COOKIE = "agora_dismissed"


def _seconds(app: Flask) -> float:
    return float(app.config.get("GUEST_PAGE_CACHE_SECONDS", 5) or 0)


def _key() -> tuple | None:
    """This request's key, or None when it must be answered fresh."""
    if request.method != "GET" or request.endpoint not in CACHEABLE:
        return None
    if wants_json() or "_flashes" in session or current_user.is_authenticated:
        return None
    version = kept_version.current()
    if version is None:
        return None
    # Host and scheme too: a page that ever carries an absolute link must not hand one
    # visitor's Host header to the next.
    return (version, request.scheme, request.host, request.full_path, language(),
            request.cookies.get(DISMISSED_COOKIE, ""))


def init_pagecache(app: Flask) -> None:
    cache = TtlCache(MAX_ENTRIES)
    app.extensions["agora_page_cache"] = cache

    @app.before_request
    def _serve_cached():
        if not _seconds(app):
            return None
        key = _key()
        if key is None:
            return None
        g.page_cache_key = key
        hit = cache.get(key)
        if hit is None:
            return None
        status, body, headers = hit
        g.page_cache_hit = True
        return Response(body, status=status, headers=headers)

    @app.after_request
    def _keep(response: Response) -> Response:
        key = g.get("page_cache_key")
        if key is None or g.get("page_cache_hit"):
            return response
        # The words follow the browser's language or the footer's choice (a cookie): shared
        # caches on the way must keep one copy per language too.
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        personal = ("csrf_token" in g or "_flashes" in session or session.modified
                    or response.headers.get("Set-Cookie"))
        if response.status_code == 200 and not response.direct_passthrough and not personal:
            headers = [(name, value) for name, value in response.headers.items()
                       if name.lower() not in {"set-cookie", "content-length"}]
            cache.put(key, (response.status_code, response.get_data(), headers), _seconds(app))
        return response



# Registered once for every session: a commit that wrote anything (objects flushed, or an
# INSERT, UPDATE or DELETE statement) empties the cache of the app it ran in.
@event.listens_for(Session, "after_flush")
def _flushed(db_session, flush_context) -> None:
    db_session.info["agora_wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state):
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    # Run here to see how many rows it changed: a statement that changed none (a work queue
    # looking for due rows every few seconds, a clean-up with nothing to delete) leaves every
    # kept copy alone. -1 (unknown, as with RETURNING on some drivers) counts as a change.
    result = state.invoke_statement()
    if getattr(result, "rowcount", -1) != 0:
        state.session.info["agora_wrote"] = True
    return result


@event.listens_for(Session, "after_commit")
def _committed(db_session) -> None:
    if db_session.info.pop("agora_wrote", False) and has_app_context():
        clear(current_app)
        kept_version.raise_version()


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(db_session, previous_transaction) -> None:
    db_session.info.pop("agora_wrote", None)


def clear(app: Flask) -> None:
    cache = app.extensions.get("agora_page_cache")
    if cache is not None:
        cache.clear()
