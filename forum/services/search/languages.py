"""Which language a board's posts are searched in: the board's own, else the forum's default."""
from __future__ import annotations

from ...stores.settings import get
from .index import LANGUAGES

DEFAULT_SETTING = "default_language"
# PostgreSQL's text search configuration for each language posts may be written in.
TEXT_SEARCH_CONFIGS = {"en": "english", "de": "german"}


def default_language() -> str:
    """The forum's default language (the administrators' setting)."""
    return str(get(DEFAULT_SETTING))


def board_language(code: str | None, default: str | None = None) -> str:
    """The language a board's posts are indexed and highlighted in: its own (``code``), else
    ``default`` (the forum's, when not given), else English."""
    if code in LANGUAGES:
        return code
    default = default if default is not None else default_language()
    return default if default in LANGUAGES else LANGUAGES[0]
