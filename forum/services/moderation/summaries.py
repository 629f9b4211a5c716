"""How a closed report was handled, stored as codes and worded for the reader.

``ReportItem.resolution`` holds the actions taken as a comma-separated list of their codes,
the destination of a move after a colon: ``hide_post,move_thread:help,warn``. Summaries
written before that are English phrases ("hid the post, moved the thread to /b/help"); those
are recognised and worded the same way, and anything else is shown as stored.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

LABELS = {
    "dismiss": _l("no action needed"),
    "hide_post": _l("hid the post"),
    "hide_message": _l("removed the message"),
    "delete_post": _l("deleted the post"),
    "edit_post": _l("edited the post"),
    "lock_thread": _l("locked the thread"),
    "move_thread": _l("moved the thread"),
    "warn": _l("warned the author"),
    "timeout": _l("timed out the author"),
    "suspend": _l("suspended the author"),
    "ban": _l("banned the author"),
    "remove_spammer": _l("removed the author as a spammer"),
}

# The English each label was stored as before codes, for recognising old summaries.
_ENGLISH = {
    "no action needed": "dismiss", "hid the post": "hide_post",
    "deleted the post": "delete_post", "edited the post": "edit_post",
    "locked the thread": "lock_thread", "moved the thread": "move_thread",
    "warned the author": "warn", "timed out the author": "timeout",
    "suspended the author": "suspend", "banned the author": "ban",
}
_ENGLISH_MOVE = re.compile(r"moved the thread to /b/(?P<slug>[^\s,]+)")
_CODES = re.compile(r"[a-z_]+(:[^,\s]+)?(,[a-z_]+(:[^,\s]+)?)*")

STORED_MAX = 300


def encode(parts: Iterable[tuple[str, str | None]]) -> str:
    """The stored form of the actions taken: (code, board slug of a move or None) each."""
    return ",".join(code if slug is None else f"{code}:{slug}" for code, slug in parts)


def _decoded(stored: str) -> list[tuple[str, str | None]] | None:
    if _CODES.fullmatch(stored):
        parts = []
        for piece in stored.split(","):
            code, _colon, slug = piece.partition(":")
            if code not in LABELS:
                return None
            parts.append((code, slug or None))
        return parts
    parts = []
    for phrase in stored.split(", "):
        move = _ENGLISH_MOVE.fullmatch(phrase)
        if move:
            parts.append(("move_thread", move["slug"]))
        elif phrase in _ENGLISH:
            parts.append((_ENGLISH[phrase], None))
        else:
            return None
    return parts


def codes(stored: str | None) -> list[str] | None:
    """The action codes of a stored summary in the order stored; None for no known form."""
    parts = _decoded(stored) if stored else None
    return [code for code, _slug in parts] if parts is not None else None


def summary_text(stored: str | None) -> str:
    """What was done, in the reader's language; a summary of no known form shows as stored."""
    if not stored:
        return ""
    parts = _decoded(stored)
    if parts is None:
        return stored
    words = []
    for code, slug in parts:
        if code == "move_thread" and slug:
            words.append(_("moved the thread to %(board)s", board=f"/b/{slug}"))
        else:
            words.append(str(LABELS[code]))
    return ", ".join(words)
