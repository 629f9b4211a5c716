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
from ...services.accounts import account, devices, joining, logins, signup_guard, two_factor
from ...services.accounts.account import AccountError, BlockedLogin, Registration
from ...services.accounts.invitations import InvitationError
from ...services.accounts.signup_guard import SignupAttempt, SignupRefused
from ...stores import settings
from ...web import current_actor
from ..args import documents_seen, local_path
from . import bp
from .forms import ChangePasswordForm, LoginForm, RegisterForm
from .refusal import blocked_page

# Where the session keeps the proof of a right password while the login waits for the code.
SECOND_STEP = "two_step"


def _start_session(user, remember: bool) -> None:
    # A login of its own for this browser: logging out here ends it and no other.
    logins.start(user, remember, request.remote_addr, request.user_agent.string)
    login_user(user, remember=remember)
    _mark_device(user)
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


def _mark_device(user) -> None:
    """This browser has logged in to the account: failed logins elsewhere don't slow it."""
    token = devices.issue(user, request.cookies.get(devices.COOKIE_NAME))

    @after_this_request
    def _device_cookie(response):
        response.set_cookie(devices.COOKIE_NAME, token, max_age=devices.LIFETIME,
                            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")
                                        or request.is_secure),
                            httponly=True, samesite="Lax")
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
                   refusal: str | None = None, headers: dict | None = None):
    # The page links to the documents as they are now: those are the versions it offers.
    rules, privacy = joining.current_versions()
    form.rules_version.data, form.privacy_version.data = str(rules), str(privacy)
    if not form.shown.data:
        form.shown.data = signup_guard.form_stamp()
    form.website.data = ""
    return render_template("auth/register.html", form=form, invite=invite, refusal=refusal,
                           needs_approval=joining.needs_approval(invite),
                           question=joining.approval_question()), status, headers or {}


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
        attempt = SignupAttempt(address=request.remote_addr, stamp=form.shown.data,
                                trap=form.website.data, answer=form.answer.data)
        try:
            user = joining.join(data, bool(form.accept.data), invite,
                                seen=documents_seen(request.form), attempt=attempt)
        except SignupRefused as refused:
            form.form_errors.append(refused.reason)
            if refused.fresh_form:
                form.shown.data = None  # spent: the page signs a new one
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
            return _register_page(form, invite, refused.status, headers=headers)
        except Refused as refused:
            form.form_errors.append(refused.reason)
            return _register_page(form, invite, refused.status)
        except AccountError as error:
            if error.message == joining.CHANGED_MEANWHILE:
                form.accept.data = False  # to be ticked again, for the texts now linked
            _show_error(form, error, {})
        except InvitationError as error:
            form.form_errors.append(error.message)
        else:
            if not user.is_admitted:
                flash(_("Thanks for signing up, %(username)s! An administrator looks at new "
                        "accounts before they can log in. You can log in as soon as yours is "
                        "approved.", username=user.username), "info")
                return _index()
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
            user = account.log_in(form.login.data, form.password.data, request.remote_addr,
                                  device=request.cookies.get(devices.COOKIE_NAME))
        except BlockedLogin as blocked:
            return blocked_page(blocked)
        except Refused as refused:
            form.form_errors.append(refused.reason)
            page = render_template("auth/login.html", form=form)
            headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
            return page, refused.status, headers
        except AccountError as error:
            form.form_errors.append(error.message)
        else:
            target = local_path(form.next.data) or local_path(request.args.get("next"))
            if two_factor.is_enabled(user):
                # Not logged in yet: the code page (two_factor_views) finishes the login.
                session[SECOND_STEP] = two_factor.pending_token(user, bool(form.remember.data),
                                                                target)
                return redirect(url_for("auth.login_code"))
            _start_session(user, remember=bool(form.remember.data))
            refresh_language()  # the member's own language, from this message on
            flash(_("Welcome back, %(name)s.", name=user.name), "success")
            return redirect(target) if target else _index()
    return render_template("auth/login.html", form=form), _status()


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        # Ended on the server, so a copy of this browser's cookies logs nobody in either.
        logins.end_current(current_actor())
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
            # Changing the password ended every login, this one too: log it back in with a
            # new one, keeping "remember me" if this browser had it.
            cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            _start_session(user, remember=cookie in request.cookies)
            flash(
                _("Your password has been changed. Other browsers and devices were logged out."),
                "success",
            )
            return _index()
    return render_template("auth/change_password.html", form=form), _status()
