"""One-click unsubscribe (RFC 8058): a signed link, needing no login, that names a member and
what they stop receiving. Each scope is registered with what it does and how the page names
it, so finer choices (one kind of notification) can be added beside ``notification``."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer

from ...database import commit
from ...errors import NotFound
from ...extensions import db
from ...models import User, utcnow

SALT = "agora-mail-unsubscribe"
NOTIFICATION = "notification"
INVALID = _l("This unsubscribe link isn't valid. Your notification settings are unchanged.")


@dataclass(frozen=True)
class Scope:
    label: object  # lazy text naming what stops: "email about notifications"
    apply: Callable[[User, datetime], None]
    applied: Callable[[User], bool]


def _stop_notification_mail(user: User, now: datetime) -> None:
    if user.notification_mail_stopped_at is None:
        user.notification_mail_stopped_at = now


SCOPES: dict[str, Scope] = {
    NOTIFICATION: Scope(
        _l("every email about notifications"), _stop_notification_mail,
        lambda user: user.notification_mail_stopped_at is not None),
}


def register(name: str, scope: Scope) -> None:
    """Add a scope (``notification:reply``, say) that links can name."""
    SCOPES[name] = scope


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(user: User, scope: str = NOTIFICATION) -> str:
    if scope not in SCOPES:
        raise ValueError(f"no unsubscribe scope named {scope!r}")
    return _serializer().dumps([user.id, scope])


@dataclass(frozen=True)
class Unsubscription:
    user: User
    scope: Scope
    done: bool  # already in effect


def find(token: str) -> Unsubscription:
    """What a link names. Refuses a tampered or unknown link, or a deleted account (404)."""
    try:
        user_id, scope_name = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound(str(INVALID)) from None
    scope = SCOPES.get(scope_name) if isinstance(scope_name, str) else None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if scope is None or user is None or user.is_deleted:
        raise NotFound(str(INVALID))
    return Unsubscription(user, scope, scope.applied(user))


def unsubscribe(token: str, now: datetime | None = None) -> Unsubscription:
    """Stop what the link names (doing it twice changes nothing). Refuses as ``find``."""
    found = find(token)
    found.scope.apply(found.user, now or utcnow())
    commit()
    return Unsubscription(found.user, found.scope, True)
