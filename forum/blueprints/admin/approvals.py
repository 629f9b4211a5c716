"""New accounts waiting for approval: the list, approve or reject one, approve many."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...errors import Refused, require
from ...policy import policy
from ...services.accounts import approvals
from ...stores import settings
from ...web import current_actor
from . import bp
from .forms import ConfirmForm


def _page(status: int = 200, rejecting: int | None = None, reason: str = "",
          error: str | None = None):
    viewer = policy()
    waiting = approvals.waiting(viewer)
    return render_template(
        "admin/approvals.html", waiting=waiting, total=approvals.waiting_count(),
        confirm=ConfirmForm(), rejecting=rejecting, reason=reason, error=error,
        needs_approval=settings.get("registration_needs_approval"),
        question=settings.get("registration_question"), tab="approvals"), status


def _checked_form() -> None:
    if not ConfirmForm().validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)


@bp.get("/approvals")
def approvals_list():
    require(policy().can_manage_approvals())
    return _page()


@bp.post("/approvals/<int:user_id>/approve")
def approve_account(user_id: int):
    require(policy().can_manage_approvals())
    _checked_form()
    user = approvals.get_waiting(user_id)
    approvals.approve(current_actor(), [user])
    flash(_("%(username)s's account is approved; they were told.", username=user.username),
          "success")
    return redirect(url_for(".approvals_list"))


@bp.post("/approvals/<int:user_id>/reject")
def reject_account(user_id: int):
    require(policy().can_manage_approvals())
    _checked_form()
    user = approvals.get_waiting(user_id)
    reason = request.form.get("reason", "")
    try:
        approvals.reject(current_actor(), user, reason)
    except Refused as refused:
        if refused.status != 400:
            raise
        return _page(400, rejecting=user.id, reason=reason, error=refused.reason)
    flash(_("%(username)s's account is rejected.", username=user.username), "success")
    return redirect(url_for(".approvals_list"))


@bp.post("/approvals/approve")
def approve_accounts():
    require(policy().can_manage_approvals())
    _checked_form()
    ids = {int(value) for value in request.form.getlist("user_id") if value.isdigit()}
    if not ids:
        return _page(400, error=_("Tick the accounts to approve first."))
    approved = approvals.approve(current_actor(), approvals.accounts(ids))
    flash(ngettext("%(num)d account approved; each was told.",
                   "%(num)d accounts approved; each was told.", len(approved)), "success")
    return redirect(url_for(".approvals_list"))
