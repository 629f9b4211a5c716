"""The API's description: ``openapi.json`` for tools, and the same description as a page for
people (rendered here, no script from elsewhere)."""
from __future__ import annotations

import re

from flask import jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ...stores import settings
from . import bp
from .declare import OPERATIONS, operation
from .openapi import describe, openapi_path

_TICKS = re.compile(r"`([^`]+)`")


def ticks(text) -> Markup:
    """A description's `names` as code, the rest as escaped text."""
    return Markup(_TICKS.sub(lambda match: f"<code>{match.group(1)}</code>",
                             str(escape(str(text)))))


def _description() -> dict:
    return describe(bp.url_prefix, str(_l("%(forum)s API", forum=settings.get("forum_name"))))


@operation("GET", "/openapi.json", tag="description", scope=None,
           raw="application/json", summary=_l("This description, as OpenAPI 3.1"))
def openapi_json():
    response = jsonify(_description())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@operation("GET", "/docs", tag="description", scope=None,
           raw="text/html", summary=_l("This description, as a page to read"))
def docs():
    description = _description()
    operations = [(op, openapi_path(op.rule),
                   description["paths"][openapi_path(op.rule)][op.method.lower()])
                  for op in OPERATIONS]
    return render_template(
        "api/docs.html", description=description, operations=operations,
        base=request.host_url.rstrip("/") + bp.url_prefix,
        schemas=description["components"]["schemas"],
        ticks=ticks,
    )

