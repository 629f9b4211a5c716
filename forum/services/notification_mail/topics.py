"""What a member chooses per kind of notification: in-app only, email at once, or in the
digest. Kinds of notification are gathered into topics a person recognises (replies,
sanctions…); a kind this module doesn't know yet is mail about "everything else".

A member's choices are kept in one JSON value on their row (``User.mail_preferences``), and
only where they differ from the defaults below, rather than in a table of one row per member
and topic: every reader of the choices (the mail scan, the digest, the page) already holds the
member's row for their address, language and zone, so the choices cost no query or join;
the page writes them whole in one UPDATE; and no query ever asks "who chose X" (both scans
start from notifications or from the digest's due time), which is what rows would be for.
Changing a default reaches every member who never chose otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from ...models import NotificationKind, User


class Delivery(StrEnum):
    APP = "app"  # the bell only
    NOW = "now"  # an email a few minutes later, unless read on the site meanwhile
    DIGEST = "digest"  # listed in the daily or weekly digest


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


DEFAULT_FREQUENCY = Frequency.DAILY


@dataclass(frozen=True)
class Topic:
    name: str
    label: Any  # lazy: the row on the page
    about: Any  # lazy: "email about …", what an unsubscribe link stops
    kinds: tuple[str, ...]  # notification kinds (NotificationKind values, present or to come)
    default: Delivery


OTHER = "other"

# Kinds named as strings: the mentions, private messages and watching features add theirs to
# NotificationKind in other branches; a topic is offered once one of its kinds exists.
TOPICS: tuple[Topic, ...] = (
    Topic("messages", _l("Private messages"), _l("email about private messages"),
          ("message",), Delivery.NOW),
    Topic("mentions", _l("Mentions of you"), _l("email about mentions of you"),
          ("mention", "team_mention"), Delivery.NOW),
    # Replies reach members as "new posts in a thread you watch" (a member watches the threads
    # they start): one topic, so "replies in my threads" is one choice, not two.
    Topic("replies", _l("Replies in threads you watch"),
          _l("email about replies in threads you watch"),
          (NotificationKind.REPLY, "watched"), Delivery.DIGEST),
    Topic("quotes", _l("Quotes of your posts"), _l("email about quotes of your posts"),
          (NotificationKind.QUOTE,), Delivery.DIGEST),
    Topic("moderation", _l("Moderators acting on your posts and threads"),
          _l("email about moderators acting on your posts"),
          (NotificationKind.MODERATION,), Delivery.NOW),
    Topic("sanctions", _l("Warnings, timeouts, suspensions and bans"),
          _l("email about sanctions"), (NotificationKind.SANCTION,), Delivery.NOW),
    Topic("events", _l("Events you answered: reminders and changes"),
          _l("email about events"), (NotificationKind.EVENT,), Delivery.NOW),
    Topic("reports", _l("What became of your reports"), _l("email about your reports"),
          (NotificationKind.REPORT_OUTCOME,), Delivery.DIGEST),
    Topic("account", _l("Your account, role and groups"),
          _l("email about your account, role and groups"),
          (NotificationKind.ACCOUNT, NotificationKind.ROLE, NotificationKind.GROUP),
          Delivery.NOW),
    Topic(OTHER, _l("Everything else"), _l("email about other notifications"), (),
          Delivery.DIGEST),
)
BY_NAME = {topic.name: topic for topic in TOPICS}
_BY_KIND = {kind: topic.name for topic in TOPICS for kind in topic.kinds}


def topic_of(kind: str) -> str:
    return _BY_KIND.get(str(kind), OTHER)


def offered() -> list[Topic]:
    """The topics some notification of this forum can fall into, in page order."""
    kinds = {kind.value for kind in NotificationKind}
    return [topic for topic in TOPICS
            if topic.name == OTHER or any(kind in kinds for kind in topic.kinds)]


def _stored(user: User) -> dict[str, Any]:
    value = user.mail_preferences
    return value if isinstance(value, dict) else {}


def choice(user: User, topic: str) -> Delivery:
    chosen = _stored(user).get("topics", {}).get(topic)
    try:
        return Delivery(chosen)
    except ValueError:
        return BY_NAME[topic].default


def choices(user: User) -> dict[str, Delivery]:
    return {topic.name: choice(user, topic.name) for topic in TOPICS}


def frequency(user: User) -> Frequency:
    try:
        return Frequency(_stored(user).get("digest"))
    except ValueError:
        return DEFAULT_FREQUENCY


def own_hour(user: User) -> int | None:
    """The local hour the member chose for their digest, None for the forum's."""
    hour = _stored(user).get("hour")
    return hour if isinstance(hour, int) and 0 <= hour <= 23 else None


def compact(topics: dict[str, Delivery], digest: Frequency, hour: int | None) -> dict | None:
    """What is stored: only what differs from the defaults (None when nothing does)."""
    stored: dict[str, Any] = {}
    differing = {name: str(value) for name, value in topics.items()
                 if name in BY_NAME and value != BY_NAME[name].default}
    if differing:
        stored["topics"] = differing
    if digest != DEFAULT_FREQUENCY:
        stored["digest"] = str(digest)
    if hour is not None:
        stored["hour"] = hour
    return stored or None
