"""Forms of a member's account section in the administrator panel. The services judge names
and addresses; the forms require fields and bound their length."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, RadioField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ...services.accounts.profiles import DISPLAY_NAME_MAX
from ...services.site.account_removal import DELETE_POSTS, KEEP_POSTS
from .forms import _reason_field, _stripped

EMAIL_MAX = 254
POST_CHOICES = [
    (KEEP_POSTS, "Keep their posts, shown as by “Deleted member”"),
    (DELETE_POSTS, "Delete their posts too (moderators can still see and restore them)"),
]


class AccountForm(FlaskForm):
    username = StringField(
        "Username", filters=[_stripped],
        validators=[DataRequired("Please enter a username."),
                    Length(max=32, message="Usernames can be at most 32 characters.")],
        render_kw={"maxlength": 32, "autocomplete": "off"},
    )
    email = EmailField(
        "Email", filters=[_stripped],
        validators=[DataRequired("Please enter an email address."),
                    Length(max=EMAIL_MAX,
                           message=f"Email addresses can be at most {EMAIL_MAX} characters.")],
        render_kw={"maxlength": EMAIL_MAX, "autocomplete": "off"},
    )
    display_name = StringField(
        "Display name (optional)", filters=[_stripped],
        validators=[Length(max=DISPLAY_NAME_MAX, message=(
            f"Display names can be at most {DISPLAY_NAME_MAX} characters."))],
        render_kw={"maxlength": DISPLAY_NAME_MAX},
    )
    reason = _reason_field("account-reason")


class PasswordResetForm(FlaskForm):
    reason = _reason_field("reset-reason")


class SessionsForm(FlaskForm):
    reason = _reason_field("sessions-reason")


class DeleteAccountForm(FlaskForm):
    posts = RadioField("Their posts", choices=POST_CHOICES, default=KEEP_POSTS,
                       validators=[DataRequired("Choose what happens to their posts.")])
    confirm = StringField(
        "Type their username to confirm", filters=[_stripped],
        validators=[DataRequired("Type the member's username to confirm."),
                    Length(max=32, message="That isn't their username.")],
        render_kw={"maxlength": 32, "autocomplete": "off"},
    )
    reason = _reason_field("delete-reason")

    def __init__(self, *args, username: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.username = username

    def validate_confirm(self, field) -> None:
        if (field.data or "").lower() != self.username.lower():
            raise ValidationError("That isn't their username; type it exactly to confirm.")
