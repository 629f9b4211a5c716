"""Putting a service's refusal of input next to the form field it names."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Field

from ..errors import InvalidField, Refused, bad_request


def attach(form: FlaskForm, field_name: str | None, reason: str,
           fallback: Field | None = None) -> None:
    """Show ``reason`` under the field called ``field_name``; when the form has no such plain
    field, under ``fallback``, else at the top of the form."""
    field = getattr(form, field_name or "", None)
    if not isinstance(field, Field) or isinstance(field, FlaskForm):
        field = fallback
    if field is None:
        form.form_errors.append(reason)
    else:
        field.errors = [*field.errors, reason]


def attach_refusal(form: FlaskForm, error: Refused) -> int:
    """A refusal of input (``InvalidField``) goes under its field and its status is returned;
    any other refusal is raised again, for the usual error page."""
    if not isinstance(error, InvalidField):
        raise error
    attach(form, error.field, error.reason)
    return error.status


def require_valid(form: FlaskForm) -> None:
    """A form of buttons (no text to keep) that fails validation — its token expired, or a
    field was left out or forged — is a 400 saying so."""
    if not form.validate_on_submit():
        raise bad_request(_("The form was incomplete or expired; please try again."))
