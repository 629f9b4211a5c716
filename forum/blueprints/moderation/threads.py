"""Thread tools for the board's moderators: pin (for a while, everywhere), rename, move (with a
"moved" notice), merge, split, restore; lock (now, for a while, from a date), unlock, slow mode,
the one-step cool down, and a board's default pace. Each view parses its form and calls one
service; the service checks the rank and logs."""
from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...errors import Refused, require
from ...models import utcnow
from ...policy import policy
from ...services.content import reading
from ...services.moderation import report_queue, thread_merging, thread_moving, thread_pins
from ...services.moderation import thread_tools as tools
from ...web import current_actor
from ..args import id_arg, parse_id
from . import bp
from .attempts import attempt
from .thread_forms import (
    BoardPaceForm,
    CoolDownForm,
    LockForm,
    MergeForm,
    MoveForm,
    PinForm,
    RemoveNoticeForm,
    RenameForm,
    RestoreThreadForm,
    SlowModeForm,
    SlowModeOffForm,
    SplitForm,
    UnlockForm,
    UnpinForm,
    thread_number,
)


def _thread(thread_id: int):
    return reading.get_thread_to_moderate(policy(), thread_id)


def _render(thread, status: int = 200, error: str | None = None, **forms):
    defaults = {"lock_form": LockForm, "unlock_form": UnlockForm, "slow_form": SlowModeForm,
                "slow_off_form": SlowModeOffForm, "cool_form": CoolDownForm,
                "pin_form": PinForm, "unpin_form": UnpinForm, "rename_form": RenameForm,
                "move_form": MoveForm, "restore_form": RestoreThreadForm,
                "merge_form": MergeForm}
    for name, form_class in defaults.items():
        if name not in forms:
            forms[name] = form_class(formdata=None)
    if forms["rename_form"].title.data is None:
        forms["rename_form"].title.data = thread.title
    # Only boards the moderator moderates: the service would refuse any other.
    forms["move_form"].board.choices = [("", _("Choose a board…"))] + [
        (board.slug, board.title) for board in report_queue.moderated_boards(policy())
        if board.id != thread.board_id]
    item_id = id_arg("item")
    if item_id is not None and not forms["cool_form"].item.data:
        forms["cool_form"].item.data = str(item_id)
    return render_template("moderation/thread_tools.html", thread=thread, board=thread.board,
                           now=utcnow(), error=error, tab="queue",
                           may_pin_everywhere=bool(policy().can_pin_everywhere()),
                           **forms), status


def _done(thread, message: str):
    flash(message, "success")
    return redirect(url_for(".thread_tools", thread_id=thread.id))


@bp.get("/threads/<int:thread_id>")
def thread_tools(thread_id: int):
    return _render(_thread(thread_id))


def _attempt(thread, form_name: str, form, action, message: str):
    return attempt(form, form_name, action, partial(_render, thread),
                   lambda: _done(thread, message))


@bp.post("/threads/<int:thread_id>/pin")
def pin_thread(thread_id: int):
    thread = _thread(thread_id)
    form = PinForm()

    def act():
        thread_pins.pin_thread(current_actor(), thread, form.reason.data or "",
                               until=form.end(current_user.timezone),
                               everywhere=bool(form.everywhere.data))

    return _attempt(thread, "pin_form", form, act, _("The thread is pinned."))


@bp.post("/threads/<int:thread_id>/unpin")
def unpin_thread(thread_id: int):
    thread = _thread(thread_id)
    form = UnpinForm()
    return _attempt(thread, "unpin_form", form,
                    lambda: thread_pins.unpin_thread(current_actor(), thread,
                                                     form.reason.data or ""),
                    _("The thread is no longer pinned."))


@bp.post("/threads/<int:thread_id>/rename")
def rename_thread(thread_id: int):
    thread = _thread(thread_id)
    form = RenameForm()
    return _attempt(thread, "rename_form", form,
                    lambda: tools.rename_thread(current_actor(), thread, form.title.data or "",
                                                form.reason.data or ""),
                    _("The thread is renamed."))


@bp.post("/threads/<int:thread_id>/move")
def move_thread(thread_id: int):
    thread = _thread(thread_id)
    form = MoveForm()

    def act():
        slug = (form.board.data or "").strip()
        if not slug:
            raise ValueError(_("Choose the board to move the thread to."))
        # A board the moderator may not read is unknown to them (404), like anywhere else.
        destination = reading.get_board(policy(), slug)
        thread_moving.move_thread(current_actor(), thread, destination, form.reason.data or "",
                                  leave_notice=bool(form.notice.data),
                                  notice_until=form.notice_end(utcnow()))

    return _attempt(thread, "move_form", form, act, _("The thread is moved."))


@bp.post("/threads/<int:thread_id>/merge")
def merge_thread(thread_id: int):
    thread = _thread(thread_id)
    form = MergeForm()
    merged: list = []

    def act():
        target = thread_merging.find_thread(thread_number(form.target.data))
        thread_merging.merge_threads(current_actor(), thread, target, form.reason.data or "")
        merged.append(target.id)

    def done():
        flash(_("The threads are merged."), "success")
        return redirect(url_for(".thread_tools", thread_id=merged[0]))

    return attempt(form, "merge_form", act, partial(_render, thread), done)


def _split_render(thread, status: int = 200, error: str | None = None, form=None,
                  chosen: frozenset[int] = frozenset()):
    form = form or SplitForm(formdata=None)
    form.board.choices = [(board.slug, board.title)
                          for board in report_queue.moderated_boards(policy())]
    if form.board.data is None:
        form.board.data = thread.board.slug
    return render_template("moderation/split.html", thread=thread, board=thread.board,
                           posts=thread_merging.split_candidates(thread), form=form,
                           chosen=chosen, error=error, limit=thread_merging.SPLIT_MAX,
                           tab="queue"), status


def _chosen_posts() -> tuple[int, ...]:
    values = request.form.getlist("post")
    if len(values) > thread_merging.SPLIT_MAX:
        raise ValueError(ngettext("Split at most %(num)d post at once.",
                                  "Split at most %(num)d posts at once.",
                                  thread_merging.SPLIT_MAX))
    return tuple(parse_id(value, _("a chosen post")) for value in values)


@bp.route("/threads/<int:thread_id>/split", methods=["GET", "POST"])
def split_thread(thread_id: int):
    thread = _thread(thread_id)
    if request.method == "GET":
        return _split_render(thread)
    form = SplitForm()
    moved: list = []

    def act():
        post_ids = _chosen_posts()
        if form.mode.data == "existing":
            into = thread_merging.find_thread(thread_number(form.target.data))
            plan = thread_merging.SplitPlan(reason=form.reason.data or "", post_ids=post_ids,
                                            into=into)
        elif form.mode.data == "new":
            slug = (form.board.data or "").strip()
            if not slug:
                raise ValueError(_("Choose the new thread's board."))
            plan = thread_merging.SplitPlan(reason=form.reason.data or "", post_ids=post_ids,
                                            title=form.title.data or "",
                                            board=reading.get_board(policy(), slug))
        else:
            raise ValueError(_("Choose where the posts go."))
        moved.append(thread_merging.split_posts(current_actor(), thread, plan).id)

    def render(status: int = 200, error: str | None = None, form=form):
        try:
            chosen = frozenset(_chosen_posts())
        except ValueError:
            chosen = frozenset()
        return _split_render(thread, status, error, form, chosen)

    def done():
        flash(_("The posts are moved."), "success")
        return redirect(url_for(".thread_tools", thread_id=moved[0]))

    return attempt(form, "form", act, render, done)


@bp.post("/move-notices/<int:notice_id>/remove")
def remove_move_notice(notice_id: int):
    require(policy().can_use_moderator_tools())
    notice = thread_moving.get_notice(notice_id)
    require(policy().can_moderate_board(notice.board))
    form = RemoveNoticeForm()
    if not form.validate_on_submit():
        raise Refused(_("This form was out of date. Reload the page and try again."), status=400)
    slug = notice.board.slug
    thread_moving.remove_notice(current_actor(), notice, form.reason.data or "")
    flash(_("The “moved” notice is removed."), "success")
    return redirect(url_for("boards.board", slug=slug))


@bp.post("/threads/<int:thread_id>/restore")
def restore_thread(thread_id: int):
    thread = _thread(thread_id)
    form = RestoreThreadForm()
    return _attempt(thread, "restore_form", form,
                    lambda: tools.restore_thread(current_actor(), thread,
                                                 form.reason.data or ""),
                    _("The thread is restored."))


@bp.post("/threads/<int:thread_id>/lock")
def lock_thread(thread_id: int):
    thread = _thread(thread_id)
    form = LockForm()

    def act():
        starts, ends = form.times(utcnow(), current_user.timezone)
        tools.lock_thread(current_actor(), thread, form.reason.data or "", starts_at=starts,
                          ends_at=ends)

    return _attempt(thread, "lock_form", form, act, _("The thread's lock is set."))


@bp.post("/threads/<int:thread_id>/unlock")
def unlock_thread(thread_id: int):
    thread = _thread(thread_id)
    form = UnlockForm()
    return _attempt(thread, "unlock_form", form,
                    lambda: tools.unlock_thread(current_actor(), thread, form.reason.data or ""),
                    _("The thread is open again."))


@bp.post("/threads/<int:thread_id>/slow-mode")
def slow_mode(thread_id: int):
    thread = _thread(thread_id)
    form = SlowModeForm()

    def act():
        tools.set_slow_mode(current_actor(), thread, form.seconds(), form.reason.data or "",
                                   until=form.end(current_user.timezone))

    return _attempt(thread, "slow_form", form, act, _("Slow mode is on."))


@bp.post("/threads/<int:thread_id>/slow-mode/off")
def slow_mode_off(thread_id: int):
    thread = _thread(thread_id)
    form = SlowModeOffForm()
    return _attempt(thread, "slow_off_form", form,
                    lambda: tools.set_slow_mode(current_actor(), thread, 0,
                                                       form.reason.data or ""),
                    _("Slow mode is off."))


@bp.post("/threads/<int:thread_id>/cool-down")
def cool_down(thread_id: int):
    thread = _thread(thread_id)
    form = CoolDownForm()

    def act():
        tools.cool_down(current_actor(), thread, form.plan(), item=_linked_item(form))

    return _attempt(thread, "cool_form", form, act, _("The thread is cooling down."))


def _linked_item(form: CoolDownForm):
    """The queue item the cool down came from, if any (its log entries point to it)."""
    raw = (form.item.data or "").strip()
    if not raw:
        return None
    from ...services.moderation import report_queue

    return report_queue.get_item(policy(), parse_id(raw, _("the report")))


@bp.route("/boards/<slug>", methods=["GET", "POST"])
def board_pace(slug: str):
    viewer = policy()
    board = reading.get_board(viewer, slug)
    require(viewer.can_moderate_board(board))
    if request.method == "GET":
        form = BoardPaceForm(formdata=None, slow=str(board.slow_mode_seconds or 0),
                             read_only=board.is_read_only,
                             member_events=board.allows_member_events)
        return render_template("moderation/board_pace.html", board=board, form=form,
                               tab="queue")
    form = BoardPaceForm()
    error = None
    if form.validate_on_submit():
        try:
            tools.set_board_pace(current_actor(), board, form.seconds(), bool(form.read_only.data),
                                 form.reason.data or "",
                                 member_events=bool(form.member_events.data))
        except ValueError as problem:
            error = str(problem)
        except Refused as refused:
            if refused.status != 400:
                raise
            error = refused.reason
        else:
            flash(_("%(board)s: saved.", board=board.title), "success")
            return redirect(url_for(".board_pace", slug=board.slug))
    return render_template("moderation/board_pace.html", board=board, form=form, error=error,
                           tab="queue"), 400
