"""Removing a spammer in one step, from a member's record or a report, and undoing it."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from ...common.validators import DataRequired
from ...errors import Refused, require
from ...models import ReportItem, User
from ...policy import policy
from ...services.accounts import profiles
from ...services.moderation import report_queue, spammers
from ...web import current_actor
from . import bp


class RemoveSpammerForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Please give a reason.")),
                        Length(max=spammers.REASON_MAX)],
    )


class UndoForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"), validators=[DataRequired(message=_l("Please give a reason.")),
                        Length(max=spammers.REASON_MAX)],
    )


def _confirm(user: User, form: RemoveSpammerForm, action: str, item: ReportItem | None = None,
             *, error: str | None = None, status: int = 200):
    try:
        plan = spammers.preview(policy(), user)
    except Refused as refused:
        if refused.status != 409:
            raise
        plan, error, status = None, refused.reason, refused.status
    return render_template("moderation/remove_spammer.html", user=user, plan=plan, form=form,
                           action=action, item=item, error=error), status


def _remove(user: User, action: str, item: ReportItem | None = None):
    require(policy().can_remove_spammer(user))
    form = RemoveSpammerForm()
    if not form.validate_on_submit():
        return _confirm(user, form, action, item, status=400)
    try:
        removal = spammers.remove(current_actor(), user, form.reason.data, item=item)
    except Refused as refused:
        if refused.login_required or refused.status not in (400, 409):
            raise
        return _confirm(user, form, action, item, error=refused.reason, status=refused.status)
    flash(_("%(name)s was removed as a spammer: %(posts)s, %(threads)s hidden from everyone, "
            "and the account is banned.", name=user.name,
            posts=_posts(removal.posts), threads=_threads(removal.threads)), "success")
    return redirect(url_for(".member", username=user.username, _anchor="spam"))


def _posts(count: int) -> str:
    return ngettext("%(num)d post", "%(num)d posts", count)


def _threads(count: int) -> str:
    return ngettext("%(num)d thread", "%(num)d threads", count)


def _subject(item_id: int) -> tuple[ReportItem, User]:
    item = report_queue.get_item(policy(), item_id)
    if item.subject is None:
        raise Refused(_("This report is about nobody who could be removed."), status=404)
    require(policy().can_remove_spammer(item.subject))
    return item, item.subject


@bp.route("/members/<username>/remove-spammer", methods=["GET", "POST"])
def remove_spammer(username: str):
    require(policy().can_view_member_notes())
    user = profiles.find_member(username)
    action = url_for(".remove_spammer", username=user.username)
    if not FlaskForm().is_submitted():
        require(policy().can_remove_spammer(user))
        return _confirm(user, RemoveSpammerForm(formdata=None), action)
    return _remove(user, action)


@bp.route("/reports/<int:item_id>/remove-spammer", methods=["GET", "POST"])
def remove_spammer_item(item_id: int):
    item, user = _subject(item_id)
    action = url_for(".remove_spammer_item", item_id=item.id)
    if not FlaskForm().is_submitted():
        return _confirm(user, RemoveSpammerForm(formdata=None), action, item)
    return _remove(user, action, item)


@bp.post("/spam-removals/<int:removal_id>/undo")
def undo_spam_removal(removal_id: int):
    require(policy().can_undo_spam_removal())
    removal = spammers.get_removal(removal_id)
    form = UndoForm()
    if not form.validate_on_submit():
        raise Refused(_("Please give a reason for undoing the removal."), status=400)
    # Too late, or undone a moment ago by someone else: the refusal page says which.
    spammers.undo(current_actor(), removal, form.reason.data)
    flash(_("The removal of %(name)s was undone: their posts are back and the ban is lifted.",
            name=removal.user.name), "success")
    return redirect(url_for(".member", username=removal.user.username, _anchor="spam"))
