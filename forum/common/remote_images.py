"""Images from other sites, held back until the reader asks for them.

A post's stored HTML keeps the ``<img>`` as written; pages pass it through ``hold_back``,
which puts a placeholder naming the site in its place, with a link that loads it (a small
script shows it in place; without the script the link opens it). So other sites learn
nothing of who reads what, and the server never fetches anything itself. Readers who chose
"always load" get the HTML as stored.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape
from urllib.parse import urlsplit

from markupsafe import Markup, escape

# The cleaner writes every attribute quoted with '"', values escaped, so a value never
# holds a '"' and a tag never a '>' outside one.
_IMG = re.compile(r"<img\b([^>]*)>")
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)="([^"]*)"')


def _attributes(text: str) -> dict[str, str]:
    return {name.lower(): value for name, value in _ATTRIBUTE.findall(text)}


def is_remote(src: str) -> bool:
    return src.startswith(("http://", "https://", "//"))


def hold_back(html: str, label: Callable[[str], str], action: str) -> Markup:
    """``html`` with each remote image replaced by a placeholder: ``label(site)`` says where
    it is from, ``action`` is the link's text ("Load image")."""
    if "<img" not in html:
        return Markup(html)

    def placeholder(match: re.Match) -> str:
        attributes = _attributes(match[1])
        src = attributes.get("src", "")
        if not is_remote(src):
            return match[0]
        site = urlsplit(unescape(src)).hostname or "?"
        alt = attributes.get("alt", "")
        described = f' <span class="remote-image-alt">{alt}</span>' if alt else ""
        return (f'<span class="remote-image"><span class="remote-image-site">'
                f"{escape(label(site))}</span>{described} "
                f'<a class="remote-image-load" href="{src}" data-alt="{alt}" '
                f'rel="nofollow ugc noopener noreferrer" target="_blank">{escape(action)}</a>'
                f"</span>")

    return Markup(_IMG.sub(placeholder, html))
