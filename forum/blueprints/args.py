"""Query-string numbers every area reads the same way, with messages a person understands."""
from __future__ import annotations

from flask import request

from ..errors import NotFound, bad_request

PAGE_MESSAGE = "Page must be a positive whole number."
# Beyond this many digits a page is certainly past the end; parsing it would only cost time.
PAGE_DIGITS_MAX = 9
ID_DIGITS_MAX = 18


def page_arg(name: str = "page") -> int:
    """``?page=`` as a number from 1; 400 for anything that isn't one, 404 for absurd ones."""
    raw = request.args.get(name)
    if raw is None:
        return 1
    raw = raw.strip()
    digits = raw.lstrip("0")
    if not (raw.isascii() and raw.isdigit()) or not digits:
        raise bad_request(PAGE_MESSAGE)
    if len(digits) > PAGE_DIGITS_MAX:
        raise NotFound("That page doesn't exist.")
    return int(digits)


def id_arg(name: str, what: str | None = None) -> int | None:
    """An optional id in the query string (``?board=3``); 400 when it isn't one."""
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > ID_DIGITS_MAX:
        raise bad_request(f"{(what or name).capitalize()} must be a number.")
    return int(raw)
