"""Queuing: a message becomes one row of the outbox, added to the caller's transaction (one
INSERT when it commits), so it exists exactly when what caused it does."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import event, insert
from sqlalchemy.orm import Session

from ...common.locales import LANGUAGES
from ...extensions import db
from ...models import MailCategory, MailStatus, OutboxMessage, User, utcnow
from ...stores import settings
from . import compose, links, unsubscribe

TEMPLATE_MAX = 64
# Message-IDs queued by the session's transaction, written as files when it commits (no SMTP
# host).
_QUEUED = "agora_mail_queued"
# Rows collected by ``together()``, inserted by one statement when it ends.
_TOGETHER: ContextVar[list[dict] | None] = ContextVar("agora_mail_together", default=None)


@contextmanager
def together() -> Iterator[None]:
    """Queue several messages (a notice to the old address and a link to the new one) with
    one INSERT: ``queue`` inside collects them, and they are written when the block ends."""
    rows: list[dict] = []
    token = _TOGETHER.set(rows)
    try:
        yield
    finally:
        _TOGETHER.reset(token)
    if rows:
        db.session.execute(insert(OutboxMessage.__table__), rows)
        db.session.info.setdefault(_QUEUED, []).extend(row["message_id"] for row in rows)


def _language(user: User | None) -> str:
    chosen = getattr(user, "language", None)
    if chosen in LANGUAGES:
        return chosen
    default = settings.get("default_language")
    return default if default in LANGUAGES else "en"


def _zone(user: User | None) -> str:
    return getattr(user, "timezone", None) or settings.get("default_timezone") or "UTC"


def queue(to: User | str, template: str, category: str = MailCategory.ACCOUNT, *,
          address: str | None = None, unsubscribe_scope: str = unsubscribe.NOTIFICATION,
          now: datetime | None = None, **context: Any) -> OutboxMessage | None:
    """Render ``templates/mail/<template>.html`` for ``to`` (a member, or a bare address) and
    add it to the outbox in the current transaction; the caller commits.

    ``address`` sends a member's mail elsewhere (a new address waiting for confirmation).
    ``category`` "account" is mail about the account itself; anything else ("notification")
    carries one-click unsubscribe headers for ``unsubscribe_scope`` and is skipped (None
    returned) for a member who stopped notification mail. Deleted members get nothing.
    Inside ``together()`` the row is written when the block ends (and not returned). The
    template sees ``context`` plus ``forum_name``, ``recipient`` (the member or None),
    ``recipient_name``, ``unsubscribe_url``, ``url(endpoint, **values)`` and
    ``moment(datetime)`` (in the recipient's zone)."""
    now = now or utcnow()
    category = MailCategory(category)
    user = to if isinstance(to, User) else None
    if user is not None and user.is_deleted:
        return None
    if (user is not None and category != MailCategory.ACCOUNT
            and unsubscribe.SCOPES[unsubscribe_scope].applied(user)):
        return None
    recipient = compose.address(address or (user.email if user is not None else str(to)),
                                user.name if user is not None else "")
    forum_name = settings.get("forum_name")
    unsubscribe_url = None
    if category != MailCategory.ACCOUNT and user is not None:
        unsubscribe_url = links.external_url(
            "mail.unsubscribe", token=unsubscribe.make_token(user, unsubscribe_scope))
    rendered = compose.render(template, _language(user), _zone(user), {
        **context,
        "forum_name": forum_name,
        "recipient": user,
        "recipient_name": user.name if user is not None else "",
        "unsubscribe_url": unsubscribe_url,
        "url": links.external_url,
        "category": category.value,
    })
    sender = compose.address(current_app.config["MAIL_FROM"], forum_name)
    message = compose.build(rendered, recipient, sender, unsubscribe_url, now)
    values = dict(
        created_at=now, category=category.value, template=template[:TEMPLATE_MAX],
        recipient_id=user.id if user is not None else None,
        to_address=recipient.addr_spec, subject=rendered.subject[:255],
        message_id=message["Message-ID"], message=message.as_string(),
        status=MailStatus.QUEUED.value, attempts=0, next_attempt_at=now,
    )
    collecting = _TOGETHER.get()
    if collecting is not None:
        collecting.append(values)
        return None
    row = OutboxMessage(**values)
    db.session.add(row)
    return row


# -- files at once when there is no SMTP host ---------------------------------------------------
def _after_flush(session: Session, _context) -> None:
    new = [obj for obj in session.new if isinstance(obj, OutboxMessage)]
    if new:
        session.info.setdefault(_QUEUED, []).extend(obj.message_id for obj in new)


def _after_commit(session: Session) -> None:
    queued = session.info.pop(_QUEUED, None)
    if not queued or current_app.config.get("MAIL_SERVER"):
        return
    from .delivery import write_files_now

    write_files_now(queued)


def _after_rollback(session: Session) -> None:
    session.info.pop(_QUEUED, None)


_listening = False


def init_app(app) -> None:
    global _listening
    if _listening:
        return
    # Session events are class-wide: one set of listeners serves every app in the process.
    _listening = True
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_rollback", _after_rollback)
