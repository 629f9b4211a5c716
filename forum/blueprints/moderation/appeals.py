"""Appeals against sanctions in the moderator panel: the list, open ones first, and deciding
one."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...errors import Refused
from ...policy import policy
from ...services.moderation import appeals
from ...web import current_actor
from . import bp
from .appeal_forms import DecisionForm


def _render(status: int = 200, form: DecisionForm | None = None, form_for: int | None = None,
            notice: str | None = None):
    viewer = policy()
    open_, decided = appeals.appeal_lists(viewer)
    forms = {appeal.id: DecisionForm(formdata=None, prefix=f"decide-{appeal.id}")
             for appeal in open_ if viewer.can_decide_appeal(appeal)}
    if form is not None and form_for in forms:
        forms[form_for] = form
    return render_template("moderation/appeals.html", open_appeals=open_, decided=decided,
                           forms=forms, notice=notice, tab="appeals"), status


@bp.get("/appeals")
def appeal_list():
    return _render()


@bp.post("/appeals/<int:appeal_id>/decide")
def decide_appeal(appeal_id: int):
    appeal = appeals.get_appeal(policy(), appeal_id)
    allowed = policy().can_decide_appeal(appeal)
    if not allowed:
        return _render(403, notice=allowed.reason)
    form = DecisionForm(prefix=f"decide-{appeal.id}", timezone=current_actor().timezone)
    if not form.validate_on_submit():
        return _render(400, form, appeal.id)
    try:
        appeals.decide(current_actor(), appeal, form.outcome.data, form.message.data,
                       ends_at=form.until)
    except Refused as refused:
        if refused.login_required or refused.status == 404:
            raise
        form.form_errors.append(refused.reason)
        return _render(refused.status, form, appeal.id)
    flash(_("The appeal is decided and the member has been told."), "success")
    return redirect(url_for(".appeal_list"))
