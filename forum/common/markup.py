"""Markdown in, safe HTML out, once at write time.

CommonMark with tables, strikethrough and autolinks, then bleach with an allowlist. The stored
HTML is what pages render; nothing here runs on a page view.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from urllib.parse import quote as url_quote

import bleach
from bleach.linkifier import LinkifyFilter
from flask_babel import gettext as _
from markdown_it import MarkdownIt
from markdown_it.token import Token

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
    if tag == "a" and name == "class":
        return value == "mention"
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


# "@name" where a name starts (not inside a word, an address or another mention): letters and
# digits of any script with ".", "_" and "-" inside, as usernames are (``common.usernames``).
_MENTION = re.compile(r"(?<![\w@/.+-])@(\w(?:[\w.-]*\w)?)")

# Finds the username a written name belongs to (any case or normalisation), or None.
Resolver = Callable[[str], "str | None"]


def _markdown(source: str, resolve: Resolver | None = None) -> str:
    tokens = _md.parse(source)
    for token in tokens:
        # Table alignment arrives as inline style; a class keeps styles out of the allowlist.
        if token.type in {"th_open", "td_open"} and token.attrs.get("style"):
            align = str(token.attrs.pop("style")).removeprefix("text-align:")
            token.attrs["class"] = f"align-{align}"
        if resolve is not None and token.type == "inline" and token.children:
            token.children = _linked_mentions(token.children, resolve)
    return _md.renderer.render(tokens, _md.options, {})


def _linked_mentions(children: list[Token], resolve: Resolver) -> list[Token]:
    """Text tokens with "@name" of a member made into links to their profile; code spans and
    the text of links stay as written."""
    result: list[Token] = []
    in_link = 0
    for child in children:
        if child.type == "link_open":
            in_link += 1
        elif child.type == "link_close":
            in_link -= 1
        if child.type != "text" or in_link or "@" not in child.content:
            result.append(child)
            continue
        text, at = child.content, 0
        for match in _MENTION.finditer(text):
            username = resolve(match[1])
            if username is None:
                continue
            if match.start() > at:
                result.append(Token("text", "", 0, content=text[at:match.start()]))
            result.append(Token("link_open", "a", 1, attrs={
                "href": f"/u/{url_quote(username, safe='')}", "class": "mention"}))
            result.append(Token("text", "", 0, content=match[0]))
            result.append(Token("link_close", "a", -1))
            at = match.end()
        if at < len(text):
            result.append(Token("text", "", 0, content=text[at:]))
    return result


def render(source: str, mentions: Resolver | None = None) -> str:
    """Markdown source to sanitised HTML. Raw HTML in the source is shown as text, never trusted.
    With ``mentions``, "@name" of a member (the resolver knows whom) links to their profile."""
    return _cleaner.clean(_markdown(source or "", mentions)).strip()


@dataclass(frozen=True)
class Mention:
    """An "@name" in a post's text, and whether it stands inside a quote."""

    name: str
    quoted: bool


def mentions(source: str) -> list[Mention]:
    """Every "@name" in the text as written, in order, each name once (first place wins),
    leaving out code spans, code blocks and the text of links."""
    tokens = _md.parse(source or "")
    found: dict[str, Mention] = {}
    depth = 0
    for token in tokens:
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
        if token.type != "inline" or not token.children:
            continue
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                for match in _MENTION.finditer(child.content):
                    name = match[1]
                    if name not in found or (found[name].quoted and not depth):
                        found[name] = Mention(name, quoted=depth > 0)
    return list(found.values())


# Elements that start a line of their own when the HTML is shown, so their edges part words;
# every other element (em, strong, a, code…) sits inside a line and parts nothing:
# "<em>only</em>, use" reads "only, use". img counts too, as the picture stands between words.
_BLOCKS = frozenset({
    "p", "br", "hr", "li", "ul", "ol", "blockquote", "pre", "div",
    "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tfoot", "tr", "th", "td", "caption", "img",
})
_SPACE = re.compile(r"\s+")


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """Readable text from stored HTML on one line, the way it reads on the page: for excerpts
    in the queue, reports and profiles, search snippets and the search index alike."""
    collector = _TextCollector()
    collector.feed(html or "")
    collector.close()
    return _SPACE.sub(" ", "".join(collector.parts)).strip()


def excerpt(html: str, length: int = 160) -> str:
    text = plain_text(html)
    if len(text) <= length:
        return text
    return text[: length - 1].rsplit(" ", 1)[0] + "…"


# Characters that would change how a name reads inside the header's link text.
_NAME_SPECIALS = re.compile(r"([\\`*_\[\]<>&~])")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
# The header line a quote starts with: "**[Name](/p/12)** wrote:", or "**Name** wrote:" as
# written before quotes carried the post they came from. The verb is in the language of
# whoever quoted ("schrieb:" in German): a linked header is known by its link and takes any
# one word; an unlinked one only the verbs the translations use.
_QUOTE_VERBS = ("wrote", "schrieb")
_QUOTE_HEADER = re.compile(
    r"^\*\*(?:\[(?P<linked>(?:\\.|[^\\\]])+)\]\(/p/(?P<post_id>[0-9]{1,18})\)\*\* [^\s*]{1,24}"
    r"|(?P<name>.+)\*\* (?:" + "|".join(_QUOTE_VERBS) + r")):$"
)


def quote(author: str, source: str, post_id: int | None = None) -> str:
    """Markdown that quotes a post, for the reply form. With ``post_id`` the author's name
    links to the quoted post, which is how ``quotes`` later knows whom to tell."""
    body = "\n".join(f"> {line}" if line else ">" for line in source.strip().splitlines())
    if post_id is None:
        return _("%(name)s wrote:", name=f"**{author}**") + f"\n{body}\n\n"
    name = _NAME_SPECIALS.sub(r"\\\1", author)
    header = _("%(name)s wrote:", name=f"**[{name}](/p/{post_id})**")
    return f"{header}\n{body}\n\n"


@dataclass(frozen=True)
class QuoteRef:
    """One quote in a post: the quoted post's id when the header links to it, and the name."""

    name: str
    post_id: int | None = None


def quotes(source: str) -> list[QuoteRef]:
    """The quotes a post opens itself, in order, each once. Only headers in the post's own
    text count: one inside a quote (a quote of a quote), a code block or a list was not
    written by quoting, so nobody is told about it."""
    tokens = _md.parse(source or "")
    found: list[QuoteRef] = []
    for index, token in enumerate(tokens[:-2]):
        # A top-level paragraph whose last line is a header, directly followed by the quote.
        if token.type != "inline" or token.level != 1:
            continue
        if tokens[index - 1].type != "paragraph_open":
            continue
        if tokens[index + 2].type != "blockquote_open":
            continue
        match = _QUOTE_HEADER.match(token.content.rsplit("\n", 1)[-1].strip())
        if match is None:
            continue
        if match["post_id"] is not None:
            ref = QuoteRef(_ESCAPED.sub(r"\1", match["linked"]), int(match["post_id"]))
        else:
            ref = QuoteRef(match["name"])
        if ref not in found:
            found.append(ref)
    return found
