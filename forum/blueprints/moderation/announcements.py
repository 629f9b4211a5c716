"""/mod/announcements: the announcements pages for the moderation team, limited to the
boards each moderator looks after (site-wide ones stay in the administration panel)."""
from __future__ import annotations

from ..admin import announcements as pages
from . import bp


@bp.get("/announcements", endpoint="announcements")
def list_announcements():
    return pages.listing(pages.MODERATION)


@bp.route("/announcements/new", methods=["GET", "POST"])
def new_announcement():
    return pages.create(pages.MODERATION)


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
def edit_announcement(announcement_id: int):
    return pages.edit(pages.MODERATION, announcement_id)


@bp.post("/announcements/<int:announcement_id>/end")
def end_announcement(announcement_id: int):
    return pages.end(pages.MODERATION, announcement_id)
