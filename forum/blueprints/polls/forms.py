"""Forms of polls: the fields a poll is made with (on the new-thread form and the page that
adds one to a thread), changing, closing and deleting one, and the ballot. Each works
without JavaScript: the options are a text box, one a line."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ...common import timefmt
from ...errors import InvalidField
from ...models import RESULTS_SHOWN_LABELS, ResultsShown
from ...services.community.polls import specs
from ...services.text import REASON_MAX

CHOICE_KINDS = [("single", _l("One option")), ("multiple", _l("Several options"))]
VISIBILITY = [("anonymous", _l("Anonymous: nobody sees who voted for what")),
              ("public", _l("Public: whoever reads the thread sees who voted for what"))]


def _closes_at_field() -> StringField:
    return StringField(_l("Closes at (your time, optional)"),
                       render_kw={"type": "datetime-local"})


class PollFields(FlaskForm):
    poll_question = StringField(_l("Question"), render_kw={"maxlength": specs.QUESTION_MAX})
    poll_options = TextAreaField(_l("Options, one a line (2 to 20)"))
    poll_multiple = SelectField(_l("Voters choose"), choices=CHOICE_KINDS, default="single")
    poll_max_choices = StringField(_l("At most this many options (several options; empty: "
                                      "any number)"), render_kw={"inputmode": "numeric"})
    poll_results = SelectField(_l("Results are shown"),
                               choices=[(shown.value, label)
                                        for shown, label in RESULTS_SHOWN_LABELS.items()],
                               default=ResultsShown.ALWAYS.value)
    poll_public = SelectField(_l("Votes are"), choices=VISIBILITY, default="anonymous")
    poll_changeable = BooleanField(_l("Voters may change their vote until the poll closes"),
                                   default=True)
    poll_closes_at = _closes_at_field()

    def wants_poll(self) -> bool:
        """Whether the member filled in a poll (on the new-thread form it is optional)."""
        return bool((self.poll_question.data or "").strip()
                    or (self.poll_options.data or "").strip())


def parse_closing(text: str | None, tz_name: str | None) -> datetime | None:
    """A closing time typed in the member's zone, in UTC; None when left empty."""
    if not (text or "").strip():
        return None
    try:
        return timefmt.parse_local(text, tz_name)
    except ValueError as error:
        raise InvalidField("poll_closes_at", str(error)) from None


def _max_choices(text: str | None) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) < 4):
        raise InvalidField("poll_max_choices", _("Enter the maximum as a whole number."))
    return int(text)


def read_spec(form: PollFields, tz_name: str | None, now: datetime) -> specs.PollSpec:
    """The poll a form describes, checked (``specs.clean_spec``); ``InvalidField`` names the
    field at fault."""
    return specs.clean_spec(
        form.poll_question.data, form.poll_options.data,
        multiple=form.poll_multiple.data == "multiple",
        max_choices=_max_choices(form.poll_max_choices.data),
        results_shown=form.poll_results.data, is_public=form.poll_public.data == "public",
        is_changeable=bool(form.poll_changeable.data),
        closes_at=parse_closing(form.poll_closes_at.data, tz_name), now=now)


class AddPollForm(PollFields):
    pass


def _reason_field() -> StringField:
    return StringField(_l("Reason (optional, kept in the moderation log)"),
                       filters=[lambda value: (value or "").strip()],
                       validators=[Optional(), Length(max=REASON_MAX, message=_l(
                           "Reasons can be at most %(num)d characters.", num=REASON_MAX))],
                       render_kw={"maxlength": REASON_MAX})


class EditPollForm(FlaskForm):
    poll_question = StringField(_l("Question"), render_kw={"maxlength": specs.QUESTION_MAX})
    poll_options = TextAreaField(_l("Options, one a line, in their order"))
    poll_closes_at = _closes_at_field()
    reason = _reason_field()


# Named apart: the three forms share one page, and so the ids of their fields.
class ClosePollForm(FlaskForm):
    close_reason = _reason_field()


class DeletePollForm(FlaskForm):
    delete_reason = _reason_field()


class BallotForm(FlaskForm):
    """Only the token: the choices are read from the request as a list (``choice``)."""
