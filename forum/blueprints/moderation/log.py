"""The moderation log: filtered pages for the team, CSV for administrators. Read-only by
design: no route here (or anywhere) changes an entry."""
from __future__ import annotations

import itertools

from flask import Response, render_template, request, stream_with_context
from flask_babel import gettext as _

from ...errors import bad_request, require
from ...policy import policy
from ...services import audit
from ..args import date_arg, page_arg
from . import bp

NAME_MAX = 64


def _text_arg(name: str) -> str | None:
    raw = (request.args.get(name) or "").strip()
    if len(raw) > NAME_MAX:
        raise bad_request(_("The %(name)s filter can be at most %(max)d characters.",
                            name=name, max=NAME_MAX))
    return raw or None


def _filters() -> audit.LogFilter:
    filters = audit.LogFilter(
        actor=_text_arg("actor"), action=_text_arg("action"), member=_text_arg("member"),
        since=date_arg("since"), until=date_arg("until"),
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise bad_request(_("The “from” date is after the “to” date."))
    return filters


@bp.get("/log")
def log():
    viewer = policy()
    require(viewer.can_view_mod_log())
    filters = _filters()
    entries = audit.log_page(viewer, filters, page_arg())
    query = {key: value for key, value in request.args.items() if key != "page" and value}
    return render_template(
        "moderation/log.html", entries=entries, filters=filters, query=query,
        actions=audit.action_names(), tab="log",
    )


@bp.get("/log.csv")
def log_csv():
    viewer = policy()
    require(viewer.can_export_mod_log())
    rows = audit.export_csv(viewer, _filters())
    # The first batch is produced here, so a refusal is an error page rather than a broken
    # download.
    first = next(rows)
    response = Response(
        stream_with_context(itertools.chain([first], rows)), mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="moderation-log.csv"'},
    )
    response.headers["Cache-Control"] = "no-store"
    return response

