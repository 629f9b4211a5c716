"""A member's API access tokens on the account page: the list, a new one (its text shown this
once), revoking one. (Forms are checked for their CSRF token app-wide.)"""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from ...errors import InvalidField
from ...models import Scope
from ...models.tokens import TOKEN_NAME_MAX
from ...policy import policy
from ...services.accounts import tokens
from ...web import current_actor
from ..form_errors import attach
from . import bp


class TokenForm(FlaskForm):
    name = StringField(_l("Name"), render_kw={"maxlength": TOKEN_NAME_MAX})
    scopes = SelectMultipleField(_l("Scopes"), validate_choice=False,
                                 widget=ListWidget(prefix_label=False),
                                 option_widget=CheckboxInput())
    lifetime = SelectField(_l("Lasts"), default="90", validate_choice=False,
                           choices=[(key, label) for key, (_days, label)
                                    in tokens.LIFETIMES.items()])

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The moderate scope is offered to the moderation team only (the service checks).
        shown = [scope for scope in Scope
                 if scope != Scope.MODERATE or policy().is_staff_anywhere]
        self.scopes.choices = [(scope.value, tokens.SCOPE_LABELS[scope]) for scope in shown]
        if self.scopes.data is None:
            self.scopes.data = [Scope.READ.value]


def _page(form: TokenForm, issued: tokens.Issued | None = None, status: int = 200):
    return render_template("auth/tokens.html", form=form, issued=issued,
                           items=tokens.list_for(current_actor()),
                           now=policy().clock), status


@bp.get("/account/tokens")
@login_required
def my_tokens():
    return _page(TokenForm(formdata=None))


@bp.post("/account/tokens")
@login_required
def create_token():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        issued = tokens.create(current_actor(), form.name.data, form.scopes.data,
                               form.lifetime.data)
    except InvalidField as error:
        attach(form, error.field, error.reason, fallback=form.name)
        return _page(form, status=400)
    return _page(TokenForm(formdata=None), issued=issued)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id: int):
    tokens.revoke(current_actor(), token_id)
    flash(_("The token is revoked: tools using it can no longer call the API."), "success")
    return redirect(url_for("auth.my_tokens"))
