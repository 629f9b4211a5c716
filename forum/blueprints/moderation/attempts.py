"""How a moderation page runs one service for a submitted form, the same for a thread's tools
and a post's: what a person can fix shows on the page beside the form, the rest goes to the
error pages."""
from __future__ import annotations

from collections.abc import Callable

from flask_wtf import FlaskForm

from ...errors import Refused


def attempt(form: FlaskForm, form_name: str, action: Callable[[], object],
            render: Callable[..., object], done: Callable[[], object]):
    """Validate ``form``, then run ``action``. An invalid form renders the page again (400);
    so does a refusal a person can fix (400, 403, 409, with its reason) and the ``ValueError``
    a form's own parser raises for input it cannot read. A 404 or a login to ask for goes to
    the error handlers. Otherwise ``done()`` answers (flash and redirect)."""
    if not form.validate_on_submit():
        return render(400, **{form_name: form})
    try:
        action()
    except ValueError as error:
        return render(400, str(error), **{form_name: form})
    except Refused as refused:
        if refused.login_required or refused.status not in (400, 403, 409):
            raise
        return render(refused.status, refused.reason, **{form_name: form})
    return done()
