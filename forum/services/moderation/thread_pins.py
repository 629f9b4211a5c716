"""Pinning a thread above its board's others, or above every board ("Pinned everywhere"), until
unpinned or until a moment. The end is stored, never acted on: ``Thread.pinned_now`` reads it
against the clock, so a pin that ended sorts with the other threads at once and nothing has to
run. Each change is logged (``thread.pin``/``thread.unpin`` with before and after) and the
thread's author is told."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from ...database import commit
from ...errors import Refused, require
from ...models import ModAction, Thread, User, utcnow
from ...policy import Policy
from .. import audit
from ..notification_texts import moment
from ..text import clean_reason
from .thread_common import check_ahead, check_moderator, iso, tell_author


def _pin_state(thread: Thread, now: datetime) -> dict:
    pinned = thread.pinned_now(now)
    return {"pinned": pinned, "until": iso(thread.pinned_until) if pinned else None,
            "everywhere": bool(pinned and thread.pinned_everywhere)}


def pin_thread(actor: User, thread: Thread, reason: str, now: datetime | None = None, *,
               until: datetime | None = None, everywhere: bool = False) -> ModAction:
    """Pin the thread above the board's others (``thread.pin``), until unpinned or ``until``;
    ``everywhere`` shows it above every board its readers may open. Pinning a pinned thread
    again changes its end or its reach. The author is told.

    Refuses: someone who doesn't moderate the board (403), a pin everywhere, or a change to a
    pin everywhere, by someone the policy doesn't allow to pin everywhere (403), no reason or
    an end not in the future or more than a year ahead (400), a deleted thread or a pin that
    would change nothing (409).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    if everywhere or (thread.pinned_now(now) and thread.pinned_everywhere):
        # Pinning again replaces the pin: changing one shown everywhere is theirs alone.
        require(Policy(actor).can_pin_everywhere())
    reason = clean_reason(reason, _("Please give a reason for “pin the thread”."))
    if thread.is_deleted:
        raise Refused(_("This thread was deleted; restore it first."), status=409)
    if until is not None and until <= now:
        raise Refused(_("A pin can only end in the future."), status=400)
    check_ahead(until, now, _("A pin can end at most a year from now; leave the end empty to "
                "pin the thread until it is unpinned."))
    before = _pin_state(thread, now)
    after = {"pinned": True, "until": iso(until), "everywhere": bool(everywhere)}
    if before == after:
        raise Refused(_("This thread is already pinned."), status=409)
    thread.is_pinned = True
    thread.pinned_until = until
    thread.pinned_everywhere = bool(everywhere)
    key = "thread.pinned_everywhere" if everywhere else "thread.pinned"
    if until is not None:
        tell_author(actor, thread, f"{key}_until", {"until_at": moment(until)}, reason, now)
    else:
        tell_author(actor, thread, key, {}, reason, now)
    entry = audit.record(actor, "thread.pin", thread, reason, before=before, after=after,
                         now=now)
    commit()
    return entry


def unpin_thread(actor: User, thread: Thread, reason: str,
                 now: datetime | None = None) -> ModAction:
    """Let the thread sort with the others again (``thread.unpin``); the author is told.

    Refuses: someone who doesn't moderate the board (403), someone who may not pin everywhere
    unpinning a thread pinned everywhere (403), no reason (400), a thread that isn't pinned now
    (409; a pin that ended is no pin).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(reason, _("Please give a reason for “unpin the thread”."))
    if not thread.pinned_now(now):
        raise Refused(_("This thread isn't pinned."), status=409)
    if thread.pinned_everywhere:
        require(Policy(actor).can_pin_everywhere())
    before = _pin_state(thread, now)
    thread.is_pinned = False
    thread.pinned_until = None
    thread.pinned_everywhere = False
    tell_author(actor, thread, "thread.unpinned", {}, reason, now)
    entry = audit.record(actor, "thread.unpin", thread, reason, before=before,
                         after=_pin_state(thread, now), now=now)
    commit()
    return entry
