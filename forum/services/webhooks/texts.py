"""What the delivery log's stored codes say, in the reader's language. A delivery keeps its
last error as ``code: technical detail`` and a stopped hook its reason as a code; the detail
(an operating system's message, an address) stays as written."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ERRORS = {
    "address": _l("The address is not allowed"),
    "dns": _l("The host could not be found"),
    "tls": _l("The secure connection failed"),
    "connect": _l("The connection was refused"),
    "connect_timeout": _l("The connection timed out"),
    "timeout": _l("No complete answer in time"),
    "connection": _l("The connection broke off"),
    "redirect": _l("Answered with a redirect, which is not followed"),
    "http_status": _l("Answered with an error status"),
    "interrupted": _l("Interrupted while sending: it may have arrived"),
    "hook_disabled": _l("The webhook was stopped before this was sent"),
}
STOPPED = {
    "gone": _l("Stopped by the forum: the receiver answered that it is gone for good (410)."),
    "failing": _l("Stopped by the forum after too many failed attempts in a row."),
}


def error(stored: str | None) -> tuple[str, str]:
    """(what happened, the technical detail) of a delivery's last error."""
    if not stored:
        return "", ""
    code, _sep, detail = stored.partition(": ")
    worded = ERRORS.get(code)
    return (str(worded), detail) if worded is not None else ("", stored)


def stopped(reason: str | None) -> str:
    worded = STOPPED.get(reason or "")
    return str(worded) if worded is not None else ""
