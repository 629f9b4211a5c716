"""Request values every area reads the same way: page numbers, ids, dates and local links, with
messages a person understands."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..common import timefmt
from ..errors import NotFound, bad_request

PAGE_MESSAGE = _l("Page must be a positive whole number.")
# Beyond this many digits a page is certainly past the end; parsing it would only cost time.
PAGE_DIGITS_MAX = 9
ID_DIGITS_MAX = 18
# Ids are 32-bit columns; the app's <int:…> converter stops there too (see create_app).
ID_MAX = 2**31 - 1
LINK_MAX = 2000


def page_arg(name: str = "page") -> int:
    """``?page=`` as a number from 1; 400 for anything that isn't one, 404 for absurd ones."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    raw = raw.strip()
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise bad_request(str(PAGE_MESSAGE))
    if len(digits) > PAGE_DIGITS_MAX:
        raise NotFound(_("That page doesn't exist."))
    return int(digits)


def parse_id(raw: str, what: str) -> int:
    """An id sent as text (a query value or a form field); 400 when it isn't one."""
    raw = (raw or "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > ID_DIGITS_MAX:
        message = _("%(what)s must be a number.", what=what)
        raise bad_request(message[:1].upper() + message[1:])
    return int(raw)


def id_arg(name: str, what: str | None = None) -> int | None:
    """An optional id in the query string (``?board=3``); 400 when it isn't one."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    return parse_id(raw, what or name)


def date_arg(name: str) -> date | None:
    """An optional YYYY-MM-DD date in the query string; 400 when it isn't one."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return timefmt.parse_date(raw)
    except ValueError as error:
        raise bad_request(str(error)) from None


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: a redirect built from a value that
    came from outside (``next``, a stored link) must never lead elsewhere."""
    if not target or len(target) > LINK_MAX:
        return None
    # "//host" is scheme-relative; browsers read "\" as "/" and drop tabs and newlines, so
    # "/\evil.com" or "/<tab>/evil.com" would leave the site too.
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def documents_seen(form) -> tuple[int, int]:
    """The versions of the rules and the privacy notice a page showed, from its hidden fields
    ``rules_version`` and ``privacy_version``; -1 (no version) for a value that isn't one."""
    def version(raw) -> int:
        raw = (raw or "").strip()
        return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= ID_DIGITS_MAX else -1

    return version(form.get("rules_version")), version(form.get("privacy_version"))
