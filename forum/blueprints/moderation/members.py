"""A member's moderation record: who they are, their sanctions, the reports about them and the
team's private notes, with the forms to sanction them directly, lift a sanction early and add
a note."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...models import SanctionKind, User, utcnow
from ...policy import policy
from ...services.accounts import addresses, profiles
from ...services.moderation import (
    member_review,
    modnotes,
    report_queue,
    sanctions,
    spammers,
    warning_points,
)
from ...stores import settings
from ...web import current_actor
from ..args import id_arg
from . import bp
from . import spammers as spammer_views
from .member_forms import LiftForm, NoteForm, ReviewForm, SanctionForm

# The record lists the latest reports; older ones stay reachable from the queue's filters.
ITEMS_SHOWN = 50


def _issued(kind: SanctionKind, name: str) -> str:
    """What the moderator is told once a sanction is issued, in their language."""
    if kind == SanctionKind.WARNING:
        return _("%(name)s has been warned.", name=name)
    if kind == SanctionKind.TIMEOUT:
        return _("%(name)s is timed out.", name=name)
    if kind == SanctionKind.SUSPENSION:
        return _("%(name)s is suspended.", name=name)
    return _("%(name)s is banned.", name=name)


def _lifted(kind: SanctionKind, name: str) -> str:
    """What the moderator is told once a sanction is lifted early."""
    if kind == SanctionKind.TIMEOUT:
        return _("The timeout of %(name)s was lifted.", name=name)
    if kind == SanctionKind.SUSPENSION:
        return _("The suspension of %(name)s was lifted.", name=name)
    if kind == SanctionKind.BAN:
        return _("The ban of %(name)s was lifted.", name=name)
    return _("The warning of %(name)s was lifted.", name=name)


def _member(username: str) -> User:
    """The member a record page is about, once the viewer is known to be on the team: guests
    are sent to log in and members refused before anyone learns whether a name exists. Then
    the record's scope (``Policy.can_view_member_record``): a board moderator is refused the
    record of a member who never posted in their boards, a moderator an administrator's."""
    require(policy().can_view_member_notes())
    user = profiles.find_member(username)
    require(policy().can_view_member_record(user))
    return user


def _render(user: User, *, sanction_form: SanctionForm | None = None,
            note_form: NoteForm | None = None, lift_form: LiftForm | None = None,
            lift_id: int | None = None, notice: str | None = None, status: int = 200):
    viewer = policy()
    history = sanctions.history(viewer, user)
    now = utcnow()
    lift_forms = {
        sanction.id: LiftForm(formdata=None, prefix=f"lift-{sanction.id}")
        for sanction in history
        if sanction.kind != SanctionKind.WARNING and sanction.is_active(now)
    }
    if lift_form is not None:
        if lift_id in lift_forms:
            lift_forms[lift_id] = lift_form
        else:
            # No form is shown for a warning or an ended sanction: say what was wrong above.
            notice = notice or " ".join(lift_form.reason.errors)
    act = viewer.can_act_on_user(user)
    if sanction_form is None:
        sanction_form = SanctionForm(formdata=None)
    canned = modnotes.canned_responses(viewer) if act else []
    # Addresses are personal data: looked up only for those who may see them.
    used = addresses.lookup(viewer, user) if viewer.can_view_member_addresses() else None
    return render_template(
        "moderation/member.html",
        user=user,
        history=history,
        in_force=[sanction for sanction in history if sanction.is_active(now)],
        items=report_queue.items_about(viewer, user, ITEMS_SHOWN),
        items_shown=ITEMS_SHOWN,
        notes=modnotes.notes_for(viewer, user),
        points=warning_points.from_history(history, now),
        canned=canned,
        canned_id=request.args.get("canned") if request.method == "GET" else None,
        act=act,
        sanction_form=sanction_form,
        note_form=note_form or NoteForm(formdata=None),
        lift_forms=lift_forms,
        review_form=ReviewForm(formdata=None),
        notice=notice,
        now=now,
        addresses=used,
        address_days=settings.get("member_address_days"),
        removals=spammers.removals_of(user),
        undo_until=spammers.undo_until,
        may_remove=viewer.can_remove_spammer(user),
        undo_form=spammer_views.UndoForm(formdata=None),
    ), status


@bp.get("/members/<username>")
def member(username: str):
    user = _member(username)
    if user.username != username:
        query = request.query_string.decode()
        target = url_for(".member", username=user.username)
        return redirect(f"{target}?{query}" if query else target, 301)
    sanction_form = None
    canned_id = id_arg("canned", _("the canned response"))
    if canned_id is not None:
        response = modnotes.get_canned(policy(), canned_id)
        sanction_form = SanctionForm(formdata=None)
        sanction_form.message.data = modnotes.fill_for(response, user)
    return _render(user, sanction_form=sanction_form)


@bp.post("/members/<username>/sanctions")
def sanction(username: str):
    user = _member(username)
    allowed = policy().can_act_on_user(user)
    if not allowed:
        # Board moderators and rank rules: the record page says why, without the form.
        return _render(user, notice=allowed.reason, status=403)
    form = SanctionForm(timezone=current_actor().timezone)
    if not form.validate_on_submit():
        return _render(user, sanction_form=form, status=400)
    try:
        issue_from_form(form, user)
    except Refused as refused:
        if refused.login_required:
            raise
        # The moderator keeps what they wrote, with the rule that said no above it.
        form.form_errors.append(refused.reason)
        return _render(user, sanction_form=form, status=refused.status)
    return redirect(url_for(".member", username=user.username, _anchor="sanctions"))


def issue_from_form(form: SanctionForm, user: User) -> None:
    """Issue what a validated sanction form asks for, and say so; ``Refused`` when a rule
    says no (the form's page shows it). The member's record and a post's tools share it."""
    kind, reason, message = form.chosen, form.reason.data, form.message.data or None
    if kind == SanctionKind.WARNING:
        sanctions.warn(current_actor(), user, reason, message=message,
                       points=form.warning_points)
    elif kind == SanctionKind.TIMEOUT:
        sanctions.timeout(current_actor(), user, reason, form.length, message=message)
    elif kind == SanctionKind.SUSPENSION:
        sanctions.suspend(current_actor(), user, reason, form.until, message=message)
    else:
        sanctions.ban(current_actor(), user, reason, form.until, message=message)
    flash(_issued(kind, user.name), "success")


@bp.post("/sanctions/<int:sanction_id>/lift")
def lift(sanction_id: int):
    require(policy().can_view_member_notes())
    record = sanctions.get_sanction(sanction_id)
    user = record.user
    require(policy().can_view_member_record(user))
    form = LiftForm(prefix=f"lift-{record.id}")
    if not form.validate_on_submit():
        return _render(user, lift_form=form, lift_id=record.id, status=400)
    try:
        sanctions.lift(current_actor(), record, form.reason.data)
    except Refused as refused:
        if refused.login_required:
            raise
        return _render(user, notice=refused.reason, status=refused.status)
    flash(_lifted(SanctionKind(record.kind), user.name), "success")
    return redirect(url_for(".member", username=user.username, _anchor="sanctions"))


@bp.post("/members/<username>/notes")
def add_note(username: str):
    user = _member(username)
    form = NoteForm()
    if not form.validate_on_submit():
        return _render(user, note_form=form, status=400)
    modnotes.add_note(current_actor(), user, form.body.data)
    flash(_("Your note was added."), "success")
    return redirect(url_for(".member", username=user.username, _anchor="notes"))


@bp.post("/members/<username>/review")
def review(username: str):
    user = _member(username)
    allowed = policy().can_act_on_user(user)
    if not allowed:
        return _render(user, notice=allowed.reason, status=403)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render(user, notice=_("The form expired. Please try again."), status=400)
    on = request.form.get("review") == "on"
    member_review.set_always_review(current_actor(), user, on)
    flash(_("Every post by %(name)s now waits for approval.", name=user.name) if on
          else _("Posts by %(name)s no longer wait for approval.", name=user.name), "success")
    return redirect(url_for(".member", username=user.username))
