"""Matching watched words and link domains in a text.

Administrators type plain words and phrases; the only special character is ``*``, a run of
letters inside a word (``spam*`` finds "spammer"). Everything else is matched literally, so
nothing typed into the form is ever a regular expression. Words match whole: ``ass`` is not
found in "class", ``Müll`` not in "Müller" (``\\w`` knows every script), and letter case does
not matter.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from urllib.parse import urlsplit

# A word's edge: no letter, digit or underscore right before or after it.
_BEFORE = r"(?<!\w)"
_AFTER = r"(?!\w)"
# Links in the Markdown source (with or without a scheme) and in the rendered HTML.
_SOURCE_URL = re.compile(r"(?:https?|ftp)://[^\s<>()\[\]\"']+|\bwww\.[^\s<>()\[\]\"']+", re.I)
_HREF = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def normalize_pattern(pattern: str) -> str:
    """A pattern as stored: single spaces, case folded, runs of ``*`` as one."""
    pattern = " ".join(pattern.split()).casefold()
    return re.sub(r"\*+", "*", pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why a word pattern cannot be used (an English key the caller words), or None."""
    if not pattern:
        return "empty"
    for word in pattern.split(" "):
        letters = word.replace("*", "")
        if len(letters) < 2:
            return "too_wild"
        if not all(char.isalnum() or char in "*-'’._&+" for char in word):
            return "characters"
    return None


def normalize_domain(domain: str) -> str:
    """A domain as stored: lower case, without a scheme, path, port or leading dot."""
    domain = domain.strip().lower()
    if "://" in domain:
        domain = urlsplit(domain).hostname or ""
    domain = domain.split("/")[0].split(":")[0].strip(".")
    if domain.startswith("*."):
        domain = domain[2:]
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    return domain


def domain_valid(domain: str) -> bool:
    return bool(_DOMAIN.match(domain))


def word_regex(pattern: str) -> str:
    """The regular expression for a stored pattern: each character escaped, ``*`` letters
    inside a word, a space any run of whitespace, whole words only."""
    words = []
    for word in pattern.split(" "):
        words.append("".join(r"\w*" if char == "*" else re.escape(char) for char in word))
    return _BEFORE + r"\s+".join(words) + _AFTER


@dataclass(frozen=True)
class Entry:
    id: int
    pattern: str
    action: str
    replacement: str | None
    is_domain: bool


class Watchlist:
    """Every entry compiled once: one expression for all the words (each entry a group, so
    a match says which one), and the domains as a set."""

    def __init__(self, entries: list[Entry]) -> None:
        self.words = [entry for entry in entries if not entry.is_domain]
        self.domains = {entry.pattern: entry for entry in entries if entry.is_domain}
        self._regex = (re.compile("|".join(f"({word_regex(entry.pattern)})"
                                           for entry in self.words), re.IGNORECASE)
                       if self.words else None)

    def __bool__(self) -> bool:
        return bool(self.words or self.domains)

    def find(self, text: str) -> list[Entry]:
        """The word entries found in ``text``, each once, in the order first found."""
        if self._regex is None or not text:
            return []
        found: dict[int, Entry] = {}
        for match in self._regex.finditer(text):
            entry = self.words[match.lastindex - 1]
            found.setdefault(entry.id, entry)
        return list(found.values())

    def replace(self, text: str) -> str:
        """``text`` with every word whose action is "replace" censored."""
        if self._regex is None or not text:
            return text

        def censor(match: re.Match) -> str:
            entry = self.words[match.lastindex - 1]
            if entry.action != "replace":
                return match.group(0)
            return entry.replacement or "***"

        return self._regex.sub(censor, text)

    def find_domains(self, source: str, html: str = "") -> list[Entry]:
        """The domain entries whose domain (or a subdomain of it) a link points to."""
        if not self.domains:
            return []
        found: dict[int, Entry] = {}
        for host in link_hosts(source, html):
            labels = host.split(".")
            for start in range(len(labels) - 1):
                entry = self.domains.get(".".join(labels[start:]))
                if entry is not None:
                    found.setdefault(entry.id, entry)
        return list(found.values())


def link_hosts(source: str, html: str = "") -> set[str]:
    """The host names the links of a post point to, from its source and its rendered HTML."""
    urls = _SOURCE_URL.findall(source or "")
    urls += [unescape(url) for url in _HREF.findall(html or "")]
    hosts = set()
    for url in urls:
        if url.lower().startswith("www."):
            url = "http://" + url
        try:
            host = urlsplit(url).hostname
        except ValueError:
            continue
        if host:
            hosts.add(normalize_domain(host))
    return hosts
