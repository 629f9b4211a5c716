"""Handling queue items without opening them: the buttons of a queue row (dismiss, the board's
most used resolutions, macros) and the same for several ticked items at once.

A choice is named by a key the row's form sends: ``dismiss``, ``do:hide_post+warn`` (actions
that need nothing but a reason) or ``macro:<id>``. Applying one is ``resolution.resolve``
with the reason filled in, so every rule, the policy and the log are the same as on the item
page; each item of a bulk request is resolved in its own transaction.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...errors import Refused
from ...extensions import db
from ...models import (
    CannedResponse,
    ItemStatus,
    ReportItem,
    ReportReason,
    Thread,
    User,
)
from ...policy import Policy
from . import macros, modnotes, report_queue, resolution, summaries, system_reasons
from .resolution import Action, ActionKind

BULK_MAX = 100
# Order of application, for keys and labels: the same actions always make the same key.
_ORDER = [kind for kind in resolution.ORDER if kind in macros.REPLAYABLE]


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    kinds: tuple[ActionKind, ...]
    macro: CannedResponse | None = None

    @property
    def destructive(self) -> bool:
        return macros.is_destructive(self.kinds)


DISMISS = "dismiss"


def _do_key(kinds: Iterable[ActionKind]) -> str:
    return "do:" + "+".join(kind.value for kind in kinds)


def _ordered(codes: Iterable[str]) -> tuple[ActionKind, ...] | None:
    """The codes as replayable actions in their order of application; None when one of
    them needs more than a reason (a move, an edit, a timeout's length)."""
    chosen = set(codes)
    if not chosen or not chosen <= {kind.value for kind in macros.REPLAYABLE}:
        return None
    return tuple(kind for kind in _ORDER if kind.value in chosen)


def board_favourites(board_ids: Iterable[int], limit: int = 2
                     ) -> dict[int, list[tuple[ActionKind, ...]]]:
    """Each board's most used resolutions that can be replayed with one click, most used
    first: one grouped query over the items resolved in those boards."""
    ids = sorted(set(board_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Thread.board_id, ReportItem.resolution, func.count())
        .join(Thread, Thread.id == ReportItem.thread_id)
        .where(ReportItem.status == ItemStatus.RESOLVED, Thread.board_id.in_(ids))
        .group_by(Thread.board_id, ReportItem.resolution)
    )
    counts: dict[int, Counter] = {}
    for board_id, stored, count in rows:
        kinds = _ordered(summaries.codes(stored) or ())
        if kinds is not None:
            counts.setdefault(board_id, Counter())[kinds] += count
    return {
        board_id: [kinds for kinds, _n in sorted(found.items(),
                                                  key=lambda pair: (-pair[1], pair[0]))][:limit]
        for board_id, found in counts.items()
    }


def row_choices(item: ReportItem, favourites: dict[int, list[tuple[ActionKind, ...]]],
                macro_list: Sequence[CannedResponse]) -> list[Choice]:
    """The buttons of an item's row: dismiss, the macros that fit its target, then the board's
    favourites that no macro already does."""
    choices = [Choice(DISMISS, str(macros.VERBS[ActionKind.DISMISS]), (ActionKind.DISMISS,))]
    done: set[frozenset] = set()
    for macro in macro_list:
        kinds = tuple(macros.kinds_of(macro))
        if kinds and macros.fits(kinds, item):
            choices.append(Choice(f"macro:{macro.id}", macro.title, kinds, macro))
            done.add(frozenset(kinds))
    board_id = item.thread.board_id if item.thread is not None else None
    for kinds in favourites.get(board_id, []):
        if frozenset(kinds) not in done and macros.fits(kinds, item):
            choices.append(Choice(_do_key(kinds), macros.label(kinds), kinds))
    return choices


def macro_list(viewer: Policy) -> list[CannedResponse]:
    """The canned responses that are macros, by title (one query)."""
    return [response for response in modnotes.canned_responses(viewer) if response.is_macro]


def choice_for(viewer: Policy, key: str) -> Choice:
    """The choice a form sent. Refuses (400) a key of no known form or a macro that is gone
    or carries no actions."""
    if key == DISMISS:
        return Choice(DISMISS, str(macros.VERBS[ActionKind.DISMISS]), (ActionKind.DISMISS,))
    kind, _colon, value = key.partition(":")
    if kind == "do":
        kinds = _ordered(value.split("+"))
        if kinds is not None:
            return Choice(_do_key(kinds), macros.label(kinds), kinds)
    elif kind == "macro" and value.isdigit() and len(value) < 12:
        response = db.session.get(CannedResponse, int(value))
        if response is not None and response.is_macro:
            return Choice(key, response.title, tuple(macros.kinds_of(response)), response)
        raise Refused(_("That macro doesn't exist any more; reload the page."), status=400)
    raise Refused(_("That isn't an action the queue offers."), status=400)


def default_reason(item: ReportItem) -> str:
    """The item's most common report reason, in the moderator's words: what they would have
    typed for a one-click action."""
    ranked = report_queue.reason_counts([item.id]).get(item.id) or []
    return str(ranked[0][0].label) if ranked else str(ReportReason.OTHER.label)


def _actions(choice: Choice, item: ReportItem) -> list[Action]:
    if choice.key == DISMISS:
        return [Action(ActionKind.DISMISS, system_reasons.QUEUE_DISMISSED)]
    reason = default_reason(item)
    if choice.macro is not None:
        message = None
        if choice.macro.sanction and item.subject is not None:
            message = modnotes.fill_for(choice.macro, item.subject, item.thread)
        return macros.actions_for(choice.macro, reason, message)
    return [Action(kind, reason) for kind in choice.kinds]


def apply(actor: User, item: ReportItem, choice: Choice,
          now: datetime | None = None) -> resolution.Resolution:
    """Resolve the item with the choice, the reason its reports gave most.

    Refuses: as ``resolution.resolve`` (the policy, the target, a race lost: 403, 400, 409).
    """
    return resolution.resolve(actor, item, _actions(choice, item), now=now)


@dataclass(frozen=True)
class Outcome:
    item_id: int
    done: bool
    text: str  # what was done, or why not


def apply_many(actor: User, item_ids: Sequence[int], choice: Choice,
               now: datetime | None = None) -> list[Outcome]:
    """Apply the choice to each item in turn, each resolved, logged and committed on its own;
    an item that is gone, out of the actor's reach or already closed is reported, not fatal.

    Refuses (400): no items, or more than ``BULK_MAX``.
    """
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        raise Refused(_("Tick the reports to handle first."), status=400)
    if len(ids) > BULK_MAX:
        raise Refused(_("Handle at most %(max)s reports at once.", max=BULK_MAX), status=400)
    viewer = Policy(actor)
    outcomes = []
    for item_id in ids:
        try:
            item = report_queue.get_item(viewer, item_id)
            done = apply(actor, item, choice, now=now)
        except Refused as refused:
            db.session.rollback()
            outcomes.append(Outcome(item_id, False, refused.reason))
        else:
            outcomes.append(Outcome(item_id, True,
                                    summaries.summary_text(done.item.resolution)))
    return outcomes
