"""Private conversations: the list, starting one, a conversation's page, answering, leaving,
adding people. Each view parses the request and calls one service; the services judge."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ...common import markup
from ...errors import InvalidField, Refused
from ...policy import policy
from ...services.conversations import reading, writing
from ...web import current_actor
from ..args import page_arg
from ..form_errors import attach_refusal
from . import bp
from .forms import BODY_HELP, AddParticipantForm, NewConversationForm, PlainForm, ReplyForm


def _keep_draft(form, refused: Refused) -> int:
    """A refusal shown above the form that still holds what was typed: under its field for
    bad input, at the top for anything else (a timeout, the hourly limit). A guest or someone
    outside the conversation gets the usual page instead."""
    if refused.login_required or refused.status == 404:
        raise refused
    if isinstance(refused, InvalidField):
        return attach_refusal(form, refused)
    form.form_errors.append(refused.reason)
    return refused.status


def _retry_header(refused: Refused) -> dict:
    return {"Retry-After": str(int(refused.retry_after))} if refused.retry_after else {}


@bp.get("/messages")
@login_required
def index():
    listing = reading.inbox(policy(), page_arg())
    return render_template("messages/index.html", listing=listing, excerpt=markup.excerpt,
                           may_start=policy().can_start_conversation())


def _render_new(form: NewConversationForm, status: int = 200):
    return render_template("messages/new.html", form=form, body_help=BODY_HELP,
                           may_start=policy().can_start_conversation()), status


@bp.route("/messages/new", methods=["GET", "POST"])
@login_required
def new():
    form = NewConversationForm()
    if request.method == "GET":
        # From a profile's "Send a message": the name filled in.
        form.recipients.data = (request.args.get("to") or "")[:100]
        return _render_new(form)
    if not form.validate_on_submit():
        return _render_new(form, 400)
    try:
        conversation = writing.start(current_actor(), form.recipients.data, form.subject.data,
                                     form.body.data)
    except Refused as refused:
        page, status = _render_new(form, _keep_draft(form, refused))
        return page, status, _retry_header(refused)
    flash(_("Your conversation has started."), "success")
    return redirect(url_for(".show", conversation_id=conversation.id))


def _render_show(conversation_id: int, reply_form: ReplyForm | None = None,
                 add_form: AddParticipantForm | None = None, status: int = 200):
    viewer = policy()
    page = request.args.get("page")
    view = reading.page_of(viewer, conversation_id, page_arg() if page else None)
    return render_template(
        "messages/show.html", view=view, conversation=view.conversation,
        reply_form=reply_form or ReplyForm(formdata=None),
        add_form=add_form or AddParticipantForm(formdata=None), plain_form=PlainForm(),
        body_help=BODY_HELP,
        may_write=viewer.can_write_in(view.conversation, view.participant),
        may_add=viewer.can_add_participant(view.conversation, view.participant),
    ), status


@bp.get("/messages/<int:conversation_id>")
@login_required
def show(conversation_id: int):
    return _render_show(conversation_id)


@bp.post("/messages/<int:conversation_id>/reply")
@login_required
def reply(conversation_id: int):
    conversation, _participant = reading.get(policy(), conversation_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_show(conversation_id, reply_form=form, status=400)
    try:
        message = writing.reply(current_actor(), conversation, form.body.data)
    except Refused as refused:
        page, status = _render_show(conversation_id, reply_form=form,
                                    status=_keep_draft(form, refused))
        return page, status, _retry_header(refused)
    return redirect(url_for(".show", conversation_id=conversation_id) + f"#m{message.id}")


@bp.post("/messages/<int:conversation_id>/leave")
@login_required
def leave(conversation_id: int):
    conversation, _participant = reading.get(policy(), conversation_id)
    if PlainForm().validate_on_submit():
        writing.leave(current_actor(), conversation)
        flash(_("You left the conversation. It is no longer in your list."), "success")
    return redirect(url_for(".index"))


@bp.post("/messages/<int:conversation_id>/add")
@login_required
def add(conversation_id: int):
    conversation, _participant = reading.get(policy(), conversation_id)
    form = AddParticipantForm()
    if not form.validate_on_submit():
        return _render_show(conversation_id, add_form=form, status=400)
    try:
        person = writing.add_participant(current_actor(), conversation, form.name.data)
    except Refused as refused:
        return _render_show(conversation_id, add_form=form, status=_keep_draft(form, refused))
    flash(_("%(name)s is in the conversation now.", name=person.name), "success")
    return redirect(url_for(".show", conversation_id=conversation_id))
