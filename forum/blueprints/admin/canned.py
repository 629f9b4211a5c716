"""Canned responses: the messages moderators start from, kept by administrators."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import Refused, require
from ...models import CannedResponse
from ...policy import policy
from ...services.moderation import macros, modnotes
from ...web import current_actor
from . import bp
from .forms import CannedForm, ConfirmForm

# What the previews fill the placeholders with.
# A made-up username, so it reads in the page's language too.
SAMPLE_USERNAME = _l("sample_member")
SAMPLE_THREAD = _l("Sample thread title")


def canned_sample(body: str) -> str:
    """A canned text as a moderator would send it to a sample member (plain text)."""
    return modnotes.fill(body, str(SAMPLE_USERNAME), str(SAMPLE_THREAD))



def _macro_label(response: CannedResponse) -> str:
    """What a macro does, as its queue button says it ("Hide + Warn")."""
    return macros.label(macros.kinds_of(response))


def _is_preview() -> bool:
    return "preview" in request.form


def _service_error(form: CannedForm, error: Refused) -> int:
    # The service words its length and emptiness rules for the text as a whole; they belong
    # on the form, not on an error page.
    if error.status != 400:
        raise error
    form.form_errors.append(error.reason)
    return 400


def _render_list(form: CannedForm, status: int = 200, preview: str | None = None):
    responses = modnotes.canned_responses(policy())
    return render_template("admin/canned.html", responses=responses, form=form,
                           preview=preview, sample_of=canned_sample, macro_label=_macro_label,
                           sample=(str(SAMPLE_USERNAME), str(SAMPLE_THREAD)), tab="canned"), status


@bp.get("/canned")
def canned():
    require(policy().can_manage_canned_responses())
    return _render_list(CannedForm(formdata=None))


@bp.post("/canned")
def create_canned():
    require(policy().can_manage_canned_responses())
    form = CannedForm()
    if not form.validate_on_submit():
        return _render_list(form, 400)
    if _is_preview():
        return _render_list(form, preview=canned_sample(form.body.data))
    try:
        response = modnotes.create_canned(current_actor(), form.title.data, form.body.data,
                                          preset=form.preset())
    except Refused as error:
        return _render_list(form, _service_error(form, error))
    flash(_("Added “%(title)s”.", title=response.title), "success")
    return redirect(url_for(".canned", _anchor=f"canned-{response.id}"))


def _render_edit(response: CannedResponse, form: CannedForm, status: int = 200,
                 preview: str | None = None):
    return render_template("admin/canned_edit.html", response=response, form=form,
                           preview=preview, sample_of=canned_sample,
                           sample=(str(SAMPLE_USERNAME), str(SAMPLE_THREAD)), tab="canned"), status


@bp.route("/canned/<int:response_id>/edit", methods=["GET", "POST"])
def edit_canned(response_id: int):
    viewer = policy()
    require(viewer.can_manage_canned_responses())
    response = modnotes.get_canned(viewer, response_id)
    if request.method == "GET":
        form = CannedForm(formdata=None, obj=response)
        form.sanction.data = response.sanction or ""
        form.timeout.data = response.timeout or "24h"
        return _render_edit(response, form)
    form = CannedForm()
    if not form.validate_on_submit():
        return _render_edit(response, form, 400)
    if _is_preview():
        return _render_edit(response, form, preview=canned_sample(form.body.data))
    try:
        modnotes.update_canned(current_actor(), response, form.title.data, form.body.data,
                               preset=form.preset())
    except Refused as error:
        return _render_edit(response, form, _service_error(form, error))
    flash(_("Saved “%(title)s”.", title=response.title), "success")
    return redirect(url_for(".canned", _anchor=f"canned-{response.id}"))


@bp.route("/canned/<int:response_id>/delete", methods=["GET", "POST"])
def delete_canned(response_id: int):
    viewer = policy()
    require(viewer.can_manage_canned_responses())
    response = modnotes.get_canned(viewer, response_id)
    form = ConfirmForm()
    if request.method == "GET":
        return render_template("admin/canned_delete.html", response=response, form=form,
                               tab="canned")
    if not form.validate_on_submit():
        return render_template("admin/canned_delete.html", response=response, form=form,
                               tab="canned"), 400
    title = response.title
    modnotes.delete_canned(current_actor(), response)
    flash(_("Deleted “%(title)s”.", title=title), "success")
    return redirect(url_for(".canned"))
