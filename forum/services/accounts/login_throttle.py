"""Failed logins slow down, never lock out.

Failures are counted per (account, address) pair and per address (an IPv6 /64 counts as one
address). After a number of free failures each further attempt has to wait, twice as long as
the one before, up to a cap (``LOGIN_DELAY``). A browser that logged in to the account
before (``devices``) is counted on its own instead, so a stranger guessing at an account from
elsewhere, or from the same crowded address, doesn't keep its owner out.

Each attempt is counted before the password is checked, and past the free failures it claims
the waiting time at once, atomically, so a burst of parallel guesses gets one try per delay.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _

from ...common import usernames
from ...common.addresses import counter_part
from ...common.timefmt import duration
from ...errors import Refused
from ...models import User
from ...stores import ratelimit
from .devices import Device

# The failure counters never refuse by themselves; the waits do.
_NO_LIMIT = 1_000_000


@dataclass(frozen=True)
class Counter:
    key: str
    free: int  # failures before the first wait

    @property
    def failures(self) -> str:
        return f"{self.key}:fails"

    @property
    def wait(self) -> str:
        return f"{self.key}:wait"


def account_part(login: str, user: User | None) -> str:
    # Username and email share one counter; unknown names are counted alike, so a refusal
    # doesn't tell whether the account exists.
    if user is not None:
        return f"account:{user.id}"
    return "name:" + hashlib.sha256(usernames.key(login).encode()).hexdigest()[:32]


def address_part(address: str | None) -> str:
    return f"ip:{counter_part(address)}"


def counters(login: str, user: User | None, address: str | None,
             device: Device | None) -> list[Counter]:
    """What this attempt is counted on: the browser's own counter when it logged in to this
    account before, else the (account, address) pair and the address."""
    config = current_app.config
    if device is not None and user is not None and device.user_id == user.id:
        return [Counter(f"login:device:{device.device_id}", config["LOGIN_FREE_FAILURES_DEVICE"])]
    account, where = account_part(login, user), address_part(address)
    return [Counter(f"login:pair:{account}:{where}", config["LOGIN_FREE_FAILURES"]),
            Counter(f"login:{where}", config["LOGIN_FREE_FAILURES_IP"])]


def delay(failures: int, free: int) -> int:
    """Seconds to wait after ``failures`` failures: none within the free ones, then the first
    delay, doubling with each further failure up to the cap."""
    if failures < free:
        return 0
    first, cap = current_app.config["LOGIN_DELAY"]
    return min(cap, first * 2 ** min(failures - free, 32))


def refused(retry_after: int | None) -> Refused:
    wait = max(1, retry_after or 1)
    return Refused(_("Too many failed attempts. Try again in %(wait)s.", wait=duration(wait)),
                   status=429, retry_after=wait)


def count_attempt(counted: list[Counter], now: datetime) -> None:
    """Before the password is checked. Refuses (429, with ``retry_after``) while a wait is
    running, counting nothing; else counts the attempt and, past the free failures, starts
    the wait that follows it."""
    waits = ratelimit.peek_many({c.wait: (1, 1) for c in counted}, now)
    running = [decision.retry_after for decision in waits.values() if not decision]
    if running:
        raise refused(max(running))
    for counter in counted:
        failures = ratelimit.hit(counter.failures, _NO_LIMIT,
                                 current_app.config["LOGIN_FAILURE_MEMORY"], now=now).count
        seconds = delay(failures, counter.free)
        if seconds:
            claim = ratelimit.hit(counter.wait, 1, seconds, now=now)
            if not claim:
                raise refused(claim.retry_after)


def succeeded(counted: list[Counter], now: datetime) -> None:
    """The password was right: the pair's (or the browser's) failures are forgotten; the
    address only gets this attempt back, since others may be guessing from it."""
    for counter in counted:
        if counter.key.startswith(("login:pair:", "login:device:")):
            ratelimit.reset(counter.failures, counter.wait)
        else:
            ratelimit.refund(counter.failures, now=now)
