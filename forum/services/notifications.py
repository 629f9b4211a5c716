"""The notification centre: ``notify`` adds to the caller's transaction; the rest serve the bell
and the list.

    notifications.notify(thread.author, NotificationKind.REPLY, "post.reply",
                         {"name": actor.name, "title": thread.title}, post.url, actor=actor)

A notification is stored as a key of ``notification_texts`` and its parameters, and worded in
the reader's language when shown (``notification_texts.shown``).
"""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload

from ..common.paging import page_count
from ..database import commit
from ..errors import NotFound
from ..extensions import db
from ..models import Notification, NotificationKind, User, utcnow
from . import data_export, notification_texts

LINK_MAX = 300
# Words a moderator typed (a reason, a message) are kept to this length.
WORDS_MAX = 5000


def _fitted(params: dict[str, Any]) -> dict[str, Any]:
    return {name: value[:WORDS_MAX] if isinstance(value, str) else value
            for name, value in params.items() if value is not None}


def notify(recipient: User, kind: NotificationKind | str, key: str,
           params: dict[str, Any] | None = None, link: str | None = None,
           actor: User | None = None, *, now: datetime | None = None) -> Notification | None:
    """Queue a notification in the current transaction (the caller commits): ``key`` names its
    sentence in ``notification_texts``, ``params`` fill it (plain JSON values; moments through
    ``notification_texts.moment``; ``reason`` and ``message`` become the text under it).

    Nobody is notified of their own doing: returns None when ``actor`` is the recipient.
    """
    if not notification_texts.is_key(key):
        raise ValueError(f"no notification text is named {key!r}")
    if actor is not None and actor.id == recipient.id:
        return None
    notification = Notification(
        recipient_id=recipient.id,
        kind=str(kind),
        key=key,
        params=_fitted(params or {}),
        text="",
        link=link if link and len(link) <= LINK_MAX else None,
        actor_id=actor.id if actor is not None else None,
        created_at=now or utcnow(),
    )
    db.session.add(notification)
    return notification


# What ``notify_moderated`` says for each thing a moderator does to a post.
MODERATED = {"hid": "post.hidden", "restored": "post.restored", "edited": "post.edited",
             "deleted": "post.deleted"}


def notify_moderated(post, verb: str, reason: str, now: datetime | None = None) -> None:
    """Tell a post's author that a moderator hid, restored, edited or deleted (``verb``) their
    post, with the reason. Signed by "a moderator": members see what happened and why, not who
    did it."""
    notify(post.author, NotificationKind.MODERATION, MODERATED[verb],
           {"title": post.thread.title, "reason": reason}, post.url, now=now)


@cache
def unread_count_query():
    """The unread count of the member given as the ``viewer_id`` parameter, as a scalar
    subquery, so the page header can ask it together with other counts in one round trip.
    Built once, like the header's statement around it."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == bindparam("viewer_id"),
               Notification.read_at.is_(None))
        .scalar_subquery()
    )


@dataclass(frozen=True)
class NotificationPage:
    items: list[Notification]
    page: int
    pages: int
    total: int


def list_for(user: User, page: int = 1, per_page: int = 30) -> NotificationPage:
    """A member's notifications, newest first, with who caused them: two queries.

    Refuses: a page past the last one (404).
    """
    total = db.session.scalar(
        select(func.count(Notification.id)).where(Notification.recipient_id == user.id)
    ) or 0
    pages = page_count(total, per_page)
    if page < 1 or page > pages:
        raise NotFound(_("That page of your notifications doesn't exist."))
    items = list(
        db.session.scalars(
            select(Notification)
            .where(Notification.recipient_id == user.id)
            .options(joinedload(Notification.actor))
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return NotificationPage(items=items, page=page, pages=pages, total=total)


def mark_read(user: User, ids: Iterable[int], now: datetime | None = None) -> int:
    """Mark some of the member's notifications read; others' ids are ignored. Returns how many
    changed."""
    ids = [int(i) for i in ids]
    if not ids:
        return 0
    changed = db.session.execute(
        update(Notification)
        .where(
            Notification.recipient_id == user.id,
            Notification.id.in_(ids),
            Notification.read_at.is_(None),
        )
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    commit()
    return changed


def mark_all_read(user: User, now: datetime | None = None) -> int:
    changed = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    commit()
    return changed


def open_notification(user: User, notification_id: int,
                      now: datetime | None = None) -> str | None:
    """Mark one notification read and return where it points (None when nowhere), for a
    "follow the link" view.

    Refuses: a notification that isn't the member's (404, so ids can't be probed).
    """
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        raise NotFound(_("That notification doesn't exist."))
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        commit()
    return notification.link


# -- the member's own data ------------------------------------------------------------------

@data_export.section("notifications")
def export_notifications(user: User) -> list[dict]:
    """Every notification the member has, worded in their language and zone, with the key
    and parameters it is stored as: one query."""
    rows = db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at, Notification.id)
    )
    with force_locale(user.language) if user.language else nullcontext():
        exported = []
        for row in rows:
            shown = notification_texts.shown(row, user.timezone)
            exported.append({
                "kind": row.kind, "text": shown.text, "body": shown.body,
                "key": row.key, "params": row.params, "link": row.link,
                "created_at": data_export.iso(row.created_at),
                "read_at": data_export.iso(row.read_at)})
    return exported
