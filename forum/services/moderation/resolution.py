"""Handling a queue item in one step.

``resolve`` applies a combination of actions (each with its reason) to an item's target, closes
the item and every report in it, logs one entry per action and tells the reporters and the
member concerned, all in one transaction. The item's status is changed by a conditional UPDATE
first, so when two moderators resolve the same item at once exactly one succeeds and the other
is told who got there first. The actions themselves are the same entry points a thread page
uses (``posting``, ``post_tools``, ``thread_tools``, ``thread_moving``, ``sanctions.issue``),
run as steps of this transaction.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import gettext as _
from sqlalchemy import select, update

from ...database import commit, joined
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Board,
    ItemStatus,
    ModAction,
    NotificationKind,
    Post,
    Report,
    ReportedMessage,
    ReportItem,
    SanctionKind,
    TargetKind,
    Thread,
    User,
    utcnow,
)
from ...policy import Policy
from .. import audit, notifications
from ..content import posting
from ..text import clean_reason
from . import (
    post_tools,
    reported_messages,
    reports,
    summaries,
    system_reasons,
    thread_moving,
    thread_tools,
)
from . import sanctions as sanctions_service


class ActionKind(StrEnum):
    DISMISS = "dismiss"
    HIDE_POST = "hide_post"
    HIDE_MESSAGE = "hide_message"
    DELETE_POST = "delete_post"
    EDIT_POST = "edit_post"
    LOCK_THREAD = "lock_thread"
    MOVE_THREAD = "move_thread"
    WARN = "warn"
    TIMEOUT = "timeout"
    SUSPEND = "suspend"
    BAN = "ban"

    @property
    def label(self) -> str:
        """What a report's summary calls it, in the reader's language."""
        return str(summaries.LABELS[self.value])


_SANCTIONS = {
    ActionKind.WARN: SanctionKind.WARNING,
    ActionKind.TIMEOUT: SanctionKind.TIMEOUT,
    ActionKind.SUSPEND: SanctionKind.SUSPENSION,
    ActionKind.BAN: SanctionKind.BAN,
}
_POST_ACTIONS = frozenset({ActionKind.HIDE_POST, ActionKind.DELETE_POST, ActionKind.EDIT_POST})
_THREAD_ACTIONS = frozenset({ActionKind.LOCK_THREAD, ActionKind.MOVE_THREAD})
_MESSAGE_ACTIONS = frozenset({ActionKind.HIDE_MESSAGE})
# Applied in this order whatever order they were chosen in: the text is fixed before the post
# is hidden, the thread is where it belongs before a delete recounts its board.
_ORDER = [
    ActionKind.EDIT_POST, ActionKind.HIDE_POST, ActionKind.HIDE_MESSAGE, ActionKind.LOCK_THREAD,
    ActionKind.MOVE_THREAD, ActionKind.DELETE_POST, ActionKind.WARN, ActionKind.TIMEOUT,
    ActionKind.SUSPEND, ActionKind.BAN,
]
ORDER = tuple(_ORDER)


@dataclass(frozen=True)
class Action:
    """One thing to do to a report's target. Every action needs a reason; some need more."""

    kind: ActionKind | str
    reason: str
    body: str | None = None  # edit_post: the new text
    board: Board | None = None  # move_thread: where to
    duration: timedelta | None = None  # timeout: 10 minutes … 7 days
    until: datetime | None = None  # suspend: the end; ban: the end, or None for good
    message: str | None = None  # sanctions: words for the member (from a canned response)


@dataclass(frozen=True)
class Resolution:
    item: ReportItem
    status: ItemStatus
    entries: list[ModAction]


def _twice(kind: ActionKind) -> str:
    """The refusal of an action chosen twice, one whole sentence per action."""
    return {
        ActionKind.DISMISS: _("“no action needed” was chosen twice."),
        ActionKind.HIDE_POST: _("“hid the post” was chosen twice."),
        ActionKind.HIDE_MESSAGE: _("“removed the message” was chosen twice."),
        ActionKind.DELETE_POST: _("“deleted the post” was chosen twice."),
        ActionKind.EDIT_POST: _("“edited the post” was chosen twice."),
        ActionKind.LOCK_THREAD: _("“locked the thread” was chosen twice."),
        ActionKind.MOVE_THREAD: _("“moved the thread” was chosen twice."),
        ActionKind.WARN: _("“warned the author” was chosen twice."),
        ActionKind.TIMEOUT: _("“timed out the author” was chosen twice."),
        ActionKind.SUSPEND: _("“suspended the author” was chosen twice."),
        ActionKind.BAN: _("“banned the author” was chosen twice."),
    }[kind]


def _missing_reason(kind: ActionKind) -> str:
    """The refusal of an action without a reason, one whole sentence per action."""
    return {
        ActionKind.DISMISS: _("Please give a reason for “no action needed”."),
        ActionKind.HIDE_POST: _("Please give a reason for “hid the post”."),
        ActionKind.HIDE_MESSAGE: _("Please give a reason for “removed the message”."),
        ActionKind.DELETE_POST: _("Please give a reason for “deleted the post”."),
        ActionKind.EDIT_POST: _("Please give a reason for “edited the post”."),
        ActionKind.LOCK_THREAD: _("Please give a reason for “locked the thread”."),
        ActionKind.MOVE_THREAD: _("Please give a reason for “moved the thread”."),
        ActionKind.WARN: _("Please give a reason for “warned the author”."),
        ActionKind.TIMEOUT: _("Please give a reason for “timed out the author”."),
        ActionKind.SUSPEND: _("Please give a reason for “suspended the author”."),
        ActionKind.BAN: _("Please give a reason for “banned the author”."),
    }[kind]


# -- checking the request ----------------------------------------------------------------------
def _checked(actions: Sequence[Action]) -> dict[ActionKind, Action]:
    """The actions by kind, with cleaned reasons. Refuses (400) what can't go together."""
    if not actions:
        raise Refused(_("Choose at least one action."), status=400)
    chosen: dict[ActionKind, Action] = {}
    for action in actions:
        try:
            kind = ActionKind(action.kind)
        except ValueError:
            raise Refused(_("That isn't an action moderators can take."), status=400) from None
        if kind in chosen:
            raise Refused(_twice(kind), status=400)
        chosen[kind] = replace(action, kind=kind,
                               reason=clean_reason(action.reason, _missing_reason(kind)))
    kinds = set(chosen)
    if ActionKind.DISMISS in kinds and len(kinds) > 1:
        raise Refused(_("Dismissing means no action: it can't be combined with others."),
                      status=400)
    if ActionKind.DELETE_POST in kinds and kinds & {ActionKind.HIDE_POST, ActionKind.EDIT_POST}:
        raise Refused(_("A deleted post needs no hiding or editing: choose one."), status=400)
    if len(kinds & {ActionKind.TIMEOUT, ActionKind.SUSPEND, ActionKind.BAN}) > 1:
        raise Refused(_("Choose one of time out, suspend or ban."), status=400)
    if ActionKind.EDIT_POST in kinds and not (chosen[ActionKind.EDIT_POST].body or "").strip():
        raise Refused(_("Give the post's new text."), status=400)
    if ActionKind.MOVE_THREAD in kinds and chosen[ActionKind.MOVE_THREAD].board is None:
        raise Refused(_("Choose the board to move the thread to."), status=400)
    return chosen


def _targets(item: ReportItem, kinds: set[ActionKind]) -> tuple[Post | None, Thread | None]:
    thread = item.thread
    post = item.post if item.post_id else (thread.first_post if thread is not None else None)
    about_message = item.target_kind == TargetKind.MESSAGE
    if kinds & _POST_ACTIONS:
        if post is None:
            raise Refused(_("This report is about a private message, not a post.")
                          if about_message else
                          _("This report is about a member, not a post."), status=400)
        if post.is_deleted:
            raise Refused(_("This post was deleted already."), status=409)
    if kinds & _THREAD_ACTIONS:
        if thread is None:
            raise Refused(_("This report is about a private message, not a thread.")
                          if about_message else
                          _("This report is about a member, not a thread."), status=400)
        if thread.is_deleted:
            raise Refused(_("This thread was deleted already."), status=409)
    if kinds & _MESSAGE_ACTIONS:
        if not about_message:
            raise Refused(_("This report isn't about a private message."), status=400)
        message = reported_messages.reported_message(item)
        if message is not None and message.is_hidden:
            raise Refused(_("A moderator removed this message already."), status=409)
    return post, thread


# -- resolving ---------------------------------------------------------------------------------
def resolve(actor: User, item: ReportItem, actions: Sequence[Action],
            now: datetime | None = None) -> Resolution:
    """Handle a queue item in one step: dismiss it, or apply any sensible combination of hide,
    delete, edit, lock, move, warn, time out, suspend and ban, or, for a reported private
    message, removing it from its conversation. The item and all its reports close;
    reporters hear "action taken", "the message was removed" or "no action needed" (never
    from whom); the member is told about sanctions and changes to their post or message. A
    post hidden pending review is shown again unless it is hidden or deleted now.

    Refuses: someone who may not handle the item (403); acting above one's rank or outside
    one's boards (403); no, unknown, repeated or clashing actions, a missing reason, edit text
    or destination (400); an action that doesn't fit the target (400, or 409 if it was deleted
    or removed meanwhile); a bad sanction length (400); an item already resolved, dismissed
    or resolved by someone else a moment ago (``Conflict``, 409, saying who and what). On any
    refusal nothing is saved.
    """
    now = now or utcnow()
    plan = _plan(actor, item, actions, now)
    _close(actor, item, plan.status, _summary(plan.chosen), now)
    # A refusal half-way (the thread was locked meanwhile, say) undoes the whole step.
    with joined():
        entries = _carry_out(actor, plan, now)
    commit()
    db.session.refresh(item)
    return Resolution(item=item, status=plan.status, entries=entries)


@dataclass(frozen=True)
class _Plan:
    """A resolve request that passed every check that needs no write."""

    item: ReportItem
    chosen: dict[ActionKind, Action]
    post: Post | None
    thread: Thread | None
    board: Board | None  # where the action happens: lets board moderators act
    ends: dict[ActionKind, datetime | None]  # for the sanctions chosen

    @property
    def kinds(self) -> set[ActionKind]:
        return set(self.chosen)

    @property
    def dismissed(self) -> bool:
        return self.kinds == {ActionKind.DISMISS}

    @property
    def status(self) -> ItemStatus:
        return ItemStatus.DISMISSED if self.dismissed else ItemStatus.RESOLVED


def _plan(actor: User, item: ReportItem, actions: Sequence[Action], now: datetime) -> _Plan:
    chosen = _checked(actions)
    kinds = set(chosen)
    policy = Policy(actor)
    require(policy.can_handle_report(item))
    post, thread = _targets(item, kinds)
    board = thread.board if thread is not None else None
    if kinds & (_POST_ACTIONS | set(_SANCTIONS)):
        require(policy.can_act_on_user(item.subject, board))
    if kinds & _MESSAGE_ACTIONS:
        require(policy.can_hide_message(item))
    if ActionKind.MOVE_THREAD in kinds:
        destination = chosen[ActionKind.MOVE_THREAD].board
        require(policy.can_moderate_board(destination))
    ends = {
        kind: sanctions_service.sanction_end(_SANCTIONS[kind], now, duration=action.duration,
                                             until=action.until)
        for kind, action in chosen.items() if kind in _SANCTIONS
    }
    return _Plan(item=item, chosen=chosen, post=post, thread=thread, board=board, ends=ends)


def _carry_out(actor: User, plan: _Plan, now: datetime) -> list[ModAction]:
    item, post = plan.item, plan.post
    if plan.dismissed:
        audit.record(actor, "report.dismiss", item, plan.chosen[ActionKind.DISMISS].reason,
                     now=now, item=item)
    for kind in _ORDER:
        action = plan.chosen.get(kind)
        if action is None:
            continue
        if kind in _SANCTIONS:
            sanctions_service.issue(actor, item.subject, _SANCTIONS[kind], action.reason,
                                    ends_at=plan.ends[kind], message=action.message,
                                    board=plan.board, item=item, now=now)
        else:
            _apply_to_content(actor, kind, action, plan, now)
    first_reason = next(iter(plan.chosen.values())).reason
    if post is not None and post.is_hidden and post.hidden_by_id is None and not (
        plan.kinds & {ActionKind.HIDE_POST, ActionKind.DELETE_POST}
    ):
        post_tools.unhide_post(actor, post, system_reasons.reviewed(first_reason), now,
                                item=item)
    db.session.execute(
        update(Report).where(Report.item_id == item.id)
        .values(status=plan.status, closed_at=now).execution_options(synchronize_session=False)
    )
    _tell_reporters(actor, item, post, plan.thread, plan.dismissed, now,
                    removed=ActionKind.HIDE_MESSAGE in plan.kinds)
    db.session.flush()
    # The item is closed now, so its entries by this moderator other than claiming are ours.
    return list(db.session.scalars(
        select(ModAction)
        .where(ModAction.item_id == item.id, ModAction.actor_id == actor.id,
               ModAction.action.not_in(["report.claim", "report.release"]))
        .order_by(ModAction.id)
    ))


def _apply_to_content(actor: User, kind: ActionKind, action: Action, plan: _Plan,
                      now: datetime) -> None:
    post, thread, item = plan.post, plan.thread, plan.item
    if kind == ActionKind.HIDE_POST:
        post_tools.hide_post(actor, post, action.reason, now, item=item)
    elif kind == ActionKind.HIDE_MESSAGE:
        reported_messages.hide_message(actor, item, action.reason, now)
    elif kind == ActionKind.DELETE_POST:
        posting.delete_post(actor, post, action.reason, now, item=item)
    elif kind == ActionKind.EDIT_POST:
        posting.edit_post(actor, post, action.body, now, reason=action.reason, item=item)
    elif kind == ActionKind.LOCK_THREAD:
        thread_tools.lock_thread(actor, thread, action.reason, now=now, item=item)
    elif kind == ActionKind.MOVE_THREAD:
        thread_moving.move_thread(actor, thread, action.board, action.reason, now, item=item)
    else:
        raise AssertionError(f"no content action {kind}")


def dismiss(actor: User, item: ReportItem, reason: str,
            now: datetime | None = None) -> Resolution:
    """``resolve`` with the single action "no action needed"."""
    return resolve(actor, item, [Action(ActionKind.DISMISS, reason)], now=now)


def _summary(chosen: dict[ActionKind, Action]) -> str:
    """The actions taken as ``summaries`` stores them: codes, worded when shown."""
    if ActionKind.DISMISS in chosen:
        return summaries.encode([(ActionKind.DISMISS.value, None)])
    return summaries.encode(
        (kind.value, chosen[kind].board.slug if kind == ActionKind.MOVE_THREAD else None)
        for kind in _ORDER if kind in chosen
    )


def _close(actor: User, item: ReportItem, status: ItemStatus, summary: str,
           now: datetime) -> None:
    # The status test is the race's referee: on PostgreSQL the loser waits for the winner's
    # row lock and then matches nothing; on SQLite the writers take turns, with the same end.
    closed = db.session.execute(
        update(ReportItem)
        .where(ReportItem.id == item.id, ReportItem.status.in_(ACTIVE_STATUSES))
        .values(status=status, open_key=None, resolved_by_id=actor.id, resolved_at=now,
                resolution=summary[:summaries.STORED_MAX])
        .execution_options(synchronize_session=False)
    ).rowcount
    if not closed:
        db.session.rollback()
        raise Conflict(reports.describe_state(item, actor.timezone))


def _what(item: ReportItem, post: Post | None,
          thread: Thread | None) -> tuple[str, dict, str | None]:
    """How a reporter's notification names the target (the kind and its parameters), and a
    link if they can still see it."""
    if item.target_kind == TargetKind.USER:
        username = item.subject.username
        return "user", {"username": username}, item.subject.url
    if item.target_kind == TargetKind.MESSAGE:
        # The reporter was in the conversation; the link leads back into it.
        found = db.session.scalar(select(ReportedMessage).where(
            ReportedMessage.item_id == item.id))
        link = f"/messages/{found.message.conversation_id}" if found is not None else None
        return "message", {}, link
    if item.target_kind == TargetKind.THREAD:
        link = None if thread.is_deleted else thread.url
        return "thread", {"title": thread.title}, link
    link = None if post.is_deleted or post.is_hidden else post.url
    return "post", {"title": thread.title}, link


def _tell_reporters(actor: User, item: ReportItem, post: Post | None, thread: Thread | None,
                    dismissed: bool, now: datetime, *, removed: bool = False) -> None:
    what, params, link = _what(item, post, thread)
    outcome = "dismissed" if dismissed else "removed" if removed else "actioned"
    key = f"report.{what}.{outcome}"
    reporters = db.session.scalars(
        select(User).where(User.id.in_(select(Report.reporter_id)
                                       .where(Report.item_id == item.id)))
    )
    for reporter in reporters:
        if reporter.id == actor.id:
            continue
        notifications.notify(reporter, NotificationKind.REPORT_OUTCOME, key, params, link,
                             now=now)
