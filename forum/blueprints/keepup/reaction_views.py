"""Reacting to a post (a button that works without JavaScript) and who reacted."""
from __future__ import annotations

from flask import current_app, redirect, render_template
from flask_babel import gettext as _

from ...errors import bad_request, require
from ...policy import policy
from ...services.content import reactions, reading
from ...web import current_actor
from ..boards.views import thread_url
from . import bp
from .forms import ReactForm


def post_location(post) -> str:
    per_page = current_app.config["POSTS_PER_PAGE"]
    return thread_url(post.thread, reading.page_of(post.position, per_page),
                      anchor=f"p{post.id}")


@bp.post("/p/<int:post_id>/react")
def react(post_id: int):
    viewer = policy()
    post = reading.get_post(viewer, post_id)
    require(viewer.can_react(post))
    form = ReactForm()
    if not form.validate_on_submit():
        raise bad_request(_("Choose one of the reactions under the post."))
    kind, _sep, op = form.react.data.partition(":")
    reactions.react(current_actor(), post, kind, op == "add")
    return redirect(post_location(post))


@bp.get("/p/<int:post_id>/reactions")
def who_reacted(post_id: int):
    viewer = policy()
    post = reading.get_post(viewer, post_id)
    reactors = reactions.who_reacted(viewer, post)
    mine = {reactor.kind for reactor in reactors
            if viewer.is_member and reactor.user.id == viewer.user.id}
    return render_template("keepup/reactions.html", post=post, thread=post.thread,
                           board=post.thread.board, reactors=reactors, mine=mine,
                           may_react=bool(viewer.can_react(post)))
