"""Searching with Whoosh (``index``): the engine on SQLite and wherever one host serves."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from markupsafe import Markup

from . import limits
from .backend import Found, Shown
from .index import Highlighter, bounded, exclusions, narrow, run
from .sync import current_index, rebuild


class _Marks:
    def __init__(self, highlighter: Highlighter) -> None:
        self.highlighter = highlighter

    def mark(self, shown: Sequence[Shown]) -> list[tuple[Markup, Markup]]:
        return [(self.highlighter.title(item.title, item.language),
                 self.highlighter.snippet(item.text, item.language)) for item in shown]


class WhooshEngine:
    def find(self, text, parsed, filters, scope, *, sort: str, page: int) -> Found:
        state = current_index()
        searcher = state.searcher()
        ready = bounded(searcher, parsed)
        found = run(searcher, narrow(ready, filters), exclude=exclusions(scope), sort=sort,
                    page=page, cache=state.cache, deadline=limits.deadline())
        return Found(found, _Marks(Highlighter(searcher, ready)))

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        return rebuild(progress)[0]
