"""Who is calling: the member of a valid access token, or a guest. Runs before every other
request hook of the app, so no hook reads a session cookie for an API call first."""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import gettext as _

from ...errors import Refused, is_api_request, problem_response
from ...extensions import csrf, login_manager
from ...models import utcnow
from ...services.accounts import tokens
from ...web import load_token_user
from . import bp
from .declare import Invalid


def authenticate() -> None:
    """Sets the request's member from the Authorization header (a guest without one) and
    counts the call. Refuses (401) a header that isn't "Bearer <token>" or a token that isn't
    valid, revoked or expired; (403) a suspended or banned member's; (429) past the limit."""
    if not is_api_request():
        return
    # Flask-Login asks for the member only when ``_login_user`` is missing: setting it here
    # means the session and remember-me cookies are never read on this request.
    g._login_user = login_manager.anonymous_user()
    g.api_token = None
    now = utcnow()
    header = request.headers.get("Authorization")
    token = None
    if header is not None:
        scheme, _sep, text = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not text.strip():
            raise Refused(_("Send the access token as “Authorization: Bearer <token>”."),
                          status=401)
        found = load_token_user(text.strip())
        if found is None:
            raise Refused(_("This access token isn't valid."), status=401)
        user, token = found
        refused = tokens.refusal(token, user, now)
        if refused is not None:
            raise refused
        g._login_user, g.api_token = user, token
    g.api_rate = tokens.admit(token, request.remote_addr, now)
    if token is not None:
        tokens.touch(token, now)


@bp.record_once
def _first_hook(state) -> None:
    app: Flask = state.app
    app.before_request_funcs.setdefault(None, []).insert(0, authenticate)
    csrf.exempt(bp)


@bp.after_request
def _rate_headers(response):
    rate = g.get("api_rate")
    if rate is not None:
        response.headers["X-RateLimit-Limit"] = str(rate.limit)
        response.headers["X-RateLimit-Remaining"] = str(rate.remaining)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(Invalid)
def _invalid(error: Invalid):
    return problem_response(422, _("Some of what you sent isn't valid"), error.reason,
                            errors=error.errors)
