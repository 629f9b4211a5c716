"""How often one member, or one guest's address, may search (setting ``searches_per_minute``).

A member's searches count against the member wherever they come from, a guest's against
their address: members behind one shared address (an office, a school) do not use up each
other's searches, and a member switching addresses gains nothing.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ...common.timefmt import duration
from ...errors import Refused
from ...stores import ratelimit, settings

WINDOW_SECONDS = 60


def key(actor, address: str | None) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return f"search:user:{actor.id}"
    return f"search:ip:{address or 'unknown'}"


def admit(actor, address: str | None, now: datetime | None = None) -> None:
    """Count one search. Refuses (429 with ``retry_after``) past the minute's limit."""
    limit = settings.get("searches_per_minute")
    if not limit:
        return
    decision = ratelimit.hit_apart(key(actor, address), limit, WINDOW_SECONDS, now)
    if not decision:
        retry = decision.retry_after or 1
        raise Refused(
            _("You've searched very often in the last minute. Please wait %(wait)s and "
              "search again.", wait=duration(retry)),
            status=429, retry_after=retry,
        )
