"""Forms of the administrator panel. Messages are written for the person at the form; the
services check the same rules again, so a form is a courtesy, never the only guard."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import (
    BooleanField,
    EmailField,
    Field,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from ...common.numfmt import lazy_number, number
from ...common.timefmt import zone_names
from ...common.usernames import TYPED_MAX
from ...common.validators import DataRequired, InputRequired
from ...models import Choice, Email, Role, SettingSpec, TimeZone
from ...services.accounts.groups import DESCRIPTION_MAX as GROUP_DESCRIPTION_MAX
from ...services.accounts.groups import NAME_MAX as GROUP_NAME_MAX
from ...services.accounts.invitations import NOTE_MAX
from ...services.moderation import macros
from ...services.moderation.modnotes import BODY_MAX, TITLE_MAX
from ...services.text import multiline

REASON_MAX = 500
ROLE_CHOICES = [
    SelectChoice(Role.MEMBER.name.lower(), _l("Member")),
    SelectChoice(Role.MODERATOR.name.lower(), _l("Moderator")),
    SelectChoice(Role.ADMIN.name.lower(), _l("Administrator")),
]


def _stripped(value: Any) -> str:
    # Also given the current value (a number, for number settings) when no form was sent.
    return "" if value is None else str(value).strip()


def _reason_field(field_id: str) -> StringField:
    # Both forms of a member's page have a reason; distinct ids keep their labels apart.
    return StringField(
        _l("Reason (optional, kept in the moderation log)"),
        id=field_id,
        filters=[_stripped],
        validators=[Optional(), Length(max=REASON_MAX, message=_l(
            "Keep the reason under %(max)s characters.", max=REASON_MAX))],
        render_kw={"maxlength": REASON_MAX},
    )


class RoleForm(FlaskForm):
    role = SelectField(
        _l("Role"), choices=ROLE_CHOICES, validate_choice=False,
        validators=[AnyOf([choice.value for choice in ROLE_CHOICES],
                          message=_l("Choose member, moderator or administrator."))],
    )
    reason = _reason_field("role-reason")


class BoardsForm(FlaskForm):
    """The boards a member moderates: checkboxes the template draws from the board list, so
    the form only needs to know which ids exist. ``boards.data`` holds the ticked ids as text
    (the current ones until a submission replaces them)."""

    boards = SelectMultipleField(_l("Boards"), validate_choice=False)
    reason = _reason_field("boards-reason")

    def __init__(self, *args, board_ids: frozenset[int] = frozenset(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.known_ids = board_ids
        self.chosen_ids: set[int] = set()

    def validate_boards(self, field: Field) -> None:
        chosen = set()
        for raw in field.data or []:
            text = str(raw).strip()
            if not (text.isascii() and text.isdigit()) or int(text) not in self.known_ids:
                raise ValidationError(_(
                    "One of the chosen boards doesn't exist (any more). Reload the page and "
                    "choose again."
                ))
            chosen.add(int(text))
        self.chosen_ids = chosen


class CannedForm(FlaskForm):
    title = StringField(
        _l("Title"),
        filters=[_stripped],
        validators=[
            DataRequired(_l("A canned response needs a title.")),
            Length(max=TITLE_MAX, message=_l("Titles can be at most %(max)s characters.",
                                             max=TITLE_MAX)),
        ],
        render_kw={"maxlength": TITLE_MAX},
    )
    body = TextAreaField(
        _l("Text"),
        filters=[multiline],
        validators=[
            DataRequired(_l("A canned response needs some text.")),
            Length(max=BODY_MAX, message=_l("The text can be at most %(max)s characters.",
                                            max=lazy_number(BODY_MAX))),
        ],
    )
    # A macro: what picking the response also does. Checked again by the service.
    actions = SelectMultipleField(
        _l("Content"), choices=[
            ("hide_post", _l("Hide the post")), ("delete_post", _l("Delete the post")),
            ("lock_thread", _l("Lock the thread")),
        ], validate_choice=False, widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput())
    sanction = RadioField(_l("The author"), choices=[
        ("", _l("None")), ("warn", _l("Warn")), ("timeout", _l("Time out (no posting)")),
        ("ban", _l("Ban for good")),
    ], default="", validate_choice=False)
    timeout = SelectField(_l("Timeout length"),
                          choices=[(key, label) for key, (label, _len) in macros.PERIODS.items()],
                          default="24h", validate_choice=False)
    reason = StringField(_l("Reason (logged with every action)"), filters=[_stripped],
                         render_kw={"maxlength": 500})

    def preset(self) -> macros.Preset:
        return macros.Preset(actions=tuple(self.actions.data or ()),
                             sanction=self.sanction.data or None,
                             timeout=self.timeout.data if self.sanction.data == "timeout" else None,
                             reason=self.reason.data or None)


class ConfirmForm(FlaskForm):
    """A button and its CSRF token, for actions the page has already explained."""


# -- settings ------------------------------------------------------------------------------------
class SettingsForm(FlaskForm):
    """Built field by field from ``models.settings.SETTINGS`` by ``settings_form``."""

    specs: list[SettingSpec] = []

    def groups(self) -> list[tuple[str, list[SettingSpec]]]:
        """The settings by group, groups in the order their first setting is declared."""
        grouped: dict[str, list[SettingSpec]] = {}
        for spec in self.specs:
            grouped.setdefault(spec.group, []).append(spec)
        return list(grouped.items())

    def changes(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name).data for spec in self.specs}


def _parses(spec: SettingSpec):
    def check(form: FlaskForm, field: Field) -> None:
        try:
            spec.parse(field.data)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    return check


def _describe(spec: SettingSpec) -> str:
    """The setting's help, with the range the form will hold it to (in the reader's
    language: the form is built for each request)."""
    low, high = spec.minimum, spec.maximum
    bounds = ""
    if spec.type is int and low is not None and high is not None:
        bounds = _("From %(low)s to %(high)s.", low=number(low), high=number(high))
    elif spec.type is int and low is not None:
        bounds = _("At least %(low)s.", low=number(low))
    elif spec.type is int and high is not None:
        bounds = _("At most %(high)s.", high=number(high))
    elif spec.type is str and high is not None:
        bounds = ngettext("Up to %(num)d character.", "Up to %(num)d characters.", high)
    return f"{spec.help} {bounds}".strip()


class SettingCheckbox(BooleanField):
    """A checkbox that tells "unticked" from "not on the form": an empty hidden companion is
    always sent with it, so a setting missing from a submission (a page opened before the
    setting existed) keeps its value, as a missing number does, instead of turning off."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The shared field macro lays checkboxes out by this name.
        self.type = "BooleanField"

    def __call__(self, **kwargs) -> Markup:
        companion = Markup('<input type="hidden" name="{}" value="">').format(self.name)
        return super().__call__(**kwargs) + companion

    def process_formdata(self, valuelist: list[str]) -> None:
        if valuelist:
            # Ticked sends ["y", ""], unticked [""]: the first value decides.
            super().process_formdata(valuelist)


def _setting_field(spec: SettingSpec) -> Field:
    description = _describe(spec)
    # Plain text in the reader's language: the settings page joins labels into its message.
    label = str(spec.label)
    if spec.type is bool:
        return SettingCheckbox(label, description=description)
    if spec.type is Choice:
        return SelectField(label, description=description, choices=list(spec.choices),
                           validate_choice=False, validators=[_parses(spec)])
    if spec.type is TimeZone:
        return SelectField(label, description=description, choices=list(zone_names()),
                           validate_choice=False, validators=[_parses(spec)])
    if spec.type is Email:
        return EmailField(label, description=description, filters=[_stripped],
                          validators=[_parses(spec)], render_kw={"maxlength": 254})
    if spec.type is int:
        # Text rather than IntegerField, so a non-number gets the setting's own message.
        return StringField(label, description=description, filters=[_stripped],
                           validators=[_parses(spec)],
                           widget=NumberInput(step=1, min=spec.minimum, max=spec.maximum))
    extra = {"maxlength": spec.maximum} if spec.maximum is not None else {}
    return StringField(label, description=description, validators=[_parses(spec)],
                       render_kw=extra)


def settings_form(current: list[tuple[SettingSpec, Any]], **kwargs) -> SettingsForm:
    """A form with one field per setting, in declaration order, holding the current values
    until a submission replaces them."""
    attributes: dict[str, Any] = {"specs": [spec for spec, _value in current]}
    for spec, _value in current:
        if hasattr(SettingsForm, spec.name):
            raise RuntimeError(f"setting name {spec.name!r} clashes with a form attribute")
        attributes[spec.name] = _setting_field(spec)
    form_class = type("SettingsForm", (SettingsForm,), attributes)
    return form_class(data={spec.name: value for spec, value in current}, **kwargs)


# -- documents and invitations ---------------------------------------------------------------
class DocumentForm(FlaskForm):
    body = TextAreaField(_l("Text (Markdown)"), filters=[multiline])


class InvitationForm(FlaskForm):
    days = IntegerField(
        _l("Valid for (days)"),
        validators=[InputRequired(_l("Say for how many days the invitation stays valid."))],
        default=7,
    )
    note = StringField(
        _l("Note (optional, for you: whom it is for)"),
        filters=[_stripped],
        validators=[Optional(), Length(max=NOTE_MAX, message=_l(
            "Keep the note under %(max)s characters.", max=NOTE_MAX))],
        render_kw={"maxlength": NOTE_MAX},
    )


# -- groups ------------------------------------------------------------------------------------
class GroupForm(FlaskForm):
    """A group's name and description (creating one, or renaming and describing it)."""

    name = StringField(
        _l("Name"), filters=[_stripped],
        validators=[DataRequired(_l("A group needs a name.")),
                    Length(max=GROUP_NAME_MAX, message=_l(
                        "A group's name can be at most %(max)s characters.",
                        max=GROUP_NAME_MAX))],
        render_kw={"maxlength": GROUP_NAME_MAX},
    )
    description = TextAreaField(
        _l("Description (optional)"), filters=[multiline],
        validators=[Length(max=GROUP_DESCRIPTION_MAX, message=_l(
            "A description can be at most %(max)s characters.", max=GROUP_DESCRIPTION_MAX))],
        render_kw={"maxlength": GROUP_DESCRIPTION_MAX, "rows": 2},
    )


class GroupMemberForm(FlaskForm):
    username = StringField(
        _l("Username"), filters=[_stripped],
        validators=[DataRequired(_l("Type the username of the member to add.")),
                    Length(max=TYPED_MAX, message=_l("No member has a username that long."))],
        render_kw={"maxlength": TYPED_MAX, "autocomplete": "off", "spellcheck": "false"},
    )
