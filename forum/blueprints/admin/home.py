"""The panel's front page: how the community is doing."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from ...policy import policy
from ...services.site import stats
from . import bp


@bp.get("/")
def home():
    viewer = policy()
    # Days follow the administrator's own calendar, as every time on the site does.
    timezone = current_user.timezone if viewer.is_member else None
    overview = stats.overview(viewer, timezone)
    return render_template("admin/home.html", overview=overview, tab="home")
