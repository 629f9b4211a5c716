"""Markdown in, safe HTML out, once at write time.

CommonMark with tables, strikethrough and autolinks, then bleach with an allowlist. The stored
HTML is what pages render; nothing here runs on a page view.
"""
from __future__ import annotations

import html as html_lib
import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "img", "sup", "sub",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "img": ["src", "alt", "title"],
    "code": ["class"],
    "th": ["class"],
    "td": ["class"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_CODE_CLASS = re.compile(r"^language-[\w+#.-]{1,32}$")

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable(
    ["table", "strikethrough"]
)


def _set_rel(attrs, new=False):
    href_key = (None, "href")
    href = attrs.get(href_key, "")
    if not href.startswith(("http:", "https:", "mailto:")) and not href.startswith("/"):
        return attrs
    attrs[(None, "rel")] = LINK_REL
    return attrs


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "code" and name == "class":
        return bool(_CODE_CLASS.match(value))
    if tag in {"th", "td"} and name == "class":
        return value in {"align-left", "align-center", "align-right"}
    return name in ALLOWED_ATTRIBUTES.get(tag, ())


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allow_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags=["pre", "code"],
                     parse_email=False)],
)


def _markdown(source: str) -> str:
    tokens = _md.parse(source)
    for token in tokens:
        # Table alignment arrives as inline style; a class keeps styles out of the allowlist.
        if token.type in {"th_open", "td_open"} and token.attrs.get("style"):
            align = str(token.attrs.pop("style")).removeprefix("text-align:")
            token.attrs["class"] = f"align-{align}"
    return _md.renderer.render(tokens, _md.options, {})


def render(source: str) -> str:
    """Markdown source to sanitised HTML. Raw HTML in the source is shown as text, never trusted."""
    return _cleaner.clean(_markdown(source or "")).strip()


_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain_text(html: str) -> str:
    """Readable text from stored HTML, for excerpts and the search index."""
    return _SPACE.sub(" ", html_lib.unescape(_TAG.sub(" ", html or ""))).strip()


def excerpt(html: str, length: int = 160) -> str:
    text = plain_text(html)
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"


def quote(author: str, source: str) -> str:
    """Markdown that quotes a post, for the reply form."""
    body = "\n".join(f"> {line}" if line else ">" for line in source.strip().splitlines())
    return f"**{author}** wrote:\n{body}\n\n"
