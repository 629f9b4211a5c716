"""Reading site settings: the policy and every service ask here; administrators change them
through ``services.site.settings``.

Values are read once per request (one query for all of them) and kept in ``flask.g``; a
setting nobody changed answers with its default from ``models.settings.SETTINGS``.
"""
from __future__ import annotations

import time
from typing import Any
from weakref import WeakKeyDictionary

from flask import current_app, g, has_app_context
from sqlalchemy import select

from ..extensions import db
from ..models import SETTINGS, Setting, SettingSpec
from . import kept_version

_CACHE = "_agora_settings"


# Settings are read on most pages and change rarely: each process keeps them for a few
# seconds (``SETTINGS_CACHE_SECONDS``), so a change reaches every worker within that time and
# the process that made it at once; with Redis, every worker at once (``kept_version``).
# Keyed by app, so apps in one process never share values.
_PROCESS_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def _stored() -> dict[str, Any]:
    cached = g.get(_CACHE)
    if cached is not None:
        return cached
    app = current_app._get_current_object()
    ttl = app.config.get("SETTINGS_CACHE_SECONDS", 5)
    entry = _PROCESS_CACHE.get(app)
    now = time.monotonic()
    version = kept_version.current()
    if entry is not None and now - entry[0] < ttl and kept_version.usable(entry[1]):
        cached = entry[2]
    else:
        cached = {row.name: row.value for row in db.session.scalars(select(Setting))}
        if version is not None:
            _PROCESS_CACHE[app] = (now, version, cached)
    setattr(g, _CACHE, cached)
    return cached


def clear_cache() -> None:
    g.pop(_CACHE, None)
    if has_app_context():
        _PROCESS_CACHE.pop(current_app._get_current_object(), None)


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


def document_version(name: str) -> int:
    """The current version of a site document (``rules``, ``privacy``); 0 while none is
    published. Kept as a setting row without a declaration, so the settings page leaves it
    alone and reading it costs no query beyond the settings a page already reads."""
    value = _stored().get(f"{name}_version")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def documents_accepted(user) -> bool:
    """Whether ``user`` has accepted the current rules and privacy notice (or none exist)."""
    return (user.rules_version or 0) >= document_version("rules") and (
        user.privacy_version or 0) >= document_version("privacy")


def kept(name: str) -> Any:
    """A row the forum keeps for itself among the settings (undeclared, so the settings page
    leaves it alone), as stored; None while there is none. Costs no query beyond the settings
    a page already reads."""
    return _stored().get(name)
