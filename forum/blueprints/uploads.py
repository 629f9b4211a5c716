"""Uploading images and serving them."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from ..errors import InvalidField, require
from ..policy import policy
from ..services.uploads import serving, uploading
from ..web import current_actor

bp = Blueprint("uploads", __name__)


class UploadForm(FlaskForm):
    file = FileField(_l("Image (JPEG, PNG, WebP or GIF)"),
                     validators=[FileRequired(_l("Choose an image to upload."))],
                     render_kw={"accept": "image/jpeg,image/png,image/webp,image/gif"})


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
