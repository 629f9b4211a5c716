"""Webhooks as administrators keep them: registering, editing, stopping and starting, the
secret (shown when made, revealed or replaced on request), a test delivery, the delivery log
and sending a delivery again. Every change is logged in its own transaction.

The log names a hook by its number and host, never its whole address: receivers often put a
token in the path, and moderators read the log too."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, select, update

from ...common.paging import page_count
from ...database import commit
from ...errors import InvalidField, NotFound, Refused, require
from ...extensions import db
from ...models import (
    CHOOSABLE_EVENTS,
    DeliveryStatus,
    User,
    Webhook,
    WebhookDelivery,
    WebhookEvent,
    utcnow,
)
from ...policy import Policy
from .. import audit
from . import addresses, delivery, queue, signing

DESCRIPTION_MAX = 200
LOG_PER_PAGE = 30


@dataclass(frozen=True)
class HookData:
    url: str
    description: str = ""
    events: list[str] = field(default_factory=list)
    is_staff_only: bool = False


def host(url: str) -> str:
    try:
        return addresses.parse(url).hostname or ""
    except addresses.AddressRefused:
        return ""


def _checked(data: HookData) -> dict:
    """The values to store. Refuses (``InvalidField``, 400) a URL that is no http(s) address
    or whose host is unknown or not public (unless allowed), a long description, no events
    or unknown ones."""
    url = (data.url or "").strip()
    try:
        parts = addresses.parse(url)
        addresses.resolve(parts.hostname or "",
                          parts.port or (443 if parts.scheme == "https" else 80))
    except addresses.AddressRefused as refused:
        raise InvalidField("url", refused.reason) from None
    description = " ".join((data.description or "").split())
    if len(description) > DESCRIPTION_MAX:
        raise InvalidField("description", _("The description can be at most %(max)d "
                                            "characters.", max=DESCRIPTION_MAX))
    choosable = [str(event) for event in CHOOSABLE_EVENTS]
    events = [code for code in choosable if code in set(data.events or [])]
    if not data.events:
        raise InvalidField("events", _("Choose at least one event to send."))
    if len(events) != len(set(data.events)):
        raise InvalidField("events", _("Choose events from the list."))
    return {"url": url, "description": description, "events": events,
            "is_staff_only": bool(data.is_staff_only)}


def _logged(hook: Webhook | dict) -> dict:
    values = hook if isinstance(hook, dict) else {
        "url": hook.url, "description": hook.description, "events": list(hook.events),
        "is_staff_only": hook.is_staff_only}
    return {"host": host(values["url"]), "description": values["description"],
            "events": list(values["events"]), "staff_only": values["is_staff_only"]}


def listing(viewer: Policy) -> list[Webhook]:
    require(viewer.can_manage_webhooks())
    return list(db.session.scalars(select(Webhook).order_by(Webhook.id)))


def get(viewer: Policy, hook_id: int) -> Webhook:
    require(viewer.can_manage_webhooks())
    hook = db.session.get(Webhook, hook_id)
    if hook is None:
        raise NotFound(_("There is no such webhook; it may have been deleted."))
    return hook


def create(actor: User, data: HookData, now: datetime | None = None) -> Webhook:
    """Register a hook with a new secret (``webhook.create``). Refuses: anyone but
    administrators (403), input as ``_checked`` says (400)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    values = _checked(data)
    hook = Webhook(**values, secret=signing.new_secret(), is_active=True, failure_count=0,
                   created_at=now, created_by_id=actor.id)
    db.session.add(hook)
    db.session.flush()
    audit.record(actor, "webhook.create", hook, now=now, after=_logged(values))
    commit()
    return hook


def update_hook(actor: User, hook: Webhook, data: HookData,
                now: datetime | None = None) -> Webhook:
    """Change address, description, events or the staff-only mark (``webhook.edit``).
    Deliveries already queued keep what they were built with. Refuses as ``create``."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    values = _checked(data)
    before = _logged(hook)
    for name, value in values.items():
        setattr(hook, name, value)
    audit.record(actor, "webhook.edit", hook, now=now, before=before, after=_logged(values))
    commit()
    return hook


def set_active(actor: User, hook: Webhook, active: bool,
               now: datetime | None = None) -> Webhook:
    """Start (``webhook.enable``: its count of failures starts again) or stop
    (``webhook.disable``: its waiting deliveries fail) a hook. Doing it twice changes
    nothing and logs nothing."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    changed = db.session.execute(
        update(Webhook).where(Webhook.id == hook.id, Webhook.is_active.is_(not active))
        .values(is_active=active, failure_count=0 if active else Webhook.failure_count,
                disabled_at=None if active else now, disabled_reason=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if changed:
        if not active:
            delivery.fail_waiting(hook.id, now)
        audit.record(actor, "webhook.enable" if active else "webhook.disable", hook, now=now,
                     before={"state": "disabled" if active else "enabled"},
                     after={"state": "enabled" if active else "disabled"})
    commit()
    db.session.refresh(hook)
    return hook


def delete_hook(actor: User, hook: Webhook, now: datetime | None = None) -> None:
    """Remove a hook and its delivery log (``webhook.delete``)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    audit.record(actor, "webhook.delete", hook, now=now, before=_logged(hook))
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id))
    db.session.delete(hook)
    commit()


def rotate_secret(actor: User, hook: Webhook, now: datetime | None = None) -> str:
    """A new secret, in force for every attempt from now on (``webhook.rotate_secret``)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    hook.secret = signing.new_secret()
    audit.record(actor, "webhook.rotate_secret", hook, now=now)
    commit()
    return hook.secret


def reveal_secret(actor: User, hook: Webhook, now: datetime | None = None) -> str:
    """The secret, for an administrator setting up the receiver (``webhook.reveal_secret``:
    who saw it is on record)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    audit.record(actor, "webhook.reveal_secret", hook, now=now)
    commit()
    return hook.secret


def send_test(actor: User, hook: Webhook, now: datetime | None = None) -> WebhookDelivery:
    """Queue a ``ping`` and try it at once (``webhook.test``); the delivery tells how it
    went. Refuses a stopped hook (409)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    if not hook.is_active:
        raise Refused(_("This webhook is stopped. Start it first, then send a test."),
                      status=409)
    event_id = uuid.uuid4().hex
    text = queue.body(WebhookEvent.PING, event_id,
                      {"hook": {"id": hook.id}, "message": "Hello from Agora."}, now)
    ping = WebhookDelivery(**queue.row(hook.id, WebhookEvent.PING, event_id, text, now))
    db.session.add(ping)
    db.session.flush()
    audit.record(actor, "webhook.test", hook, now=now)
    commit()
    ping_id = ping.id
    delivery.deliver_one(ping_id)
    return db.session.get(WebhookDelivery, ping_id)


def redeliver(actor: User, hook: Webhook, delivery_id: int,
              now: datetime | None = None) -> WebhookDelivery:
    """Queue a finished delivery again, due at once with a fresh count of attempts and the
    same body and event id (``webhook.redeliver``). Refuses: an unknown delivery or one of
    another hook (404), one still waiting or being sent (409), a stopped hook (409)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_webhooks())
    found = db.session.get(WebhookDelivery, delivery_id)
    if found is None or found.webhook_id != hook.id:
        raise NotFound(_("There is no such delivery."))
    if not hook.is_active:
        raise Refused(_("This webhook is stopped. Start it first, then send again."),
                      status=409)
    claimed = db.session.execute(
        update(WebhookDelivery.__table__)
        .where(WebhookDelivery.id == delivery_id,
               WebhookDelivery.status.in_([DeliveryStatus.FAILED.value,
                                           DeliveryStatus.DELIVERED.value]))
        .values(status=DeliveryStatus.QUEUED.value, attempts=0, next_attempt_at=now,
                finished_at=None)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Refused(_("This delivery is waiting or being sent already."), status=409)
    audit.record(actor, "webhook.redeliver", hook, now=now,
                 after={"delivery": delivery_id, "event": found.event})
    commit()
    db.session.refresh(found)
    return found


@dataclass(frozen=True)
class DeliveryLog:
    items: list[WebhookDelivery]
    page: int
    pages: int
    total: int
    counts: dict[DeliveryStatus, int]


def delivery_log(viewer: Policy, hook: Webhook, page: int = 1) -> DeliveryLog:
    """A hook's deliveries, newest first, with the count of each state: two queries."""
    require(viewer.can_manage_webhooks())
    rows = db.session.execute(
        select(WebhookDelivery.status, func.count()).where(WebhookDelivery.webhook_id == hook.id)
        .group_by(WebhookDelivery.status)).all()
    counts = {state: 0 for state in DeliveryStatus}
    counts.update({DeliveryStatus(state): n for state, n in rows if state in set(DeliveryStatus)})
    total = sum(counts.values())
    pages = page_count(total, LOG_PER_PAGE)
    if page > pages:
        raise NotFound(_("That page of the log doesn't exist."))
    items = list(db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_id == hook.id)
        .order_by(WebhookDelivery.id.desc())
        .limit(LOG_PER_PAGE).offset((page - 1) * LOG_PER_PAGE)))
    return DeliveryLog(items, page, pages, total, counts)


def describe_failures(hook: Webhook) -> str:
    return ngettext("%(num)d failed attempt in a row", "%(num)d failed attempts in a row",
                    hook.failure_count)
