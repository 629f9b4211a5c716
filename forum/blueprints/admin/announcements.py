"""Announcements pages: listing, writing, previewing, editing and ending them.

The same pages serve two panels: /admin/announcements (administrators, every placement) and
/mod/announcements (the moderation team, announcements in the boards they moderate). An
``Area`` says which panel a request came through; the service enforces its scope.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import require
from ...policy import policy
from ...services.community import announcements
from ...services.community.announcements import InvalidAnnouncement, Notice, Scope
from ...web import current_actor
from ..form_errors import attach
from . import bp
from .announcement_forms import SEVERITY_NAMES, AnnouncementForm


@dataclass(frozen=True)
class Area:
    blueprint: str
    scope: Scope
    layout: str

    def enter(self):
        """The viewer's policy, once they may use this panel at all."""
        viewer = policy()
        if self.scope == Scope.ALL:
            require(viewer.can_view_admin_panel())
        return viewer

    def url(self, endpoint: str, **values) -> str:
        return url_for(f"{self.blueprint}.{endpoint}", **values)


ADMIN = Area("admin", Scope.ALL, "admin/_layout.html")
MODERATION = Area("moderation", Scope.BOARDS, "moderation/_layout.html")



def _form(area: Area, announcement=None) -> AnnouncementForm:
    options = {"tz": current_user.timezone,
               "boards": announcements.board_choices(policy()),
               "board_only": area.scope == Scope.BOARDS}
    if announcement is not None:
        return AnnouncementForm.of(announcement, **options)
    if request.method == "GET":
        return AnnouncementForm(formdata=None, **options)
    return AnnouncementForm(**options)


def _render_form(area: Area, form: AnnouncementForm, status: int = 200, announcement=None,
                 preview: Notice | None = None):
    return render_template("admin/announcements_form.html", area=area, form=form,
                           announcement=announcement, preview=preview,
                           layout=area.layout, tab="announcements"), status


def _invalid(area: Area, form: AnnouncementForm, error: InvalidAnnouncement, announcement=None):
    attach(form, error.field, error.reason)
    return _render_form(area, form, 400, announcement)


def listing(area: Area):
    viewer = area.enter()
    shown = announcements.manage_listing(viewer, area.scope)
    return render_template("admin/announcements.html", area=area, listing=shown,
                           now=viewer.clock, layout=area.layout, tab="announcements",
                           severity_names=SEVERITY_NAMES)


def create(area: Area):
    # Asked before the form is drawn, so the wrong people see a refusal, not an empty form.
    announcements.require_manager(area.enter(), area.scope)
    form = _form(area)
    if request.method == "GET":
        return _render_form(area, form)
    if not form.validate_on_submit():
        return _render_form(area, form, 400)
    draft = form.draft()
    try:
        if "preview" in request.form:
            notice = announcements.preview(current_actor(), draft, area.scope)
            return _render_form(area, form, preview=notice)
        created = announcements.create_announcement(current_actor(), draft, area.scope)
    except InvalidAnnouncement as error:
        return _invalid(area, form, error)
    flash(_("Announcement “%(title)s” saved.", title=created.title), "success")
    return redirect(area.url("announcements", _anchor=f"managed-announcement-{created.id}"))


def edit(area: Area, announcement_id: int):
    announcement = announcements.get_manageable(area.enter(), announcement_id, area.scope)
    if request.method == "GET":
        return _render_form(area, _form(area, announcement), announcement=announcement)
    form = _form(area)
    if not form.validate_on_submit():
        return _render_form(area, form, 400, announcement)
    draft = form.draft()
    try:
        if "preview" in request.form:
            notice = announcements.preview(current_actor(), draft, area.scope)
            return _render_form(area, form, announcement=announcement, preview=notice)
        announcements.update_announcement(current_actor(), announcement, draft, area.scope)
    except InvalidAnnouncement as error:
        return _invalid(area, form, error, announcement)
    flash(_("Announcement “%(title)s” saved.", title=announcement.title), "success")
    return redirect(area.url("announcements", _anchor=f"managed-announcement-{announcement.id}"))


def end(area: Area, announcement_id: int):
    announcement = announcements.get_manageable(area.enter(), announcement_id, area.scope)
    announcements.end_announcement(current_actor(), announcement, area.scope)
    flash(_("Announcement “%(title)s” ended.", title=announcement.title), "success")
    return redirect(area.url("announcements"))


@bp.get("/announcements", endpoint="announcements")
def list_announcements():
    return listing(ADMIN)


@bp.route("/announcements/new", methods=["GET", "POST"])
def new_announcement():
    return create(ADMIN)


@bp.route("/announcements/<int:announcement_id>/edit", methods=["GET", "POST"])
def edit_announcement(announcement_id: int):
    return edit(ADMIN, announcement_id)


@bp.post("/announcements/<int:announcement_id>/end")
def end_announcement(announcement_id: int):
    return end(ADMIN, announcement_id)
