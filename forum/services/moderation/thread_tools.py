"""What moderators do to a thread: rename it, restore it; and calming it
without closing the community: locks (now, for a while, or from a moment on), unlocking, slow
mode per thread and per board, read-only boards, and the "cool down" action that combines a
slow mode, a timed lock and a notice posted into the thread.

Pins are in ``thread_pins``, moving (and the "moved" notice) in ``thread_moving``, merging and
splitting in ``thread_merging``. Every change is logged with its actor and reason and the
thread's author is told. Times are stored, never acted on: a lock that ends or starts later is
read against the clock (``Thread.locked_now``), so nothing has to run when the moment comes.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from ...database import commit, joined
from ...errors import Refused
from ...models import Board, ModAction, ReportItem, Thread, User, utcnow
from .. import audit
from ..content import posting, restoring
from ..notification_texts import moment
from ..text import clean_reason
from .thread_common import check_ahead, check_moderator, iso, tell_author

SLOW_PRESETS = [30, 60, 120, 300, 900, 1800, 3600, 6 * 3600, 86400]
SLOW_MIN = 30
SLOW_MAX = 86400


def _lock_state(thread: Thread) -> dict:
    return {"locked": bool(thread.is_locked), "starts_at": iso(thread.lock_starts_at),
            "ends_at": iso(thread.lock_ends_at)}


# -- locks -------------------------------------------------------------------------------------
def lock_thread(actor: User, thread: Thread, reason: str, *, starts_at: datetime | None = None,
                ends_at: datetime | None = None, now: datetime | None = None,
                item: ReportItem | None = None) -> ModAction:
    """Lock a thread (``thread.lock``): now, or from ``starts_at``; until unlocked, or until
    ``ends_at``. A lock already set is replaced.

    Refuses: someone who doesn't moderate the board (403); no reason, a start not in the
    future, an end not after the start, a start or end more than a year ahead (400); a lock
    in force that this one would only repeat
    (409).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(reason, _("Please give a reason for “lock the thread”."))
    if starts_at is not None and starts_at <= now:
        raise Refused(_("A scheduled lock must start in the future."), status=400)
    if ends_at is not None and ends_at <= (starts_at or now):
        raise Refused(_("A lock must end after it starts."), status=400)
    check_ahead(starts_at, now, _("A scheduled lock can start at most a year from now."))
    check_ahead(ends_at, now, _("A lock can end at most a year from now; leave the end empty "
                "to lock the thread until it is unlocked."))
    if (thread.locked_now(now) and starts_at is None and ends_at is None
            and thread.lock_ends_at is None):
        raise Refused(_("This thread is already locked."), status=409)
    before = _lock_state(thread)
    thread.is_locked = True
    thread.locked_reason = reason
    thread.locked_by_id = actor.id
    thread.locked_at = now
    thread.lock_starts_at = starts_at
    thread.lock_ends_at = ends_at
    if starts_at is not None:
        tell_author(actor, thread, "thread.lock_scheduled", {"starts_at": moment(starts_at)},
                    reason, now)
    elif ends_at is not None:
        tell_author(actor, thread, "thread.locked_for",
                    {"length_seconds": int((ends_at - now).total_seconds())}, reason, now)
    else:
        tell_author(actor, thread, "thread.locked", {}, reason, now)
    entry = audit.record(actor, "thread.lock", thread, reason, before=before,
                         after=_lock_state(thread), now=now, item=item)
    commit()
    return entry


def unlock_thread(actor: User, thread: Thread, reason: str,
                  now: datetime | None = None) -> ModAction:
    """Lift a lock in force or cancel a scheduled one (``thread.unlock``).

    Refuses: someone who doesn't moderate the board (403), no reason (400), a thread with no
    lock in force or coming (409).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(reason, _("Please give a reason for “unlock the thread”."))
    if not (thread.locked_now(now) or thread.lock_pending(now)):
        raise Refused(_("This thread isn't locked."), status=409)
    before = _lock_state(thread)
    thread.is_locked = False
    thread.lock_starts_at = None
    thread.lock_ends_at = None
    thread.locked_reason = None
    tell_author(actor, thread, "thread.unlocked", {}, reason, now)
    entry = audit.record(actor, "thread.unlock", thread, reason, before=before,
                         after=_lock_state(thread), now=now)
    commit()
    return entry


# -- renaming, restoring ----------------------------------------------------------------------
def rename_thread(actor: User, thread: Thread, title: str, reason: str,
                  now: datetime | None = None) -> ModAction:
    """Give the thread a new title and the slug that goes with it (``thread.rename``, both
    titles kept in the log; old addresses redirect by the thread's id); the author is told.

    Refuses: someone who doesn't moderate the board (403); no reason, an empty or oversized
    title, the title it already has (400).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(reason, _("Please give a reason for “rename the thread”."))
    title = posting.clean_title(title)
    old = thread.title
    if title == old:
        raise posting.InvalidInput("title", _("The thread already has that title."))
    before = {"title": old, "slug": thread.slug}
    thread.title = title
    thread.slug = posting.slugify(title)
    tell_author(actor, thread, "thread.renamed", {"old": old, "title": title}, reason, now)
    entry = audit.record(actor, "thread.rename", thread, reason, before=before,
                         after={"title": title, "slug": thread.slug}, now=now)
    commit()
    return entry


def restore_thread(actor: User, thread: Thread, reason: str,
                   now: datetime | None = None) -> ModAction:
    """Undo a thread's delete (``thread.restore``): its opening post, the board's thread and
    post counts, the board's latest post and the author's counts come back in this
    transaction; the author is told.

    Refuses: someone who doesn't moderate the board (403), no reason (400), a thread that
    isn't deleted (409).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(reason, _("Please give a reason for “restore the thread”."))
    if not thread.is_deleted:
        raise Refused(_("This thread isn't deleted."), status=409)
    if thread.merged_into_id is not None:
        raise Refused(_("This thread was merged into another; its posts are there now."),
                      status=409)
    restoring.restore_thread(thread)
    tell_author(actor, thread, "thread.restored", {}, reason, now)
    entry = audit.record(actor, "thread.restore", thread, reason, before={"deleted": True},
                         after={"deleted": False}, now=now)
    commit()
    return entry


# -- slow mode ---------------------------------------------------------------------------------
def check_interval(seconds: int, board: bool = False) -> int:
    """Refuses (400) an interval outside 30 seconds … 24 hours; 0 means off. ``board``: the
    interval is a board's slow mode rather than a thread's."""
    if seconds != 0 and not SLOW_MIN <= seconds <= SLOW_MAX:
        if board:
            raise Refused(_("A board's slow mode lasts from 30 seconds to 24 hours between "
                            "posts (or 0 for off)."), status=400)
        raise Refused(_("Slow mode lasts from 30 seconds to 24 hours between posts (or 0 for "
                        "off)."), status=400)
    return seconds


def set_slow_mode(actor: User, thread: Thread, seconds: int, reason: str, *,
                  until: datetime | None = None, now: datetime | None = None,
                  item: ReportItem | None = None) -> ModAction:
    """Set the thread's own slow mode (``thread.slow_mode``), until turned off or ``until``;
    0 turns it off.

    Refuses: someone who doesn't moderate the board (403); no reason, an interval outside 30
    seconds … 24 hours, an end not in the future or more than a year ahead (400); turning off a
    slow mode that isn't on
    (409).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(reason, _("Please give a reason for “slow mode”."))
    seconds = check_interval(seconds)
    if seconds == 0 and not thread.own_slow_mode(now):
        raise Refused(_("Slow mode isn't on in this thread."), status=409)
    if until is not None and (seconds == 0 or until <= now):
        raise Refused(_("Slow mode can only end in the future."), status=400)
    check_ahead(until, now, _("Slow mode can end at most a year from now; leave the end empty "
                "to keep it on until it is turned off."))
    before = {"seconds": thread.own_slow_mode(now), "until": iso(thread.slow_mode_until)}
    thread.slow_mode_seconds = seconds
    thread.slow_mode_until = until if seconds else None
    if seconds and until:
        tell_author(actor, thread, "thread.slow_mode_until",
                    {"interval_seconds": seconds, "until_at": moment(until)}, reason, now)
    elif seconds:
        tell_author(actor, thread, "thread.slow_mode", {"interval_seconds": seconds}, reason,
                    now)
    else:
        tell_author(actor, thread, "thread.slow_mode_off", {}, reason, now)
    entry = audit.record(actor, "thread.slow_mode", thread, reason, before=before,
                         after={"seconds": seconds, "until": iso(thread.slow_mode_until)},
                         now=now, item=item)
    commit()
    return entry


def set_board_pace(actor: User, board: Board, slow_mode_seconds: int, is_read_only: bool,
                   reason: str, now: datetime | None = None, *,
                   member_events: bool | None = None) -> Board:
    """A board's default slow mode, read-only flag and whether members may create events
    there (None leaves that as it is); logged as ``board.settings``.

    Refuses: someone who doesn't moderate the board (403), no reason or a bad interval (400),
    a change that changes nothing (400), lifting read-only on an archived board (400: an
    archived board stays read-only until an administrator takes it out of the archive).
    """
    now = now or utcnow()
    check_moderator(actor, board)
    reason = clean_reason(reason, _("Please give a reason for “change the board”."))
    check_interval(slow_mode_seconds, board=True)
    if board.is_archived and not is_read_only:
        raise Refused(_("This board is archived, so it stays read-only."), status=400)
    if member_events is None:
        member_events = bool(board.allows_member_events)
    before = {"slow_mode_seconds": board.slow_mode_seconds or 0,
              "read_only": bool(board.is_read_only),
              "member_events": bool(board.allows_member_events)}
    after = {"slow_mode_seconds": slow_mode_seconds, "read_only": bool(is_read_only),
             "member_events": bool(member_events)}
    if before == after:
        raise Refused(_("Nothing changed."), status=400)
    board.slow_mode_seconds = slow_mode_seconds
    board.is_read_only = bool(is_read_only)
    board.allows_member_events = bool(member_events)
    audit.record(actor, "board.settings", board, reason, before=before, after=after, now=now)
    commit()
    return board


# -- cooling down --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoolDown:
    """What "cool down" does; any combination, at least one part."""

    reason: str
    slow_seconds: int = 0  # slow mode interval, 0 for none
    slow_for: timedelta | None = None  # how long slow mode lasts; None until turned off
    lock_for: timedelta | None = None  # a timed lock, starting now
    notice: str | None = None  # posted into the thread by the moderator


def cool_down(actor: User, thread: Thread, plan: CoolDown, now: datetime | None = None,
              item: ReportItem | None = None) -> list[ModAction]:
    """Apply slow mode, a timed lock and a moderator notice in one transaction, each logged
    (and ``thread.cool_down`` for the whole).

    Refuses: someone who doesn't moderate the board (403); nothing chosen, no reason, a bad
    interval or length, an empty or oversized notice (400); a deleted thread (409).
    """
    now = now or utcnow()
    check_moderator(actor, thread.board)
    reason = clean_reason(plan.reason, _("Please give a reason for “cool down”."))
    if thread.is_deleted:
        raise Refused(_("This thread was deleted."), status=409)
    notice = (plan.notice or "").strip()
    if not (plan.slow_seconds or plan.lock_for or notice):
        raise Refused(_("Choose slow mode, a lock or a notice (or several)."), status=400)
    if plan.lock_for is not None and plan.lock_for <= timedelta(0):
        raise Refused(_("A lock must last a while."), status=400)
    entries: list[ModAction] = []
    with joined():
        if notice:
            post = posting.add_notice(actor, thread, notice, now)
            entries.append(audit.record(actor, "thread.notice", thread, reason,
                                        after={"post": post.id}, now=now, item=item))
        if plan.slow_seconds:
            until = now + plan.slow_for if plan.slow_for else None
            entries.append(set_slow_mode(actor, thread, plan.slow_seconds, reason, until=until,
                                         now=now, item=item))
        if plan.lock_for:
            entries.append(lock_thread(actor, thread, reason, ends_at=now + plan.lock_for,
                                       now=now, item=item))
    parts = {"slow_seconds": plan.slow_seconds or None,
             "lock_seconds": int(plan.lock_for.total_seconds()) if plan.lock_for else None,
             "notice": bool(notice)}
    entries.append(audit.record(actor, "thread.cool_down", thread, reason, after=parts,
                                now=now, item=item))
    commit()
    return entries
