"""Forms for starting threads, replying, editing and deleting posts.

The filters normalise text the way the posting service does, so the length a member is told
about is the length the service checks.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...services.content.posting import BODY_MAX, TITLE_MAX, normalize_body, normalize_title
from ...services.text import REASON_MAX

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


def _moderator_reason(action: str) -> StringField:
    """Someone else's post changed by a moderator: the reason is logged and sent to the
    author, so it is required (the service says the same; the form says it by the field)."""
    return StringField(
        "Reason (logged, and the author is told)",
        filters=[lambda value: (value or "").strip()],
        validators=[DataRequired(f"Please give a reason for “{action}”."),
                    Length(max=REASON_MAX,
                           message=f"Reasons can be at most {REASON_MAX} characters.")],
        render_kw={"maxlength": REASON_MAX},
    )


class ModeratorEditForm(EditPostForm):
    reason = _moderator_reason("edit the post")


class ModeratorDeleteForm(FlaskForm):
    reason = _moderator_reason("delete the post")
