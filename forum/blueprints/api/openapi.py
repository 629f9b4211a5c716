"""The OpenAPI 3.1 description, written from the views' own declarations (``declare.py``).

A generator of our own, some 150 lines, rather than apispec, flask-smorest or spectree: the
views already declare their shapes with ``common.shapes``, which check requests and write
JSON Schema from one declaration; those libraries would each bring a second schema language
(marshmallow or pydantic) and a second set of error answers beside the forum's own problem
details, for the same description.
"""
from __future__ import annotations

import re

from flask_babel import gettext as _

from ...errors import TITLES
from .declare import OPERATIONS, Operation

ID_MAX = 2**31 - 1
_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")



def _problem() -> dict:
    """The shape of every error answer, its words in the reader's language."""
    return {
        "type": "object",
        "description": _("Problem details (RFC 9457): what kind of problem, and the reason "
                         "in the caller's language."),
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "retry_after": {"type": "integer", "minimum": 1, "description": _(
                "Seconds to wait, as in the Retry-After header.")},
            "errors": {"type": "array", "items": {
                "type": "object",
                "properties": {"field": {"type": ["string", "null"]},
                               "detail": {"type": "string"}},
                "required": ["field", "detail"],
            }},
        },
        "required": ["type", "title", "status", "detail"],
    }


def openapi_path(rule: str) -> str:
    """Flask's "/threads/<int:thread_id>" as OpenAPI's "/threads/{thread_id}"."""
    return _PARAMETER.sub(lambda match: "{" + match.group(2) + "}", rule)


def _path_parameters(rule: str) -> list[dict]:
    found = []
    for converter, name in _PARAMETER.findall(rule):
        schema = ({"type": "integer", "minimum": 0, "maximum": ID_MAX} if converter == "int"
                  else {"type": "string", "minLength": 1})
        found.append({"name": name, "in": "path", "required": True, "schema": schema})
    return found


def _operation(op: Operation, components: dict) -> dict:
    described: dict = {
        "operationId": op.endpoint,
        "summary": str(op.summary),
        "tags": [op.tag],
        "parameters": _path_parameters(op.rule),
    }
    if op.description:
        described["description"] = str(op.description)
    if op.query is not None:
        op.query.components(components)
        for name, field in op.query.fields.items():
            parameter = {"name": name, "in": "query", "required": field.required,
                         "schema": field.schema()}
            if field.description:
                parameter["description"] = str(field.description)
            described["parameters"].append(parameter)
    if op.body is not None:
        op.body.components(components)
        described["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": op.body.schema()}}}
    if op.raw is not None:
        schema = {"type": "object"} if op.raw == "application/json" else {"type": "string"}
        described["responses"] = {str(op.status): {
            "description": "OK", "content": {op.raw: {"schema": schema}}}}
    elif op.status == 204:
        described["responses"] = {"204": {"description": "Done."}}
    else:
        ok: dict = {"description": "OK"}
        if op.answer is not None:
            op.answer.components(components)
            ok["content"] = {"application/json": {"schema": op.answer.schema()}}
        described["responses"] = {str(op.status): ok}
        for code, shape in op.also:
            shape.components(components)
            described["responses"][str(code)] = {
                "description": str(shape.description) or "OK",
                "content": {"application/json": {"schema": shape.schema()}}}
    if op.moves:
        described["responses"]["301"] = {
            "description": _("Merged into another thread: the same call there."),
            "headers": {"Location": {"schema": {"type": "string"}}}}
    for code in sorted(op.errors):
        described["responses"][str(code)] = {"$ref": f"#/components/responses/Problem{code}"}
    if op.scope is not None:
        # A token is optional where guests may call too; the policy answers 401 otherwise.
        described["security"] = [{"token": [op.scope.value]}, {}]
        described["x-scope"] = op.scope.value
    return described


def describe(prefix: str, title: str) -> dict:
    """The whole description; ``prefix`` is where the API is mounted ("/api/v1")."""
    components: dict[str, dict] = {}
    paths: dict[str, dict] = {}
    codes: set[int] = set()
    for op in OPERATIONS:
        item = paths.setdefault(openapi_path(op.rule), {})
        item[op.method.lower()] = _operation(op, components)
        codes |= op.errors
    responses = {}
    for code in sorted(codes):
        response: dict = {
            "description": str(TITLES.get(code, _("Error"))),
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        if code in (401,):
            response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if code in (403, 429):
            response["headers"] = {"Retry-After": {
                "description": _("Seconds until a cooldown or limit lets the call through."),
                "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
        responses[f"Problem{code}"] = response
    return {
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": "1",
            "description": _("Everything a member or moderator does on the forum's pages, "
                             "under the same rules, for scripts and tools. Authenticate with "
                             "a personal access token from your account page."),
        },
        "servers": [{"url": prefix}],
        "paths": paths,
        "components": {
            "schemas": {"Problem": _problem(), **dict(sorted(components.items()))},
            "responses": responses,
            "securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": _("A personal access token: “Authorization: Bearer "
                                 "agora_…”."),
            }},
        },
    }
