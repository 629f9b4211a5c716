"""Watched words and link domains: administrators keep the list, every new thread, reply and
edit is screened against it.

The list is compiled once and kept in each process for ``WATCHED_WORDS_CACHE_SECONDS`` (like
settings): a change reaches the process that made it at once and every other worker within
that time (with Redis, at once: ``stores.kept_version``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from weakref import WeakKeyDictionary

from flask import current_app, has_app_context
from flask_babel import gettext as _
from sqlalchemy import select

from ...common import markup
from ...common.watchlist import (
    Entry,
    Watchlist,
    domain_valid,
    normalize_domain,
    normalize_pattern,
    pattern_problem,
)
from ...database import commit
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import WatchedWord, WordAction, utcnow
from ...policy import Policy
from ...stores import kept_version
from .. import audit

REPLACEMENT_MAX = 100
PATTERN_MAX = 100

_PROCESS_CACHE: WeakKeyDictionary = WeakKeyDictionary()


class WordRefused(Refused):
    """A watched word with the action "block": the post is refused, ``field`` names the form
    field whose text has it, so the form shows the message there and keeps the draft."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason, status=400)
        self.field = field


def watchlist() -> Watchlist:
    """The compiled list, from this process's copy while it is fresh."""
    app = current_app._get_current_object()
    ttl = app.config.get("WATCHED_WORDS_CACHE_SECONDS", 30)
    kept = _PROCESS_CACHE.get(app)
    now = time.monotonic()
    version = kept_version.current()
    if kept is not None and now - kept[0] < ttl and kept_version.usable(kept[2]):
        return kept[1]
    rows = db.session.scalars(select(WatchedWord).order_by(WatchedWord.id))
    compiled = Watchlist([Entry(row.id, row.pattern, row.action, row.replacement, row.is_domain)
                          for row in rows])
    if version is not None:
        _PROCESS_CACHE[app] = (now, compiled, version)
    return compiled


def forget() -> None:
    """Drop this process's copy (after a change)."""
    if has_app_context():
        _PROCESS_CACHE.pop(current_app._get_current_object(), None)


# -- screening ---------------------------------------------------------------------------------
@dataclass
class Screening:
    """What the list made of a post: its text with words replaced, and the entries that send it
    to review or open a queue item."""

    title: str | None
    body: str
    review: list[Entry] = field(default_factory=list)
    flag: list[Entry] = field(default_factory=list)

    @property
    def review_words(self) -> str:
        return _listed(self.review)

    @property
    def flag_words(self) -> str:
        return _listed(self.flag)


def _listed(entries: list[Entry]) -> str:
    return ", ".join(entry.pattern for entry in entries)[:300]


def screen(title: str | None, body: str) -> Screening:
    """Check a post (and a thread's title) against the list.

    Refuses (``WordRefused``, 400): a word or a link domain whose action is "block".
    """
    words = watchlist()
    if not words:
        return Screening(title, body)
    title_hits = words.find(title or "")
    body_hits = words.find(body)
    domains = words.find_domains(body, markup.render(body))
    for hits, where in ((title_hits, "title"), (body_hits, "body")):
        for entry in hits:
            if entry.action == WordAction.BLOCK:
                raise WordRefused(where, _(
                    "“%(word)s” isn't allowed here. Please change your text; it is kept below.",
                    word=entry.pattern))
    for entry in domains:
        if entry.action == WordAction.BLOCK:
            raise WordRefused("body", _(
                "Links to %(domain)s aren't allowed here. Please remove them; your text is "
                "kept below.", domain=entry.pattern))
    found = title_hits + [entry for entry in body_hits + domains if entry not in title_hits]
    return Screening(
        title=words.replace(title) if title is not None else None,
        body=words.replace(body),
        review=[entry for entry in found if entry.action == WordAction.REVIEW],
        flag=[entry for entry in found if entry.action == WordAction.FLAG],
    )


# -- the administrators' list ------------------------------------------------------------------
ACTIONS = tuple(action.value for action in WordAction)


def entries(viewer: Policy) -> list[WatchedWord]:
    """Every entry, words first, then domains, alphabetically. Refuses: anyone but
    administrators (login or 403)."""
    require(viewer.can_manage_settings())
    return list(db.session.scalars(
        select(WatchedWord).order_by(WatchedWord.is_domain, WatchedWord.pattern)))


def _clean(pattern: str, is_domain: bool, action: str, replacement: str | None
           ) -> tuple[str, str, str | None]:
    if action not in ACTIONS:
        raise Refused(_("Please choose an action from the list."), status=400)
    if is_domain:
        cleaned = normalize_domain(pattern or "")
        if not domain_valid(cleaned):
            raise Refused(_("Please give a domain such as example.com."), status=400)
        if action == WordAction.REPLACE:
            raise Refused(_("A link domain can be blocked, sent to review or flagged, not "
                            "replaced."), status=400)
    else:
        cleaned = normalize_pattern(pattern or "")
        problem = pattern_problem(cleaned)
        if problem == "empty":
            raise Refused(_("Please give a word or phrase."), status=400)
        if problem == "too_wild":
            raise Refused(_("Each word needs at least two letters besides “*”."), status=400)
        if problem == "characters":
            raise Refused(_("Use letters, digits and “*” only; the list takes words and "
                            "phrases, not patterns."), status=400)
    if len(cleaned) > PATTERN_MAX:
        raise Refused(_("An entry can be at most %(max)s characters.", max=PATTERN_MAX),
                      status=400)
    replacement = " ".join((replacement or "").split()) or None
    if action != WordAction.REPLACE:
        replacement = None
    elif replacement is not None and len(replacement) > REPLACEMENT_MAX:
        raise Refused(_("The replacement can be at most %(max)s characters.",
                        max=REPLACEMENT_MAX), status=400)
    return cleaned, action, replacement


def _taken(pattern: str, is_domain: bool, other_id: int | None) -> bool:
    found = db.session.scalar(select(WatchedWord.id).where(
        WatchedWord.pattern == pattern, WatchedWord.is_domain.is_(is_domain)))
    return found is not None and found != other_id


def add(actor, pattern: str, action: str, *, is_domain: bool = False,
        replacement: str | None = None, now: datetime | None = None) -> WatchedWord:
    """Add an entry, logged as ``words.add``.

    Refuses: anyone but administrators (403); an empty, too wild or malformed pattern, an
    unknown action, a domain to replace (400); an entry already on the list (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_settings())
    pattern, action, replacement = _clean(pattern, is_domain, action, replacement)
    if _taken(pattern, is_domain, None):
        raise Refused(_("“%(word)s” is on the list already.", word=pattern), status=409)
    entry = WatchedWord(pattern=pattern, is_domain=is_domain, action=action,
                        replacement=replacement, created_at=now, created_by_id=actor.id)
    db.session.add(entry)
    audit.record(actor, "words.add", None,
                 after={"word": pattern, "word_action": action, "replacement": replacement,
                        "domain": is_domain},
                 now=now)
    commit()
    forget()
    return entry


def get(viewer: Policy, entry_id: int) -> WatchedWord:
    require(viewer.can_manage_settings())
    entry = db.session.get(WatchedWord, entry_id)
    if entry is None:
        raise NotFound(_("That entry isn't on the list (any more)."))
    return entry


def update(actor, entry: WatchedWord, action: str, replacement: str | None = None,
           now: datetime | None = None) -> WatchedWord:
    """Change an entry's action (and replacement), logged as ``words.update``.

    Refuses: as ``add``.
    """
    now = now or utcnow()
    require(Policy(actor).can_manage_settings())
    _pattern, action, replacement = _clean(entry.pattern, entry.is_domain, action, replacement)
    before = {"word": entry.pattern, "word_action": entry.action,
              "replacement": entry.replacement}
    entry.action, entry.replacement = action, replacement
    audit.record(actor, "words.update", None, before=before,
                 after={"word": entry.pattern, "word_action": action,
                        "replacement": replacement}, now=now)
    commit()
    forget()
    return entry


def remove(actor, entry: WatchedWord, now: datetime | None = None) -> None:
    """Take an entry off the list, logged as ``words.remove``. Refuses: as ``add`` (403)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_settings())
    audit.record(actor, "words.remove", None,
                 before={"word": entry.pattern, "word_action": entry.action,
                         "replacement": entry.replacement}, now=now)
    db.session.delete(entry)
    commit()
    forget()
