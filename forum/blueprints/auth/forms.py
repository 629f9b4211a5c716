"""Forms for the accounts pages. The rules for names, emails and passwords live in
services/accounts.py; forms only require fields, bound their length and compare the two
password fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    RadioField,
    StringField,
)
from wtforms.validators import DataRequired, EqualTo, Length

from ...services.accounts.account import PASSWORD_MAX, PASSWORD_MIN
from ...services.site.account_removal import DELETE_POSTS, KEEP_POSTS

LOGIN_MAX = 254  # the longest email address


def _required(what: str) -> DataRequired:
    return DataRequired(message=f"Please enter {what}.")


def _at_most(n: int, what: str) -> Length:
    return Length(max=n, message=f"{what} can be at most {n} characters.")


class LoginForm(FlaskForm):
    login = StringField(
        "Username or email",
        validators=[_required("your username or email"), _at_most(LOGIN_MAX, "This")],
    )
    password = PasswordField(
        "Password",
        validators=[_required("your password"), _at_most(PASSWORD_MAX, "Passwords")],
    )
    remember = BooleanField("Remember me")
    next = HiddenField()


class RegisterForm(FlaskForm):
    username = StringField(
        "Username",
        validators=[_required("a username"), _at_most(32, "Usernames")],
    )
    email = EmailField(
        "Email",
        validators=[_required("your email address"), _at_most(LOGIN_MAX, "Email addresses")],
    )
    password = PasswordField(
        "Password",
        validators=[_required("a password"), _at_most(PASSWORD_MAX, "Passwords")],
        render_kw={"minlength": PASSWORD_MIN},
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[
            _required("your password again"),
            EqualTo("password", message="The two passwords don't match."),
        ],
    )
    # Required by the service while a rules or privacy text is published.
    accept = BooleanField("I accept the community rules and the privacy notice")
    # The versions of the rules and the privacy notice the page linked to when it was shown.
    rules_version = HiddenField()
    privacy_version = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        validators=[_required("your current password"), _at_most(PASSWORD_MAX, "Passwords")],
    )
    new_password = PasswordField(
        "New password",
        validators=[_required("a new password"), _at_most(PASSWORD_MAX, "Passwords")],
        render_kw={"minlength": PASSWORD_MIN},
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            _required("the new password again"),
            EqualTo("new_password", message="The two passwords don't match."),
        ],
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        "New password",
        validators=[_required("a new password"), _at_most(PASSWORD_MAX, "Passwords")],
        render_kw={"minlength": PASSWORD_MIN},
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            _required("the new password again"),
            EqualTo("new_password", message="The two passwords don't match."),
        ],
    )


class DeleteAccountForm(FlaskForm):
    posts = RadioField(
        "Your posts",
        choices=[
            (KEEP_POSTS, "Keep my posts, shown as by “Deleted member”"),
            (DELETE_POSTS, "Delete my posts too"),
        ],
        default=KEEP_POSTS,
        validators=[_required("what happens to your posts")],
    )
    password = PasswordField(
        "Your password",
        validators=[_required("your password"), _at_most(PASSWORD_MAX, "Passwords")],
    )
