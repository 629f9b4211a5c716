"""The ban lists: email domains, email addresses and network ranges, with an end and a note."""
from __future__ import annotations

from datetime import timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from ...common.validators import DataRequired
from ...errors import InvalidField, Refused, require
from ...models import utcnow
from ...policy import policy
from ...services.accounts import bans
from ...web import current_actor
from . import bp
from .forms import ConfirmForm

LONGEST_DAYS = 3650


class BanForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(kind.value, label)
                                            for kind, label in bans.KIND_LABELS.items()])
    value = StringField(_l("Domain, address or range"),
                        validators=[DataRequired(message=_l("Please fill in what to ban.")),
                                    Length(max=320)])
    days = IntegerField(_l("Ends after (days)"),
                        validators=[Optional(), NumberRange(min=1, max=LONGEST_DAYS)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=bans.NOTE_MAX)])


def _page(form: BanForm, status: int = 200):
    return render_template("admin/bans.html", entries=bans.listing(policy()), form=form,
                           confirm=ConfirmForm(), now=utcnow(), kinds=bans.KIND_LABELS,
                           longest=LONGEST_DAYS, tab="bans"), status


@bp.get("/bans")
def bans_list():
    require(policy().can_manage_bans())
    return _page(BanForm(formdata=None))


@bp.post("/bans")
def add_ban():
    require(policy().can_manage_bans())
    form = BanForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    now = utcnow()
    entry = bans.NewEntry(
        kind=form.kind.data, value=form.value.data, note=form.note.data,
        expires_at=now + timedelta(days=form.days.data) if form.days.data else None,
    )
    try:
        added = bans.add(current_actor(), entry, own_address=request.remote_addr, now=now)
    except InvalidField as refused:
        field = getattr(form, refused.field, None)
        if field is None:
            form.form_errors.append(refused.reason)
        else:
            field.errors = [*field.errors, refused.reason]
        return _page(form, refused.status)
    except Refused as refused:
        if refused.status != 400:
            raise
        form.form_errors.append(refused.reason)
        return _page(form, 400)
    flash(_("%(value)s is on the ban list.", value=added.value), "success")
    return redirect(url_for(".bans_list"))


@bp.post("/bans/<int:entry_id>/remove")
def remove_ban(entry_id: int):
    require(policy().can_manage_bans())
    if not ConfirmForm().validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    entry = bans.get(entry_id)
    value = entry.value
    bans.remove(current_actor(), entry)
    flash(_("%(value)s is off the ban list.", value=value), "success")
    return redirect(url_for(".bans_list"))
