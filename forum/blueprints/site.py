"""The forum's own pages: the rules and the privacy notice, accepting them again after a
change, and a member's own invitations."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from ..errors import Conflict, Refused, require
from ..policy import policy
from ..services.accounts import invitations as invitation_service
from ..services.accounts import joining
from ..services.desk import team as desk_team
from ..services.site import documents
from ..stores import settings
from ..web import current_actor
from .admin.forms import ConfirmForm, InvitationForm
from .admin.invitations import create_from, render_invitations
from .args import documents_seen

bp = Blueprint("site", __name__)


def _document(name: str):
    document = documents.current(name)
    return render_template("site/document.html", name=name, document=document,
                           title=documents.DOCUMENT_TITLES[name])


@bp.get("/rules")
def rules():
    return _document("rules")


@bp.get("/privacy")
def privacy():
    return _document("privacy")


@bp.get("/team")
def team():
    return render_template("site/team.html", page=desk_team.team_page(policy()))


@bp.route("/accept", methods=["GET", "POST"])
@login_required
def accept():
    user = current_actor()
    form = FlaskForm()
    pending = not settings.documents_accepted(user)
    status, changed = 200, None
    if form.validate_on_submit() and pending:
        # The versions the page showed: a text changed since then was not read.
        try:
            joining.accept_documents(user, documents_seen(request.form))
        except Conflict as conflict:
            status, changed = conflict.status, conflict.reason
        else:
            flash(_("Thank you. You can post again."), "success")
            return redirect(url_for("boards.index"))
    current = {name: documents.current(name) for name in documents.DOCUMENT_TITLES}
    return render_template("site/accept.html", form=form, pending=pending, current=current,
                           versions=joining.current_versions(), changed=changed,
                           accepted={"rules": user.rules_version,
                                     "privacy": user.privacy_version}), status


@bp.get("/account/invitations")
@login_required
def my_invitations():
    return render_invitations("site/invitations.html", InvitationForm(formdata=None), False)


@bp.post("/account/invitations")
@login_required
def create_my_invitation():
    require(policy().can_create_invitation())
    return create_from(InvitationForm(), "site/invitations.html", False)


@bp.post("/account/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_my_invitation(invitation_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        raise Refused(_("The form expired. Please try again."), status=400)
    invitation_service.revoke(current_actor(), invitation_service.get(invitation_id))
    flash(_("The invitation was revoked; its link no longer works."), "success")
    return redirect(url_for(".my_invitations"))
