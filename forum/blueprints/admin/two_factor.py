"""Turning a member's two-step login off for them, when they lost their device and their
recovery codes."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _

from ...errors import Refused
from ...policy import policy
from ...services.accounts import staff, two_factor
from ...web import current_actor
from . import bp
from .account_forms import TwoFactorOffForm
from .users import render_user


@bp.post("/users/<username>/two-factor/off")
def two_factor_off(username: str):
    page = staff.role_page(policy(), username)
    form = TwoFactorOffForm()
    if not form.validate_on_submit():
        return render_user(page, two_factor_form=form, status=400)
    try:
        two_factor.turn_off_for(current_actor(), page.user, form.reason.data)
    except Refused as error:
        if error.login_required or error.status == 404:
            raise
        form.form_errors.append(error.reason)
        return render_user(page, two_factor_form=form, status=error.status)
    flash(_("Two-step login of @%(username)s is off; they were told.",
            username=page.user.username), "success")
    return redirect(url_for(".user", username=page.user.username))
