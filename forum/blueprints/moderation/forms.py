"""Forms of the report queue: filing nothing, only choosing what to do with an item."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    widgets,
)

from ...common import timefmt
from ...services.moderation import macros
from ...services.moderation.resolution import Action, ActionKind
from ...services.moderation.sanctions import MESSAGE_MAX
from ...services.text import REASON_MAX

# The lengths moderators pick from, for timeouts, locks and slow mode: key → (label, length).
# Each form offers the ones that fit it; macros keep a timeout's key.
PERIODS = macros.PERIODS


def period_choices(*keys: str) -> list[tuple[str, str]]:
    return [(key, PERIODS[key][0]) for key in keys]

CONTENT_ACTIONS = [
    (ActionKind.HIDE_POST.value, _l("Hide the post")),
    (ActionKind.EDIT_POST.value, _l("Edit the post (the original is kept in its history)")),
    (ActionKind.DELETE_POST.value, _l("Delete the post")),
    (ActionKind.LOCK_THREAD.value, _l("Lock the thread")),
    (ActionKind.MOVE_THREAD.value, _l("Move the thread")),
    (ActionKind.HIDE_MESSAGE.value, _l("Remove the message from the conversation")),
]
SANCTIONS = [
    ("", _l("None")),
    (ActionKind.WARN.value, _l("Warn")),
    (ActionKind.TIMEOUT.value, _l("Time out (no posting)")),
    (ActionKind.SUSPEND.value, _l("Suspend (no logging in)")),
    (ActionKind.BAN.value, _l("Ban")),
]


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ClaimForm(FlaskForm):
    """Claim or release: only the CSRF token."""


class DismissForm(FlaskForm):
    # Beside the resolve form on the item page: ids of their own keep each label on its field.
    reason = StringField(_l("Why no action is needed"), id="dismiss-reason",
                         render_kw={"maxlength": REASON_MAX})


class ResolveForm(FlaskForm):
    """One step: any sensible mix of content actions and one sanction, with one reason that is
    logged for each. The service judges the mix; this form only reads it."""

    actions = CheckboxesField(_l("Content"), choices=CONTENT_ACTIONS, validate_choice=False)
    body = TextAreaField(_l("New text of the post"))
    destination = SelectField(_l("Move to board"), coerce=str, validate_choice=False)
    sanction = RadioField(_l("Author"), choices=SANCTIONS, default="", validate_choice=False)
    timeout = SelectField(_l("Timeout length"),
                          # A timeout lasts from 10 minutes to 7 days: every period fits.
                          choices=period_choices(*PERIODS),
                          default="24h", validate_choice=False)
    until = StringField(_l("Until (your time)"), render_kw={"type": "datetime-local"})
    canned = SelectField(_l("Canned response"), coerce=str, validate_choice=False)
    use_canned = SubmitField(_l("Use this response"))
    message = TextAreaField(_l("Message to the member (optional)"),
                            render_kw={"maxlength": MESSAGE_MAX, "rows": 5})
    reason = StringField(_l("Reason (logged with every action)"),
                         render_kw={"maxlength": REASON_MAX})

    def to_actions(self, boards: dict[str, object], tz_name: str | None) -> list[Action]:
        """The chosen actions; ValueError names the field a person has to fix."""
        reason = self.reason.data or ""
        chosen = []
        for kind in self.actions.data or []:
            if kind == ActionKind.MOVE_THREAD.value:
                board = boards.get(self.destination.data or "")
                if board is None:
                    raise ValueError(_("Choose the board to move the thread to."))
                chosen.append(Action(kind, reason, board=board))
            elif kind == ActionKind.EDIT_POST.value:
                chosen.append(Action(kind, reason, body=self.body.data or ""))
            else:
                chosen.append(Action(kind, reason))
        sanction = self.sanction.data or ""
        if sanction:
            chosen.append(self._sanction(sanction, reason, tz_name))
        return chosen

    def _sanction(self, kind: str, reason: str, tz_name: str | None) -> Action:
        message = self.message.data or None
        if kind == ActionKind.TIMEOUT.value:
            preset = PERIODS.get(self.timeout.data or "")
            if preset is None:
                raise ValueError(_("Choose how long the timeout lasts."))
            return Action(kind, reason, duration=preset[1], message=message)
        until: datetime | None = None
        if kind in (ActionKind.SUSPEND.value, ActionKind.BAN.value) and self.until.data:
            until = timefmt.parse_local(self.until.data, tz_name)
        return Action(kind, reason, until=until, message=message)


class QuickForm(FlaskForm):
    """A queue row's button: the choice (``quick_actions``), where to go back to, and whether
    a destructive choice was confirmed."""

    choice = StringField()
    back = StringField()
    confirmed = StringField()
