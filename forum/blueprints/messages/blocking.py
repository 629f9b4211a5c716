"""Blocking members: from their profile, and the list of blocked members on the account."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ...services import blocks
from ...services.accounts import profiles
from ...web import current_actor
from . import bp
from .forms import BlockForm, PlainForm


@bp.get("/account/blocked")
@login_required
def blocked():
    return render_template("messages/blocked.html", blocks=blocks.blocked_by_me(current_actor()),
                           plain_form=PlainForm(), block_form=BlockForm(formdata=None),
                           explained=blocks.blocked_message())


@bp.post("/u/<username>/block")
@login_required
def block(username: str):
    target = profiles.find_member(username)
    form = BlockForm()
    if form.validate_on_submit():
        blocks.block(current_actor(), target, form.collapse_posts.data)
        flash(_("You blocked %(name)s. They are not told.", name=target.name), "success")
    return redirect(url_for("profiles.show", username=target.username))


@bp.post("/u/<username>/unblock")
@login_required
def unblock(username: str):
    target = profiles.find_member(username)
    if PlainForm().validate_on_submit() and blocks.unblock(current_actor(), target):
        flash(_("You unblocked %(name)s.", name=target.name), "success")
    return redirect(url_for(".blocked"))
