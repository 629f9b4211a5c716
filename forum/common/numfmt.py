"""Numbers as people read them in the viewer's language: 1,234 in English, 1.234 in German."""
from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern
from flask_babel import LazyString

from . import locales


@lru_cache(maxsize=16)
def _pattern(locale: Locale) -> NumberPattern:
    # Parsed once per language: counts are written many times on a page.
    return locale.decimal_formats[None]


def number(value: int | float) -> str:
    locale = locales.current()
    return _pattern(locale).apply(value, locale)


def lazy_number(value: int | float) -> LazyString:
    """For texts declared at import (``lazy_gettext`` placeholders): written in the language
    of whoever reads the text, not the one in force when the module loaded."""
    return LazyString(number, value)
