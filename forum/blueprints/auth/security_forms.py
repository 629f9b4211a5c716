"""Forms for two-step login and for appeals against sanctions. The services judge the codes and
the texts; forms only require fields and bound their length."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length

from ...common.numfmt import lazy_number
from ...common.validators import DataRequired
from ...services.accounts.account import PASSWORD_MAX
from ...services.moderation.appeals import BODY_MAX
from ...services.text import multiline

# A recovery code typed with spaces and hyphens is still far below this.
CODE_MAX = 40


def _code_field(label) -> StringField:
    return StringField(
        label,
        validators=[DataRequired(_l("Please enter the code.")),
                    Length(max=CODE_MAX, message=_l("That code is too long."))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True},
    )


class CodeForm(FlaskForm):
    code = _code_field(_l("Code from your app"))


class LoginCodeForm(FlaskForm):
    code = _code_field(_l("Code from your app, or a recovery code"))


class TwoFactorOffForm(FlaskForm):
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Please enter your password.")),
                    Length(max=PASSWORD_MAX, message=_l("That password is too long."))],
    )
    code = _code_field(_l("Code from your app, or a recovery code"))


class AppealForm(FlaskForm):
    body = TextAreaField(
        _l("Your appeal"),
        filters=[multiline],
        validators=[
            DataRequired(_l("Please write your appeal.")),
            Length(max=BODY_MAX, message=_l("An appeal can be at most %(max)s characters.",
                                            max=lazy_number(BODY_MAX))),
        ],
        render_kw={"maxlength": BODY_MAX},
    )


class LoginAppealForm(AppealForm):
    token = HiddenField()
