"""The form a moderator decides an appeal with."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from ...common import timefmt
from ...common.numfmt import lazy_number
from ...common.validators import DataRequired
from ...models import AppealStatus
from ...services.moderation.appeals import MESSAGE_MAX
from ...services.text import multiline
from .member_forms import MALFORMED_END

OUTCOME_LABELS = (
    (AppealStatus.UPHELD.value, _l("Uphold: the sanction stays as it is")),
    (AppealStatus.REDUCED.value, _l("Reduce: the sanction ends earlier")),
    (AppealStatus.LIFTED.value, _l("Lift: the sanction ends now")),
)


class DecisionForm(FlaskForm):
    outcome = RadioField(_l("Decision"), choices=OUTCOME_LABELS,
                         validators=[DataRequired(_l("Choose a decision."))])
    ends_at = StringField(_l("New end (when reducing)"), filters=[multiline],
                          render_kw={"type": "datetime-local"})
    message = TextAreaField(
        _l("Message to the member"),
        filters=[multiline],
        validators=[
            DataRequired(_l("Please write a message to the member.")),
            Length(max=MESSAGE_MAX, message=_l("The message can be at most %(max)s characters.",
                                               max=lazy_number(MESSAGE_MAX))),
        ],
    )

    def __init__(self, *args, timezone: str | None = None, **kwargs) -> None:
        self.timezone = timezone
        self.until: datetime | None = None
        super().__init__(*args, **kwargs)

    def validate_ends_at(self, field) -> None:
        if self.outcome.data != AppealStatus.REDUCED.value:
            return
        if not field.data:
            raise ValidationError(_("Give the new end of the sanction."))
        try:
            self.until = timefmt.parse_local(field.data, self.timezone, MALFORMED_END)
        except ValueError as error:
            raise ValidationError(str(error)) from None
