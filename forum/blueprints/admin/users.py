"""Members and roles: who is staff, promoting and demoting, board moderators' boards."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...errors import Refused
from ...policy import policy
from ...services.accounts import roles, staff, two_factor
from ...web import current_actor
from ..args import page_arg
from . import bp
from .account_forms import AccountForm, PasswordResetForm, SessionsForm, TwoFactorOffForm
from .forms import BoardsForm, RoleForm

# The role filters of the list (the keys are staff.ROLE_FILTERS'): as the menu names them,
# and as running text names them.
FILTERS = {
    "all": _l("Everyone"),
    "member": _l("Members"),
    "moderator": _l("Moderators"),
    "admin": _l("Administrators"),
    "board": _l("Board moderators"),
}
FILTERS_IN_TEXT = {
    "member": _l("members"),
    "moderator": _l("moderators"),
    "admin": _l("administrators"),
    "board": _l("board moderators"),
}


def _becomes(username: str, role: str) -> str:
    if role == "admin":
        return _("%(username)s is now an administrator.", username=username)
    if role == "moderator":
        return _("%(username)s is now a moderator.", username=username)
    return _("%(username)s is now a member.", username=username)



@bp.get("/users")
def users():
    result = staff.list_members(
        policy(), request.args.get("q", ""), request.args.get("role") or "all", page_arg(),
        current_app.config["MEMBERS_PER_PAGE"],
    )
    return render_template("admin/users.html", result=result, filters=FILTERS,
                           filters_in_text=FILTERS_IN_TEXT, tab="users")


def _render_user(page: staff.RolePage, role_form: RoleForm | None = None,
                 boards_form: BoardsForm | None = None, status: int = 200):
    return render_user(page, role_form=role_form, boards_form=boards_form, status=status)


def render_user(page: staff.RolePage, status: int = 200, **forms):
    """A member's page; ``forms`` holds the submitted form that failed, the others start
    from the member's current values."""
    user = page.user
    defaults = {
        "role_form": lambda: RoleForm(formdata=None, role=user.role.name.lower()),
        "boards_form": lambda: BoardsForm(
            formdata=None, boards=[str(board_id) for board_id in page.moderated_ids]),
        "account_form": lambda: AccountForm(formdata=None, username=user.username,
                                            email=user.email,
                                            display_name=user.display_name or ""),
        "reset_form": lambda: PasswordResetForm(formdata=None),
        "sessions_form": lambda: SessionsForm(formdata=None),
        "two_factor_form": lambda: TwoFactorOffForm(formdata=None),
    }
    for name, make in defaults.items():
        if forms.get(name) is None:
            forms[name] = make()
    return render_template("admin/user.html", page=page, user=user, tab="users",
                           two_factor_on=two_factor.is_enabled(user), **forms), status


def _refusal(form: RoleForm | BoardsForm, error: Refused) -> int:
    """A service's "no" shown on the form it answers, with its status; a 404 or a lapsed
    login goes to the usual pages instead."""
    if error.login_required or error.status == 404:
        raise error
    form.form_errors.append(error.reason)
    return error.status


@bp.get("/users/<username>")
def user(username: str):
    page = staff.role_page(policy(), username)
    if page.user.username != username:
        return redirect(url_for(".user", username=page.user.username), 301)
    return _render_user(page)


@bp.post("/users/<username>/role")
def set_role(username: str):
    page = staff.role_page(policy(), username)
    form = RoleForm()
    if not form.validate_on_submit():
        return _render_user(page, role_form=form, status=400)
    actor = current_actor()
    try:
        roles.set_role(actor, page.user, form.role.data, form.reason.data or None)
    except Refused as error:
        return _render_user(page, role_form=form, status=_refusal(form, error))
    flash(_becomes(page.user.username, form.role.data), "success")
    if not actor.is_admin:
        # They stepped down themselves: the panel is no longer theirs to see.
        return redirect(url_for("profiles.show", username=actor.username))
    return redirect(url_for(".user", username=page.user.username))


@bp.post("/users/<username>/boards")
def set_boards(username: str):
    page = staff.role_page(policy(), username)
    form = BoardsForm(board_ids=frozenset(board.id for board in page.boards))
    if not form.validate_on_submit():
        return _render_user(page, boards_form=form, status=400)
    chosen = [board for board in page.boards if board.id in form.chosen_ids]
    try:
        roles.assign_board_moderator(current_actor(), page.user, chosen, form.reason.data or None)
    except Refused as error:
        return _render_user(page, boards_form=form, status=_refusal(form, error))
    if chosen:
        flash(ngettext("%(username)s now moderates %(num)d board.",
                       "%(username)s now moderates %(num)d boards.",
                       len(chosen), username=page.user.username), "success")
    else:
        flash(_("%(username)s no longer moderates any boards.", username=page.user.username),
              "success")
    return redirect(url_for(".user", username=page.user.username))
