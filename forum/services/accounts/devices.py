"""The device cookie: a browser that logged in to an account before carries a signed note of
it (the member's id and a random id for the browser), and login throttling lets it through
the limits that hold back strangers (see ``login_throttle``).

Signed with the app's secret key, so it can't be made up; it proves only that this browser
once knew the password, and gives no access by itself.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from ...models import User

COOKIE_NAME = "device"
LIFETIME = timedelta(days=365)
_SALT = "agora.login-device"


@dataclass(frozen=True)
class Device:
    user_id: int
    device_id: str


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=_SALT)


def read(token: str | None) -> Device | None:
    """The device a cookie names, if it is ours, unaltered and not older than a year."""
    if not token or len(token) > 200:
        return None
    try:
        data = _serializer().loads(token, max_age=int(LIFETIME.total_seconds()))
    except BadData:
        return None
    if not (isinstance(data, list) and len(data) == 2 and isinstance(data[0], int)
            and isinstance(data[1], str)):
        return None
    return Device(data[0], data[1])


def issue(user: User, token: str | None) -> str:
    """A new cookie value for ``user`` on this browser, keeping the browser's id when its
    cookie was already for this member (so its failure count follows it)."""
    known = read(token)
    device_id = known.device_id if known and known.user_id == user.id else secrets.token_hex(12)
    return _serializer().dumps([user.id, device_id])
