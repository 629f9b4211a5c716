"""Bookmarking a post with a note and a reminder; the member's bookmarks."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...common import timefmt
from ...errors import InvalidField, bad_request, require
from ...policy import policy
from ...services.content import bookmarks, reading
from ...web import current_actor, viewer_tz
from ..args import page_arg
from ..form_errors import attach
from . import bp
from .forms import BookmarkForm, ConfirmForm
from .reaction_views import post_location


@bp.route("/p/<int:post_id>/bookmark", methods=["GET", "POST"])
def bookmark(post_id: int):
    viewer = policy()
    require(viewer.can_keep_up())
    post = reading.get_readable_post(viewer, post_id)
    existing = bookmarks.find(current_actor(), post)
    form = BookmarkForm()
    if not form.is_submitted() and existing is not None:
        form.note.data = existing.note
        if existing.remind_at and existing.reminded_at is None:
            form.remind_at.data = timefmt.local(existing.remind_at, viewer_tz()).strftime(
                "%Y-%m-%dT%H:%M")
    if form.validate_on_submit():
        try:
            remind_at = (timefmt.parse_local(form.remind_at.data, viewer_tz())
                         if (form.remind_at.data or "").strip() else None)
            bookmarks.save(current_actor(), post, form.note.data, remind_at)
        except ValueError as error:
            attach(form, "remind_at", str(error))
        except InvalidField as error:
            attach(form, error.field, error.reason)
        else:
            flash(_("The post is bookmarked."), "success")
            return redirect(post_location(post))
    status = 400 if form.errors else 200
    return render_template("keepup/bookmark.html", post=post, thread=post.thread,
                           board=post.thread.board, form=form, existing=existing,
                           delete_form=ConfirmForm()), status


@bp.get("/bookmarks")
def bookmark_list():
    listing = bookmarks.list_for(policy(), page_arg())
    return render_template("keepup/bookmarks.html", listing=listing, form=ConfirmForm(),
                           post_location=post_location)


@bp.post("/bookmarks/<int:bookmark_id>/delete")
def delete_bookmark(bookmark_id: int):
    require(policy().can_keep_up())
    if not ConfirmForm().validate_on_submit():
        raise bad_request(_("The form was incomplete or expired; please try again."))
    bookmarks.remove(current_actor(), bookmark_id)
    flash(_("The bookmark is deleted."), "success")
    return redirect(url_for("keepup.bookmark_list"))
