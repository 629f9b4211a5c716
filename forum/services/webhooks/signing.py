"""Signatures: every delivery carries ``X-Agora-Signature: t=<unix time>,v1=<hex>``, where the
hex is HMAC-SHA256 with the hook's secret over ``"<t>." + body`` (the body's exact bytes).
The time is that of the attempt, so a receiver can refuse anything older than its window
(five minutes is the README's advice) and a recorded delivery can't be played again later."""
from __future__ import annotations

import hashlib
import hmac
import secrets

HEADER = "X-Agora-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(secret: str, value: str, body: bytes, now: float, tolerance: float = 300) -> bool:
    """What a receiver does: the header's time is within ``tolerance`` seconds of ``now``
    and one of its ``v1`` signatures matches (compared in constant time)."""
    fields: dict[str, list[str]] = {}
    for part in (value or "").split(","):
        key, _, item = part.strip().partition("=")
        fields.setdefault(key, []).append(item)
    try:
        timestamp = int(fields.get("t", [""])[0])
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, given) for given in fields.get("v1", []))
