"""Numbers as people read them in the viewer's language: 1,234 in English, 1.234 in German."""
from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from babel import Locale
from flask_babel import LazyString

from . import locales


@lru_cache(maxsize=16)
def _writer(locale: Locale) -> Callable[[int | float], str]:
    """The language's way of writing a count, worked out once per language."""
    pattern = locale.decimal_formats[None]
    symbols = locale.number_symbols["latn"]
    group, minus = symbols["group"], symbols["minusSign"]

    def babel(value: int | float) -> str:
        return pattern.apply(value, locale)

    if pattern.grouping != (3, 3) or minus != "-":
        return babel  # grouped otherwise (lakh and crore), or its own minus sign
    # Thousands in threes, as in English and German: Python's grouping with the language's
    # separator, several times faster than the general pattern, for the counts on every page.
    swap = str.maketrans(",", group)

    def grouped(value: int | float) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            return format(value, ",").translate(swap)
        return babel(value)

    return grouped


def number(value: int | float) -> str:
    return _writer(locales.current())(value)


def lazy_number(value: int | float) -> LazyString:
    """For texts declared at import (``lazy_gettext`` placeholders): written in the language
    of whoever reads the text, not the one in force when the module loaded."""
    return LazyString(number, value)
