"""The report queue: the list, one item with its context, claiming, and the one-step
resolution. Each view parses the request and calls one service; the services judge."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...common import markup
from ...errors import Conflict, Refused, require
from ...models import ReportReason, TargetKind
from ...policy import policy
from ...services.moderation import (
    modnotes,
    quick_actions,
    report_queue,
    reported_messages,
    reports,
    resolution,
    summaries,
)
from ...web import current_actor
from ..args import id_arg, page_arg, parse_id
from . import bp
from .forms import ClaimForm, DismissForm, ResolveForm

STATUS_LABELS = {
    "active": _l("Needs action"),
    "open": _l("Open"),
    "claimed": _l("Claimed"),
    "resolved": _l("Resolved"),
    "dismissed": _l("Dismissed"),
}



@bp.get("/")
def home():
    require(policy().can_view_reports())
    return redirect(url_for(".queue"))


@bp.get("/reports")
def queue():
    viewer = policy()
    require(viewer.can_view_reports())
    status = request.args.get("status") or "active"
    reason = request.args.get("reason") or None
    board_id = id_arg("board")
    listing = report_queue.queue_page(viewer, status, board_id, reason, page_arg())
    filters = {"status": status, "board": board_id, "reason": reason}
    query = {key: value for key, value in filters.items() if value and value != "active"}
    # The row buttons: one query for the macros, one for the boards' favourite resolutions.
    active = [item for item in listing.items if item.is_active]
    macro_list = quick_actions.macro_list(viewer) if active else []
    favourites = quick_actions.board_favourites(
        item.thread.board_id for item in active if item.thread is not None)
    choices = {item.id: quick_actions.row_choices(item, favourites, macro_list)
               for item in active}
    now = viewer.clock
    return render_template(
        "moderation/queue.html", listing=listing, filters=filters, query=query,
        statuses=STATUS_LABELS,
        reasons=list(ReportReason), boards=report_queue.moderated_boards(viewer),
        excerpt=markup.excerpt, tab="queue", choices=choices, macro_list=macro_list,
        back=request.full_path.rstrip("?"), lapsed=lambda item: reports.claim_lapsed(item, now),
    )


def _render_item(item_id: int, resolve_form: ResolveForm | None = None,
                 dismiss_form: DismissForm | None = None, error: str | None = None,
                 status: int = 200):
    viewer = policy()
    item = report_queue.get_item(viewer, item_id)
    # A reported private message: read (and the look logged) before the page loads the rest.
    messages = (reported_messages.read_for_item(viewer, item)
                if item.target_kind == TargetKind.MESSAGE else [])
    context = report_queue.item_context(viewer, item_id)
    boards = report_queue.moderated_boards(viewer)
    resolve_form = resolve_form or ResolveForm(formdata=None)
    if context.post is not None and resolve_form.body.data is None:
        resolve_form.body.data = context.post.body
    here = context.thread.board_id if context.thread is not None else None
    resolve_form.destination.choices = [("", _("Choose a board…"))] + [
        (str(board.id), board.title) for board in boards if board.id != here
    ]
    if resolve_form.reason.data is None and context.reports:
        resolve_form.reason.data = str(report_queue.most_common_reason(context.reports).label)
    responses = modnotes.canned_responses(viewer)
    resolve_form.canned.choices = [("", _("Choose a response…"))] + [
        (str(response.id), response.title) for response in responses
    ]
    # What choosing a response fills in at once, for the page's script.
    fills = {
        response.id: {
            "message": modnotes.fill_for(response, context.subject, context.thread)
            if context.subject is not None else "",
            "actions": list(response.actions or []), "sanction": response.sanction or "",
            "timeout": response.timeout or "", "reason": response.reason or "",
        }
        for response in responses
    }
    acts_on_member = (
        context.subject is not None
        and bool(viewer.can_act_on_user(context.subject,
                                        context.thread.board if context.thread else None))
    )
    return render_template(
        "moderation/item.html", ctx=context, item=context.item, resolve_form=resolve_form,
        dismiss_form=dismiss_form or DismissForm(formdata=None), claim_form=ClaimForm(),
        error=error, acts_on_member=acts_on_member, now=viewer.clock, tab="queue",
        fills=fills, lapsed=reports.claim_lapsed(context.item, viewer.clock),
        messages=messages,
        talk=(context.subject is not None
              and bool(viewer.can_start_team_conversation(
                  context.subject, context.thread.board if context.thread else None))),
    ), status


@bp.get("/reports/<int:item_id>")
def item(item_id: int):
    # Opening an item nobody holds claims it: "I'm on it" without the click.
    reports.open_item(current_actor(), report_queue.get_item(policy(), item_id))
    return _render_item(item_id)


@bp.post("/reports/<int:item_id>/claim")
def claim(item_id: int):
    item = report_queue.get_item(policy(), item_id)
    if ClaimForm().validate_on_submit():
        try:
            reports.claim(current_actor(), item)
        except Conflict as conflict:
            return _render_item(item_id, error=conflict.reason, status=409)
        flash(_("You're on it: other moderators see that you claimed this report."), "success")
    return redirect(url_for(".item", item_id=item_id))


@bp.post("/reports/<int:item_id>/release")
def release(item_id: int):
    item = report_queue.get_item(policy(), item_id)
    if ClaimForm().validate_on_submit():
        try:
            reports.release(current_actor(), item)
        except Conflict as conflict:
            return _render_item(item_id, error=conflict.reason, status=409)
        flash(_("The report is back in the queue for anyone to take."), "info")
    return redirect(url_for(".item", item_id=item_id))


def _done(outcome: resolution.Resolution):
    """Said, then on to the next item the moderator may take up (or the queue, when none)."""
    flash(_("Report handled: %(outcome)s.",
            outcome=summaries.summary_text(outcome.item.resolution)), "success")
    following = report_queue.next_item_id(policy())
    if following is None:
        return redirect(url_for(".queue"))
    return redirect(url_for(".item", item_id=following))


@bp.post("/reports/<int:item_id>/dismiss")
def dismiss(item_id: int):
    item = report_queue.get_item(policy(), item_id)
    form = DismissForm()
    if not form.validate_on_submit():
        return redirect(url_for(".item", item_id=item_id))
    try:
        outcome = resolution.dismiss(current_actor(), item, form.reason.data or "")
    except Refused as refused:
        if refused.status in (400, 409):
            return _render_item(item_id, dismiss_form=form, error=refused.reason,
                                status=refused.status)
        raise
    return _done(outcome)


@bp.post("/reports/<int:item_id>/resolve")
def resolve(item_id: int):
    viewer = policy()
    item = report_queue.get_item(viewer, item_id)
    form = ResolveForm()
    if not form.validate_on_submit():
        return redirect(url_for(".item", item_id=item_id))
    if form.use_canned.data:
        # "Use this response" fills the message and shows the form again; nothing is done yet.
        if not form.canned.data:
            return _render_item(item_id, resolve_form=form,
                                error=_("Choose a canned response first."), status=400)
        response = modnotes.get_canned(viewer, parse_id(form.canned.data, _("the canned response")))
        form.message.data = modnotes.fill_for(response, item.subject, item.thread)
        if response.is_macro:
            # A macro fills the whole form: its actions replace what was ticked.
            form.actions.data = list(response.actions or [])
            form.sanction.data = response.sanction or ""
            if response.timeout:
                form.timeout.data = response.timeout
        if response.reason:
            form.reason.data = response.reason
        return _render_item(item_id, resolve_form=form)
    boards = {str(board.id): board for board in report_queue.moderated_boards(viewer)}
    try:
        actions = form.to_actions(boards, current_user.timezone)
    except ValueError as error:
        return _render_item(item_id, resolve_form=form, error=str(error), status=400)
    try:
        outcome = resolution.resolve(current_actor(), item, actions)
    except Refused as refused:
        if refused.status in (400, 409):
            return _render_item(item_id, resolve_form=form, error=refused.reason,
                                status=refused.status)
        raise
    return _done(outcome)

