"""The language switch in the footer, for guests: a plain link per language (no form, so a
guest's pages stay shareable from the page cache), remembered in a cookie for a year.
Members choose theirs on the account page, which wins over the cookie."""
from __future__ import annotations

from flask import Blueprint, redirect, request
from flask_babel import gettext as _

from ..errors import NotFound
from ..i18n import COOKIE, is_language

bp = Blueprint("language", __name__)

YEAR = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    # Only a path on this site: never an address elsewhere ("//host", "https://…", "\\host").
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@bp.get("/language/<code>")
def choose(code: str):
    if not is_language(code):
        raise NotFound(_("There is no interface in that language."))
    response = redirect(_safe_next(request.args.get("next")))
    response.set_cookie(COOKIE, code, max_age=YEAR, httponly=True, samesite="Lax",
                        secure=request.is_secure)
    return response
