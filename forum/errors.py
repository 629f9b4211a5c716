"""Domain errors and the handlers that turn every failure into a page a person understands."""
from __future__ import annotations

from flask import (
    Flask,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadRequest, HTTPException

from .database import RetryDropped, dropped_connection
from .extensions import db
from .policy.decision import Decision


class Refused(Exception):
    """A rule said no. Carries the reason and, for cooldowns, when to try again."""

    def __init__(self, reason: str | Decision, *, status: int | None = None,
                 retry_after: int | None = None, login_required: bool = False) -> None:
        if isinstance(reason, Decision):
            retry_after = reason.retry_after if retry_after is None else retry_after
            login_required = reason.login_required
            reason = reason.reason
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.login_required = login_required
        self.status = status or (429 if retry_after else 403)


class InvalidField(Refused):
    """Input a rule refuses (400 unless said otherwise); ``field`` names the form field the
    reason belongs under."""

    def __init__(self, field: str, reason: str, status: int = 400) -> None:
        super().__init__(reason, status=status)
        self.field = field


class NotFound(Refused):
    def __init__(self, reason: str | None = None) -> None:
        super().__init__(reason or _("We couldn't find that page."), status=404)


class Conflict(Refused):
    """Someone else changed the thing first (another moderator resolved the report, say); the
    reason says what happened."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, status=409)


def require(decision: Decision) -> None:
    """Raise ``Refused`` unless the decision allows."""
    if not decision:
        raise Refused(decision)


TITLES = {
    400: _l("That request didn't make sense"),
    401: _l("Authentication needed"),
    403: _l("You can't do that"),
    404: _l("Not found"),
    405: _l("Not allowed here"),
    409: _l("Someone got there first"),
    413: _l("That's too large"),
    422: _l("Some of what you sent isn't valid"),
    429: _l("Slow down a little"),
    500: _l("Something went wrong on our side"),
    503: _l("Please try again"),
}

MESSAGES = {
    400: _l("The request was malformed. Please go back and try again."),
    403: _l("You don't have permission to do that."),
    404: _l("We couldn't find that page. It may have been moved or deleted."),
    405: _l("This address doesn't accept that kind of request."),
    401: _l("Send an access token in the Authorization header: Bearer <token>."),
    413: _l("What you sent is larger than we accept."),
    422: _l("Some of what you sent isn't valid."),
    429: _l("You're doing that too often. Please wait a moment."),
    500: _l("An unexpected error happened. It has been logged; please try again later."),
    503: _l("We lost the connection to our database for a moment. Please try again; if you "
            "sent a form, check first whether it was saved."),
}


API_PREFIX = "/api/"


def is_api_request() -> bool:
    """A call to the API, which answers every error as problem details (RFC 9457)."""
    return request.path.startswith(API_PREFIX)


def wants_json() -> bool:
    if request.is_json or is_api_request():
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes[
        "text/html"
    ]


def problem_response(status: int, title: str, detail: str, *, field: str | None = None,
                     errors: list[dict] | None = None, retry_after: int | None = None):
    """An API error as problem details (RFC 9457): ``title`` says what kind of problem,
    ``detail`` the reason in the caller's language (the same sentence a page shows);
    ``errors`` lists what was wrong with which field of the request."""
    body: dict = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if field is not None:
        errors = [*(errors or []), {"field": field, "detail": detail}]
    if errors:
        body["errors"] = errors
    if retry_after:
        body["retry_after"] = int(retry_after)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    if status == 401:
        # RFC 6750: how to authenticate, and that a token sent was not good.
        sent = "Authorization" in request.headers
        response.headers["WWW-Authenticate"] = (
            'Bearer realm="api", error="invalid_token"' if sent else 'Bearer realm="api"')
    if retry_after:
        response.headers["Retry-After"] = str(int(retry_after))
    return response


def error_response(status: int, message: str | None = None, retry_after: int | None = None,
                   field: str | None = None):
    message = str(message or MESSAGES.get(status, ""))
    title = str(TITLES.get(status) or _("Error"))
    if is_api_request():
        return problem_response(status, title, message, field=field, retry_after=retry_after)
    if wants_json():
        response = jsonify(error=title, message=message)
        response.status_code = status
    else:
        html = render_template("errors/error.html", status=status, title=title, message=message)
        response = make_response(html, status)
    if retry_after:
        response.headers["Retry-After"] = str(int(retry_after))
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(Refused)
    def refused(error: Refused):
        if error.login_required and is_api_request():
            # A guest's call that a member could make: the API's way to "log in" is a token.
            return error_response(401, error.reason)
        if error.login_required and not wants_json():
            flash(error.reason, "info")
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return error_response(error.status, error.reason, error.retry_after,
                              field=getattr(error, "field", None))

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400,
            _("This form was out of date or did not come from this site. "
              "Please reload the page and try again."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        # Werkzeug's default descriptions are written for developers; ours for members.
        custom = error.description if getattr(error, "agora_message", False) else None
        if status == 413:
            # An upload route names its own limit (``web.large_body_limit``).
            custom = g.get("too_large_message") or custom
        return error_response(status, custom)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if dropped_connection(error):
            retry = RetryDropped.may_retry(request.environ, error)
            app.logger.warning("Database connection dropped on %s %s%s", request.method,
                               request.path, "; running it again" if retry else "")
            db.session.remove()
            # A read is run again and this answer replaced; a form is not sent twice.
            return error_response(503, retry_after=1)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(500)


def bad_request(message: str):
    """A 400 whose message is shown as written."""
    error = BadRequest(message)
    error.agora_message = True
    return error
