"""Forms for starting threads, replying, editing and deleting posts.

The filters normalise text the way the posting service does, so the length a member is told
about is the length the service checks.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from ...common.numfmt import lazy_number
from ...services.content.posting import BODY_MAX, TITLE_MAX, normalize_body, normalize_title
from ...services.text import REASON_MAX
from ..polls.forms import PollFields

BODY_HELP = _l("Markdown works: **bold**, *italic*, `code`, > quotes, lists, tables and links.")


def _body_field(label) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[normalize_body],
        validators=[
            DataRequired(_l("A post can't be empty.")),
            Length(max=BODY_MAX, message=_l("Posts can be at most %(num)s characters.",
                                            num=lazy_number(BODY_MAX))),
        ],
    )


class NewThreadForm(PollFields):
    """A title and the opening post, and optionally a poll (``PollFields``)."""

    title = StringField(
        _l("Title"),
        filters=[normalize_title],
        validators=[
            DataRequired(_l("A thread needs a title.")),
            Length(max=TITLE_MAX, message=_l("Titles can be at most %(num)d characters.",
                                             num=TITLE_MAX)),
        ],
    )
    body = _body_field(_l("Message"))


class ReplyForm(FlaskForm):
    body = _body_field(_l("Your reply"))


class EditPostForm(FlaskForm):
    body = _body_field(_l("Message"))


class DeletePostForm(FlaskForm):
    reason = StringField(
        _l("Reason (optional, kept in the record)"),
        filters=[lambda value: (value or "").strip()],
        validators=[Optional(),
                    Length(max=500, message=_l("Keep the reason under 500 characters."))],
    )


def _moderator_reason(missing) -> StringField:
    """Someone else's post changed by a moderator: the reason is logged and sent to the
    author, so it is required (the service says the same; the form says it by the field)."""
    return StringField(
        _l("Reason (logged, and the author is told)"),
        filters=[lambda value: (value or "").strip()],
        validators=[DataRequired(missing),
                    Length(max=REASON_MAX,
                           message=_l("Reasons can be at most %(num)d characters.",
                                      num=REASON_MAX))],
        render_kw={"maxlength": REASON_MAX},
    )


class ModeratorEditForm(EditPostForm):
    reason = _moderator_reason(_l("Please give a reason for “edit the post”."))


class ModeratorDeleteForm(FlaskForm):
    reason = _moderator_reason(_l("Please give a reason for “delete the post”."))
