"""Forms of a member's account section in the administrator panel. The services judge names
and addresses; the forms require fields and bound their length."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import Length, ValidationError

from ...common.usernames import LENGTH_MAX, TYPED_MAX
from ...common.usernames import key as username_key
from ...common.validators import DataRequired
from ...services.accounts.profiles import DISPLAY_NAME_MAX
from ...services.site.account_removal import DELETE_POSTS, KEEP_POSTS
from .forms import _reason_field, _stripped

EMAIL_MAX = 254
POST_CHOICES = [
    (KEEP_POSTS, _l("Keep their posts, shown as by “Deleted member”")),
    (DELETE_POSTS, _l("Delete their posts too (moderators can still see and restore them)")),
]


class AccountForm(FlaskForm):
    username = StringField(
        _l("Username"), filters=[_stripped],
        validators=[DataRequired(_l("Please enter a username.")),
                    Length(max=TYPED_MAX, message=_l("Usernames can be at most %(num)d characters.",
                                                     num=LENGTH_MAX))],
        render_kw={"maxlength": TYPED_MAX, "autocomplete": "off"},
    )
    email = EmailField(
        _l("Email"), filters=[_stripped],
        validators=[DataRequired(_l("Please enter an email address.")),
                    Length(max=EMAIL_MAX,
                           message=_l("Email addresses can be at most %(max)s characters.",
                                      max=EMAIL_MAX))],
        render_kw={"maxlength": EMAIL_MAX, "autocomplete": "off"},
    )
    display_name = StringField(
        _l("Display name (optional)"), filters=[_stripped],
        validators=[Length(max=DISPLAY_NAME_MAX, message=_l(
            "Display names can be at most %(max)s characters.", max=DISPLAY_NAME_MAX))],
        render_kw={"maxlength": DISPLAY_NAME_MAX},
    )
    reason = _reason_field("account-reason")


class PasswordResetForm(FlaskForm):
    reason = _reason_field("reset-reason")


class SessionsForm(FlaskForm):
    reason = _reason_field("sessions-reason")


class TwoFactorOffForm(FlaskForm):
    reason = StringField(
        _l("Reason (kept in the moderation log)"), id="two-factor-reason", filters=[_stripped],
        validators=[DataRequired(_l("Please give a reason for turning two-step login off.")),
                    Length(max=500, message=_l("Keep the reason under %(max)s characters.",
                                               max=500))],
        render_kw={"maxlength": 500},
    )


class DeleteAccountForm(FlaskForm):
    posts = RadioField(_l("Their posts"), choices=POST_CHOICES, default=KEEP_POSTS,
                       validators=[DataRequired(_l("Choose what happens to their posts."))])
    confirm = StringField(
        _l("Type their username to confirm"), filters=[_stripped],
        validators=[DataRequired(_l("Type the member's username to confirm.")),
                    Length(max=TYPED_MAX, message=_l("That isn't their username."))],
        render_kw={"maxlength": TYPED_MAX, "autocomplete": "off"},
    )
    reason = _reason_field("delete-reason")

    def __init__(self, *args, username: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.username = username

    def validate_confirm(self, field) -> None:
        if username_key(field.data or "") != username_key(self.username):
            raise ValidationError(_("That isn't their username; type it exactly to confirm."))
