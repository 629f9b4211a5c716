"""Forms for starting threads, replying, editing and deleting posts.

The filters normalise text the way the posting service does, so the length a member is told
about is the length the service checks.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...services.content.posting import BODY_MAX, TITLE_MAX, normalize_body, normalize_title

BODY_HELP = "Markdown works: **bold**, *italic*, `code`, > quotes, lists, tables and links."


def _body_field(label: str) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[normalize_body],
        validators=[
            DataRequired("A post can't be empty."),
            Length(max=BODY_MAX, message=f"Posts can be at most {BODY_MAX:,} characters."),
        ],
    )


class NewThreadForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[normalize_title],
        validators=[
            DataRequired("A thread needs a title."),
            Length(max=TITLE_MAX, message=f"Titles can be at most {TITLE_MAX} characters."),
        ],
    )
    body = _body_field("Message")


class ReplyForm(FlaskForm):
    body = _body_field("Your reply")


class EditPostForm(FlaskForm):
    body = _body_field("Message")


class DeletePostForm(FlaskForm):
    reason = StringField(
        "Reason (optional, kept in the record)",
        filters=[lambda value: (value or "").strip()],
        validators=[Optional(), Length(max=500, message="Keep the reason under 500 characters.")],
    )
