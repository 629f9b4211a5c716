"""Pieces of lists (rows, cards) rendered once and kept under every value they show.

A piece's key is what it displays (titles, counts, names, relative times as text) plus the
viewer's time zone and the script root, so a kept piece is never stale: a new reply, a rename,
an RSVP or the clock moving "3 min ago" to "4 min ago" makes another key. Building a key costs
a few microseconds; rendering a row or card (links routed, names and times formatted) cost a
fifth of a millisecond each, half of a member's board or events page.
"""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .common.ttlcache import TtlCache
from .i18n import language
from .policy import policy
from .web import avatar_src, nav_counts, viewer_tz

CACHE_KEY = "agora_fragments"
MAX_PIECES = 4096
SECONDS = 600  # only to let pieces nobody shows any more make room


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = TtlCache(MAX_PIECES)
    app.jinja_env.globals["kept"] = kept
    app.jinja_env.globals["member_nav"] = member_nav


def kept(kind: str, key: tuple, macro, *args) -> Markup:
    """``macro(*args)``, or what it rendered before for the same kind and key."""
    pieces: TtlCache = current_app.extensions[CACHE_KEY]
    full_key = (kind, request.script_root, viewer_tz(), language(), key)
    found = pieces.get(full_key)
    if found is None:
        found = Markup(macro(*args))
        pieces.put(full_key, found, SECONDS)
    return found


# Where the viewer's token goes in a kept form: a token is signed anew every second, the form
# around it is the same for everyone who sees it.
TOKEN = "\x00token\x00"


def with_token(piece: Markup) -> Markup:
    """A kept piece rendered with ``TOKEN`` for its forms' token, with this viewer's in."""
    return Markup(piece.replace(TOKEN, generate_csrf()))


def member_nav() -> Markup:
    """The header's links for the logged-in member, kept under what they show (the counts,
    the member's name, which team links they get)."""
    viewer = policy()
    counts = nav_counts()
    user = current_user
    staff = viewer.is_staff_anywhere
    admin_panel = bool(viewer.can_view_admin_panel())
    invite = bool(viewer.can_create_invitation())
    macro = current_app.jinja_env.get_template("_member_nav.html").module.member_nav
    avatar = avatar_src(user, 28)
    key = (user.id, user.username, user.name, avatar, staff, admin_panel, invite,
           counts["reports"], counts["messages"], counts["unread"])
    return with_token(kept("member-nav", key, macro, counts, staff, admin_panel, invite,
                           user.username, user.name, TOKEN, avatar))
