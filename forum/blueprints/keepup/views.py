"""Watch levels, the lists of unread threads, marking read, members' defaults."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...errors import require
from ...policy import policy
from ...services.content import reading, reading_state, watching
from ...web import current_actor
from ..args import page_arg
from ..boards.views import thread_url
from ..form_errors import require_valid
from . import bp
from .forms import ConfirmForm, DefaultsForm, LevelForm


def _posts_per_page() -> int:
    return current_app.config["POSTS_PER_PAGE"]


@bp.post("/t/<int:thread_id>/watch")
def watch_thread(thread_id: int):
    viewer = policy()
    require(viewer.can_keep_up())
    thread = reading.get_thread(viewer, thread_id)
    form = LevelForm()
    require_valid(form)
    watching.set_thread_level(current_actor(), thread, form.level.data)
    flash(_("Your notifications for this thread are changed."), "success")
    return redirect(thread_url(thread))


@bp.post("/b/<slug>/watch")
def watch_board(slug: str):
    viewer = policy()
    require(viewer.can_keep_up())
    board = reading.get_board(viewer, slug)
    form = LevelForm()
    require_valid(form)
    watching.set_board_level(current_actor(), board, form.level.data)
    flash(_("Your notifications for this board are changed."), "success")
    return redirect(url_for("boards.board", slug=board.slug))


@bp.post("/b/<slug>/read")
def mark_board_read(slug: str):
    viewer = policy()
    require(viewer.can_keep_up())
    board = reading.get_board(viewer, slug)
    require_valid(ConfirmForm())
    reading_state.mark_board_read(current_actor(), board)
    flash(_("Everything in this board is marked read."), "success")
    return redirect(url_for("boards.board", slug=board.slug))


@bp.post("/read-all")
def mark_everything_read():
    require(policy().can_keep_up())
    require_valid(ConfirmForm())
    reading_state.mark_everything_read(current_actor())
    flash(_("Everything is marked read."), "success")
    return redirect(url_for("keepup.new"))


@bp.get("/t/<int:thread_id>/unread")
def first_unread(thread_id: int):
    """The first post of the thread the member hasn't read (grouped notifications and "new"
    marks lead here)."""
    viewer = policy()
    thread = reading.get_thread(viewer, thread_id)
    position = reading_state.first_unread(viewer, thread)
    post_id = reading_state.post_at(thread, position)
    page = reading.page_of(position, _posts_per_page())
    return redirect(thread_url(thread, page, anchor=f"p{post_id}" if post_id else None))


def _list(only_followed: bool):
    listing = reading_state.unread_threads(policy(), only_followed, page_arg())
    return render_template("keepup/unread.html", listing=listing, only_followed=only_followed,
                           form=ConfirmForm(), posts_per_page=_posts_per_page())


@bp.get("/new")
def new():
    return _list(False)


@bp.get("/unread")
def unread():
    return _list(True)


@bp.route("/account/watching", methods=["GET", "POST"])
def defaults():
    require(policy().can_keep_up())
    form = DefaultsForm(watch_started=current_user.watch_started,
                        track_replied=current_user.track_replied)
    if form.validate_on_submit():
        watching.set_defaults(current_actor(), form.watch_started.data,
                              form.track_replied.data)
        flash(_("Your choices are saved."), "success")
        return redirect(url_for("keepup.defaults"))
    status = 400 if form.errors else 200
    return render_template("keepup/defaults.html", form=form), status
