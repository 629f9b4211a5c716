"""A post's moderator tools, reached from the menu under each post on the thread page: hide,
show again, restore a deleted post, and the way to the author's record to warn or time them
out. Each view parses its form and calls one service, which checks the rank and logs."""
from __future__ import annotations

from functools import partial

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...errors import Refused
from ...models import Post
from ...policy import policy
from ...services.content import reading
from ...services.moderation import post_tools as tools
from ...services.uploads import purging
from ...web import current_actor
from . import bp
from .attempts import attempt
from .member_forms import SanctionForm
from .members import issue_from_form
from .post_forms import HidePostForm, RestorePostForm, UnhidePostForm


def _post(post_id: int) -> Post:
    return reading.get_post_to_moderate(policy(), post_id)


def _render(post: Post, status: int = 200, error: str | None = None, **forms):
    defaults = {"hide_form": HidePostForm, "unhide_form": UnhidePostForm,
                "restore_form": RestorePostForm, "sanction_form": SanctionForm}
    for name, form_class in defaults.items():
        if name not in forms:
            forms[name] = form_class(formdata=None)
    viewer = policy()
    board = post.thread.board
    return render_template(
        "moderation/post_tools.html", post=post, thread=post.thread, board=board, error=error,
        rank=viewer.can_act_on_user(post.author, board), uploads=purging.post_uploads(post),
        may_sanction=bool(viewer.can_act_on_user(post.author)), tab="queue", **forms,
    ), status


@bp.get("/posts/<int:post_id>")
def post_tools(post_id: int):
    return _render(_post(post_id))


def _attempt(post: Post, form_name: str, form, action, message: str):
    def done():
        flash(message, "success")
        return redirect(url_for("boards.post", post_id=post.id))

    return attempt(form, form_name, action, partial(_render, post), done)


@bp.post("/posts/<int:post_id>/hide")
def hide_post(post_id: int):
    post = _post(post_id)
    form = HidePostForm()
    return _attempt(post, "hide_form", form,
                    lambda: tools.hide_post(current_actor(), post, form.reason.data or ""),
                    _("The post is hidden and its author told why."))


@bp.post("/posts/<int:post_id>/unhide")
def unhide_post(post_id: int):
    post = _post(post_id)
    form = UnhidePostForm()
    return _attempt(post, "unhide_form", form,
                    lambda: tools.unhide_post(current_actor(), post, form.reason.data or ""),
                    _("The post is shown again."))


@bp.post("/posts/<int:post_id>/restore")
def restore_post(post_id: int):
    post = _post(post_id)
    form = RestorePostForm()
    return _attempt(post, "restore_form", form,
                    lambda: tools.restore_post(current_actor(), post, form.reason.data or ""),
                    _("The post is restored and its author told."))


@bp.post("/posts/<int:post_id>/sanction")
def sanction_author(post_id: int):
    """Warn, time out, suspend or ban the post's author from the post itself: the member
    record's form and rules, one step fewer."""
    post = _post(post_id)
    allowed = policy().can_act_on_user(post.author)
    if not allowed:
        return _render(post, status=403, error=allowed.reason)
    form = SanctionForm(timezone=current_actor().timezone)
    if not form.validate_on_submit():
        return _render(post, status=400, sanction_form=form)
    try:
        issue_from_form(form, post.author)
    except Refused as refused:
        if refused.login_required:
            raise
        form.form_errors.append(refused.reason)
        return _render(post, status=refused.status, sanction_form=form)
    return redirect(url_for(".post_tools", post_id=post.id))

