"""Which engine answers searches, and what each must offer.

Two engines: Whoosh, an index folder beside the app (the default on SQLite), and PostgreSQL's
own full-text search (the default when the database is PostgreSQL: every web host reads the
same vectors, written in the transaction that writes the post). ``SEARCH_BACKEND`` ("whoosh",
"postgres", or "auto", the default) forces either; PostgreSQL's needs a PostgreSQL database.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from flask import Flask, current_app
from markupsafe import Markup

WHOOSH = "whoosh"
POSTGRES = "postgres"
AUTO = "auto"
EXTENSION = "agora_search_backend"


def choose(setting: str | None, database_url: str) -> str:
    """The engine for ``SEARCH_BACKEND`` and the database: raises ``RuntimeError`` at startup
    for a name it does not know, or PostgreSQL's engine on another database."""
    name = (setting or AUTO).strip().lower()
    on_postgres = database_url.startswith("postgresql")
    if name == AUTO:
        return POSTGRES if on_postgres else WHOOSH
    if name not in (WHOOSH, POSTGRES):
        raise RuntimeError(f"SEARCH_BACKEND must be {AUTO}, {WHOOSH} or {POSTGRES}, not {name!r}")
    if name == POSTGRES and not on_postgres:
        raise RuntimeError("SEARCH_BACKEND=postgres needs a PostgreSQL DATABASE_URL")
    return name


def init_app(app: Flask) -> None:
    app.config.setdefault("SEARCH_BACKEND", AUTO)
    app.extensions[EXTENSION] = choose(app.config["SEARCH_BACKEND"],
                                       str(app.config["SQLALCHEMY_DATABASE_URI"]))


def name(app: Flask | None = None) -> str:
    """The engine this app searches with: ``WHOOSH`` or ``POSTGRES``."""
    return (app or current_app).extensions.get(EXTENSION, WHOOSH)


@dataclass(frozen=True)
class Page:
    post_ids: list[int]
    total: int
    page: int
    pages: int
    # The total is the engine's estimate (a common word at a large forum), not a count, and
    # only the ``ranked`` newest matches are ranked and paged through.
    estimated: bool = False
    ranked: int = 0


@dataclass(frozen=True)
class Shown:
    """A result's title and text as shown, with the searched words marked."""

    title: str
    text: str
    language: str


class Marker(Protocol):
    def mark(self, shown: Sequence[Shown]) -> list[tuple[Markup, Markup]]:
        """Each result's marked title and snippet, in order."""


@dataclass
class Found:
    page: Page
    marker: Marker
    # The page's (Post, Thread, User) rows when the engine read them with the page (saving the
    # search page a statement), else None and they are loaded by id.
    rows: list | None = None


class Engine(Protocol):
    """One search engine: the page of results of a query the viewer may see, and rebuilding
    what it searches from the database."""

    def find(self, text: str, parsed, filters, scope, *, sort: str, page: int) -> Found:
        """``text`` as typed, ``parsed`` as ``index.parse_query`` checked it. Raises
        ``limits.QuerySyntaxError`` (``TooBroad`` when over its bounds)."""

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        """Rebuild from the database; returns the posts written."""
