"""The locale dates and numbers are written in: the request's language, else the default.

Flask-Babel picks the language once per request and keeps it; outside any application (a
script, a test of a helper) the forum's default language applies.
"""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from flask_babel import get_locale

DEFAULT = "en"
# Every language the interface is translated into, with its name in itself (for the switch and
# the forum's default-language setting).
LANGUAGES: dict[str, str] = {"en": "English", "de": "Deutsch"}


@lru_cache(maxsize=16)
def _parsed(code: str) -> Locale:
    return Locale.parse(code)


def current() -> Locale:
    return get_locale() or _parsed(DEFAULT)
