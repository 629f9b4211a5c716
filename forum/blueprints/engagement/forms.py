"""Forms for contests and expert Q&As. They carry text; the services judge it."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField

from ...services.community import challenges, expert_qa
from ...services.community.events import local_input


class ActionForm(FlaskForm):
    """Only the CSRF token: the action is the button pressed."""


class ScheduleForm(FlaskForm):
    entries_open_at = StringField(_l("Entries open"), render_kw={"type": "datetime-local"})
    entries_close_at = StringField(_l("Entries close (voting opens)"),
                                   render_kw={"type": "datetime-local"})
    voting_close_at = StringField(_l("Voting closes"), render_kw={"type": "datetime-local"})
    votes_per_member = StringField(_l("Votes per member"), default="3",
                                   render_kw={"inputmode": "numeric"})
    one_entry_per_member = BooleanField(_l("One entry per member"), default=True)

    @classmethod
    def for_challenge(cls, challenge, tz: str) -> ScheduleForm:
        if challenge is None:
            return cls()
        return cls(data={
            "entries_open_at": local_input(challenge.entries_open_at, tz),
            "entries_close_at": local_input(challenge.entries_close_at, tz),
            "voting_close_at": local_input(challenge.voting_close_at, tz),
            "votes_per_member": str(challenge.votes_per_member),
            "one_entry_per_member": challenge.one_entry_per_member,
        })

    def to_data(self) -> challenges.ChallengeData:
        return challenges.ChallengeData(
            entries_open_at=self.entries_open_at.data or "",
            entries_close_at=self.entries_close_at.data or "",
            voting_close_at=self.voting_close_at.data or "",
            votes_per_member=self.votes_per_member.data or "",
            one_entry_per_member=bool(self.one_entry_per_member.data),
        )


class EntryForm(FlaskForm):
    title = StringField(_l("Title of your entry"),
                        render_kw={"maxlength": challenges.ENTRY_TITLE_MAX})
    body = TextAreaField(_l("Your entry"))


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), render_kw={"maxlength": 500})


class QuestionForm(FlaskForm):
    body = TextAreaField(_l("Your question"), render_kw={"maxlength": expert_qa.QUESTION_MAX})


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Your answer"))


class ExpertForm(FlaskForm):
    username = StringField(_l("Username"), render_kw={"autocomplete": "off"})


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), validate_choice=False)
