"""Form validators whose messages may be declared lazily (``lazy_gettext``) with the form.

WTForms' ``DataRequired`` and ``InputRequired`` hand their message on as given, so a lazy one
would reach ``field.errors`` as a lazy object, which ``" ".join(field.errors)`` refuses. These
turn it into plain text in the reader's language when the check fails. (``Length``,
``NumberRange`` and ``AnyOf`` format their message, which already makes it plain text.)
"""
from __future__ import annotations

from wtforms import validators
from wtforms.validators import StopValidation


def _plain(stop: StopValidation) -> StopValidation:
    return StopValidation(*(str(arg) for arg in stop.args))


class DataRequired(validators.DataRequired):
    def __call__(self, form, field) -> None:
        try:
            super().__call__(form, field)
        except StopValidation as stop:
            raise _plain(stop) from None


class InputRequired(validators.InputRequired):
    def __call__(self, form, field) -> None:
        try:
            super().__call__(form, field)
        except StopValidation as stop:
            raise _plain(stop) from None
