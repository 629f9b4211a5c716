"""The page a suspended or banned member sees after giving the right password: why they can't
log in and, once per sanction, a form to appeal it."""
from __future__ import annotations

from flask import render_template

from ...services.accounts.account import BlockedLogin
from ...services.moderation import appeals
from .security_forms import LoginAppealForm


def blocked_page(blocked: BlockedLogin, form: LoginAppealForm | None = None,
                 status: int = 403):
    """The refusal with the appeal form (carrying a token that proves the password was right),
    or with the appeal already sent and, once decided, the answer."""
    appeal = appeals.appeal_for(blocked.sanction)
    if appeal is None and form is None:
        form = LoginAppealForm(formdata=None,
                               token=appeals.login_token(blocked.user, blocked.sanction))
    page = render_template("auth/login_refused.html", reason=blocked.reason,
                           sanction=blocked.sanction, appeal=appeal, form=form)
    # The form carries a token standing in for the password: keep it out of caches.
    return page, status, {"Cache-Control": "no-store"}
