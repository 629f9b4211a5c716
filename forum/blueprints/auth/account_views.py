"""A member's own account: setting a password through a reset link, deleting the account,
downloading their data."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ...errors import Refused
from ...models import utcnow
from ...services import data_export
from ...services.accounts import password_reset
from ...services.accounts.account import AccountError
from ...services.site import account_removal
from ...web import current_actor
from . import bp
from .forms import DeleteAccountForm, ResetPasswordForm
from .views import _show_error


@bp.route("/account/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    # A refused link (unknown 404, spent or expired 410) becomes the error page with its reason.
    reset = password_reset.find_reset(token)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset_password(token, form.new_password.data)
        except AccountError as error:
            _show_error(form, error, {"password": "new_password"})
        else:
            if current_user.is_authenticated:
                logout_user()
            flash(_("Your new password is set and every earlier session has ended. Log in "
                    "with it now."), "success")
            return redirect(url_for("auth.login"))
    status = 400 if request.method == "POST" else 200
    page = render_template("auth/reset_password.html", form=form, user=reset.user)
    # The token is in the address: keep it out of caches and other sites' Referer headers.
    return page, status, {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/account/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    user = current_actor()
    preview = account_removal.preview(user)
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            account_removal.delete_own_account(user, form.password.data, form.posts.data)
        except AccountError as error:
            _show_error(form, error, {})
        except Refused as error:
            if error.login_required or error.status in (404, 409):
                raise
            form.form_errors.append(error.reason)
            return render_template("auth/delete_account.html", form=form,
                                   preview=preview), error.status
        else:
            logout_user()
            flash(_("Your account has been deleted. Thank you for having been part of the "
                    "forum."), "success")
            return redirect(url_for("boards.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/delete_account.html", form=form, preview=preview), status


@bp.get("/account/export")
@login_required
def export_data():
    user = current_actor()
    now = utcnow()
    response = make_response(data_export.export_json(user, now))
    response.mimetype = "application/json"
    filename = f"agora-{user.username}-{now:%Y-%m-%d}.json"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
