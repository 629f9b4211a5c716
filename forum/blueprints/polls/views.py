"""Poll pages: each view parses the request, calls one service, renders or redirects."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...common import timefmt
from ...errors import InvalidField, require
from ...models import Poll, Thread
from ...policy import policy
from ...services.community.polls import making, reading, voting
from ...services.content import reading as content_reading
from ...web import current_actor, viewer_tz
from ..form_errors import attach, require_valid
from . import bp
from .forms import (
    AddPollForm,
    BallotForm,
    ClosePollForm,
    DeletePollForm,
    EditPollForm,
    parse_closing,
    read_spec,
)


def _at_poll(thread: Thread) -> str:
    # The poll sits at the top of the thread's first page.
    return f"{thread.url}#poll"


@bp.route("/t/<int:thread_id>/poll/new", methods=["GET", "POST"])
def add(thread_id: int):
    viewer = policy()
    thread = content_reading.get_thread(viewer, thread_id)
    require(viewer.can_add_poll(thread))
    form = AddPollForm()
    status = 200
    if form.validate_on_submit():
        try:
            spec = read_spec(form, viewer_tz(), viewer.clock)
            making.add_poll(current_actor(), thread, spec)
        except InvalidField as error:
            attach(form, error.field, error.reason)
        else:
            flash(_("The poll is up."), "success")
            return redirect(_at_poll(thread))
    if form.errors:
        status = 400
    return render_template("polls/add.html", form=form, thread=thread,
                           board=thread.board), status


@bp.post("/polls/<int:poll_id>/vote")
def vote(poll_id: int):
    viewer = policy()
    poll = reading.get_poll(viewer, poll_id)
    require(viewer.can_vote(poll))
    require_valid(BallotForm())
    choices = voting.parse_choices(request.form.getlist("choice"))
    if voting.vote(current_actor(), poll, choices):
        flash(_("Your vote is counted."), "success")
    else:
        flash(_("Your vote is changed."), "success")
    return redirect(_at_poll(poll.thread))


@bp.post("/polls/<int:poll_id>/withdraw")
def withdraw(poll_id: int):
    viewer = policy()
    poll = reading.get_poll(viewer, poll_id)
    require(viewer.can_vote(poll))
    require_valid(BallotForm())
    if voting.withdraw(current_actor(), poll):
        flash(_("Your vote is taken back."), "success")
    return redirect(_at_poll(poll.thread))


@bp.get("/polls/<int:poll_id>/voters")
def voters(poll_id: int):
    viewer = policy()
    poll = reading.get_poll(viewer, poll_id)
    return render_template("polls/voters.html", poll=poll, thread=poll.thread,
                           board=poll.thread.board, groups=reading.voters(viewer, poll))


def _closing_text(poll: Poll) -> str:
    if poll.closes_at is None:
        return ""
    return timefmt.local(poll.closes_at, viewer_tz()).strftime("%Y-%m-%dT%H:%M")


def _manage_page(poll: Poll, edit_form: EditPollForm | None = None,
                 close_form: ClosePollForm | None = None,
                 delete_form: DeletePollForm | None = None, status: int = 200):
    viewer = policy()
    require(viewer.can_manage_poll(poll))
    has_votes = poll.voter_count > 0
    change = viewer.can_change_poll(poll, has_votes)
    if edit_form is None:
        edit_form = EditPollForm(formdata=None, poll_question=poll.question,
                                 poll_options="\n".join(option.label for option in poll.options),
                                 poll_closes_at=_closing_text(poll))
    return render_template(
        "polls/manage.html", poll=poll, thread=poll.thread, board=poll.thread.board,
        box=reading.box(viewer, poll), change=change,
        moderating=viewer.moderates(poll.thread.board),
        edit_form=edit_form, close_form=close_form or ClosePollForm(formdata=None),
        delete_form=delete_form or DeletePollForm(formdata=None)), status


@bp.get("/polls/<int:poll_id>/manage")
def manage(poll_id: int):
    return _manage_page(reading.get_poll(policy(), poll_id))


@bp.post("/polls/<int:poll_id>/edit")
def edit(poll_id: int):
    viewer = policy()
    poll = reading.get_poll(viewer, poll_id)
    require(viewer.can_manage_poll(poll))
    form = EditPollForm()
    if form.validate_on_submit():
        try:
            closes_at = parse_closing(form.poll_closes_at.data, viewer_tz())
            making.edit_poll(current_actor(), poll, form.poll_question.data,
                             form.poll_options.data, closes_at, reason=form.reason.data)
        except InvalidField as error:
            attach(form, error.field, error.reason)
        else:
            flash(_("The poll is changed."), "success")
            return redirect(_at_poll(poll.thread))
    return _manage_page(poll, edit_form=form, status=400)


@bp.post("/polls/<int:poll_id>/close")
def close(poll_id: int):
    viewer = policy()
    poll = reading.get_poll(viewer, poll_id)
    require(viewer.can_manage_poll(poll))
    form = ClosePollForm()
    if not form.validate_on_submit():
        return _manage_page(poll, close_form=form, status=400)
    making.close_poll(current_actor(), poll, reason=form.close_reason.data)
    flash(_("The poll is closed."), "success")
    return redirect(_at_poll(poll.thread))


@bp.post("/polls/<int:poll_id>/delete")
def delete(poll_id: int):
    viewer = policy()
    poll = reading.get_poll(viewer, poll_id)
    require(viewer.can_manage_poll(poll))
    form = DeletePollForm()
    if not form.validate_on_submit():
        return _manage_page(poll, delete_form=form, status=400)
    thread = poll.thread
    making.delete_poll(current_actor(), poll, reason=form.delete_reason.data)
    flash(_("The poll is deleted."), "success")
    return redirect(url_for("boards.thread", thread_id=thread.id, slug=thread.slug or None))
