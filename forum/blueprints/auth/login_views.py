"""A member's logins: the list on the account page, ending one, ending all of them. (Forms
are checked for their CSRF token app-wide.)"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required, logout_user

from ...models import utcnow
from ...services.accounts import logins
from ...web import current_actor
from . import bp


@bp.get("/account/logins")
@login_required
def my_logins():
    user = current_actor()
    now = utcnow()
    items = [(login, logins.device(login)) for login in logins.open_logins(user, now)]
    return render_template("auth/logins.html", items=items, current_id=user.login_id)


@bp.post("/account/logins/<int:login_id>/end")
@login_required
def end_login(login_id: int):
    user = current_actor()
    logins.end(user, login_id)
    if login_id == user.login_id:
        logout_user()
        flash(_("You have been logged out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That browser or device has been logged out."), "success")
    return redirect(url_for("auth.my_logins"))


@bp.post("/account/logins/end-all")
@login_required
def end_all_logins():
    user = current_actor()
    logins.end_everywhere(user)
    logout_user()
    flash(_("You have been logged out everywhere, this browser too."), "info")
    return redirect(url_for("auth.login"))
