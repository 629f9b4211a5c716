"""CLDR date patterns compiled for one language, to write many dates quickly.

Babel's ``DateTimePattern.apply`` builds a formatter object and looks up locale data for every
field of every call; a thread page writes forty moments. A compiled pattern reads the few
fields the forum uses (day, month, year, weekday, hour, minute) straight off the value, with
the language's month and day names fetched once, and leaves any other field to Babel.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from babel import Locale
from babel.dates import DateTimePattern, parse_pattern

_FIELD = re.compile(r"%\((\w+)\)s")
Getter = Callable[[date], str]


def _names(locale: Locale, kind: str, context: str, width: str) -> dict[int, str]:
    table = locale.months if kind == "month" else locale.days
    return dict(table[context][width])


def _getter(field: str, locale: Locale) -> Getter | None:
    """How to read ``field`` off a date, or None for a field left to Babel."""
    plain: dict[str, Getter] = {
        "d": lambda v: str(v.day), "dd": lambda v: f"{v.day:02d}",
        "M": lambda v: str(v.month), "MM": lambda v: f"{v.month:02d}",
        "y": lambda v: str(v.year),
        "H": lambda v: str(v.hour), "HH": lambda v: f"{v.hour:02d}",
        "mm": lambda v: f"{v.minute:02d}",
    }
    if field in plain:
        return plain[field]
    named = {"MMM": ("month", "format", "abbreviated"), "MMMM": ("month", "format", "wide"),
             "LLL": ("month", "stand-alone", "abbreviated"),
             "LLLL": ("month", "stand-alone", "wide"),
             "EEE": ("day", "format", "abbreviated"), "EEEE": ("day", "format", "wide")}
    if field not in named:
        return None
    kind, context, width = named[field]
    names = _names(locale, kind, context, width)
    if kind == "month":
        return lambda v: names[v.month]
    return lambda v: names[v.weekday()]  # CLDR's days in Babel: 0 is Monday, as in Python


class Compiled:
    """``Compiled(pattern, locale)(value)`` writes ``value`` as ``pattern.apply`` would."""

    def __init__(self, pattern: str, locale: Locale) -> None:
        self.pattern: DateTimePattern = parse_pattern(pattern)
        self.locale = locale
        getters = {field: _getter(field, locale) for field in _FIELD.findall(self.pattern.format)}
        self._getters = getters if all(getters.values()) else None

    def __call__(self, value: date | datetime) -> str:
        if self._getters is None:
            return self.pattern.apply(value, self.locale)
        return self.pattern.format % {field: get(value) for field, get in self._getters.items()}
