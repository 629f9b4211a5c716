"""Forms on a member's moderation record: a sanction issued directly, lifting one early, and a
private note.

Limits mirror the services' so a moderator sees the message next to the field; the services
still judge everything (a timeout's range, an end in the future) and their refusals are shown
above the form.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional, ValidationError

from ...common import timefmt
from ...common.numfmt import lazy_number, number
from ...common.validators import DataRequired
from ...models import SanctionKind
from ...services.moderation import modnotes, sanctions
from ...services.text import multiline
from ...stores import settings
from .forms import PERIODS

KIND_LABELS = {
    SanctionKind.WARNING: _l("Warning (on the record, restricts nothing)"),
    SanctionKind.TIMEOUT: _l("Timeout (can read, can't post)"),
    SanctionKind.SUSPENSION: _l("Suspension (can't log in until the end)"),
    SanctionKind.BAN: _l("Ban (can't log in; permanent unless given an end)"),
}
CUSTOM = "custom"
# Values in minutes, so the custom field and the presets read the same way.
DURATIONS = (
    *((str(int(length.total_seconds()) // 60), label) for label, length in PERIODS.values()),
    (CUSTOM, _l("Custom length…")),
)
MALFORMED_END = _l("Give the end as a date and time, like 2026-11-25 14:00.")
# More digits than this is beyond any timeout, and would overflow a timedelta.
MINUTES_DIGITS_MAX = 6


class SanctionForm(FlaskForm):
    kind = SelectField(_l("Sanction"), validate_choice=False,
                       choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()])
    reason = StringField(
        _l("Reason (kept in the record and shown to the member)"),
        filters=[multiline],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=sanctions.REASON_MAX,
                   message=_l("The reason can be at most %(max)s characters.",
                              max=sanctions.REASON_MAX)),
        ],
        render_kw={"maxlength": sanctions.REASON_MAX},
    )
    message = TextAreaField(
        _l("Message to the member (optional)"),
        filters=[multiline],
        validators=[
            Optional(),
            Length(max=sanctions.MESSAGE_MAX,
                   message=_l("The message can be at most %(max)s characters.",
                              max=lazy_number(sanctions.MESSAGE_MAX))),
        ],
    )
    duration = SelectField(_l("Timeout length"), validate_choice=False,
                           choices=[SelectChoice(value, label) for value, label in DURATIONS])
    minutes = StringField(_l("Custom length in minutes"), filters=[multiline],
                          render_kw={"inputmode": "numeric"})
    ends_at = StringField(_l("Ends at"), filters=[multiline], render_kw={"type": "datetime-local"})
    points = StringField(_l("Points"), filters=[multiline],
                         render_kw={"inputmode": "numeric", "placeholder": "1"})

    def __init__(self, *args, timezone: str | None = None, **kwargs) -> None:
        # The moderator's zone: what they type in ``ends_at`` is their local time.
        self.timezone = timezone
        self.length: timedelta | None = None
        self.until: datetime | None = None
        # For the points field's help: the settings in force.
        self.points_max = settings.get("warning_points_max")
        self.points_days = settings.get("warning_points_days")
        super().__init__(*args, **kwargs)

    @property
    def chosen(self) -> SanctionKind | None:
        try:
            return SanctionKind(self.kind.data)
        except ValueError:
            return None

    def validate_kind(self, field) -> None:
        if self.chosen is None:
            raise ValidationError(_("Choose a warning, timeout, suspension or ban."))

    def validate_duration(self, field) -> None:
        if self.chosen != SanctionKind.TIMEOUT:
            return
        choice = field.data or ""
        if choice not in dict(DURATIONS):
            raise ValidationError(_("Choose how long the timeout lasts."))
        if choice != CUSTOM:
            self.length = timedelta(minutes=int(choice))

    def validate_minutes(self, field) -> None:
        if self.chosen != SanctionKind.TIMEOUT or self.duration.data != CUSTOM:
            return
        text = field.data or ""
        if not (text.isascii() and text.isdigit()) or len(text) > MINUTES_DIGITS_MAX:
            raise ValidationError(_("Give the custom length in whole minutes (10 to 10,080)."))
        self.length = timedelta(minutes=int(text))

    @property
    def warning_points(self) -> int | None:
        """The points the moderator gave the warning; None (the default, 1) when left empty."""
        text = self.points.data or ""
        return int(text) if text else None

    def validate_points(self, field) -> None:
        if self.chosen != SanctionKind.WARNING or not field.data:
            return
        most = self.points_max
        text = field.data
        if not (text.isascii() and text.isdigit()) or len(text) > 3 or not 1 <= int(text) <= most:
            raise ValidationError(_("Give the warning from 1 to %(max)s points.",
                                    max=number(most)))

    def validate_ends_at(self, field) -> None:
        if self.chosen not in (SanctionKind.SUSPENSION, SanctionKind.BAN):
            return
        if not field.data:
            if self.chosen == SanctionKind.SUSPENSION:
                raise ValidationError(_("A suspension needs an end date and time."))
            return
        try:
            self.until = timefmt.parse_local(field.data, self.timezone, MALFORMED_END)
        except ValueError as error:
            raise ValidationError(str(error)) from None


class LiftForm(FlaskForm):
    reason = StringField(
        _l("Why lift it early?"),
        filters=[multiline],
        validators=[
            DataRequired(_l("Please give a reason for lifting it.")),
            Length(max=sanctions.REASON_MAX,
                   message=_l("The reason can be at most %(max)s characters.",
                              max=sanctions.REASON_MAX)),
        ],
        render_kw={"maxlength": sanctions.REASON_MAX},
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("New note"),
        filters=[multiline],
        validators=[
            DataRequired(_l("The note can't be empty.")),
            Length(max=modnotes.NOTE_MAX,
                   message=_l("A note can be at most %(max)s characters.",
                              max=lazy_number(modnotes.NOTE_MAX))),
        ],
    )


class ReviewForm(FlaskForm):
    """The "always review" switch: the button sends ``review`` on or off."""
