"""Forms of the structure pages. The services check every rule again; these only turn what
was sent into values and keep oversized or malformed fields away from them."""
from __future__ import annotations

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
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from ...models import Access
from ...services.site.boards import SLUG_MAX
from ...services.site.structure import DESCRIPTION_MAX, TITLE_MAX
from .forms import REASON_MAX, _stripped

READ_CHOICES = [
    SelectChoice(Access.EVERYONE.value, "Everyone, guests too"),
    SelectChoice(Access.MEMBERS.value, "Members (logged in)"),
    SelectChoice(Access.STAFF.value, "The moderation team"),
]
THREAD_CHOICES = [
    SelectChoice(Access.MEMBERS.value, "Members who may read it"),
    SelectChoice(Access.STAFF.value, "The moderation team only"),
]
SLOW_MAX = 86400


def _id(value) -> int:
    """A chosen row's id; anything else becomes 0, which the service refuses in words."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else 0


def _title() -> StringField:
    return StringField(
        "Title", filters=[_stripped],
        validators=[DataRequired("Give it a title."),
                    Length(max=TITLE_MAX, message=f"A title can be at most {TITLE_MAX} "
                                                  f"characters.")],
        render_kw={"maxlength": TITLE_MAX},
    )


def _description() -> TextAreaField:
    return TextAreaField(
        "Description (optional)", filters=[_stripped],
        validators=[Length(max=DESCRIPTION_MAX, message=f"A description can be at most "
                                                        f"{DESCRIPTION_MAX} characters.")],
        render_kw={"maxlength": DESCRIPTION_MAX, "rows": 2},
    )


def _reason(field_id: str) -> StringField:
    return StringField(
        "Reason (optional, kept in the moderation log)", id=field_id, filters=[_stripped],
        validators=[Optional(), Length(max=REASON_MAX, message=f"Keep the reason under "
                                                              f"{REASON_MAX} characters.")],
        render_kw={"maxlength": REASON_MAX},
    )


class CategoryForm(FlaskForm):
    title = _title()
    description = _description()


class MoveForm(FlaskForm):
    """An up or down button."""

    direction = StringField(validators=[AnyOf(["up", "down"],
                                              message="Move one place up or down.")])

    @property
    def step(self) -> int:
        return -1 if self.direction.data == "up" else 1


class BoardForm(FlaskForm):
    title = _title()
    slug = StringField(
        "Address (slug)", filters=[_stripped],
        validators=[Length(max=SLUG_MAX, message=f"A slug can be at most {SLUG_MAX} "
                                                 f"characters.")],
        render_kw={"maxlength": SLUG_MAX, "autocomplete": "off", "spellcheck": "false"},
    )
    description = _description()
    # Choices come from the categories when the form is made; the service checks the id.
    category = SelectField("Category", coerce=_id, validate_choice=False,
                           validators=[InputRequired("Choose a category.")])
    position = IntegerField(
        "Position in the category (optional)",
        validators=[Optional(), NumberRange(min=1, max=10_000,
                                            message="The position is a number from 1 up.")],
    )
    access = SelectField("Who may read it", choices=READ_CHOICES, validate_choice=False,
                         validators=[AnyOf([c.value for c in READ_CHOICES],
                                           message="Choose who may read the board.")])
    thread_access = SelectField(
        "Who may start threads", choices=THREAD_CHOICES, validate_choice=False,
        validators=[AnyOf([c.value for c in THREAD_CHOICES],
                          message="Choose who may start threads.")],
    )
    slow_mode_seconds = IntegerField(
        "Default slow mode (seconds between a member's posts in a thread; 0 for off)",
        default=0,
        validators=[InputRequired("Give a number of seconds, or 0 for off."),
                    NumberRange(min=0, max=SLOW_MAX,
                                message="Slow mode lasts from 30 seconds to 24 hours between "
                                        "posts (or 0 for off).")],
    )
    is_read_only = BooleanField("Read-only: only moderators can post")
    allows_member_events = BooleanField("Members may create events here")
    is_questions = BooleanField("Questions board")
    # Checkboxes the template draws from the groups; the ticked ids arrive as text and the
    # service checks that each still names a group.
    read_groups = SelectMultipleField("Only these groups may read", validate_choice=False)
    post_groups = SelectMultipleField("Only these groups may post", validate_choice=False)

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
                raise ValidationError("One of the chosen groups doesn't exist (any more). "
                                      "Reload the page and choose again.")
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
    reopen = BooleanField("Open it for posting again", default=True)
    reason = _reason("unarchive-reason")


class DeleteBoardForm(FlaskForm):
    # Choices come from the other boards; the service checks the id again.
    destination = SelectField("Move its threads to", coerce=_id, validate_choice=False,
                              validators=[Optional()])
    reason = _reason("delete-reason")

    def __init__(self, *args, boards=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.destination.choices = [SelectChoice(0, "Choose a board")] + [
            SelectChoice(b.id, f"{b.title} (/b/{b.slug})" + (" · archived" if b.is_archived
                                                              else ""))
            for b in boards
        ]
