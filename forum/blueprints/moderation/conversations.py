"""Writing to a member for the team ("explain before you act"), from the member's record, a
report, or the sanction form: a private conversation marked as the team's."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import InvalidField, Refused, require
from ...policy import policy
from ...services.accounts import profiles
from ...services.conversations import writing
from ...services.moderation import report_queue
from ...web import current_actor
from ..args import id_arg
from ..form_errors import attach_refusal
from ..messages.forms import BODY_HELP, TeamConversationForm
from . import bp


def _render(member, form: TeamConversationForm, item, status: int = 200):
    return render_template("moderation/message_member.html", member=member, form=form,
                           item=item, body_help=BODY_HELP, tab="queue"), status


@bp.route("/members/<username>/message", methods=["GET", "POST"])
def message_member(username: str):
    viewer = policy()
    # Guests log in and members are refused before anyone learns whether a name exists.
    require(viewer.can_view_member_notes())
    member = profiles.find_member(username)
    item_id = id_arg("item")
    # From a report: it is named on the page, the way back leads there, and for a board
    # moderator it is the board where the member posted.
    item = report_queue.get_item(viewer, item_id) if item_id is not None else None
    if item is not None and item.subject_id != member.id:
        raise Refused(_("That report is about someone else."), status=400)
    require(viewer.can_start_team_conversation(
        member, item.thread.board if item is not None and item.thread is not None else None))
    form = TeamConversationForm()
    if request.method == "GET":
        form.subject.data = _("A word from the moderation team")
        return _render(member, form, item)
    if not form.validate_on_submit():
        return _render(member, form, item, 400)
    try:
        conversation = writing.start_for_team(current_actor(), member, form.subject.data,
                                              form.body.data, item=item)
    except InvalidField as refused:
        return _render(member, form, item, attach_refusal(form, refused))
    flash(_("Your message to %(name)s is sent. Their answers reach every moderator in the "
            "conversation.", name=member.name), "success")
    return redirect(url_for("messages.show", conversation_id=conversation.id))
