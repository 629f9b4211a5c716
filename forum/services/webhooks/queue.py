"""Queuing: an event becomes one delivery row per hook that chose it, added to the caller's
transaction, so a delivery exists exactly when the change it tells of does (a change rolled
back takes its deliveries with it).

Every event is built twice when some hook wants it: what anyone may read (``public``) and
what the team may read (``staff``: reporters, reasons, private boards). Hooks marked
staff-only get the second; the others the first, or nothing when the subject itself is
private (``public`` is None)."""
from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select

from ...common import timefmt
from ...extensions import db
from ...models import DeliveryStatus, Webhook, WebhookDelivery, WebhookEvent, utcnow
from ...stores import settings
from ..mail import links

# Both versions of an event's ``data``; ``public`` None keeps it from hooks not staff-only.
Versions = tuple[dict[str, Any] | None, dict[str, Any]]


def iso(moment: datetime | None) -> str | None:
    """Moments in payloads: UTC, ISO 8601 to the second with a Z, as the API writes them."""
    return timefmt.machine(moment) if moment is not None else None


def body(event: WebhookEvent | str, event_id: str, data: dict[str, Any],
         now: datetime) -> str:
    """The JSON every delivery carries: the same envelope for every event."""
    return json.dumps({
        "id": event_id,
        "event": str(event),
        "created_at": iso(now),
        "forum": {"name": settings.get("forum_name"), "url": links.external_url("boards.index")},
        "data": data,
    }, ensure_ascii=False, separators=(",", ":"))


def row(hook_id: int, event: WebhookEvent | str, event_id: str, text: str,
        now: datetime) -> dict[str, Any]:
    return dict(webhook_id=hook_id, event=str(event), event_id=event_id, body=text,
                created_at=now, status=DeliveryStatus.QUEUED.value, attempts=0,
                next_attempt_at=now)


def emit(event: WebhookEvent, build: Callable[[], Versions],
         now: datetime | None = None) -> int:
    """Queue ``event`` for every active hook that chose it (one query when none did; the
    payload is built only when one did). Returns how many deliveries were queued."""
    hooks = db.session.execute(
        select(Webhook.id, Webhook.events, Webhook.is_staff_only)
        .where(Webhook.is_active.is_(True))
    ).all()
    wanted = [hook for hook in hooks if str(event) in (hook.events or [])]
    if not wanted:
        return 0
    now = now or utcnow()
    public, staff = build()
    event_id = uuid.uuid4().hex
    texts: dict[bool, str] = {True: body(event, event_id, staff, now)}
    if public is not None:
        texts[False] = body(event, event_id, public, now)
    rows = [row(hook.id, event, event_id, texts[bool(hook.is_staff_only)], now)
            for hook in wanted if bool(hook.is_staff_only) in texts]
    if rows:
        db.session.execute(insert(WebhookDelivery.__table__), rows)
    return len(rows)
