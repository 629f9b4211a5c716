"""iCalendar files for events: one event, or the public feed of upcoming events.

Every text a person reads in the calendar (the calendar's name, what a cancellation says, the
kind of event) is in the language of the request that fetched the file.

Times are written in the zone the author chose (TZID plus its VTIMEZONE), so a calendar app
moves the event correctly across daylight-saving changes; UID and SEQUENCE let it recognise
an update (a new time, a cancellation) of an event it already holds.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime

import icalendar
from flask_babel import gettext as _

from ...common import timefmt
from ...models import Event, utcnow

PRODUCT_ID = "-//Agora//Events//EN"
# The VTIMEZONE rules cover every event in the file, from before the earliest to past the
# latest, rather than icalendar's default 1970–2038 window.
RULES_FROM = date(1970, 1, 1)

_MARKDOWN_NOISE = re.compile(r"(\*\*|__|`+|^#{1,6}\s+|^>\s?)", re.MULTILINE)
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)")


def plain_text(markdown: str) -> str:
    """The description as calendar apps show it: links written out, emphasis marks dropped."""
    text = _MARKDOWN_LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(1)
                              else m.group(2), markdown or "")
    return _MARKDOWN_NOISE.sub("", text).strip()


def uid(event: Event, host: str) -> str:
    return f"event-{event.id}@{host}"


def _vevent(event: Event, base_url: str, host: str, now: datetime) -> icalendar.Event:
    zone = timefmt.zone(event.timezone)
    url = f"{base_url}{event.url}"
    component = icalendar.Event()
    component.add("uid", uid(event, host))
    component.add("dtstamp", now.astimezone(UTC))
    component.add("dtstart", event.starts_at.astimezone(zone))
    component.add("dtend", event.ends_at.astimezone(zone))
    component.add("sequence", event.sequence)
    description = plain_text(event.description)
    if event.is_cancelled:
        # Many calendar apps show no STATUS, so the title and the text say it in words.
        component.add("summary", _("Cancelled: %(title)s", title=event.title))
        said = (_("Cancelled: %(reason)s", reason=event.cancel_reason) if event.cancel_reason
                else _("This event was cancelled."))
        description = f"{said}\n\n{description}" if description else said
    else:
        component.add("summary", event.title)
    component.add("description", f"{description}\n\n{url}".strip())
    location = event.location or event.online_url
    if location:
        component.add("location", location)
    component.add("url", url)
    component.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    component.add("categories", [event.kind_label])
    component.add("created", event.created_at.astimezone(UTC))
    component.add("last-modified", (event.updated_at or event.created_at).astimezone(UTC))
    return component


def calendar_bytes(events: Iterable[Event], base_url: str, host: str, name: str,
                   now: datetime | None = None) -> bytes:
    """A VCALENDAR with a VEVENT per event and a VTIMEZONE per zone they use."""
    now = now or utcnow()
    events = list(events)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    for event in events:
        calendar.add_component(_vevent(event, base_url, host, now))
    latest = max((event.ends_at.date() for event in events), default=now.date())
    calendar.add_missing_timezones(first_date=RULES_FROM,
                                   last_date=date(min(max(latest.year + 1, 2038), 9999), 1, 1))
    return calendar.to_ical()
