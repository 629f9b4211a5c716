"""When a member's digest falls due: at their chosen local hour (or the forum's), every day or
on the forum's weekly day, in their own time zone, through daylight saving changes.

A due moment is always computed from a calendar day, so the same day gives the same moment
whichever way it is reached; that lets the digest tell a moment it scheduled itself from one
left by something else (a new account, a changed zone or setting)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from ...common import timefmt
from ...models import User
from ...stores import settings
from .topics import Frequency, frequency, own_hour


@dataclass(frozen=True)
class Schedule:
    frequency: Frequency
    hour: int
    weekday: int  # 0 is Monday
    zone: str

    def _fits(self, day: date) -> bool:
        return self.frequency != Frequency.WEEKLY or day.weekday() == self.weekday

    def _moment(self, day: date) -> datetime:
        return datetime.combine(day, time(self.hour), tzinfo=timefmt.zone(self.zone)) \
            .astimezone(UTC)

    def next_after(self, moment: datetime) -> datetime:
        day = timefmt.local(moment, self.zone).date()
        for offset in range(9):
            candidate = day + timedelta(days=offset)
            if self._fits(candidate) and self._moment(candidate) > moment:
                return self._moment(candidate)
        raise AssertionError("a week always holds a due day")  # pragma: no cover

    def last_at_or_before(self, moment: datetime) -> datetime:
        day = timefmt.local(moment, self.zone).date()
        for offset in range(9):
            candidate = day - timedelta(days=offset)
            if self._fits(candidate) and self._moment(candidate) <= moment:
                return self._moment(candidate)
        raise AssertionError("a week always holds a due day")  # pragma: no cover

    def before(self, due: datetime) -> datetime:
        """The due moment before ``due``: where the digest sent at ``due`` starts."""
        return self.last_at_or_before(due - timedelta(microseconds=1))


def for_member(user: User) -> Schedule:
    hour = own_hour(user)
    try:
        weekday = int(settings.get("digest_weekday"))
    except (TypeError, ValueError):
        weekday = 0
    return Schedule(frequency(user), settings.get("digest_hour") if hour is None else hour,
                    weekday % 7, user.timezone or settings.get("default_timezone") or "UTC")


def first_due(user: User, now: datetime) -> datetime | None:
    """When the member's next digest falls due after ``now`` (None: no digests)."""
    if frequency(user) == Frequency.OFF or user.notification_mail_stopped_at is not None:
        return None
    return for_member(user).next_after(now)
