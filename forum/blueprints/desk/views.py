"""The desk's pages: the list with its filters, one item with its reply box, the hand actions.
Each view parses the request and calls one service; the services judge."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...common import timefmt
from ...errors import Refused, bad_request
from ...extensions import db
from ...models import PendingPost, User
from ...policy import policy
from ...services.desk import actions, listing
from ...services.desk.kinds import KINDS
from ...services.moderation import modnotes
from ...stores import settings
from ...web import current_actor
from ..args import id_arg, parse_id
from . import bp
from .forms import SNOOZE_LENGTHS, AssignForm, DeskReplyForm, ItemForm, SnoozeForm


def _filters() -> listing.Filters:
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise bad_request(_("There is no such kind of desk item."))
    assignee = (request.args.get("assignee") or "").strip() or None
    if assignee is not None and assignee != "none":
        assignee = str(parse_id(assignee, _("the team member")))
    view = request.args.get("view") or None
    if view not in (None, "mine"):
        raise bad_request(_("There is no such view of the desk."))
    return listing.Filters(kind=kind, board_id=id_arg("board", _("the board")),
                           assignee=assignee, mine=view == "mine")


@bp.get("/")
def index():
    viewer = policy()
    desk = listing.desk(viewer, _filters())
    return render_template("desk/index.html", desk=desk, kinds=KINDS,
                           viewer_id=viewer.user.id)


def _item(kind: str, subject_id: int) -> listing.Item:
    return listing.get_item(policy(), kind, subject_id)


def _welcome_text(item: listing.Item) -> str:
    text = settings.get("desk_welcome_text") or _(
        "Welcome to the forum, {username}! Thanks for your first post. If you have any "
        "questions, just ask here.")
    return modnotes.fill(text, item.found.member_name or "", item.found.title)


def _render_item(item: listing.Item, reply_form: DeskReplyForm | None = None,
                 error: str | None = None, status: int = 200):
    viewer = policy()
    canned = modnotes.canned_responses(viewer)
    if reply_form is None:
        reply_form = DeskReplyForm(formdata=None, version=str(item.version))
        chosen = request.args.get("canned")
        if chosen:
            response = modnotes.get_canned(viewer, parse_id(chosen, _("the canned response")))
            reply_form.body.data = modnotes.fill(response.body, item.found.member_name or "",
                                                 item.found.title)
        elif request.args.get("welcome") and item.kind.welcome:
            reply_form.body.data = _welcome_text(item)
    assign_form = AssignForm(formdata=None, version=str(item.version),
                             assignee=str(item.state.assignee_id or "") if item.state else "")
    assign_form.assignee.choices = [("", _("Nobody"))] + [
        (str(user.id), user.name) for user in listing.board_team(item.board)]
    return render_template(
        "desk/item.html", item=item, canned=canned, reply_form=reply_form,
        assign_form=assign_form,
        snooze_form=SnoozeForm(formdata=None, version=str(item.version)),
        version_form=ItemForm(formdata=None, version=str(item.version)),
        looking=item.looking(viewer.user.id), error=error, now=viewer.clock,
        post=listing.context_post(item),
    ), status


@bp.get("/<kind>/<int:subject_id>")
def item(kind: str, subject_id: int):
    found = _item(kind, subject_id)
    policy_ok = policy().can_handle_desk_item(found.board)
    if not policy_ok:
        raise Refused(policy_ok)
    page = _render_item(found)
    # Shown to the rest of the team as "looking at it" (after the page, which shows who
    # else is).
    actions.look(current_actor(), found)
    return page


def _seen(form: ItemForm) -> int:
    if not form.validate_on_submit():
        raise bad_request(_("This form was incomplete. Please reload the page and try again."))
    return int(form.version.data)


def _back(item: listing.Item, message: str):
    flash(message, "success")
    return redirect(url_for(".index"))


def _acted(item: listing.Item, refused: Refused):
    """A conflict or a refusal the page can show beside the item."""
    if refused.login_required or refused.status in (403, 404):
        raise refused
    db.session.rollback()
    fresh = _item(*item.key)
    return _render_item(fresh, error=refused.reason, status=refused.status)


@bp.post("/<kind>/<int:subject_id>/done")
def done(kind: str, subject_id: int):
    found = _item(kind, subject_id)
    try:
        actions.mark_done(current_actor(), found, _seen(ItemForm()))
    except Refused as refused:
        return _acted(found, refused)
    return _back(found, _("The item is done."))


@bp.post("/<kind>/<int:subject_id>/reopen")
def reopen(kind: str, subject_id: int):
    found = _item(kind, subject_id)
    try:
        actions.reopen(current_actor(), found, _seen(ItemForm()))
    except Refused as refused:
        return _acted(found, refused)
    flash(_("The item is back on the desk."), "success")
    return redirect(url_for(".item", kind=kind, subject_id=subject_id))


@bp.post("/<kind>/<int:subject_id>/snooze")
def snooze(kind: str, subject_id: int):
    found = _item(kind, subject_id)
    form = SnoozeForm()
    seen = _seen(form)
    try:
        if (form.until.data or "").strip():
            try:
                until = timefmt.parse_local(form.until.data, current_actor().timezone)
            except ValueError as error:
                raise Refused(str(error), status=400) from None
        elif form.length.data in SNOOZE_LENGTHS:
            until = policy().clock + SNOOZE_LENGTHS[form.length.data][1]
        else:
            raise Refused(_("Choose how long to snooze the item."), status=400)
        actions.snooze(current_actor(), found, seen, until)
    except Refused as refused:
        return _acted(found, refused)
    return _back(found, _("The item is snoozed."))


@bp.post("/<kind>/<int:subject_id>/assign")
def assign(kind: str, subject_id: int):
    found = _item(kind, subject_id)
    form = AssignForm()
    seen = _seen(form)
    raw = (form.assignee.data or "").strip()
    assignee = None
    if raw:
        assignee = db.session.get(User, parse_id(raw, _("the team member")))
        if assignee is None or assignee.deleted_at is not None:
            raise bad_request(_("There is no such team member."))
    try:
        actions.assign(current_actor(), found, seen, assignee)
    except Refused as refused:
        return _acted(found, refused)
    if assignee is None:
        flash(_("Nobody has the item now."), "success")
    else:
        flash(_("The item is %(name)s's now; they have been told.", name=assignee.name),
              "success")
    return redirect(url_for(".item", kind=kind, subject_id=subject_id))


@bp.post("/<kind>/<int:subject_id>/reply")
def reply(kind: str, subject_id: int):
    found = _item(kind, subject_id)
    form = DeskReplyForm()
    if not form.validate_on_submit():
        return _render_item(found, reply_form=form, status=400)
    try:
        post = actions.reply(current_actor(), found, int(form.version.data), form.body.data)
    except Refused as refused:
        if refused.login_required or refused.status in (403, 404):
            raise
        db.session.rollback()
        fresh = _item(*found.key)
        form.version.data = str(fresh.version)
        if refused.status != 409:
            form.body.errors = [*form.body.errors, refused.reason]
            return _render_item(fresh, reply_form=form, status=refused.status)
        return _render_item(fresh, reply_form=form, error=refused.reason, status=409)
    if isinstance(post, PendingPost):
        flash(_("Your reply waits for approval; the item stays on the desk."), "info")
    else:
        flash(_("Your reply is posted and the item is done."), "success")
    return redirect(url_for(".index"))
