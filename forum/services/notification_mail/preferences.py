"""Saving a member's notification mail choices, and the one-click unsubscribe scopes that
change one of them: ``notification:<topic>`` (that topic becomes in-app only) and ``digest``
(no more digests). The scope ``notification`` of the mail core stops every notification mail."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from ...database import commit
from ...models import User, utcnow
from .. import data_export
from ..mail import unsubscribe
from . import schedule
from .topics import BY_NAME, TOPICS, Delivery, Frequency, choices, compact, frequency, own_hour

DIGEST_SCOPE = "digest"


def topic_scope(topic: str) -> str:
    return f"notification:{topic}"


@dataclass(frozen=True)
class MailChoices:
    topics: dict[str, Delivery]
    digest: Frequency
    hour: int | None  # None: the forum's hour


def current(user: User) -> MailChoices:
    return MailChoices(choices(user), frequency(user), own_hour(user))


def save(user: User, chosen: MailChoices, now: datetime | None = None) -> None:
    """Store the member's choices (only what differs from the defaults) and move their next
    digest to the moment they now call for. Saving the page also takes back a one-click stop
    of every notification mail: the member has just said what they want."""
    now = now or utcnow()
    # Topics the page didn't offer (no notification of theirs exists yet) keep their value.
    topics = {**choices(user), **{name: value for name, value in chosen.topics.items()
                                  if name in BY_NAME}}
    user.mail_preferences = compact(topics, chosen.digest, chosen.hour)
    user.notification_mail_stopped_at = None
    user.digest_due_at = schedule.first_due(user, now)
    commit()


@data_export.section("notification_mail")
def export_choices(user: User) -> dict:
    """The member's choices as they apply (defaults included), for their data export."""
    return {"topics": {name: str(value) for name, value in choices(user).items()},
            "digest": str(frequency(user)), "digest_hour": own_hour(user),
            "next_digest_due_at": data_export.iso(user.digest_due_at),
            "every_notification_mail_stopped_at":
                data_export.iso(user.notification_mail_stopped_at)}


# -- one-click unsubscribe ----------------------------------------------------------------------
def _stored_with(user: User, topics=None, digest=None) -> None:
    user.mail_preferences = compact(topics or choices(user), digest or frequency(user),
                                    own_hour(user))


def _topic_scope(name: str) -> unsubscribe.Scope:
    def apply(user: User, _now: datetime) -> None:
        topics = choices(user)
        topics[name] = Delivery.APP
        _stored_with(user, topics=topics)

    def applied(user: User) -> bool:
        return (user.notification_mail_stopped_at is not None
                or choices(user)[name] == Delivery.APP)

    return unsubscribe.Scope(BY_NAME[name].about, apply, applied)


def _stop_digest(user: User, _now: datetime) -> None:
    _stored_with(user, digest=Frequency.OFF)
    user.digest_due_at = None


def _digest_stopped(user: User) -> bool:
    return user.notification_mail_stopped_at is not None or frequency(user) == Frequency.OFF


for _topic in TOPICS:
    unsubscribe.register(topic_scope(_topic.name), _topic_scope(_topic.name))
unsubscribe.register(DIGEST_SCOPE, unsubscribe.Scope(_l("the notification digest"),
                                                     _stop_digest, _digest_stopped))
