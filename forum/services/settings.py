"""Reading and changing site settings.

Values are read once per request (one query for all of them) and kept in ``flask.g``; a
setting nobody changed answers with its default from ``models.settings.SETTINGS``.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import g
from sqlalchemy import select

from ..errors import Refused, require
from ..extensions import db
from ..models import SETTINGS, Setting, SettingSpec, User, utcnow
from ..permissions import Policy
from . import audit

_CACHE = "_agora_settings"


def _stored() -> dict[str, Any]:
    cached = g.get(_CACHE)
    if cached is None:
        cached = {row.name: row.value for row in db.session.scalars(select(Setting))}
        setattr(g, _CACHE, cached)
    return cached


def clear_cache() -> None:
    g.pop(_CACHE, None)


def _spec(name: str) -> SettingSpec:
    try:
        return SETTINGS[name]
    except KeyError:
        raise KeyError(f"no setting named {name!r}; declare it in models/settings.py") from None


def get(name: str) -> Any:
    """The setting's value; a stored value that no longer parses falls back to the default."""
    spec = _spec(name)
    stored = _stored()
    if name not in stored:
        return spec.default
    try:
        return spec.parse(stored[name])
    except ValueError:
        return spec.default


def all_settings() -> list[tuple[SettingSpec, Any]]:
    """Every setting with its current value, in declaration order, for the admin page."""
    return [(spec, get(spec.name)) for spec in SETTINGS.values()]


def update(actor: User, changes: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Change settings (form text or typed values), logging each real change as
    ``setting.change``. Returns the changed settings' new values.

    Refuses: anyone but administrators (403); an unknown setting or a value out of range (400,
    naming the setting; nothing is saved).
    """
    require(Policy(actor).can_manage_settings())
    now = now or utcnow()
    parsed: dict[str, Any] = {}
    for name, raw in changes.items():
        if name not in SETTINGS:
            raise Refused(f"There is no setting called {name}.", status=400)
        try:
            parsed[name] = SETTINGS[name].parse(raw)
        except ValueError as error:
            raise Refused(str(error), status=400) from None
    changed: dict[str, Any] = {}
    for name, value in parsed.items():
        old = get(name)
        if value == old:
            continue
        row = db.session.get(Setting, name)
        if row is None:
            row = Setting(name=name)
            db.session.add(row)
        row.value = value
        row.updated_at = now
        row.updated_by_id = actor.id
        audit.record(actor, "setting.change", row, before={"value": old},
                     after={"value": value}, now=now)
        changed[name] = value
    db.session.commit()
    _stored().update(changed)
    return changed
