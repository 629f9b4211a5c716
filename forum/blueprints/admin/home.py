"""The panel's front page: how the community is doing."""
from __future__ import annotations

from flask import Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import bad_request
from ...policy import policy
from ...services.desk import figures
from ...services.site import stats
from . import bp


@bp.get("/")
def home():
    viewer = policy()
    # Days follow the administrator's own calendar, as every time on the site does.
    timezone = current_user.timezone if viewer.is_member else None
    overview = stats.overview(viewer, timezone)
    return render_template("admin/home.html", overview=overview, tab="home",
                           responsiveness=figures.responsiveness(viewer, timezone))


@bp.get("/responsiveness.csv")
def responsiveness_csv():
    viewer = policy()
    timezone = current_user.timezone if viewer.is_member else None
    found = figures.responsiveness(viewer, timezone)
    of = request.args.get("of") or "boards"
    if of not in ("boards", "team"):
        raise bad_request(_("There is no such table of figures."))
    body = figures.csv_text(found, of)
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename=responsiveness-{of}.csv"})
