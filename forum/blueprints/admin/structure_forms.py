"""Forms of the structure pages. The services check every rule again; these only turn what
was sent into values and keep oversized or malformed fields away from them."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    AnyOf,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ...common.validators import DataRequired, InputRequired
from ...i18n import LANGUAGES
from ...models import Access
from ...services.site.boards import SLUG_MAX
from ...services.site.structure import DESCRIPTION_MAX, TITLE_MAX
from .forms import REASON_MAX, _stripped

READ_CHOICES = [
    SelectChoice(Access.EVERYONE.value, _l("Everyone, guests too")),
    SelectChoice(Access.MEMBERS.value, _l("Members (logged in)")),
    SelectChoice(Access.STAFF.value, _l("The moderation team")),
]
THREAD_CHOICES = [
    SelectChoice(Access.MEMBERS.value, _l("Members who may read it")),
    SelectChoice(Access.STAFF.value, _l("The moderation team only")),
]
SLOW_MAX = 86400


def _id(value) -> int:
    """A chosen row's id; anything else becomes 0, which the service refuses in words."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def _title() -> StringField:
    return StringField(
        _l("Title"), filters=[_stripped],
        validators=[DataRequired(_l("Give it a title.")),
                    Length(max=TITLE_MAX, message=_l(
                        "A title can be at most %(max)s characters.", max=TITLE_MAX))],
        render_kw={"maxlength": TITLE_MAX},
    )


def _description() -> TextAreaField:
    return TextAreaField(
        _l("Description (optional)"), filters=[_stripped],
        validators=[Length(max=DESCRIPTION_MAX, message=_l(
            "A description can be at most %(max)s characters.", max=DESCRIPTION_MAX))],
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 2},
    )


def _reason(field_id: str) -> StringField:
    return StringField(
        _l("Reason (optional, kept in the moderation log)"), id=field_id, filters=[_stripped],
        validators=[Optional(), Length(max=REASON_MAX, message=_l(
            "Keep the reason under %(max)s characters.", max=REASON_MAX))],
        render_kw={"maxlength": REASON_MAX},
    )


class CategoryForm(FlaskForm):
    title = _title()
    description = _description()


class MoveForm(FlaskForm):
    """An up or down button."""

    direction = StringField(validators=[AnyOf(["up", "down"],
                                              message=_l("Move one place up or down."))])

    @property
    def step(self) -> int:
        return -1 if self.direction.data == "up" else 1


class BoardForm(FlaskForm):
    title = _title()
    slug = StringField(
        _l("Address (slug)"), filters=[_stripped],
        validators=[Length(max=SLUG_MAX, message=_l(
            "A slug can be at most %(max)s characters.", max=SLUG_MAX))],
        render_kw={"maxlength": SLUG_MAX, "autocomplete": "off", "spellcheck": "false"},
    )
    description = _description()
    # Choices come from the categories when the form is made; the service checks the id.
    category = SelectField(_l("Category"), coerce=_id, validate_choice=False,
                           validators=[InputRequired(_l("Choose a category."))])
    position = IntegerField(
        _l("Position in the category (optional)"),
        validators=[Optional(), NumberRange(min=1, max=10_000,
                                            message=_l("The position is a number from 1 up."))],
    )
    access = SelectField(_l("Who may read it"), choices=READ_CHOICES, validate_choice=False,
                         validators=[AnyOf([c.value for c in READ_CHOICES],
                                           message=_l("Choose who may read the board."))])
    thread_access = SelectField(
        _l("Who may start threads"), choices=THREAD_CHOICES, validate_choice=False,
        validators=[AnyOf([c.value for c in THREAD_CHOICES],
                          message=_l("Choose who may start threads."))],
    )
    slow_mode_seconds = IntegerField(
        _l("Default slow mode (seconds between a member's posts in a thread; 0 for off)"),
        default=0,
        validators=[InputRequired(_l("Give a number of seconds, or 0 for off.")),
                    NumberRange(min=0, max=SLOW_MAX,
                                message=_l("Slow mode lasts from 30 seconds to 24 hours "
                                           "between posts (or 0 for off)."))],
    )
    is_read_only = BooleanField(_l("Read-only: only moderators can post"))
    allows_member_events = BooleanField(_l("Members may create events here"))
    is_questions = BooleanField(_l("Questions board"))
    response_hours = IntegerField(
        _l("Hours a thread may wait for its first reply"),
        validators=[Optional(),
                    NumberRange(min=1, max=720,
                                message=_l("Give a number of hours from 1 to 720."))],
    )
    threads_need_approval = BooleanField(_l("Every new thread needs a moderator's approval"))
    # Each language by its own name, as in the footer's switch; the service checks it again.
    language = SelectField(
        _l("Language"), default="", validate_choice=False,
        choices=[SelectChoice("", _l("Forum default")),
                 *(SelectChoice(code, name) for code, name in LANGUAGES.items())],
        validators=[AnyOf(["", *LANGUAGES], message=_l("Choose one of the languages, or the "
                                                         "forum's default."))],
    )
    # Checkboxes the template draws from the groups; the ticked ids arrive as text and the
    # service checks that each still names a group.
    read_groups = SelectMultipleField(_l("Only these groups may read"), validate_choice=False)
    post_groups = SelectMultipleField(_l("Only these groups may post"), validate_choice=False)

    def __init__(self, *args, categories=(), groups=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(c.id, c.title) for c in categories]
        self.groups = list(groups)

    @staticmethod
    def _group_ids(field: Field) -> tuple[int, ...]:
        ids = set()
        for raw in field.data or []:
            value = _id(raw)
            if not value:
                raise ValidationError(_("One of the chosen groups doesn't exist (any more). "
                                        "Reload the page and choose again."))
            ids.add(value)
        return tuple(sorted(ids))

    def validate_read_groups(self, field: Field) -> None:
        self._group_ids(field)

    def validate_post_groups(self, field: Field) -> None:
        self._group_ids(field)

    @property
    def read_group_ids(self) -> tuple[int, ...]:
        return self._group_ids(self.read_groups)

    @property
    def post_group_ids(self) -> tuple[int, ...]:
        return self._group_ids(self.post_groups)


class ArchiveForm(FlaskForm):
    reason = _reason("archive-reason")


class UnarchiveForm(FlaskForm):
    reopen = BooleanField(_l("Open it for posting again"), default=True)
    reason = _reason("unarchive-reason")


class DeleteBoardForm(FlaskForm):
    # Choices come from the other boards; the service checks the id again.
    destination = SelectField(_l("Move its threads to"), coerce=_id, validate_choice=False,
                              validators=[Optional()])
    reason = _reason("delete-reason")

    def __init__(self, *args, boards=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.destination.choices = [SelectChoice(0, _("Choose a board"))] + [
            SelectChoice(b.id, _("%(title)s (/b/%(slug)s) · archived", title=b.title,
                                 slug=b.slug) if b.is_archived else f"{b.title} (/b/{b.slug})")
            for b in boards
        ]
