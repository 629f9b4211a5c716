"""A member's own data as one JSON document (the right of access and to portability).

Each domain registers the section it owns next to its other rules, so a later feature adds its
data in one place: ``register_section("bookmarks", bookmarks_of)`` in its own module. A section
is a function of the member returning JSON-ready values (times as ISO 8601 strings, ``iso``),
and reads with a fixed number of queries whatever the member wrote.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ..models import User, utcnow

FORMAT = "agora-export/1"

Section = Callable[[User], Any]
_sections: dict[str, Section] = {}


def register_section(name: str, function: Section) -> Section:
    """Add a section to every export. A name is registered once (a second is a mistake)."""
    if name in _sections and _sections[name] is not function:
        raise ValueError(f"an export section named {name!r} is already registered")
    _sections[name] = function
    return function


def section(name: str) -> Callable[[Section], Section]:
    """The decorator form of ``register_section``."""
    return lambda function: register_section(name, function)


def section_names() -> list[str]:
    return sorted(_sections)


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def export(user: User, now: datetime | None = None) -> dict:
    """Every registered section for ``user``, in name order."""
    return {
        "format": FORMAT,
        "exported_at": iso(now or utcnow()),
        "account_id": user.id,
        **{name: _sections[name](user) for name in section_names()},
    }


def export_json(user: User, now: datetime | None = None) -> str:
    return json.dumps(export(user, now), ensure_ascii=False, indent=2)
