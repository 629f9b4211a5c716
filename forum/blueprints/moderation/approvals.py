"""The approval list: posts waiting for a moderator, approved or rejected one click each, or
approved together."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length

from ...errors import Refused, require
from ...policy import policy
from ...services.content import approvals as approval_queue
from ...services.content import approving
from ...services.text import REASON_MAX
from ...web import current_actor
from ..args import page_arg, parse_id
from . import bp


class DecideForm(FlaskForm):
    """Approve needs nothing but the token; reject needs a reason."""

    reason = StringField(_l("Reason"), validators=[Length(max=REASON_MAX)])


def _back():
    return redirect(url_for(".approvals", page=request.args.get("page") or None))


@bp.get("/approvals")
def approvals():
    listing = approval_queue.queue(policy(), page_arg())
    return render_template("moderation/approvals.html", listing=listing, form=DecideForm(),
                           tab="approvals")


@bp.post("/approvals/<int:pending_id>/approve")
def approve(pending_id: int):
    pending = approval_queue.get_to_decide(policy(), pending_id)
    form = DecideForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    approving.approve(current_actor(), pending)
    flash(_("The post is approved and everyone can see it now."), "success")
    return _back()


@bp.post("/approvals/<int:pending_id>/reject")
def reject(pending_id: int):
    pending = approval_queue.get_to_decide(policy(), pending_id)
    form = DecideForm()
    if not form.validate_on_submit():
        raise Refused(" ".join(form.reason.errors) or _("The form expired. Please try again."),
                      status=400)
    approving.reject(current_actor(), pending, form.reason.data)
    flash(_("The post is turned down and its author told why."), "success")
    return _back()


@bp.post("/approvals/bulk")
def approve_many():
    require(policy().can_use_moderator_tools())
    form = DecideForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    ids = [parse_id(value, _("the post")) for value in request.form.getlist("ids")]
    if not ids:
        raise Refused(_("Please tick the posts to approve."), status=400)
    count = approving.approve_many(current_actor(), ids)
    flash(ngettext("%(num)d post approved.", "%(num)d posts approved.", count), "success")
    return _back()
