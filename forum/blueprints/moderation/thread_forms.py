"""Forms of the thread tools: pin, rename, move, merge, split, restore, lock, slow mode, cool
down, and a board's pace."""
from __future__ import annotations

import re
from datetime import datetime

from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField

from ...common import timefmt
from ...common.timefmt import duration
from ...services.content.posting import TITLE_MAX
from ...services.moderation.thread_tools import SLOW_PRESETS, CoolDown
from ...services.text import REASON_MAX
from .forms import PERIODS, period_choices

# The interval is written when the choice is shown, in the reader's language.
SLOW_CHOICES = [(str(seconds), _l("One post every %(interval)s",
                                  interval=LazyString(duration, seconds)))
                for seconds in SLOW_PRESETS]
# Locks last up to 3 days (longer is "until unlocked"); slow mode may run for a week.
LOCK_LENGTHS = ("1h", "6h", "24h", "3d")
SLOW_LENGTHS = (*LOCK_LENGTHS, "7d")


SHOWN_REASON = _l("Reason (shown on the thread and logged)")


def _reason_field(field_id: str, label=SHOWN_REASON) -> StringField:
    # Several of these forms share a page: distinct ids keep each label with its own field.
    return StringField(label, id=field_id, render_kw={"maxlength": REASON_MAX})


def _local(text: str | None, tz_name: str | None, missing: str) -> datetime:
    """The local moment typed in ``text``; ValueError(``missing``) when it is empty."""
    if not (text or "").strip():
        raise ValueError(missing)
    return timefmt.parse_local(text, tz_name)


class LockForm(FlaskForm):
    mode = RadioField(_l("Lock"), default="for", validate_choice=False, choices=[
        ("for", _l("For a while")), ("until", _l("Until a date")),
        ("open_ended", _l("Until unlocked")),
        ("at", _l("From a date on (for example when a contest ends)"))])
    length = SelectField(_l("For"), choices=period_choices(*LOCK_LENGTHS), default="24h",
                         validate_choice=False)
    until = StringField(_l("Until (your time)"), id="lock-until",
                        render_kw={"type": "datetime-local"})
    starts = StringField(_l("From (your time)"), render_kw={"type": "datetime-local"})
    reason = _reason_field("lock-reason")

    def times(self, now: datetime, tz_name: str | None) -> tuple[datetime | None,
                                                                 datetime | None]:
        """(starts_at, ends_at); ValueError says what to fix."""
        mode = self.mode.data
        if mode == "for":
            key = self.length.data or ""
            if key not in LOCK_LENGTHS:
                raise ValueError(_("Choose how long the lock lasts."))
            return None, now + PERIODS[key][1]
        if mode == "until":
            return None, _local(self.until.data, tz_name, _("Choose when the lock ends."))
        if mode == "at":
            return _local(self.starts.data, tz_name,
                          _("Choose when the lock starts.")), None
        if mode == "open_ended":
            return None, None
        raise ValueError(_("Choose how to lock the thread."))


class UnlockForm(FlaskForm):
    reason = _reason_field("unlock-reason", _l("Reason (logged)"))


class SlowModeForm(FlaskForm):
    interval = SelectField(_l("Interval"), choices=[*SLOW_CHOICES, ("custom", _l("Custom…"))],
                           default="300", validate_choice=False)
    custom = StringField(_l("Custom interval in seconds (30 to 86400)"),
                         render_kw={"inputmode": "numeric"})
    until = StringField(_l("Until (your time, optional)"), id="slow-until",
                        render_kw={"type": "datetime-local"})
    reason = _reason_field("slow-reason", _l("Reason (logged, and the author is told)"))

    def seconds(self) -> int:
        raw = self.custom.data if self.interval.data == "custom" else self.interval.data
        raw = (raw or "").strip()
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
            raise ValueError(_("Give the interval in whole seconds, from 30 to 86400."))
        return int(raw)

    def end(self, tz_name: str | None) -> datetime | None:
        if not (self.until.data or "").strip():
            return None
        return timefmt.parse_local(self.until.data, tz_name)


class SlowModeOffForm(FlaskForm):
    reason = _reason_field("slow-off-reason", _l("Reason (logged)"))


class CoolDownForm(FlaskForm):
    slow = SelectField(_l("Slow mode"), id="cool-slow", default="600", validate_choice=False,
                       choices=[("0", _l("No slow mode")), *SLOW_CHOICES])
    slow_for = SelectField(_l("Slow mode lasts"), default="24h", validate_choice=False,
                           choices=[*period_choices(*SLOW_LENGTHS), ("", _l("Until turned off"))])
    lock_for = SelectField(_l("Lock the thread"), default="", validate_choice=False,
                           choices=[("", _l("Don't lock")), *period_choices(*LOCK_LENGTHS)])
    notice = TextAreaField(_l("Notice posted into the thread (optional)"),
                           render_kw={"rows": 4, "maxlength": 5000})
    reason = _reason_field("cool-reason", _l("Reason (logged, and the author is told)"))
    item = StringField(render_kw={"type": "hidden"})

    def plan(self) -> CoolDown:
        slow = (self.slow.data or "0").strip()
        if not slow.isdigit() or len(slow) > 6:
            raise ValueError(_("Choose a slow-mode interval from the list."))
        slow_for = self.slow_for.data or ""
        lock_for = self.lock_for.data or ""
        if (slow_for and slow_for not in SLOW_LENGTHS) or (lock_for and
                                                           lock_for not in LOCK_LENGTHS):
            raise ValueError(_("Choose the lengths from the lists."))
        return CoolDown(
            reason=self.reason.data or "",
            slow_seconds=int(slow),
            slow_for=PERIODS[slow_for][1] if slow_for else None,
            lock_for=PERIODS[lock_for][1] if lock_for else None,
            notice=self.notice.data or None,
        )


class BoardPaceForm(FlaskForm):
    slow = SelectField(_l("Default slow mode for every thread"), default="0",
                       validate_choice=False,
                       choices=[("0", _l("Off")), *SLOW_CHOICES])
    read_only = BooleanField(_l("Read-only: only moderators start threads and reply"))
    member_events = BooleanField(_l("Members may create events here"))
    reason = _reason_field("reason", _l("Reason (logged)"))

    def seconds(self) -> int:
        raw = (self.slow.data or "").strip()
        if not raw.isdigit() or len(raw) > 6:
            raise ValueError(_("Choose a slow-mode interval from the list."))
        return int(raw)


class PinForm(FlaskForm):
    until = StringField(_l("Until (your time, optional)"), id="pin-until",
                        render_kw={"type": "datetime-local"})
    everywhere = BooleanField(_l("Pin above every board (shown wherever readers may open it)"))
    reason = _reason_field("pin-reason", _l("Reason (logged, and the author is told)"))

    def end(self, tz_name: str | None) -> datetime | None:
        if not (self.until.data or "").strip():
            return None
        return timefmt.parse_local(self.until.data, tz_name)


class UnpinForm(FlaskForm):
    reason = _reason_field("unpin-reason", _l("Reason (logged, and the author is told)"))


class RenameForm(FlaskForm):
    # The service checks the title (empty, too long, unchanged) and says so by this field.
    title = StringField(_l("New title"), id="rename-title", render_kw={"maxlength": TITLE_MAX})
    reason = _reason_field("rename-reason", _l("Reason (logged with both titles; the author is "
                                               "told)"))


NOTICE_LENGTHS = ("24h", "3d", "7d")


class MoveForm(FlaskForm):
    # Filled per request with the boards the moderator moderates, by slug.
    board = SelectField(_l("Move to"), id="move-board", choices=[], validate_choice=False)
    notice = BooleanField(_l("Leave a “moved” notice in this board, linking to the new place"),
                          id="move-notice")
    notice_for = SelectField(_l("The notice stays"), id="move-notice-for", default="7d",
                             validate_choice=False,
                             choices=[*period_choices(*NOTICE_LENGTHS), ("", _l("Until removed"))])
    reason = _reason_field("move-reason", _l("Reason (logged, and the author is told)"))

    def notice_end(self, now: datetime) -> datetime | None:
        """When the notice ends (None: until removed, or no notice). ValueError: a length
        not offered."""
        key = self.notice_for.data or ""
        if not self.notice.data or not key:
            return None
        if key not in NOTICE_LENGTHS:
            raise ValueError(_("Choose how long the notice stays from the list."))
        return now + PERIODS[key][1]


# At most this many characters are read from the "other thread" fields.
THREAD_REF_MAX = 300
# A thread's number where it starts: digits, then the end or what may follow in an address.
_NUMBER_AT = re.compile(r"(\d{1,12})(?:[-/?#]|\Z)")


def thread_number(text: str | None) -> int:
    """A thread's number from what a moderator pasted: ``123``, ``/t/123-title`` or the whole
    address (the last ``/t/<number>`` in it). ValueError says what to give instead. Read in
    one pass over a bounded text: no pattern here can backtrack."""
    text = (text or "").strip()
    if len(text) > THREAD_REF_MAX:
        raise ValueError(_("That is too long for a thread's number or address (at most "
                           "%(max)d characters).", max=THREAD_REF_MAX))
    if "\n" not in text and "\r" not in text:
        match = None
        start = text.rfind("/t/")
        while match is None and start >= 0:
            match = _NUMBER_AT.match(text, start + 3)
            start = text.rfind("/t/", 0, start)
        match = match or _NUMBER_AT.match(text)
        if match is not None:
            return int(match.group(1))
    raise ValueError(_("Give the other thread's number or its address (like /t/123)."))


class MergeForm(FlaskForm):
    target = StringField(_l("Merge into thread (number or address)"), id="merge-target",
                         render_kw={"maxlength": 300})
    reason = _reason_field("merge-reason", _l("Reason (logged, and the author is told)"))


class SplitForm(FlaskForm):
    # The chosen posts come as repeated ``post`` values (checkboxes), read by the view.
    mode = RadioField(_l("Move the chosen posts"), default="new", validate_choice=False, choices=[
        ("new", _l("Into a new thread")), ("existing", _l("To the end of another thread"))])
    title = StringField(_l("New thread's title"), id="split-title",
                        render_kw={"maxlength": TITLE_MAX})
    board = SelectField(_l("New thread's board"), id="split-board", choices=[],
                        validate_choice=False)
    target = StringField(_l("Other thread (number or address)"), id="split-target",
                         render_kw={"maxlength": 300})
    reason = _reason_field("split-reason", _l("Reason (logged, and the author is told)"))


class RemoveNoticeForm(FlaskForm):
    reason = _reason_field("notice-reason", _l("Reason (logged)"))


class RestoreThreadForm(FlaskForm):
    reason = _reason_field("restore-reason", _l("Reason (logged, and the author is told)"))
