"""The rules and the privacy notice: edited here, shown at /rules and /privacy."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import Refused, require
from ...models import DOCUMENT_TITLES
from ...policy import policy
from ...services.site import documents as site_documents
from ...web import current_actor
from . import bp
from .forms import DocumentForm

# What the page says after publishing, a whole sentence for each document.
_UNCHANGED = {
    "rules": _l("The community rules are unchanged; nothing was published."),
    "privacy": _l("The privacy notice is unchanged; nothing was published."),
}


def _published(name: str, version: int) -> str:
    if name == "rules":
        return _("Published version %(version)s of the community rules. Members will be "
                 "asked to accept them before they post again.", version=version)
    return _("Published version %(version)s of the privacy notice. Members will be "
             "asked to accept it before they post again.", version=version)


def _title(name: str) -> str:
    title = DOCUMENT_TITLES.get(name)
    if title is None:
        abort(404)
    return title


@bp.get("/pages")
def documents():
    require(policy().can_manage_documents())
    current = {name: site_documents.current(name) for name in DOCUMENT_TITLES}
    return render_template("admin/documents.html", titles=DOCUMENT_TITLES, current=current,
                           tab="documents")


def _render_edit(name: str, form: DocumentForm, status: int = 200):
    history = site_documents.versions(policy(), name)
    return render_template("admin/document_edit.html", name=name, title=_title(name),
                           form=form, history=history, limit=site_documents.DOCUMENT_MAX,
                           tab="documents"), status


@bp.route("/pages/<name>", methods=["GET", "POST"])
def edit_document(name: str):
    require(policy().can_manage_documents())
    _title(name)  # 404 for a document that doesn't exist
    form = DocumentForm()
    if not form.is_submitted():
        latest = site_documents.current(name)
        form.body.data = latest.body if latest is not None else ""
        return _render_edit(name, form)
    if not form.validate_on_submit():
        return _render_edit(name, form, 400)
    try:
        published = site_documents.publish(current_actor(), name, form.body.data)
    except Refused as error:
        if error.status not in (400, 409):
            raise
        form.form_errors.append(error.reason)
        return _render_edit(name, form, error.status)
    if published is None:
        flash(str(_UNCHANGED[name]), "info")
    else:
        flash(_published(name, published.version), "success")
    return redirect(url_for(".edit_document", name=name))
