"""Register, log in, log out and change password: parse the form, call one service, answer."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import (
    after_this_request,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import refresh as refresh_language
from flask_login import current_user, encode_cookie, login_required, login_user, logout_user
from flask_wtf import FlaskForm

from ...errors import Refused
from ...services.accounts import account, joining
from ...services.accounts.account import AccountError, Registration
from ...services.accounts.invitations import InvitationError
from ...stores import settings
from ...web import current_actor
from ..args import documents_seen, local_path
from . import bp
from .forms import ChangePasswordForm, LoginForm, RegisterForm


def _start_session(user, remember: bool) -> None:
    login_user(user, remember=remember)
    config = current_app.config
    if not (remember and request.is_secure) or config.get("REMEMBER_COOKIE_SECURE"):
        return
    # Flask-Login marks its cookie Secure only when configured; a request that came over HTTPS
    # gets a Secure remember-me cookie anyway, as the session cookie does (web.SessionInterface).
    session.pop("_remember", None)
    cookie_value = encode_cookie(user.get_id())

    @after_this_request
    def _secure_remember_cookie(response):
        lifetime = config.get("REMEMBER_COOKIE_DURATION", 365 * 24 * 3600)
        if not isinstance(lifetime, timedelta):
            lifetime = timedelta(seconds=lifetime)
        response.set_cookie(
            config.get("REMEMBER_COOKIE_NAME", "remember_token"),
            value=cookie_value,
            expires=datetime.now(UTC) + lifetime,
            domain=config.get("REMEMBER_COOKIE_DOMAIN"),
            path=config.get("REMEMBER_COOKIE_PATH", "/"),
            secure=True,
            httponly=config.get("REMEMBER_COOKIE_HTTPONLY", True),
            samesite=config.get("REMEMBER_COOKIE_SAMESITE", "Lax"),
        )
        return response


def _index():
    return redirect(url_for("boards.index"))


def _show_error(form: FlaskForm, error: AccountError, fields: dict[str, str]) -> None:
    """Put a service's refusal next to the field it concerns, or above the form."""
    field = getattr(form, fields.get(error.field, error.field), None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors = [*field.errors, error.message]


def _status() -> int:
    # Only a submitted form that failed gets a 400; showing the empty form is a 200.
    return 400 if request.method == "POST" else 200


def _register_page(form: RegisterForm, invite: str | None, status: int,
                   refusal: str | None = None):
    # The page links to the documents as they are now: those are the versions it offers.
    rules, privacy = joining.current_versions()
    form.rules_version.data, form.privacy_version.data = str(rules), str(privacy)
    return render_template("auth/register.html", form=form, invite=invite,
                           refusal=refusal), status


@bp.route("/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return _index()
    form = RegisterForm()
    invite = (request.args.get("invite") or "").strip() or None
    try:
        joining.check_open(invite)
    except Refused as refused:
        # Closed, or by invitation without a link: the page says so; a sent form is refused.
        return _register_page(form, None, refused.status if request.method == "POST" else 200,
                              refused.reason)
    except InvitationError as error:
        return _register_page(form, None, 400, error.message)
    if form.validate_on_submit():
        data = Registration(form.username.data, form.email.data, form.password.data,
                            address=request.remote_addr)
        try:
            user = joining.join(data, bool(form.accept.data), invite,
                                seen=documents_seen(request.form))
        except AccountError as error:
            if error.message == joining.CHANGED_MEANWHILE:
                form.accept.data = False  # to be ticked again, for the texts now linked
            _show_error(form, error, {})
        except InvitationError as error:
            form.form_errors.append(error.message)
        else:
            _start_session(user, remember=False)
            flash(
                _("Welcome to %(forum)s, %(username)s! You're logged in and ready to post.",
                  forum=settings.get("forum_name"), username=user.username),
                "success",
            )
            return _index()
    return _register_page(form, invite, _status())


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return _index()
    form = LoginForm()
    if request.method == "GET":
        form.next.data = local_path(request.args.get("next")) or ""
    if form.validate_on_submit():
        try:
            user = account.log_in(form.login.data, form.password.data, request.remote_addr)
        except Refused as refused:
            form.form_errors.append(refused.reason)
            page = render_template("auth/login.html", form=form)
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
            return page, refused.status, headers
        except AccountError as error:
            form.form_errors.append(error.message)
        else:
            _start_session(user, remember=bool(form.remember.data))
            refresh_language()  # the member's own language, from this message on
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            target = local_path(form.next.data) or local_path(request.args.get("next"))
            return redirect(target) if target else _index()
    return render_template("auth/login.html", form=form), _status()


@bp.post("/logout")
def logout():
    logout_user()
    refresh_language()
    flash(_("You have been logged out."), "info")
    return _index()


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_actor()
        try:
            account.change_password(user, form.current_password.data, form.new_password.data)
        except AccountError as error:
            _show_error(form, error, {"password": "new_password"})
        else:
            # The new session token logged out every session, this one too: log it back in,
            # keeping "remember me" if this browser had it.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            _start_session(user, remember=cookie in request.cookies)
            flash(
                _("Your password has been changed. Other browsers and devices were logged out."),
                "success",
            )
            return _index()
    return render_template("auth/change_password.html", form=form), _status()
