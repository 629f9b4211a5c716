"""What both kinds of notification mail hand their templates: notifications worded in the
reader's language and zone (while the template renders in that language), and links."""
from __future__ import annotations

from collections.abc import Callable

from ...models import Notification, User
from ...stores import settings
from .. import notification_texts
from ..mail import links


def zone_of(user: User) -> str:
    return user.timezone or settings.get("default_timezone") or "UTC"


def worder(user: User) -> Callable[[Notification], notification_texts.Shown]:
    """``say(note)`` for templates: called while the mail renders in the member's language."""
    zone = zone_of(user)
    return lambda note: notification_texts.shown(note, zone)


def note_link(note: Notification) -> str:
    """Opening a notification from mail marks it read, as the bell does; with no link of its
    own it leads to the notification list."""
    return links.external_url("notifications.follow", notification_id=note.id)


def common(user: User) -> dict:
    return {"say": worder(user), "note_link": note_link,
            "choices_url": links.external_url("auth.mail_choices")}
