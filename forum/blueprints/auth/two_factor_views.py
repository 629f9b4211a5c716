"""Two-step login on the web: the code page after the password, and the member's own setup
(turning it on with a first code, new recovery codes, turning it off)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import refresh as refresh_language
from flask_login import current_user, login_required

from ...errors import InvalidField, Refused
from ...services.accounts import two_factor
from ...web import current_actor
from . import bp
from .security_forms import CodeForm, LoginCodeForm, TwoFactorOffForm
from .views import SECOND_STEP, _start_session

NO_STORE = {"Cache-Control": "no-store"}


def _form_refusal(form, error: Refused, field: str = "code") -> int:
    """A service's "no" next to the field it concerns, or above the form; its status."""
    if error.login_required or error.status == 404:
        raise error
    target = getattr(form, getattr(error, "field", field), None)
    if isinstance(error, InvalidField) and target is not None:
        target.errors = [*target.errors, error.reason]
    else:
        form.form_errors.append(error.reason)
    return error.status


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    pending = two_factor.read_pending(session.get(SECOND_STEP))
    if pending is None:
        session.pop(SECOND_STEP, None)
        flash(_("Please log in again: the time for entering the code ran out."), "info")
        return redirect(url_for("auth.login"))
    form = LoginCodeForm()
    status = 200
    if form.validate_on_submit():
        try:
            used = two_factor.complete_login(pending, form.code.data)
        except Refused as error:
            if error.status == 409:  # turned off meanwhile: the password step starts over
                session.pop(SECOND_STEP, None)
                return redirect(url_for("auth.login"))
            status = _form_refusal(form, error)
        else:
            session.pop(SECOND_STEP, None)
            _start_session(pending.user, remember=pending.remember)
            refresh_language()
            flash(_("Welcome back, %(name)s.", name=pending.user.name), "success")
            if used == "recovery":
                left = two_factor.recovery_codes_left(pending.user)
                flash(ngettext("You used a recovery code; it won't work again. %(num)d is left.",
                               "You used a recovery code; it won't work again. %(num)d are "
                               "left.", left), "warning")
            return redirect(pending.target or url_for("boards.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/login_code.html", form=form), status, NO_STORE


def _page(status: int = 200, *, confirm_form=None, codes_form=None, off_form=None):
    user = current_actor()
    enabled = two_factor.is_enabled(user)
    return render_template(
        "auth/two_factor.html",
        enabled=enabled,
        setup=None if enabled else two_factor.start_setup(user),
        codes_left=two_factor.recovery_codes_left(user) if enabled else 0,
        required=two_factor.is_staff(user),
        confirm_form=confirm_form or CodeForm(formdata=None, prefix="confirm"),
        codes_form=codes_form or CodeForm(formdata=None, prefix="codes"),
        off_form=off_form or TwoFactorOffForm(formdata=None, prefix="off"),
    ), status, NO_STORE


def _codes_page(codes: list[str]):
    # Shown once: only their hashes are kept.
    return render_template("auth/recovery_codes.html", codes=codes), 200, NO_STORE


@bp.get("/account/two-factor")
@login_required
def two_factor_page():
    return _page()


@bp.post("/account/two-factor/setup")
@login_required
def two_factor_setup():
    form = CodeForm(prefix="confirm")
    if not form.validate_on_submit():
        return _page(400, confirm_form=form)
    try:
        codes = two_factor.confirm_setup(current_actor(), form.code.data)
    except Refused as error:
        return _page(_form_refusal(form, error), confirm_form=form)
    flash(_("Two-step login is on. From now on you'll be asked for a code after your "
            "password."), "success")
    return _codes_page(codes)


@bp.post("/account/two-factor/codes")
@login_required
def two_factor_codes():
    form = CodeForm(prefix="codes")
    if not form.validate_on_submit():
        return _page(400, codes_form=form)
    try:
        codes = two_factor.regenerate_recovery_codes(current_actor(), form.code.data)
    except Refused as error:
        return _page(_form_refusal(form, error), codes_form=form)
    flash(_("You have new recovery codes; the old ones no longer work."), "success")
    return _codes_page(codes)


@bp.post("/account/two-factor/off")
@login_required
def two_factor_off():
    form = TwoFactorOffForm(prefix="off")
    if not form.validate_on_submit():
        return _page(400, off_form=form)
    try:
        two_factor.turn_off(current_actor(), form.password.data, form.code.data)
    except Refused as error:
        return _page(_form_refusal(form, error), off_form=form)
    flash(_("Two-step login is off. Your password alone logs you in again."), "success")
    return redirect(url_for("auth.two_factor_page"))
