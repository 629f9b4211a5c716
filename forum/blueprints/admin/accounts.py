"""A member's account in the administrator panel: name, email and display name, a password
reset link, ending their sessions, deleting the account."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...errors import Refused
from ...policy import policy
from ...services.accounts import management, password_reset, staff
from ...services.accounts.account import AccountError
from ...services.site import account_removal
from ...web import current_actor
from ..form_errors import attach
from . import bp
from .account_forms import AccountForm, DeleteAccountForm, PasswordResetForm, SessionsForm
from .users import render_user


def _refused(form, error: Refused) -> int:
    if error.login_required or error.status == 404:
        raise error
    form.form_errors.append(error.reason)
    return error.status


@bp.post("/users/<username>/account")
def update_account(username: str):
    page = staff.role_page(policy(), username)
    form = AccountForm()
    if not form.validate_on_submit():
        return render_user(page, account_form=form, status=400)
    change = management.AccountChange(form.username.data, form.email.data,
                                      form.display_name.data or "")
    try:
        user = management.update_account(current_actor(), page.user, change,
                                          form.reason.data or None)
    except AccountError as error:
        attach(form, error.field, error.message)
        return render_user(page, account_form=form, status=400)
    except Refused as error:
        return render_user(page, account_form=form, status=_refused(form, error))
    flash(_("The account of @%(username)s has been saved.", username=user.username), "success")
    return redirect(url_for(".user", username=user.username))


@bp.post("/users/<username>/password-reset")
def password_reset_link(username: str):
    page = staff.role_page(policy(), username)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return render_user(page, reset_form=form, status=400)
    try:
        token = password_reset.create_reset_link(current_actor(), page.user,
                                                 form.reason.data or None)
    except Refused as error:
        return render_user(page, reset_form=form, status=_refused(form, error))
    # Shown once, on this answer only: the forum keeps no way to show it again.
    link = url_for("auth.reset_password", token=token, _external=True)
    response = render_template("admin/user_reset_link.html", user=page.user, reset_link=link,
                               lifetime_hours=int(
                                   password_reset.RESET_LIFETIME.total_seconds() // 3600),
                               tab="users")
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/users/<username>/password-reset-mail")
def mail_reset_link(username: str):
    page = staff.role_page(policy(), username)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return render_user(page, reset_form=form, status=400)
    try:
        password_reset.mail_reset_link(current_actor(), page.user, form.reason.data or None)
    except Refused as error:
        return render_user(page, reset_form=form, status=_refused(form, error))
    flash(_("A password reset link is on its way to @%(username)s (%(email)s).",
            username=page.user.username, email=page.user.email), "success")
    return redirect(url_for(".user", username=page.user.username))


@bp.post("/users/<username>/sessions")
def end_sessions(username: str):
    page = staff.role_page(policy(), username)
    form = SessionsForm()
    if not form.validate_on_submit():
        return render_user(page, sessions_form=form, status=400)
    actor = current_actor()
    try:
        management.end_sessions(actor, page.user, form.reason.data or None)
    except Refused as error:
        return render_user(page, sessions_form=form, status=_refused(form, error))
    if page.user.id == actor.id:
        flash(_("You logged yourself out everywhere, this browser included."), "success")
        return redirect(url_for("auth.login"))
    flash(_("@%(username)s has been logged out everywhere.", username=page.user.username),
              "success")
    return redirect(url_for(".user", username=page.user.username))


def _render_delete(page, form: DeleteAccountForm, status: int = 200):
    preview = account_removal.removal_page(policy(), page.user)
    return render_template("admin/user_delete.html", user=page.user, preview=preview,
                           form=form, tab="users"), status


@bp.route("/users/<username>/delete", methods=["GET", "POST"])
def delete_user(username: str):
    page = staff.role_page(policy(), username)
    form = DeleteAccountForm(username=page.user.username)
    if not form.is_submitted():
        return _render_delete(page, form)
    if not form.validate_on_submit():
        return _render_delete(page, form, status=400)
    old_name = page.user.username
    try:
        purged = account_removal.delete_account(current_actor(), page.user, form.posts.data,
                                                form.reason.data or None)
    except Refused as error:
        if error.login_required or error.status in (404, 409):
            raise
        form.form_errors.append(error.reason)
        return _render_delete(page, form, status=error.status)
    if purged.posts:
        flash(ngettext("The account of @%(username)s has been deleted with its %(num)d post.",
                       "The account of @%(username)s has been deleted with its %(num)d posts.",
                       purged.posts, username=old_name), "success")
    else:
        flash(_("The account of @%(username)s has been deleted; its posts stay as by "
                "“Deleted member”.", username=old_name), "success")
    return redirect(url_for(".users"))
