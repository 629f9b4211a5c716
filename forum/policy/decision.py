"""A policy's answer: allowed or not, why, and when to try again."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # The refusal as text, or as a lazy translation worded only when someone reads it: a
    # page asks many questions whose refusals it never shows.
    wording: Any = ""
    retry_after: int | None = None  # seconds, for cooldowns
    login_required: bool = False  # a guest would be allowed after logging in

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def reason(self) -> str:
        return str(self.wording)


ALLOW = Decision(True)


def deny(reason: Any, *, retry_after: int | None = None) -> Decision:
    return Decision(False, reason, retry_after)


def need_login(reason: str) -> Decision:
    return Decision(False, reason, login_required=True)
