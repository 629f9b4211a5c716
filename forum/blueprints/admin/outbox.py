"""Outgoing mail: queued, sent and failed messages, and "send again" for a failed one."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...policy import policy
from ...services.site import outbox as outbox_service
from ...web import current_actor
from ..args import page_arg
from . import bp
from .forms import ConfirmForm


@bp.get("/outbox")
def outbox():
    listing = outbox_service.listing(policy(), request.args.get("status"), page_arg())
    return render_template("admin/outbox.html", listing=listing, confirm=ConfirmForm(),
                           tab="outbox")


@bp.post("/outbox/<int:message_id>/retry")
def retry_mail(message_id: int):
    require(policy().can_manage_outbox())
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    outbox_service.retry(current_actor(), message_id)
    flash(_("The message is queued again and goes out with the next delivery run."), "success")
    return redirect(url_for(".outbox", status="failed"))
