"""Reasons the forum writes by itself (a post hidden because members reported it, a hidden
post restored on review) are stored as fixed English sentences, a form every version
recognises, and worded in the reader's language when shown. Reasons people typed are shown
as they wrote them."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import ngettext

_AUTO_HIDDEN = re.compile(
    r"Reported by (?P<count>\d+) members; hidden until a moderator reviews it\.")
_AUTO_HIDE_LOGGED = re.compile(r"(?P<count>\d+) members reported it\.")
# What ``content.flagging`` stores when a watched word put a post in the queue or hid it.
_WATCHED = re.compile(r"Watched words: (?P<words>.*)", re.S)
_REVIEWED = re.compile(r"Reviewed: (?P<reason>.*)", re.S)
_WARNING_POINTS = re.compile(r"Reached (?P<count>\d+) warning points\.")
# What ``content.purging`` stores on the posts of an account deleted with them.
_PURGED = "The member's account was deleted with their posts."
# What ``moderation.spammers`` stores on the posts of a member removed as a spammer.
SPAM_REMOVED = "Removed with everything its author wrote: spam."
# What a dismissal from the queue's row stores: one click leaves no room to type.
QUEUE_DISMISSED = "Dismissed from the queue: no action needed."


def auto_hidden(count: int) -> str:
    """Stored as the hidden post's reason."""
    return f"Reported by {count} members; hidden until a moderator reviews it."


def auto_hide_logged(count: int) -> str:
    """Stored as the log entry's reason."""
    return f"{count} members reported it."


def warning_points(count: int) -> str:
    """Stored as the reason of a sanction the forum applied when warning points reached a
    threshold (``warning_points``)."""
    return f"Reached {count} warning points."


def reviewed(reason: str) -> str:
    """Stored when a review restores a post: the reason the report gave, marked as reviewed."""
    return f"Reviewed: {reason}"


def shown(reason: str | None) -> str:
    if not reason:
        return ""
    if match := _AUTO_HIDDEN.fullmatch(reason):
        count = int(match["count"])
        return ngettext("Reported by %(num)d member; hidden until a moderator reviews it.",
                        "Reported by %(num)d members; hidden until a moderator reviews it.",
                        count)
    if match := _AUTO_HIDE_LOGGED.fullmatch(reason):
        return ngettext("%(num)d member reported it.", "%(num)d members reported it.",
                        int(match["count"]))
    if match := _WARNING_POINTS.fullmatch(reason):
        return ngettext("Reached %(num)d warning point.", "Reached %(num)d warning points.",
                        int(match["count"]))
    if reason == _PURGED:
        return _("The member's account was deleted with their posts.")
    if match := _WATCHED.fullmatch(reason):
        return _("Watched words: %(words)s", words=match["words"])
    if reason == QUEUE_DISMISSED:
        return _("Dismissed from the queue: no action needed.")
    if reason == SPAM_REMOVED:
        return _("Removed with everything its author wrote: spam.")
    if match := _REVIEWED.fullmatch(reason):
        return _("Reviewed: %(reason)s", reason=shown(match["reason"]))
    return reason
