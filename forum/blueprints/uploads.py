"""Uploading images and serving them."""
from __future__ import annotations

import re

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired

from ..errors import InvalidField, NotFound, Refused, require
from ..policy import policy
from ..services.accounts import profiles
from ..services.content import reading
from ..services.uploads import avatars, preferences, purging, serving, uploading
from ..services.uploads.storage import storage
from ..web import current_actor

bp = Blueprint("uploads", __name__)


class UploadForm(FlaskForm):
    file = FileField(_l("Image (JPEG, PNG, WebP or GIF)"),
                     validators=[FileRequired(_l("Choose an image to upload."))],
                     render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})


class ResetAvatarForm(FlaskForm):
    reason = StringField(_l("Reason (the member reads it)"),
                         validators=[DataRequired(_l("Please give a reason."))])


def markdown_reference(upload) -> str:
    """The line a member pastes into a post to show the image."""
    alt = upload.name.replace("[", "(").replace("]", ")")
    return f"![{alt}]({upload.url})"


@bp.route("/uploads/new", methods=["GET", "POST"])
@login_required
def create():
    user = current_actor()
    require(policy().can_upload_image())
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        sent = form.file.data
        try:
            uploading.upload_image(user, sent.read(), sent.filename)
        except InvalidField as refused:
            form.file.errors = [refused.reason]
            status = refused.status
        else:
            flash(_("Your image is uploaded. Copy its line into your post to show it."),
                  "success")
            return redirect(url_for("uploads.create"))
    elif form.is_submitted():
        status = 400
    return render_template("uploads/new.html", form=form,
                           uploads=uploading.recent_uploads(user),
                           reference=markdown_reference,
                           max_mb=uploading.limit_bytes() // uploading.MIB), status


def is_attaching() -> bool:
    """A post form sent with "Add the image to the text" (``uploads/_attach.html``)."""
    return request.method == "POST" and "attach" in request.form


def attach_image(body_field) -> tuple[str | None, int]:
    """Upload the form's image and add its Markdown line to the text in ``body_field``, so a
    member without a script writes and shows an image in one page. Returns the reason it
    was refused (or None) and the page's status."""
    sent = request.files.get("image")
    if sent is None or not sent.filename:
        return _("Choose an image to upload."), 400
    try:
        upload = uploading.upload_image(current_actor(), sent.read(), sent.filename)
    except InvalidField as refused:
        return refused.reason, refused.status
    text = (body_field.data or "").rstrip()
    body_field.data = f"{text}\n\n{markdown_reference(upload)}\n" if text else (
        f"{markdown_reference(upload)}\n")
    return None, 200


def _send(served: serving.Served):
    response = make_response(served.data)
    response.mimetype = served.mimetype
    response.headers["Cache-Control"] = served.cache_control
    # An image opened on its own runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.set_etag(served.etag)
    return response.make_conditional(request)


@bp.get("/uploads/<int:upload_id>/<name>")
def image(upload_id: int, name: str):
    return _send(serving.serve(policy(), upload_id, name))


@bp.get("/uploads/<int:upload_id>/thumb/<name>")
def thumbnail(upload_id: int, name: str):
    return _send(serving.serve(policy(), upload_id, name, thumb=True))


# -- avatars ------------------------------------------------------------------------------------

_AVATAR_NAME = re.compile(r"^[0-9a-f]{64}\.webp$")


@bp.post("/account/avatar")
@login_required
def set_avatar():
    user = current_actor()
    form = UploadForm()
    if not form.validate_on_submit():
        error = (form.file.errors or form.form_errors or [_("Choose an image to upload.")])[0]
        return _profile_page(user, str(error), 400)
    sent = form.file.data
    try:
        avatars.set_avatar(user, sent.read(), sent.filename)
    except InvalidField as refused:
        return _profile_page(user, refused.reason, refused.status)
    flash(_("Your new avatar is saved."), "success")
    return redirect(url_for("profiles.edit"))


def _profile_page(user, avatar_error: str, status: int):
    """The profile editor again, with why the picture was refused beside the avatar."""
    from ..models import utcnow
    from ..services.moderation import warning_points
    from .profiles import ProfileForm

    return render_template("profiles/edit.html", form=ProfileForm(obj=user), user=user,
                           points=warning_points.current(user, utcnow()),
                           avatar_error=avatar_error), status


@bp.post("/account/avatar/remove")
@login_required
def remove_avatar():
    form = FlaskForm()
    if form.validate_on_submit():
        avatars.remove_avatar(current_actor())
        flash(_("Your avatar is the generated one again."), "success")
    return redirect(url_for("profiles.edit"))


@bp.post("/mod/members/<username>/avatar/reset")
@login_required
def reset_avatar(username: str):
    require(policy().can_use_moderator_tools())
    member = profiles.find_member(username)
    form = ResetAvatarForm()
    if not form.validate_on_submit():
        raise Refused(_("Please give a reason."), status=400)
    avatars.reset_avatar(current_actor(), member, form.reason.data)
    flash(_("The avatar is removed and the member told."), "success")
    return redirect(url_for("moderation.member", username=member.username))


@bp.post("/account/remote-images")
@login_required
def remote_images():
    form = FlaskForm()
    if not form.validate_on_submit():
        raise Refused(_("This form was out of date. Please try again."), status=400)
    load = request.form.get("load") == "always"
    preferences.set_remote_images(current_actor(), load)
    flash(_("Images from other sites now load at once.") if load else
          _("Images from other sites now wait until you load them."), "success")
    return redirect(url_for("profiles.edit"))


@bp.post("/mod/posts/<int:post_id>/purge-images")
@login_required
def purge_images(post_id: int):
    require(policy().can_use_moderator_tools())
    post = reading.get_post_to_moderate(policy(), post_id)
    count = purging.purge_post_images(current_actor(), post, request.form.get("reason"))
    flash(ngettext("%(num)d image purged.", "%(num)d images purged.", count), "success")
    return redirect(url_for("moderation.post_tools", post_id=post.id))


@bp.get("/avatars/<name>")
def avatar_file(name: str):
    """An uploaded avatar by its content: no query, cached for good."""
    if not _AVATAR_NAME.match(name):
        raise NotFound()
    data = storage().get(avatars.PREFIX + name)
    if data is None:
        raise NotFound()
    return _send(serving.Served(data=data, mimetype="image/webp", etag=name[:32],
                                cache_control=serving.PUBLIC_CACHE))
