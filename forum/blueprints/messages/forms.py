"""Forms for conversations and blocks. The filters tidy text as the service does, so the
length a member is told about is the length the service checks; the service has the last
word on everything else (who may be written to)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ...common.numfmt import lazy_number
from ...services.conversations.writing import BODY_MAX, SUBJECT_MAX
from ...services.text import multiline

BODY_HELP = _l("Markdown works: **bold**, *italic*, `code`, > quotes, lists, tables and links. "
               "Only the people in the conversation read it.")
NAMES_MAX = 1000


def _tidy_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _body_field(label) -> TextAreaField:
    return TextAreaField(
        label, filters=[multiline],
        validators=[DataRequired(_l("Please write a message.")),
                    Length(max=BODY_MAX, message=_l("A message can be at most %(num)s "
                                                    "characters.", num=lazy_number(BODY_MAX)))],
        render_kw={"rows": 8})


class NewConversationForm(FlaskForm):
    recipients = StringField(
        _l("To"), filters=[_tidy_line],
        validators=[DataRequired(_l("Name at least one member to write to.")),
                    Length(max=NAMES_MAX, message=_l("That is more names than a conversation "
                                                     "can hold."))],
        render_kw={"autocomplete": "off"})
    subject = StringField(
        _l("Subject"), filters=[_tidy_line],
        validators=[DataRequired(_l("Please give the conversation a subject.")),
                    Length(max=SUBJECT_MAX, message=_l("A subject can be at most %(num)s "
                                                       "characters.",
                                                       num=lazy_number(SUBJECT_MAX)))],
        render_kw={"maxlength": SUBJECT_MAX})
    body = _body_field(_l("Message"))


class TeamConversationForm(FlaskForm):
    subject = NewConversationForm.subject
    body = _body_field(_l("Message"))


class ReplyForm(FlaskForm):
    body = _body_field(_l("Your answer"))


class AddParticipantForm(FlaskForm):
    name = StringField(
        _l("Add a member"), filters=[_tidy_line],
        validators=[DataRequired(_l("Name one member to add.")),
                    Length(max=100, message=_l("Name one member to add."))],
        render_kw={"autocomplete": "off"})


class BlockForm(FlaskForm):
    collapse_posts = BooleanField(_l("Also fold away their posts in threads"))


class PlainForm(FlaskForm):
    """A button: only the CSRF token."""
