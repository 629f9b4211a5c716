"""Forms for the accounts pages. The rules for names, emails and passwords live in
services/accounts.py; forms only require fields, bound their length and compare the two
password fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from ...common import usernames
from ...services.accounts.account import PASSWORD_MAX, PASSWORD_MIN
from ...services.site.account_removal import DELETE_POSTS, KEEP_POSTS

LOGIN_MAX = 254  # the longest email address


def _required(message) -> DataRequired:
    return DataRequired(message=message)


def _passwords_at_most() -> Length:
    return Length(max=PASSWORD_MAX, message=_l("Passwords can be at most %(num)d characters.",
                                                num=PASSWORD_MAX))


def _passwords_match(other: str) -> EqualTo:
    return EqualTo(other, message=_l("The two passwords don't match."))


class LoginForm(FlaskForm):
    login = StringField(
        _l("Username or email"),
        validators=[
            _required(_l("Please enter your username or email.")),
            Length(max=LOGIN_MAX, message=_l("This can be at most %(num)d characters.",
                                             num=LOGIN_MAX)),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[_required(_l("Please enter your password.")), _passwords_at_most()],
    )
    remember = BooleanField(_l("Remember me"))
    next = HiddenField()


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            _required(_l("Please enter a username.")),
            Length(max=usernames.TYPED_MAX, message=_l(
                "Usernames can be at most %(num)d characters.", num=usernames.LENGTH_MAX)),
        ],
    )
    email = EmailField(
        _l("Email"),
        validators=[
            _required(_l("Please enter your email address.")),
            Length(max=LOGIN_MAX, message=_l("Email addresses can be at most %(num)d characters.",
                                             num=LOGIN_MAX)),
        ],
    )
    password = PasswordField(
        _l("Password"),
        validators=[_required(_l("Please enter a password.")), _passwords_at_most()],
        render_kw={"minlength": PASSWORD_MIN},
    )
    confirm = PasswordField(
        _l("Confirm password"),
        validators=[
            _required(_l("Please enter your password again.")),
            _passwords_match("password"),
        ],
    )
    # Required by the service while a rules or privacy text is published.
    accept = BooleanField(_l("I accept the community rules and the privacy notice"))
    # The versions of the rules and the privacy notice the page linked to when it was shown.
    rules_version = HiddenField()
    privacy_version = HiddenField()
    # The administrators' question while new accounts need approval; the service checks it.
    answer = TextAreaField()
    # Hidden from people and screen readers: only a program fills it in.
    website = StringField(_l("Leave this field empty"))
    # The signed moment the form was shown.
    shown = HiddenField()


class ResetPasswordForm(FlaskForm):
    """A new password, twice: from a reset link, and (below) on the account page."""

    new_password = PasswordField(
        _l("New password"),
        validators=[_required(_l("Please enter a new password.")), _passwords_at_most()],
        render_kw={"minlength": PASSWORD_MIN},
    )
    confirm = PasswordField(
        _l("Confirm new password"),
        validators=[
            _required(_l("Please enter the new password again.")),
            _passwords_match("new_password"),
        ],
    )


class ChangePasswordForm(ResetPasswordForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[_required(_l("Please enter your current password.")), _passwords_at_most()],
    )


class DeleteAccountForm(FlaskForm):
    posts = RadioField(
        _l("Your posts"),
        choices=[
            (KEEP_POSTS, _l("Keep my posts, shown as by “Deleted member”")),
            (DELETE_POSTS, _l("Delete my posts too")),
        ],
        default=KEEP_POSTS,
        validators=[_required(_l("Please enter what happens to your posts."))],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[_required(_l("Please enter your password.")), _passwords_at_most()],
    )


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[_required(_l("Enter the email address of your account.")),
                    Length(max=LOGIN_MAX, message=_l("This can be at most %(num)d characters.",
                                                     num=LOGIN_MAX))],
    )


class ConfirmEmailForm(FlaskForm):
    """The button that follows a confirmation link (a GET alone changes nothing, so a mail
    scanner opening links confirms nothing)."""


class ChangeEmailForm(FlaskForm):
    email = EmailField(
        _l("New email address"),
        validators=[_required(_l("Please enter the new address.")),
                    Length(max=LOGIN_MAX, message=_l("This can be at most %(num)d characters.",
                                                     num=LOGIN_MAX))],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[_required(_l("Please enter your password.")), _passwords_at_most()],
    )
