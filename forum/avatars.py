"""Generated avatars: initials on a colour drawn from the username, with no outside service.

Everything derives from the username string alone, so the image can be served and cached without
touching the database, and the same name always gets the same picture.
"""
from __future__ import annotations

import hashlib
import re
from xml.sax.saxutils import escape, quoteattr

from .common.usernames import key as username_key

# Bump when the drawing changes so caches (and ETags) move on to the new picture.
VERSION = "1"

# White text needs at least 4.5:1 against the background (WCAG AA for normal-size text).
MIN_CONTRAST = 4.5
TEXT_COLOUR = "#ffffff"

_SEPARATORS = re.compile(r"[_.\-\s]+")
_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def initials(username: str) -> str:
    """One letter for a single word, two for "first_last", "first.last" or "FirstLast"."""
    parts = [part for part in _SEPARATORS.split(username) if part]
    if not parts:
        return username[:1].upper()
    if len(parts) >= 2:
        return (parts[0][0] + parts[1][0]).upper()
    word = parts[0]
    later_capitals = [ch for ch in word[1:] if ch.isupper()]
    if word[0].isalpha() and later_capitals:
        return (word[0] + later_capitals[0]).upper()
    return word[0].upper()


def _channel(value: float) -> float:
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG relative luminance of an sRGB colour with channels in 0..1."""
    r, g, b = (_channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


# Hand-picked pairs (a shade and a deeper one of the same hue) that look good as a gradient and
# keep white text above AA contrast on both stops; tests check every pair.
PALETTE: tuple[tuple[str, str], ...] = (
    ("#dc2626", "#b91c1c"),  # red
    ("#c2410c", "#9a3412"),  # orange
    ("#b45309", "#92400e"),  # amber
    ("#4d7c0f", "#3f6212"),  # lime
    ("#15803d", "#166534"),  # green
    ("#047857", "#065f46"),  # emerald
    ("#0f766e", "#115e59"),  # teal
    ("#0e7490", "#155e75"),  # cyan
    ("#0369a1", "#075985"),  # sky
    ("#2563eb", "#1d4ed8"),  # blue
    ("#4f46e5", "#4338ca"),  # indigo
    ("#7c3aed", "#6d28d9"),  # violet
    ("#9333ea", "#7e22ce"),  # purple
    ("#a21caf", "#86198f"),  # fuchsia
    ("#db2777", "#be185d"),  # pink
    ("#e11d48", "#be123c"),  # rose
    ("#475569", "#334155"),  # slate
)


def colours(username: str) -> tuple[str, str]:
    """The gradient stops for this name; case-insensitive, like usernames themselves."""
    digest = hashlib.sha256(username_key(username).encode()).digest()
    return PALETTE[int.from_bytes(digest[:4], "big") % len(PALETTE)]


def clean_initials(letters: str | None) -> str | None:
    """Initials given in an address: one or two letters or digits, else None (and the
    username's are drawn)."""
    if not letters or len(letters) > 2 or not all(ch.isalnum() for ch in letters):
        return None
    return letters.upper()


def render_svg(username: str, size: int = 96, letters: str | None = None) -> str:
    """A rounded-square avatar with initials (``letters``, else the username's), as
    standalone SVG text; the colour always comes from the username."""
    start, end = colours(username)
    letters = letters or initials(username)
    font_size = 40 if len(letters) == 1 else 34
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 96 96" width="{size}" '
        f'height="{size}" role="img" aria-label={quoteattr(username)}>'
        f"<title>{escape(username)}</title>"
        '<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{start}"/><stop offset="1" stop-color="{end}"/>'
        "</linearGradient></defs>"
        '<rect width="96" height="96" rx="24" fill="url(#bg)"/>'
        f'<text x="48" y="48" dy=".35em" text-anchor="middle" fill="{TEXT_COLOUR}" '
        f'font-family="{_FONT}" font-size="{font_size}" font-weight="600">'
        f"{escape(letters)}</text>"
        "</svg>"
    )


def etag(username: str, letters: str | None = None) -> str:
    """A validator for the picture of this exact name and initials, changing only with
    ``VERSION``."""
    return hashlib.sha256(f"{VERSION}:{username}:{letters or ''}".encode()).hexdigest()[:32]
