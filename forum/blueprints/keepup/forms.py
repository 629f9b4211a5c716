"""Forms of the keeping-up pages; each works without JavaScript."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional

from ...models import REACTIONS, WATCH_LEVEL_LABELS
from ...services.content.bookmarks import NOTE_MAX


class LevelForm(FlaskForm):
    level = SelectField(_l("Notifications"), choices=list(WATCH_LEVEL_LABELS.items()))


class ConfirmForm(FlaskForm):
    """A button whose only field is the CSRF token (mark read, delete)."""


# What a reaction button sends: the kind and whether it adds or takes back ("thanks:add"), so
# a button pressed twice, or sent from two tabs, means the same thing both times.
REACT_CHOICES = [f"{kind}:{op}" for kind in REACTIONS for op in ("add", "remove")]


class ReactForm(FlaskForm):
    react = HiddenField(validators=[AnyOf(REACT_CHOICES)])


class BookmarkForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=NOTE_MAX)])
    remind_at = StringField(_l("Remind me at (your time, optional)"),
                            render_kw={"type": "datetime-local"})


class DefaultsForm(FlaskForm):
    watch_started = BooleanField(_l("Watch threads I start (a notification for every new "
                                    "post)"))
    track_replied = BooleanField(_l("Track threads I reply to (new posts counted as unread)"))
