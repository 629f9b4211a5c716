"""Pieces of lists (rows, cards) rendered once and kept under every value they show.

A piece's key is what it displays (titles, counts, names, relative times as text) plus the
viewer's time zone and the script root, so a kept piece is never stale: a new reply, a rename,
an RSVP or the clock moving "3 min ago" to "4 min ago" makes another key. Building a key costs
a few microseconds; rendering a row or card (links routed, names and times formatted) cost a
fifth of a millisecond each, half of a member's board or events page.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from markupsafe import Markup

from .common.ttlcache import TtlCache
from .i18n import language
from .web import viewer_tz

CACHE_KEY = "agora_fragments"
MAX_PIECES = 4096
SECONDS = 600  # only to let pieces nobody shows any more make room


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = TtlCache(MAX_PIECES)
    app.jinja_env.globals["kept"] = kept


def kept(kind: str, key: tuple, macro, *args) -> Markup:
    """``macro(*args)``, or what it rendered before for the same kind and key."""
    pieces: TtlCache = current_app.extensions[CACHE_KEY]
    full_key = (kind, request.script_root, viewer_tz(), language(), key)
    found = pieces.get(full_key)
    if found is None:
        found = Markup(macro(*args))
        pieces.put(full_key, found, SECONDS)
    return found
