"""The queue's one-click buttons and its bulk form: a choice applied to one row, or to every
ticked row. Destructive choices (delete, suspend, ban) first show a page to confirm on,
which needs no JavaScript."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...policy import policy
from ...services.moderation import quick_actions, report_queue, summaries
from ...web import current_actor
from ..args import local_path, parse_id
from . import bp
from .forms import QuickForm


def _back(form: QuickForm) -> str:
    """Back to the queue page the button was on (its filters and page), never elsewhere."""
    target = local_path(form.back.data)
    if target is None or not target.startswith(url_for(".queue")):
        return url_for(".queue")
    return target


@bp.post("/reports/<int:item_id>/act")
def act(item_id: int):
    viewer = policy()
    item = report_queue.get_item(viewer, item_id)
    form = QuickForm()
    if not form.validate_on_submit():
        return redirect(url_for(".queue"))
    choice = quick_actions.choice_for(viewer, form.choice.data or "")
    if choice.destructive and form.confirmed.data != "yes":
        return render_template("moderation/confirm_action.html", form=form, choice=choice,
                               items=[item], action=url_for(".act", item_id=item.id),
                               back=_back(form), tab="queue")
    try:
        outcome = quick_actions.apply(current_actor(), item, choice)
    except Refused as refused:
        if refused.status not in (400, 409):
            raise
        flash(_("Report #%(id)s was not handled: %(reason)s", id=item.id,
                reason=refused.reason), "error")
        return redirect(_back(form))
    flash(_("Report #%(id)s handled: %(outcome)s.", id=item.id,
            outcome=summaries.summary_text(outcome.item.resolution)), "success")
    return redirect(_back(form))


@bp.post("/reports/bulk")
def act_on_many():
    viewer = policy()
    require(viewer.can_view_reports())
    form = QuickForm()
    if not form.validate_on_submit():
        return redirect(url_for(".queue"))
    ids = [parse_id(raw, _("a report")) for raw in request.form.getlist("ids")]
    choice = quick_actions.choice_for(viewer, form.choice.data or "")
    if not ids:
        flash(_("Tick the reports to handle first."), "error")
        return redirect(_back(form))
    if choice.destructive and form.confirmed.data != "yes":
        # Listed: the items the viewer may still handle; sent on: every id, so each one
        # gone meanwhile gets its message after confirming.
        ids = list(dict.fromkeys(ids))
        items = []
        for item_id in ids[:quick_actions.BULK_MAX]:
            try:
                items.append(report_queue.get_item(viewer, item_id))
            except Refused:
                continue
        return render_template("moderation/confirm_action.html", form=form, choice=choice,
                               items=items, ids=ids, action=url_for(".act_on_many"),
                               bulk=True, back=_back(form), tab="queue")
    outcomes = quick_actions.apply_many(current_actor(), ids, choice)
    for outcome in outcomes:
        if outcome.done:
            flash(_("Report #%(id)s handled: %(outcome)s.", id=outcome.item_id,
                    outcome=outcome.text), "success")
        else:
            flash(_("Report #%(id)s was not handled: %(reason)s", id=outcome.item_id,
                    reason=outcome.text), "error")
    return redirect(_back(form))
