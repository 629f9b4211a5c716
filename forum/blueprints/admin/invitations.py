"""Invitations, all of them: make a link, see which were used and by whom, revoke."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...models import utcnow
from ...policy import policy
from ...services.accounts import invitations as invitation_service
from ...stores import settings
from ...web import current_actor
from . import bp
from .forms import ConfirmForm, InvitationForm


def render_invitations(template: str, form: InvitationForm, everyone: bool, status: int = 200,
                       **extra):
    """The list and the form; a new link, when one was just made, shown once above them."""
    items = invitation_service.listing(policy(), everyone=everyone)
    return render_template(template, items=items, form=form, confirm=ConfirmForm(),
                           now=utcnow(), longest=settings.get("invitation_days"),
                           mode=settings.get("registration_mode"), **extra), status


def create_from(form: InvitationForm, template: str, everyone: bool):
    """The POST half shared with members' own page: make the invitation, show its link."""
    if not form.validate_on_submit():
        return render_invitations(template, form, everyone, 400)
    try:
        _invitation, code = invitation_service.create(current_actor(), form.days.data,
                                                      form.note.data)
    except Refused as error:
        if error.status != 400:
            raise
        form.form_errors.append(error.reason)
        return render_invitations(template, form, everyone, 400)
    link = url_for("auth.register", invite=code, _external=True)
    # Rendered, not redirected: the code is never stored, so this page is the only place
    # the link can be read; nor may a browser or a proxy keep a copy of it.
    page, status = render_invitations(template, InvitationForm(formdata=None), everyone,
                                      new_link=link)
    return page, status, {"Cache-Control": "no-store"}


@bp.get("/invitations")
def invitations():
    require(policy().can_manage_invitations())
    return render_invitations("admin/invitations.html", InvitationForm(formdata=None), True)


@bp.post("/invitations")
def create_invitation():
    require(policy().can_manage_invitations())
    return create_from(InvitationForm(), "admin/invitations.html", True)


@bp.post("/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int):
    require(policy().can_manage_invitations())
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    invitation_service.revoke(current_actor(), invitation_service.get(invitation_id))
    flash(_("The invitation was revoked; its link no longer works."), "success")
    return redirect(url_for(".invitations"))
