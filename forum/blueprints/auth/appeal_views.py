"""Appeals from the member's side: from the account (a timeout) and from the login refusal (a
suspension or ban, with the token the refusal gave)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ...errors import Refused
from ...models import utcnow
from ...services.accounts.account import BlockedLogin
from ...services.moderation import appeals
from ...web import current_actor
from . import bp
from .refusal import blocked_page
from .security_forms import AppealForm, LoginAppealForm


@bp.post("/login/appeal")
def login_appeal():
    form = LoginAppealForm()
    user, sanction = appeals.read_login_token(form.token.data or request.form.get("token"))
    blocked = BlockedLogin("", user, sanction)
    if not sanction.is_active(utcnow()):
        flash(_("This sanction is over: you can log in again."), "info")
        return redirect(url_for("auth.login"))
    blocked.reason = _("Your appeal concerns this sanction: %(reason)s", reason=sanction.reason)
    if not form.validate_on_submit():
        return blocked_page(blocked, form, 400)
    try:
        appeals.submit(user, sanction, form.body.data)
    except Refused as error:
        if error.status == 404:
            raise
        form.form_errors.append(error.reason)
        return blocked_page(blocked, form, error.status)
    return render_template("auth/appeal_sent.html"), 200, {"Cache-Control": "no-store"}


def _sanctions_page(status: int = 200, form: AppealForm | None = None,
                    form_for: int | None = None):
    rows = appeals.own_sanctions(current_actor())
    now = utcnow()
    forms = {sanction.id: AppealForm(formdata=None, prefix=f"appeal-{sanction.id}")
             for sanction, appeal in rows if appeal is None and sanction.is_active(now)}
    notice = None
    if form is not None:
        if form_for in forms:
            forms[form_for] = form
        else:
            # No form is shown for a sanction already appealed or over: say why above.
            notice = " ".join(str(error) for error in form.form_errors)
    return render_template("auth/sanctions.html", rows=rows, forms=forms, now=now,
                           notice=notice), status


@bp.get("/account/sanctions")
@login_required
def own_sanctions():
    return _sanctions_page()


@bp.post("/account/sanctions/<int:sanction_id>/appeal")
@login_required
def appeal(sanction_id: int):
    user = current_actor()
    sanction = appeals.own_sanction(user, sanction_id)
    form = AppealForm(prefix=f"appeal-{sanction.id}")
    if not form.validate_on_submit():
        return _sanctions_page(400, form, sanction.id)
    try:
        appeals.submit(user, sanction, form.body.data)
    except Refused as error:
        if error.status == 404:
            raise
        form.form_errors.append(error.reason)
        return _sanctions_page(error.status, form, sanction.id)
    flash(_("Your appeal was sent. A moderator who didn't issue the sanction will look at it, "
            "and you'll be told the decision."), "success")
    return redirect(url_for("auth.own_sanctions"))
