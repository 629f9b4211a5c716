"""Webhooks: the list, adding and editing one, stopping and starting, its secret, a test
delivery, its delivery log and sending a delivery again."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...models import DeliveryStatus, Webhook
from ...policy import policy
from ...services.webhooks import hooks, texts
from ...web import current_actor
from ..args import page_arg
from ..form_errors import attach_refusal
from . import bp
from .forms import ConfirmForm
from .webhook_forms import WebhookForm


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)


def _render_form(form: WebhookForm, hook: Webhook | None = None, status: int = 200):
    return render_template("admin/webhook_form.html", form=form, hook=hook,
                           tab="webhooks"), status


def _render_secret(hook: Webhook, secret: str, new: bool):
    return render_template("admin/webhook_secret.html", hook=hook, secret=secret, new=new,
                           tab="webhooks")


@bp.get("/webhooks")
def webhooks():
    found = hooks.listing(policy())
    return render_template("admin/webhooks.html", hooks=found, host=hooks.host,
                           stopped=texts.stopped, tab="webhooks")


@bp.route("/webhooks/new", methods=["GET", "POST"])
def new_webhook():
    require(policy().can_manage_webhooks())
    if request.method == "GET":
        return _render_form(WebhookForm(formdata=None))
    form = WebhookForm()
    if not form.validate_on_submit():
        return _render_form(form, status=400)
    try:
        hook = hooks.create(current_actor(), form.data_for_service())
    except Refused as error:
        return _render_form(form, status=attach_refusal(form, error))
    # The secret is shown in this answer only (never in the session or a flash message).
    return _render_secret(hook, hook.secret, new=True)


@bp.get("/webhooks/<int:hook_id>")
def webhook(hook_id: int):
    viewer = policy()
    hook = hooks.get(viewer, hook_id)
    log = hooks.delivery_log(viewer, hook, page_arg())
    return render_template("admin/webhook.html", hook=hook, log=log, confirm=ConfirmForm(),
                           host=hooks.host, error=texts.error, stopped=texts.stopped,
                           failures=hooks.describe_failures, states=DeliveryStatus,
                           tab="webhooks")


@bp.route("/webhooks/<int:hook_id>/edit", methods=["GET", "POST"])
def edit_webhook(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    if request.method == "GET":
        return _render_form(WebhookForm(formdata=None, obj=hook), hook)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _render_form(form, hook, 400)
    try:
        hooks.update_hook(current_actor(), hook, form.data_for_service())
    except Refused as error:
        return _render_form(form, hook, attach_refusal(form, error))
    flash(_("Saved the webhook."), "success")
    return redirect(url_for(".webhook", hook_id=hook.id))


@bp.post("/webhooks/<int:hook_id>/enable")
def enable_webhook(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    _confirmed()
    hooks.set_active(current_actor(), hook, True)
    flash(_("The webhook runs again; its count of failures starts from zero."), "success")
    return redirect(url_for(".webhook", hook_id=hook.id))


@bp.post("/webhooks/<int:hook_id>/disable")
def disable_webhook(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    _confirmed()
    hooks.set_active(current_actor(), hook, False)
    flash(_("The webhook is stopped: nothing more is queued for it, and what waited has "
            "failed."), "success")
    return redirect(url_for(".webhook", hook_id=hook.id))


@bp.post("/webhooks/<int:hook_id>/test")
def test_webhook(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    _confirmed()
    ping = hooks.send_test(current_actor(), hook)
    if ping.status == DeliveryStatus.DELIVERED:
        flash(_("The test was delivered (answer %(code)s).", code=ping.response_code),
              "success")
    else:
        what, detail = texts.error(ping.last_error)
        flash(_("The test was not delivered: %(what)s %(detail)s", what=what or "",
                detail=detail), "error")
    return redirect(url_for(".webhook", hook_id=hook.id))


@bp.post("/webhooks/<int:hook_id>/secret")
def rotate_webhook_secret(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    _confirmed()
    return _render_secret(hook, hooks.rotate_secret(current_actor(), hook), new=True)


@bp.post("/webhooks/<int:hook_id>/reveal")
def reveal_webhook_secret(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    _confirmed()
    return _render_secret(hook, hooks.reveal_secret(current_actor(), hook), new=False)


@bp.route("/webhooks/<int:hook_id>/delete", methods=["GET", "POST"])
def delete_webhook(hook_id: int):
    hook = hooks.get(policy(), hook_id)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("admin/webhook_delete.html", hook=hook, form=form,
                               host=hooks.host, tab="webhooks")
    if not form.validate_on_submit():
        return render_template("admin/webhook_delete.html", hook=hook, form=form,
                               host=hooks.host, tab="webhooks"), 400
    hooks.delete_hook(current_actor(), hook)
    flash(_("Deleted the webhook and its delivery log."), "success")
    return redirect(url_for(".webhooks"))


@bp.post("/webhooks/<int:hook_id>/deliveries/<int:delivery_id>/redeliver")
def redeliver_webhook(hook_id: int, delivery_id: int):
    hook = hooks.get(policy(), hook_id)
    _confirmed()
    hooks.redeliver(current_actor(), hook, delivery_id)
    flash(_("The delivery is queued again and goes out with the next delivery run."),
          "success")
    return redirect(url_for(".webhook", hook_id=hook.id))
