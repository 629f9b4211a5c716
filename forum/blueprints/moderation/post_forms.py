"""Forms of a post's moderator tools: hide, show again, restore. Each takes the reason the
service checks, so the message a moderator sees is the service's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ...services.text import REASON_MAX


def _reason(field_id: str, label) -> StringField:
    # The forms share a page: distinct ids keep each label with its own field.
    return StringField(label, id=field_id, render_kw={"maxlength": REASON_MAX})


class HidePostForm(FlaskForm):
    reason = _reason("hide-reason", _l("Reason (logged, and the author is told)"))


class UnhidePostForm(FlaskForm):
    reason = _reason("unhide-reason", _l("Reason (logged)"))


class RestorePostForm(FlaskForm):
    reason = _reason("restore-reason", _l("Reason (logged, and the author is told)"))
