"""Which browser on which system a User-Agent string names, roughly: enough for a member to
recognise their own devices in a list of logins, not for statistics."""
from __future__ import annotations

from dataclasses import dataclass

# Checked in order: many browsers also name the ones they descend from (Edge says "Chrome"
# and "Safari", Chrome says "Safari").
_BROWSERS = (
    ("Edg", "Edge"), ("OPR/", "Opera"), ("Opera", "Opera"), ("SamsungBrowser", "Samsung Internet"),
    ("Vivaldi", "Vivaldi"), ("Firefox/", "Firefox"), ("FxiOS", "Firefox"),
    ("CriOS", "Chrome"), ("Chromium", "Chromium"), ("Chrome/", "Chrome"),
    ("Safari/", "Safari"), ("curl/", "curl"),
)
_SYSTEMS = (
    ("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("CrOS", "ChromeOS"),
    ("Windows", "Windows"), ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("Linux", "Linux"),
    ("FreeBSD", "FreeBSD"),
)


@dataclass(frozen=True)
class Device:
    browser: str | None
    system: str | None


def _first(text: str, table: tuple[tuple[str, str], ...]) -> str | None:
    for marker, name in table:
        if marker in text:
            return name
    return None


def describe(user_agent: str | None) -> Device:
    text = user_agent or ""
    return Device(_first(text, _BROWSERS), _first(text, _SYSTEMS))
