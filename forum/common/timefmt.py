"""Times are stored in UTC and shown in the viewer's time zone."""
from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


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


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(text: str) -> date:
    """YYYY-MM-DD (what a date control sends); ValueError with a message for people."""
    text = (text or "").strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError("Enter a date as YYYY-MM-DD, for example 2024-03-31.") from None


# What a datetime-local control sends: "2026-11-25T14:00", sometimes with seconds.
_LOCAL_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?")
MALFORMED_MOMENT = "Enter a date and time such as 2026-11-30 18:00."


def parse_local(text: str, tz_name: str | None, malformed: str = MALFORMED_MOMENT) -> datetime:
    """A ``<input type="datetime-local">`` value read as a wall-clock time in the zone
    ``tz_name``, returned in UTC. ValueError with a message for people: ``malformed`` when it
    isn't shaped like one, else that the date doesn't exist or is out of range. A time that a
    DST change skips or repeats is taken as the clock shows it (the earlier of two)."""
    text = (text or "").strip()
    if not _LOCAL_MOMENT.fullmatch(text):
        raise ValueError(malformed)
    try:
        naive = datetime.fromisoformat(text.replace(" ", "T"))
        return naive.replace(tzinfo=zone(tz_name)).astimezone(UTC)
    except ValueError:
        raise ValueError("That date doesn't exist; please check it.") from None
    except OverflowError:
        raise ValueError("That date is out of range.") from None


def format_datetime(value: datetime | None, tz_name: str | None) -> str:
    if value is None:
        return ""
    moment = local(value, tz_name)
    return moment.strftime("%-d %b %Y, %H:%M")


def format_date(value: datetime | None, tz_name: str | None) -> str:
    if value is None:
        return ""
    return local(value, tz_name).strftime("%-d %B %Y")


def relative(value: datetime | None, now: datetime | None = None) -> str:
    """'3 min ago', 'yesterday'…: short, for lists."""
    if value is None:
        return ""
    now = now or datetime.now(UTC)
    delta = now - value
    seconds = int(delta.total_seconds())
    if seconds < 0:
        return "just now"
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        hours = seconds // 3600
        return f"{hours} hour{'s' if hours != 1 else ''} ago"
    if delta < timedelta(days=2):
        return "yesterday"
    if delta < timedelta(days=30):
        return f"{delta.days} days ago"
    return value.strftime("%-d %b %Y")


def duration(seconds: int) -> str:
    """'3 min 12 s', '2 h 5 min', for retry-after messages."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec} s" if sec else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} days {hours} h" if hours else f"{days} days"


def when(moment: datetime) -> str:
    """'25 Nov 2026, 14:00 UTC': messages may be read anywhere, so they name the zone."""
    return f"{format_datetime(moment, 'UTC')} UTC"
