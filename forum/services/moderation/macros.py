"""Macros: canned responses that carry what to do as well as what to say.

A macro presets content actions that need nothing more than a reason (hide, delete, lock), a
sanction (warn, a timeout of a set length, a ban for good) and the reason logged with them;
its text is the message the member gets with the sanction. The same presets are replayed
from the queue row, where the board's most used resolutions also become buttons.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ...errors import Refused
from ...models import CannedResponse, ReportItem
from ..text import clean_reason
from .resolution import Action, ActionKind

# The lengths moderators pick from, for timeouts, locks and slow mode: key → (label, length).
PERIODS = {
    "10m": (_l("10 minutes"), timedelta(minutes=10)),
    "1h": (_l("1 hour"), timedelta(hours=1)),
    "6h": (_l("6 hours"), timedelta(hours=6)),
    "24h": (_l("24 hours"), timedelta(hours=24)),
    "3d": (_l("3 days"), timedelta(days=3)),
    "7d": (_l("7 days"), timedelta(days=7)),
}

# What a preset may hold: actions that need no more than a reason.
CONTENT = (ActionKind.HIDE_POST, ActionKind.DELETE_POST, ActionKind.LOCK_THREAD)
SANCTIONS = (ActionKind.WARN, ActionKind.TIMEOUT, ActionKind.BAN)
# Replayed from a past resolution: the timeout's length isn't kept in the summary.
REPLAYABLE = frozenset({*CONTENT, ActionKind.WARN, ActionKind.BAN})
# Not undone with one click: these ask for a confirmation first.
DESTRUCTIVE = frozenset({ActionKind.DELETE_POST, ActionKind.SUSPEND, ActionKind.BAN})
_POST_KINDS = frozenset({ActionKind.HIDE_POST, ActionKind.DELETE_POST})

# Short verbs for buttons, joined with " + ".
VERBS = {
    ActionKind.DISMISS: _l("Dismiss"),
    ActionKind.HIDE_POST: _l("Hide"),
    ActionKind.DELETE_POST: _l("Delete"),
    ActionKind.LOCK_THREAD: _l("Lock"),
    ActionKind.WARN: _l("Warn"),
    ActionKind.TIMEOUT: _l("Time out"),
    # "Ban" is also the sanction's name elsewhere; a button needs the verb.
    ActionKind.BAN: lazy_pgettext("button", "Ban"),
}


@dataclass(frozen=True)
class Preset:
    """What a macro does besides its text."""

    actions: tuple[str, ...] = ()
    sanction: str | None = None
    timeout: str | None = None
    reason: str | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.actions or self.sanction or self.reason)


def checked_preset(preset: Preset | None) -> Preset:
    """The preset as stored. Refuses (400) unknown actions or lengths, a delete together with
    a hide, a timeout without its length, and a reason over the limit."""
    if preset is None:
        return Preset()
    allowed = {kind.value for kind in CONTENT}
    actions = tuple(kind for kind in (k.value for k in CONTENT) if kind in set(preset.actions))
    if set(preset.actions) - allowed:
        raise Refused(_("That isn't an action a macro can take."), status=400)
    if {ActionKind.HIDE_POST.value, ActionKind.DELETE_POST.value} <= set(actions):
        raise Refused(_("A deleted post needs no hiding: choose one."), status=400)
    sanction = preset.sanction or None
    if sanction is not None and sanction not in {kind.value for kind in SANCTIONS}:
        raise Refused(_("That isn't a sanction a macro can give."), status=400)
    timeout = None
    if sanction == ActionKind.TIMEOUT.value:
        timeout = preset.timeout or ""
        if timeout not in PERIODS:
            raise Refused(_("Choose how long the timeout lasts."), status=400)
    reason = (preset.reason or "").strip() or None
    if reason is not None:
        reason = clean_reason(reason)
    return Preset(actions=actions, sanction=sanction, timeout=timeout, reason=reason)


def preset_of(response: CannedResponse) -> Preset:
    return Preset(actions=tuple(response.actions or ()), sanction=response.sanction,
                  timeout=response.timeout, reason=response.reason)


def kinds_of(response: CannedResponse) -> list[ActionKind]:
    kinds = [ActionKind(kind) for kind in response.actions or ()]
    if response.sanction:
        kinds.append(ActionKind(response.sanction))
    return kinds


def label(kinds: list[ActionKind] | tuple[ActionKind, ...]) -> str:
    """A button's words: "Hide + Warn"."""
    return " + ".join(str(VERBS[kind]) for kind in kinds)


def is_destructive(kinds) -> bool:
    return bool(DESTRUCTIVE & set(kinds))


def fits(kinds, item: ReportItem) -> bool:
    """Whether the actions can apply to the item's target at all (a report about a member
    has no post to hide); the services judge everything else when it is applied."""
    kinds = set(kinds)
    if kinds & _POST_KINDS and item.post_id is None and item.thread_id is None:
        return False
    if ActionKind.LOCK_THREAD in kinds and item.thread_id is None:
        return False
    return not (kinds & set(SANCTIONS) and item.subject_id is None)


def actions_for(response: CannedResponse, reason: str, message: str | None) -> list[Action]:
    """The macro's actions for one item, each with the macro's reason or ``reason``."""
    reason = response.reason or reason
    actions = [Action(ActionKind(kind), reason) for kind in response.actions or ()]
    if response.sanction == ActionKind.TIMEOUT.value:
        length = PERIODS.get(response.timeout or "")
        if length is None:
            raise Refused(_("Choose how long the timeout lasts."), status=400)
        actions.append(Action(ActionKind.TIMEOUT, reason, duration=length[1], message=message))
    elif response.sanction:
        actions.append(Action(ActionKind(response.sanction), reason, message=message))
    return actions
