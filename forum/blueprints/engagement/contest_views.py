"""Contest pages: the schedule, entries and votes, disqualifying, results and winners."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...policy import policy
from ...services.community import challenge_votes, challenges, event_listing
from ...web import current_actor, viewer_tz
from ..form_errors import attach_refusal, require_valid
from . import bp
from .forms import ActionForm, EntryForm, ReasonForm, ScheduleForm


@bp.route("/events/<int:event_id>/contest", methods=["GET", "POST"])
def schedule(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_edit_event(event))
    challenges.require_contest(event)
    challenge = challenges.get_challenge(event)
    form = (ScheduleForm.for_challenge(challenge, event.timezone) if request.method == "GET"
            else ScheduleForm())
    status = 200
    if request.method == "POST":
        require_valid(form)
        try:
            challenges.schedule(current_actor(), event, form.to_data(), now=viewer.clock)
        except Refused as refused:
            status = attach_refusal(form, refused)
        else:
            flash(_("The contest's schedule is saved."), "success")
            return redirect(url_for("engagement.entries", event_id=event.id))
    return render_template("engagement/schedule.html", form=form, event=event,
                           board=event.board), status


@bp.get("/events/<int:event_id>/entries")
def entries(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    challenge = challenges.require_challenge(event)
    now = viewer.clock
    actor = viewer.user if viewer.is_member else None
    phase = challenge.phase(now)
    standings = bool(viewer.can_see_contest_standings(event, phase))
    return render_template(
        "engagement/entries.html", event=event, board=event.board, challenge=challenge,
        phase=phase, entries=challenges.entries(event, ranked=standings), standings=standings,
        voted=challenge_votes.my_votes(actor, event), form=EntryForm(), action=ActionForm(),
        may_moderate=bool(viewer.can_moderate_event(event)),
        may_edit=bool(viewer.can_edit_event(event)), viewer_tz=viewer_tz(), now=now,
    )


@bp.post("/events/<int:event_id>/entries")
def enter(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    form = EntryForm()
    require_valid(form)
    entry = challenges.enter(current_actor(), event, form.title.data or "",
                             form.body.data or "", now=viewer.clock)
    flash(_("Your entry is in. Good luck!"), "success")
    return redirect(url_for("engagement.entries", event_id=event.id, _anchor=f"e{entry.id}"))


@bp.post("/events/<int:event_id>/entries/<int:entry_id>/vote")
def vote_entry(event_id: int, entry_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require_valid(ActionForm())
    entry = challenges.get_entry(event, entry_id)
    challenge_votes.vote(current_actor(), event, entry, now=viewer.clock)
    flash(_("Your vote is counted."), "success")
    return redirect(url_for("engagement.entries", event_id=event.id, _anchor=f"e{entry.id}"))


@bp.route("/events/<int:event_id>/entries/<int:entry_id>/disqualify", methods=["GET", "POST"])
def disqualify(event_id: int, entry_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    entry = challenges.get_entry(event, entry_id)
    form = ReasonForm()
    status = 200
    if request.method == "POST":
        require_valid(form)
        try:
            challenge_votes.disqualify(current_actor(), event, entry, form.reason.data or "",
                                       now=viewer.clock)
        except Refused as refused:
            if refused.status != 400:
                raise
            form.reason.errors = [refused.reason]
            status = 400
        else:
            flash(_("The entry is disqualified and its author has been told why."), "success")
            return redirect(url_for("engagement.entries", event_id=event.id))
    return render_template("engagement/disqualify.html", form=form, event=event, entry=entry,
                           board=event.board), status


@bp.get("/events/<int:event_id>/results")
def results(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    challenge = challenges.require_challenge(event)
    now = viewer.clock
    may_moderate = bool(viewer.can_moderate_event(event))
    phase = challenge.phase(now)
    standings = viewer.can_see_contest_standings(event, phase)
    ranking = challenges.entries(event) if standings else []
    return render_template(
        "engagement/results.html", event=event, board=event.board, challenge=challenge,
        phase=phase, ranking=ranking, may_moderate=may_moderate, action=ActionForm(),
        viewer_tz=viewer_tz(), now=now,
    )


@bp.post("/events/<int:event_id>/winners")
def winners(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_moderate_event(event))
    require_valid(ActionForm())
    places = [request.form.get(name, "") for name in ("first", "second", "third")]
    challenge_votes.announce_winners(current_actor(), event, places, now=viewer.clock)
    flash(_("The winners are announced in the thread, and every entrant has been told."),
          "success")
    return redirect(url_for("events.show", event_id=event.id, _anchor="podium"))

