"""Times are stored in UTC and shown in the viewer's time zone, written the way the
viewer's language writes them (Babel's CLDR data)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from . import locales
from .datepatterns import Compiled


@lru_cache(maxsize=512)
def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(n for n in available_timezones() if "/" in n or n == "UTC"))


def is_zone(name: str) -> bool:
    return name in zone_names()


def local(value: datetime, tz_name: str | None) -> datetime:
    """``value`` in the zone ``tz_name``; in UTC when the zone's offset would carry it past
    the calendar's ends (a moment stored near year 9999 or year 1), so no page fails on it."""
    try:
        return value.astimezone(zone(tz_name))
    except OverflowError:
        return value.astimezone(UTC)


def machine(value: date | datetime) -> str:
    """A moment as machines read it in HTML (a ``<time>``'s ``datetime``): UTC to the second
    with a "Z", "2026-12-04T15:32:07Z"; a date as "2026-12-04". HTML allows at most three
    digits of a second's fraction, and nobody reads a page to the millisecond. A naive
    value is UTC, as the database keeps it."""
    if not isinstance(value, datetime):
        return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return (f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}"
            f"T{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}Z")


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> date:
    """YYYY-MM-DD (what a date control sends); ValueError with a message for people."""
    text = (text or "").strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(_("Enter a date as YYYY-MM-DD, for example 2024-03-31.")) from None


# What a datetime-local control sends: "2026-11-25T14:00", sometimes with seconds.
_LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
MALFORMED_MOMENT = _l("Enter a date and time such as 2026-11-30 18:00.")


def parse_local(text: str, tz_name: str | None, malformed: str = MALFORMED_MOMENT) -> datetime:
    """A ``<input type="datetime-local">`` value read as a wall-clock time in the zone
    ``tz_name``, returned in UTC. ValueError with a message for people: ``malformed`` when it
    isn't shaped like one, else that the date doesn't exist or is out of range. A time that a
    DST change skips or repeats is taken as the clock shows it (the earlier of two)."""
    text = (text or "").strip()
    if not _LOCAL_MOMENT.fullmatch(text):
        raise ValueError(str(malformed))
    try:
        naive = datetime.fromisoformat(text.replace(" ", "T"))
        return naive.replace(tzinfo=zone(tz_name)).astimezone(UTC)
    except ValueError:
        raise ValueError(_("That date doesn't exist; please check it.")) from None
    except OverflowError:
        raise ValueError(_("That date is out of range.")) from None


@dataclass(frozen=True)
class _Patterns:
    """One language's ways of writing a moment, each compiled once."""
    moment: Compiled  # "4 Dec 2026, 14:00" / "4. Dez. 2026, 14:00"
    day: Compiled  # "4 December 2026" / "4. Dezember 2026"
    short_day: Compiled  # "4 Dec 2026" / "4. Dez. 2026"
    day_month: Compiled  # "4 Dec" / "4. Dez."
    month: Compiled  # "December 2026" / "Dezember 2026"
    month_name: Compiled  # "Dec" / "Dez"
    weekday: Compiled  # "Fri" / "Fr."
    weekday_name: Compiled  # "Friday" / "Freitag"
    clock: Compiled  # "14:00"


# English has always been written here with the day first and a 24-hour clock ("4 Dec 2026,
# 14:00"), which CLDR's "en" (American) would turn around; every other language writes
# dates its own way, as CLDR knows it.
_OWN_SKELETONS = {
    "en": {"yMMMd": "d MMM y", "yMMMMd": "d MMMM y", "MMMd": "d MMM", "yMMMM": "MMMM y"},
}


@lru_cache(maxsize=16)
def _patterns(locale: Locale) -> _Patterns:
    own = _OWN_SKELETONS.get(locale.language, {})

    def skeleton(name: str) -> str:
        return own.get(name) or locale.datetime_skeletons[name].pattern

    def compiled(pattern: str) -> Compiled:
        return Compiled(pattern, locale)

    clock = "HH:mm"
    joined = str(locale.datetime_formats["medium"]).replace("{1}", skeleton("yMMMd"), 1)
    return _Patterns(
        moment=compiled(joined.replace("{0}", clock, 1)),
        day=compiled(skeleton("yMMMMd")),
        short_day=compiled(skeleton("yMMMd")),
        day_month=compiled(skeleton("MMMd")),
        month=compiled(skeleton("yMMMM")),
        month_name=compiled("LLL"),
        weekday=compiled("EEE"),
        weekday_name=compiled("EEEE"),
        clock=compiled(clock),
    )


def write(value: date | datetime, name: str) -> str:
    """``value`` as it stands (already in the zone it is shown in), in the named pattern."""
    return getattr(_patterns(locales.current()), name)(value)


def format_datetime(value: datetime | None, tz_name: str | None) -> str:
    """'4 Dec 2026, 14:00' / '4. Dez. 2026, 14:00', in the zone ``tz_name``."""
    if value is None:
        return ""
    return write(local(value, tz_name), "moment")


def format_date(value: datetime | None, tz_name: str | None) -> str:
    """'4 December 2026' / '4. Dezember 2026', the day in the zone ``tz_name``."""
    if value is None:
        return ""
    return write(local(value, tz_name), "day")


def _ago(amount: int, unit: str, locale: Locale) -> str:
    """'3 minutes ago' / 'vor 3 Minuten': CLDR's words for a time past, as Babel's
    ``format_timedelta`` picks them, but for a whole number of units counted down rather than
    rounded ("59 minutes ago" stays that, where Babel would call it an hour)."""
    forms = locale._data["date_fields"][unit]["past"]
    return (forms.get(locale.plural_form(amount)) or forms["other"]).replace("{0}", str(amount))


def relative(value: datetime | None, now: datetime | None = None,
             tz_name: str | None = None) -> str:
    """'3 minutes ago' / 'vor 3 Minuten', 'yesterday' / 'gestern'…: short, for lists; past a
    month the day itself ('4 Dec 2026', in the zone ``tz_name``)."""
    if value is None:
        return ""
    locale = locales.current()
    now = now or datetime.now(UTC)
    delta = now - value
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return _("just now")
    if seconds < 3600:
        return _ago(seconds // 60, "minute", locale)
    if seconds < 86400:
        return _ago(seconds // 3600, "hour", locale)
    if delta < timedelta(days=2):
        yesterday = locale._data["date_fields"]["day"].get("relative", {}).get(-1)
        return yesterday or _ago(1, "day", locale)
    if delta < timedelta(days=30):
        return _ago(delta.days, "day", locale)
    return _patterns(locale).short_day(local(value, tz_name))


def relative_key(value: datetime | None, now: datetime | None = None) -> tuple | None:
    """What ``relative`` would write, as a key for kept rows (with the language and zone in
    the key too): the same unit and amount, without looking up or formatting any words."""
    if value is None:
        return None
    delta = (now or datetime.now(UTC)) - value
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return ("now",)
    if seconds < 3600:
        return ("min", seconds // 60)
    if seconds < 86400:
        return ("hr", seconds // 3600)
    if delta < timedelta(days=2):
        return ("yesterday",)
    if delta < timedelta(days=30):
        return ("days", delta.days)
    return ("on", value)


def _unit(amount: int, unit: str, locale: Locale, width: str) -> str:
    forms = locale._data["unit_patterns"][f"duration-{unit}"][width]
    text = forms.get(locale.plural_form(amount)) or forms["other"]
    return text.replace("{0}", str(amount))


def _parts(*parts: tuple[int, str, str]) -> str:
    locale = locales.current()
    # Two amounts side by side ("2 hr 5 min", "2 Std. 5 Min."), the way a clock's remainder is
    # read; days in full words, since "3 Tg." reads as a code rather than as days.
    return " ".join(_unit(amount, unit, locale, width) for amount, unit, width in parts if amount)


def duration(seconds: int) -> str:
    """'3 min 12 sec', '2 hr 5 min', '3 days 4 hr' (German '3 Min. 12 Sek.', '2 Std. 5 Min.',
    '3 Tage 4 Std.'), for retry-after messages."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return _unit(seconds, "second", locales.current(), "short")
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return _parts((minutes, "minute", "short"), (sec, "second", "short"))
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _parts((hours, "hour", "short"), (minutes, "minute", "short"))
    days, hours = divmod(hours, 24)
    return _parts((days, "day", "long"), (hours, "hour", "short"))


def when(moment: datetime, tz_name: str | None) -> str:
    """'25 Nov 2026, 15:00 (Europe/Berlin)': the moment in the reader's zone, named, since a
    message (a refusal, a notification, a mail) may be read away from the page that shows
    which zone its times are in."""
    return f"{format_datetime(moment, tz_name)} ({zone(tz_name).key})"
