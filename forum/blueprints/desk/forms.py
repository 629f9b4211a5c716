"""Forms of the desk: each hand action carries the item's version the page showed."""
from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Regexp

from ...services.content.posting import BODY_MAX

SNOOZE_LENGTHS = {
    "1h": (_l("1 hour"), timedelta(hours=1)),
    "4h": (_l("4 hours"), timedelta(hours=4)),
    "24h": (_l("24 hours"), timedelta(hours=24)),
    "3d": (_l("3 days"), timedelta(days=3)),
    "7d": (_l("7 days"), timedelta(days=7)),
}


class ItemForm(FlaskForm):
    version = HiddenField(validators=[InputRequired(), Regexp(r"^\d{1,9}$")])


class SnoozeForm(ItemForm):
    length = SelectField(_l("Snooze for"), choices=[("", _l("Choose…"))] + [
        (key, label) for key, (label, _length) in SNOOZE_LENGTHS.items()])
    until = StringField(_l("or until"), validators=[Length(max=40)],
                        render_kw={"type": "datetime-local"})


class AssignForm(ItemForm):
    assignee = SelectField(_l("Give to"), validate_choice=False)


class DeskReplyForm(ItemForm):
    body = TextAreaField(_l("Your reply"), validators=[InputRequired(), Length(max=BODY_MAX)])
