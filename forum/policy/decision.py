"""A policy's answer: allowed or not, why, and when to try again."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    retry_after: int | None = None  # seconds, for cooldowns
    login_required: bool = False  # a guest would be allowed after logging in

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str, *, retry_after: int | None = None) -> Decision:
    return Decision(False, reason, retry_after)


def need_login(reason: str) -> Decision:
    return Decision(False, reason, login_required=True)
