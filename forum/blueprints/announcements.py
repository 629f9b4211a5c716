"""Announcements on the public pages: what the banner and board pages show, and dismissing.

A member's dismissal is stored with their account; a guest's is kept in a cookie, so it
lasts in that browser only.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, make_response, redirect, request, url_for

from ..errors import wants_json
from ..extensions import csrf
from ..models import Board
from ..policy import policy
from ..services.community import announcements
from ..services.community.announcements import Notice
from .args import local_path

bp = Blueprint("announcements", __name__)

COOKIE = "agora_dismissed"
# Enough for every announcement a guest could meet in a year, small enough for a cookie.
COOKIE_KEEP = 40
COOKIE_AGE = 365 * 24 * 3600


def guest_dismissed() -> list[int]:
    ids = []
    for part in request.cookies.get(COOKIE, "").split("."):
        if part.isascii() and part.isdigit() and len(part) <= 9:
            ids.append(int(part))
    return ids[-COOKIE_KEEP:]


def _visible() -> list[Notice]:
    # Asked by the banner and again by a board page: computed once per request.
    if "announcements" not in g:
        viewer = policy()
        dismissed = frozenset() if viewer.is_member else frozenset(guest_dismissed())
        g.announcements = announcements.visible_notices(viewer, guest_dismissed=dismissed)
    return g.announcements


@bp.app_template_global()
def site_announcements() -> list[Notice]:
    return announcements.banners(_visible())


@bp.app_template_global()
def board_announcements(board: Board) -> list[Notice]:
    return announcements.pinned(_visible(), board)


def _back() -> str:
    """Where the dismissing form came from, if it is a page of this site."""
    return local_path((request.form.get("next") or "").strip()) or url_for("boards.index")


@bp.post("/announcements/<int:announcement_id>/dismiss")
@csrf.exempt
def dismiss(announcement_id: int):
    """A guest's dismissal only writes a cookie in their own browser, so a forged one can at
    most hide a banner from them: their form carries no token, and guests' pages hold nothing
    personal and can be cached whole. A member's choice is stored, so theirs is checked."""
    viewer = policy()
    if viewer.is_member and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()
    announcement = announcements.dismiss(viewer, announcement_id)
    response = make_response("", 204) if wants_json() else redirect(_back())
    if not viewer.is_member:
        kept = [i for i in guest_dismissed() if i != announcement.id] + [announcement.id]
        response.set_cookie(COOKIE, ".".join(map(str, kept[-COOKIE_KEEP:])),
                            max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=request.is_secure)
    return response
