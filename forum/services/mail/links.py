"""Absolute links for mail. A message may be rendered by a command (run-timers, the worker)
with no request to take the forum's address from: ``FORUM_URL`` names it then, and always
wins when set (behind a proxy the request's host may not be the one members use)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

FALLBACK = "http://localhost:5000"


def _adapter(base: str):
    kept = current_app.extensions.get("agora_mail_urls")
    if kept is not None and kept[0] == base:
        return kept[1]
    parts = urlsplit(base)
    adapter = current_app.url_map.bind(parts.netloc, script_name=parts.path or "/",
                                       url_scheme=parts.scheme or "https")
    current_app.extensions["agora_mail_urls"] = (base, adapter)
    return adapter


def external_url(endpoint: str, **values) -> str:
    base = current_app.config.get("FORUM_URL")
    if not base and (has_request_context() or current_app.config.get("SERVER_NAME")):
        return url_for(endpoint, _external=True, **values)
    return _adapter(base or FALLBACK).build(endpoint, values, force_external=True)
