"""What a notification says, in the reader's language.

A notification is stored as a key and plain parameters (titles, names, moments as ISO 8601,
lengths in seconds) and worded when it is shown, so a German reader sees German whatever
language the writer used. Rows from before keys were stored keep the English sentence they
were written with and are shown as stored.

Parameter names carry their type: ``*_at`` is a moment, shown in the reader's zone;
``*_seconds`` a length; ``boards`` a list of board addresses; ``reason`` and ``message`` make
the longer text under the line.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext

from ..common import timefmt

Wording = Callable[[dict[str, Any]], str]


# Each key names one whole sentence. The English msgids are the sentences the forum wrote
# before keys were stored, so old rows recognised by the migration read as before. Plural
# forms take their number from the ``num`` parameter.
TEXTS: dict[str, Wording] = {
    # Replies and quotes.
    "post.reply": lambda v: _("%(name)s replied to “%(title)s”", **v),
    "post.quote": lambda v: _("%(name)s quoted you in “%(title)s”", **v),
    # Keeping up: mentions, new posts in watched threads and reactions (grouped: ``num`` is
    # the notification's count), bookmark reminders.
    "post.mention": lambda v: _("%(name)s mentioned you in “%(title)s”", **v),
    "post.team_mention": lambda v: _("%(name)s called the moderators in “%(title)s”", **v),
    "thread.posts": lambda v: ngettext(
        "%(num)d new post in “%(title)s”, by %(name)s",
        "%(num)d new posts in “%(title)s”, the latest by %(name)s", **v),
    "post.reactions": lambda v: ngettext(
        "%(num)d reaction to your post in “%(title)s”, from %(name)s",
        "%(num)d reactions to your post in “%(title)s”, the latest from %(name)s", **v),
    "bookmark.reminder": lambda v: _("Reminder: your bookmark in “%(title)s”", **v),
    # A moderator acted on a post.
    "post.hidden": lambda v: _("A moderator hid your post in “%(title)s”.", **v),
    "user.avatar_reset": lambda v: _("A moderator removed your avatar.", **v),
    "post.restored": lambda v: _("A moderator restored your post in “%(title)s”.", **v),
    "post.edited": lambda v: _("A moderator edited your post in “%(title)s”.", **v),
    "post.deleted": lambda v: _("A moderator deleted your post in “%(title)s”.", **v),
    # A moderator removed a reported private message.
    "message.hidden": lambda v: _("A moderator removed your message in the conversation "
                                  "“%(subject)s”.", **v),
    "post.auto_hidden": lambda v: _("Your post in “%(title)s” is hidden until a moderator "
                                    "reviews it.", **v),
    # A post that waited for approval.
    "post.approved": lambda v: _("A moderator approved your post in “%(title)s”; everyone "
                                 "can see it now.", **v),
    "post.rejected": lambda v: _("A moderator turned down your post in “%(title)s”.", **v),
    # What became of a report, told to the people who filed it.
    "report.user.dismissed": lambda v: _(
        "Thanks for your report about @%(username)s. A moderator reviewed it and found that "
        "no action was needed.", **v),
    "report.user.actioned": lambda v: _(
        "Thanks for your report about @%(username)s. A moderator reviewed it and took action.",
        **v),
    "report.thread.dismissed": lambda v: _(
        "Thanks for your report about the thread “%(title)s”. A moderator reviewed it and "
        "found that no action was needed.", **v),
    "report.thread.actioned": lambda v: _(
        "Thanks for your report about the thread “%(title)s”. A moderator reviewed it and took "
        "action.", **v),
    "report.message.dismissed": lambda v: _(
        "Thanks for your report about a private message. A moderator reviewed it and found "
        "that no action was needed."),
    "report.message.actioned": lambda v: _(
        "Thanks for your report about a private message. A moderator reviewed it and took "
        "action."),
    "report.message.removed": lambda v: _(
        "Thanks for your report about a private message. A moderator reviewed it and removed "
        "the message from the conversation."),
    "report.post.dismissed": lambda v: _(
        "Thanks for your report about a post in “%(title)s”. A moderator reviewed it and found "
        "that no action was needed.", **v),
    "report.post.actioned": lambda v: _(
        "Thanks for your report about a post in “%(title)s”. A moderator reviewed it and took "
        "action.", **v),
    # The desk: a team member gave you an item.
    # The forum stopped a webhook (to administrators).
    "webhook.disabled.gone": lambda v: _("The webhook to %(host)s was stopped: it answered "
                                         "that it is gone for good (410).", **v),
    "webhook.disabled.failing": lambda v: ngettext(
        "The webhook to %(host)s was stopped after %(num)d failed attempt in a row.",
        "The webhook to %(host)s was stopped after %(num)d failed attempts in a row.", **v),
    "desk.assigned": lambda v: _("%(name)s gave you “%(title)s” on the desk.", **v),
    # Sanctions.
    "sanction.warning": lambda v: _("You received a warning from the moderators."),
    "sanction.timeout": lambda v: _("You are timed out: you can read but not post until "
                                    "%(ends_at)s.", **v),
    "sanction.suspension": lambda v: _("Your account is suspended until %(ends_at)s.", **v),
    "sanction.ban": lambda v: _("Your account is banned."),
    "sanction.ban_until": lambda v: _("Your account is banned until %(ends_at)s.", **v),
    # Applied by the forum when a member's warning points reach a threshold.
    "sanction.points_timeout": lambda v: ngettext(
        "Your warnings add up to %(num)d point, so you are timed out: you can read but not "
        "post until %(ends_at)s.",
        "Your warnings add up to %(num)d points, so you are timed out: you can read but not "
        "post until %(ends_at)s.", **v),
    "sanction.points_suspension": lambda v: ngettext(
        "Your warnings add up to %(num)d point, so your account is suspended until "
        "%(ends_at)s.",
        "Your warnings add up to %(num)d points, so your account is suspended until "
        "%(ends_at)s.", **v),
    "sanction.timeout_lifted": lambda v: _("Your timeout was lifted early."),
    "sanction.suspension_lifted": lambda v: _("Your suspension was lifted early."),
    "sanction.ban_lifted": lambda v: _("Your ban was lifted early."),
    "appeal.upheld": lambda v: _("The moderators looked at your appeal and kept the sanction "
                                 "as it was."),
    "appeal.reduced": lambda v: _("The moderators looked at your appeal and shortened the "
                                  "sanction: it now ends %(ends_at)s.", **v),
    "appeal.lifted": lambda v: _("The moderators looked at your appeal and lifted the "
                                 "sanction."),
    # Thread tools.
    "thread.lock_scheduled": lambda v: _("Your thread “%(title)s” will be locked at "
                                         "%(starts_at)s.", **v),
    "thread.locked_for": lambda v: _("A moderator locked your thread “%(title)s” for "
                                     "%(length_seconds)s.", **v),
    "thread.locked": lambda v: _("A moderator locked your thread “%(title)s”.", **v),
    "thread.unlocked": lambda v: _("A moderator unlocked your thread “%(title)s”.", **v),
    "thread.renamed": lambda v: _("A moderator renamed your thread “%(old)s” to “%(title)s”.",
                                  **v),
    "thread.restored": lambda v: _("A moderator restored your thread “%(title)s”.", **v),
    "thread.slow_mode": lambda v: _("A moderator put your thread “%(title)s” in slow mode: one "
                                    "post every %(interval_seconds)s.", **v),
    "thread.slow_mode_until": lambda v: _(
        "A moderator put your thread “%(title)s” in slow mode: one post every "
        "%(interval_seconds)s until %(until_at)s.", **v),
    "thread.slow_mode_off": lambda v: _("A moderator turned off slow mode in your thread "
                                        "“%(title)s”.", **v),
    "thread.pinned": lambda v: _("A moderator pinned your thread “%(title)s”.", **v),
    "thread.pinned_until": lambda v: _("A moderator pinned your thread “%(title)s” until "
                                       "%(until_at)s.", **v),
    "thread.pinned_everywhere": lambda v: _("A moderator pinned your thread “%(title)s” above "
                                            "every board.", **v),
    "thread.pinned_everywhere_until": lambda v: _(
        "A moderator pinned your thread “%(title)s” above every board until %(until_at)s.",
        **v),
    "thread.unpinned": lambda v: _("A moderator unpinned your thread “%(title)s”.", **v),
    "thread.moved": lambda v: _("A moderator moved your thread “%(title)s” to %(board)s.", **v),
    "thread.moved_unseen": lambda v: _("A moderator moved your thread “%(title)s” to a board "
                                       "you can't open.", **v),
    "thread.merged": lambda v: _("A moderator merged your thread “%(title)s” into “%(into)s”.",
                                 **v),
    "thread.merged_unseen": lambda v: _("A moderator merged your thread “%(title)s” into a "
                                        "thread in a board you can't open.", **v),
    "thread.split_new": lambda v: ngettext(
        "A moderator split a post of your thread “%(title)s” into a new thread, “%(into)s”.",
        "A moderator split %(num)d posts of your thread “%(title)s” into a new thread, "
        "“%(into)s”.", **v),
    "thread.split_new_unseen": lambda v: ngettext(
        "A moderator split a post of your thread “%(title)s” into a new thread in a board you "
        "can't open.",
        "A moderator split %(num)d posts of your thread “%(title)s” into a new thread in a "
        "board you can't open.", **v),
    "thread.split_into": lambda v: ngettext(
        "A moderator moved a post of your thread “%(title)s” to “%(into)s”.",
        "A moderator moved %(num)d posts of your thread “%(title)s” to “%(into)s”.",
        **v),
    "thread.split_into_unseen": lambda v: ngettext(
        "A moderator moved a post of your thread “%(title)s” to a thread in a board you can't "
        "open.",
        "A moderator moved %(num)d posts of your thread “%(title)s” to a thread in a board "
        "you can't open.", **v),
    # Groups, roles, the account.
    "group.added": lambda v: _("You were added to the group %(group)s.", **v),
    "group.removed": lambda v: _("You were removed from the group %(group)s.", **v),
    "role.member": lambda v: _("You are now a member."),
    "role.moderator": lambda v: _("You are now a moderator."),
    "role.admin": lambda v: _("You are now an administrator."),
    "role.boards": lambda v: _("You now moderate %(boards)s.", **v),
    "role.no_boards": lambda v: _("You no longer moderate any boards."),
    "account.approved": lambda v: _("Welcome! An administrator approved your account: you "
                                    "can now take part."),
    "account.changed": lambda v: _("An administrator changed your account's username or "
                                   "email."),
    "account.two_factor_off": lambda v: _("An administrator turned off two-step login for "
                                          "your account. You can set it up again on your "
                                          "account page."),
    # Private conversations.
    "conversation.started": lambda v: _("%(name)s started a conversation with you: "
                                        "“%(subject)s”", **v),
    "conversation.team": lambda v: _("%(name)s of the moderation team started a conversation "
                                     "with you: “%(subject)s”", **v),
    "conversation.message": lambda v: _("%(name)s wrote in “%(subject)s”", **v),
    "conversation.added": lambda v: _("%(name)s added you to the conversation “%(subject)s”",
                                      **v),
    # Events.
    "challenge.disqualified": lambda v: _("Your entry “%(entry)s” in “%(title)s” was "
                                          "disqualified", **v),
    "challenge.results": lambda v: _("The winners of “%(title)s” are announced", **v),
    "event.rescheduled": lambda v: _("“%(title)s” has a new time: %(starts_at)s", **v),
    "event.cancelled": lambda v: _("“%(title)s” is cancelled", **v),
    "event.place": lambda v: _("A place opened up: you're going to “%(title)s”", **v),
    "event.starting": lambda v: _("Starting soon: “%(title)s” at %(starts_at)s", **v),
}


def is_key(key: str) -> bool:
    return key in TEXTS


@dataclass(frozen=True)
class Shown:
    """A notification as its reader sees it: the line, and the longer text under it."""

    text: str
    body: str | None


def moment(value: datetime | None) -> str | None:
    """A moment as a parameter: ISO 8601, shown later in the reader's zone."""
    return value.isoformat() if value is not None else None


def _moment_text(value: str, tz: str | None) -> str:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return timefmt.when(parsed, tz)


def _values(params: Mapping[str, Any], tz: str | None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in params.items():
        if name.endswith("_at") and isinstance(value, str):
            value = _moment_text(value, tz)
        elif name.endswith("_seconds") and isinstance(value, int | float):
            value = timefmt.duration(int(value))
        elif name == "boards" and isinstance(value, list):
            value = ", ".join(f"/b/{slug}" for slug in value)
        values[name] = value
    return values


def _body(params: Mapping[str, Any]) -> str | None:
    parts = []
    if params.get("reason"):
        parts.append(_("Reason: %(reason)s", reason=params["reason"]))
    if params.get("message"):
        parts.append(str(params["message"]))
    return "\n\n".join(parts) or None


def render(key: str | None, params: Mapping[str, Any] | None, text: str | None = None,
           body: str | None = None, tz: str | None = None) -> Shown:
    """The words for a stored notification in the current language, moments in ``tz``.

    A row without a key (or with one this version doesn't know, or parameters that don't fit
    it) is shown as it was stored."""
    wording = TEXTS.get(key) if key else None
    if wording is None:
        return Shown(text or "", body)
    params = params or {}
    try:
        line = wording(_values(params, tz))
    except (KeyError, TypeError, ValueError):
        return Shown(text or key, body)
    return Shown(line, _body(params) or body)


def shown(note, tz: str | None = None) -> Shown:
    """``render`` for a ``Notification`` row; a grouped one's count is its ``num``."""
    params = note.params
    if note.key in GROUPED and params is not None:
        params = {**params, "num": note.count or 1}
    return render(note.key, params, note.text, note.body, tz)


# Keys whose notification stands for several happenings, counted in ``Notification.count``.
GROUPED = frozenset({"thread.posts", "post.reactions"})
