"""Event pages: each view reads the request, calls one service, renders or redirects."""
from __future__ import annotations

import hashlib

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...common import timefmt
from ...errors import Refused, bad_request, require
from ...models import RsvpStatus
from ...policy import policy
from ...services.community import (
    event_calendar,
    event_formats,
    event_listing,
    event_rsvp,
    events,
)
from ...stores import settings
from ...web import current_actor, viewer_tz
from ..args import parse_id
from ..form_errors import attach
from . import bp
from .forms import CancelForm, EventForm, RsvpForm

ANSWERED = {
    RsvpStatus.GOING: _l("You're going. See you there!"),
    RsvpStatus.MAYBE: _l("Noted: you might come."),
    RsvpStatus.DECLINED: _l("Noted: you can't make it."),
    RsvpStatus.WAITLISTED: _l("The event is full, so you're on the waitlist. We'll tell you if "
                              "a place opens up."),
}



def _form_refusal(form, refused: Refused) -> None:
    """A 400 from the service goes next to the field it names; anything else is a page."""
    if refused.status != 400:
        raise refused
    attach(form, getattr(refused, "field", None), refused.reason)


@bp.app_template_filter("in_zone")
def in_zone(value, tz_name: str):
    """A stored time on the wall clock of ``tz_name``."""
    return timefmt.local(value, tz_name)


@bp.app_template_global()
def event_card_key(event, now) -> tuple:
    """Every value an event card shows (``forum.fragments`` keeps the card under it)."""
    return (
        event.id, event.kind, event.kind_label, event.title, event.starts_at, event.ends_at,
        event.is_cancelled, event.has_started(now) and not event.is_over(now),
        event.location, bool(event.online_url), event.going_count, event.maybe_count,
        event.capacity, event.waitlist_count, event.board.title,
    )


# -- reading ------------------------------------------------------------------------------------
@bp.get("/events")
def index():
    viewer = policy()
    now, tz = viewer.clock, viewer_tz()
    try:
        first = event_listing.parse_month(request.args.get("month"),
                                          timefmt.local(now, tz).date())
    except ValueError as error:
        raise bad_request(str(error)) from None
    return render_template(
        "events/index.html",
        upcoming=event_listing.upcoming(viewer, now),
        past=event_listing.past(viewer, now),
        month=event_listing.month_view(viewer, first, tz, now),
        may_create=event_listing.may_create_events(viewer),
        viewer_tz=tz,
        now=now,
    )


@bp.get("/events/<int:event_id>")
def show(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    return render_template(
        "events/show.html",
        event=event,
        board=event.board,
        people=event_listing.attendees(event, viewer),
        formats=event_formats.panel(event),
        rsvp=viewer.can_rsvp(event),
        form=RsvpForm(),
        viewer_tz=viewer_tz(),
        now=viewer.clock,
    )


def _calendar_response(data: bytes, filename: str) -> Response:
    response = Response(data, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _host() -> str:
    """The right-hand side of calendar UIDs. It must not follow the Host header: a site reached
    under two names would otherwise give each event two UIDs, and calendars would show it
    twice. The configured server name, else a name derived from the site's secret key."""
    configured = current_app.config.get("SERVER_NAME")
    if configured:
        return configured.split(":")[0]
    secret = str(current_app.config.get("SECRET_KEY") or "").encode()
    return f"{hashlib.sha256(b'calendar:' + secret).hexdigest()[:12]}.agora"


@bp.get("/events/<int:event_id>.ics")
def event_ics(event_id: int):
    event = event_listing.get_event(policy(), event_id)
    data = event_calendar.calendar_bytes([event], request.url_root.rstrip("/"), _host(),
                                         event.title)
    return _calendar_response(data, f"event-{event.id}.ics")


@bp.get("/events.ics")
def feed():
    now = policy().clock
    data = event_calendar.calendar_bytes(
        event_listing.public_upcoming(now), request.url_root.rstrip("/"), _host(),
        _("%(forum)s events", forum=settings.get("forum_name")), now=now,
    )
    return _calendar_response(data, "events.ics")


# -- writing ------------------------------------------------------------------------------------
@bp.route("/events/new", methods=["GET", "POST"])
def new():
    viewer = policy()
    boards = event_listing.boards_for_new_event(viewer)
    form = EventForm(boards=boards)
    if request.method == "GET":
        form.timezone.data = viewer_tz()
        preset = request.args.get("board")
        if preset:
            form.board.data = preset
    elif form.validate_on_submit():
        board_id = parse_id(form.board.data, "the board")
        try:
            board = events.board_for_new_event(board_id)
            event = events.create_event(current_actor(), board, form.to_data())
        except Refused as refused:
            _form_refusal(form, refused)
        else:
            flash(_("Your event is up, with a thread for its discussion."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("events/form.html", form=form, event=None), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_edit_event(event))
    form = EventForm.for_event(event) if request.method == "GET" else EventForm()
    if form.validate_on_submit():
        try:
            events.edit_event(current_actor(), event, form.to_data())
        except Refused as refused:
            _form_refusal(form, refused)
        else:
            flash(_("The event is updated."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("events/form.html", form=form, event=event, board=event.board), status


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    require(viewer.can_edit_event(event))
    form = CancelForm()
    if form.validate_on_submit():
        try:
            events.cancel_event(current_actor(), event, form.reason.data)
        except Refused as refused:
            _form_refusal(form, refused)
        else:
            flash(_("The event is cancelled; everyone who answered has been told."), "success")
            return redirect(url_for("events.show", event_id=event.id))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("events/cancel.html", form=form, event=event,
                           board=event.board), status


@bp.post("/events/<int:event_id>/rsvp")
def answer(event_id: int):
    event = event_listing.get_event(policy(), event_id)
    form = RsvpForm()
    if not form.validate_on_submit():
        raise bad_request(_("This form was out of date; please try again."))
    status = event_rsvp.answer_event(current_actor(), event, request.form.get("answer", ""))
    flash(str(ANSWERED[RsvpStatus(status)]), "success")
    return redirect(url_for("events.show", event_id=event.id, _anchor="rsvp"))
