"""Notification mail: each member chooses, per topic of notification, the bell only, an email
at once, or the daily or weekly digest (``topics``, ``preferences``); ``forum run-timers`` and
``forum worker`` queue what is due (``at_once``, ``digest``), and the mail core sends it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ...models import utcnow
from . import at_once, digest, preferences  # noqa: F401  (preferences registers its scopes)


@dataclass(frozen=True)
class MailRun:
    at_once: int
    digests: int


def queue_due(now: datetime | None = None) -> MailRun:
    """Queue every notification mail due at ``now`` (the mail core sends it)."""
    now = now or utcnow()
    return MailRun(at_once=at_once.send_due(now), digests=digest.send_due(now))
