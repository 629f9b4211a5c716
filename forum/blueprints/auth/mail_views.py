"""Account pages that work with mail: asking for a password reset link, confirming an email
address, changing one's address."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...errors import Refused
from ...services.accounts import email_confirmation, password_reset
from ...services.accounts.account import AccountError
from ...web import current_actor
from . import bp
from .forms import ChangeEmailForm, ConfirmEmailForm, ForgotPasswordForm
from .views import _show_error, _status

# A token in the address: kept out of caches and other sites' Referer headers.
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/login/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.request_reset(form.email.data, request.remote_addr)
        except AccountError as error:
            _show_error(form, error, {})
        except Refused as refused:
            form.form_errors.append(refused.reason)
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
            return render_template("auth/forgot_password.html", form=form), refused.status, \
                headers
        else:
            # The same answer whether or not the address is a member's.
            return render_template("auth/forgot_password_sent.html",
                                   minutes=int(password_reset.MAILED_LIFETIME
                                               .total_seconds() // 60))
    return render_template("auth/forgot_password.html", form=form), _status()


@bp.route("/account/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str):
    # A refused link (unknown 404, expired or spent 410) becomes the error page with its reason.
    found = email_confirmation.find(token)
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        done = email_confirmation.confirm(token)
        if done.is_change:
            flash(_("Your email address is now %(email)s.", email=done.email), "success")
        else:
            flash(_("Thank you: your email address is confirmed."), "success")
        target = "auth.change_email" if current_user.is_authenticated else "boards.index"
        return redirect(url_for(target))
    page = render_template("auth/confirm_email.html", form=form, found=found)
    return page, 400 if request.method == "POST" else 200, _PRIVATE


@bp.post("/account/confirm")
@login_required
def resend_confirmation():
    form = ConfirmEmailForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    email_confirmation.resend(current_actor())
    flash(_("We sent a new confirmation link to %(email)s.", email=current_actor().email),
          "success")
    return redirect(url_for("auth.change_email"))


@bp.route("/account/email", methods=["GET", "POST"])
@login_required
def change_email():
    user = current_actor()
    form = ChangeEmailForm()
    if form.validate_on_submit():
        try:
            email = email_confirmation.request_change(user, form.email.data, form.password.data)
        except AccountError as error:
            _show_error(form, error, {})
        except Refused as refused:
            if refused.status != 429:
                raise
            form.form_errors.append(refused.reason)
            return render_template("auth/change_email.html", form=form,
                                   resend=ConfirmEmailForm()), 429
        else:
            flash(_("We sent a link to %(email)s. Your address changes once you follow it; "
                    "until then mail still goes to %(old)s.", email=email, old=user.email),
                  "success")
            return redirect(url_for("auth.change_email"))
    return render_template("auth/change_email.html", form=form,
                           resend=ConfirmEmailForm()), _status()
