"""How an API view is declared: its address and method, the token scope it needs, the shapes
of its query, body and answer, and the errors it may give. The same declaration registers
the route, checks each call and writes the OpenAPI description (``openapi.py``), so what is
described is what runs.

    @operation("GET", "/boards/<slug>/threads", scope=Scope.READ, query=ThreadsQuery,
               answer=ThreadList, summary=_l("A board's threads"))
    def board_threads(slug: str, query: dict): …

A view returns the answer's data (a dict), or ``(data, status)``; it gets ``query`` and
``body`` as checked dicts when it declared them.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

from flask import g, jsonify, request
from flask_babel import gettext as _

from ...common.shapes import Obj, ShapeError
from ...errors import Refused
from ...models import Scope
from . import bp

# Bodies are small JSON objects: a post is at most 50,000 characters, 4 bytes each in UTF-8.
BODY_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # Flask's form, "/threads/<int:thread_id>"
    endpoint: str
    summary: object
    scope: Scope | None  # None: no token needed nor checked (the description itself)
    tag: str
    query: Obj | None = None
    body: Obj | None = None
    answer: Obj | None = None
    status: int = 200
    errors: frozenset[int] = frozenset()
    description: object = ""
    # Other successful answers, by status (a post that waits for approval: 202).
    also: tuple[tuple[int, Obj], ...] = ()
    # Answers 301 to the same call elsewhere (a merged thread's posts).
    moves: bool = False
    # The media type of a view answering for itself, not through the JSON wrapper (the
    # description and its page); None for the others.
    raw: str | None = None


OPERATIONS: list[Operation] = []

# The errors any call may meet: no or a bad token (401), a refusal (403), too many calls (429).
COMMON_ERRORS = frozenset({401, 403, 429})


class Invalid(Refused):
    """A body or query that doesn't fit its declaration: 422 with every field that is wrong."""

    def __init__(self, error: ShapeError) -> None:
        super().__init__(_("Some of what you sent isn't valid."), status=422)
        self.errors = [{"field": path or None, "detail": message}
                       for path, message in error.errors]


def operation(method: str, rule: str, *, summary, tag: str, scope: Scope | None = Scope.READ,
              query: Obj | None = None, body: Obj | None = None, answer: Obj | None = None,
              status: int = 200, errors: tuple[int, ...] = (), description="",
              also: dict[int, Obj] | None = None, moves: bool = False,
              raw: str | None = None) -> Callable:
    """Register the view under ``rule`` for ``method`` with its declaration (see the module's
    docstring)."""

    def register(view: Callable) -> Callable:
        # Every call passes the token check and the rate limit, the description's too.
        known = set(errors) | COMMON_ERRORS
        if query is not None or body is not None:
            known.add(422)
        if body is not None:
            known |= {400, 413}
        declared = Operation(method=method, rule=rule, endpoint=view.__name__, summary=summary,
                             scope=scope, tag=tag, query=query, body=body, answer=answer,
                             status=status, errors=frozenset(known), description=description,
                             also=tuple((also or {}).items()), moves=moves, raw=raw)
        OPERATIONS.append(declared)
        if raw is not None:
            bp.add_url_rule(rule, view.__name__, view, methods=[method])
            return view

        @functools.wraps(view)
        def call(**values):
            _require_scope(declared)
            try:
                if query is not None:
                    values["query"] = query.load_query(request.args)
                if body is not None:
                    values["body"] = body.load(_json_body())
            except ShapeError as error:
                raise Invalid(error) from None
            result = view(**values)
            data, code = result if isinstance(result, tuple) else (result, declared.status)
            if code == 204:
                return "", 204
            return jsonify(data), code

        bp.add_url_rule(rule, view.__name__, call, methods=[method])
        return call

    return register


def _require_scope(declared: Operation) -> None:
    token = g.get("api_token")
    if declared.scope is None or token is None or token.allows(declared.scope):
        return
    raise Refused(_("This access token lacks the “%(scope)s” scope this call needs. Make a "
                    "token with it on your account page.", scope=declared.scope.value),
                  status=403)


def _json_body():
    """The request's JSON. Refuses: no JSON content type or malformed JSON (400), a body over
    ``BODY_MAX_BYTES`` (413)."""
    if request.mimetype != "application/json":
        raise Refused(_("Send the body as JSON, with the header Content-Type: "
                        "application/json."), status=400)
    length = request.content_length
    if length is not None and length > BODY_MAX_BYTES:
        raise Refused(_("The body is larger than the API accepts (%(max)s KiB).",
                        max=BODY_MAX_BYTES // 1024), status=413)
    raw = request.stream.read(BODY_MAX_BYTES + 1) if length is None else request.get_data()
    if len(raw) > BODY_MAX_BYTES:
        raise Refused(_("The body is larger than the API accepts (%(max)s KiB).",
                        max=BODY_MAX_BYTES // 1024), status=413)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise Refused(_("The body isn't valid JSON."), status=400) from None
