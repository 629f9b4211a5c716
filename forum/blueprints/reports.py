"""Members tell the moderators about a post, a thread, a member or a private message."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length

from ..common import markup
from ..common.numfmt import lazy_number
from ..errors import require, wants_json
from ..models import Message, Post, ReportReason, Thread, User
from ..policy import policy
from ..services.moderation import reports
from ..services.moderation.reports import NOTE_MAX
from ..services.text import multiline
from ..web import current_actor

bp = Blueprint("reports", __name__)

NOTE_HELP = _l("Optional, at most %(num)s characters. Only the moderation team sees it; a link "
               "or a few words of context help them most.", num=lazy_number(NOTE_MAX))


class ReportForm(FlaskForm):
    reason = RadioField(
        _l("Why are you reporting it?"),
        choices=[SelectChoice(reason.value, reason.label) for reason in ReportReason],
        # The service has the last word; here the message can sit next to the choices.
        validate_choice=False,
        validators=[
            InputRequired(_l("Please choose the reason that fits best.")),
            AnyOf([reason.value for reason in ReportReason],
                  message=_l("Please choose a reason from the list.")),
        ],
    )
    note = TextAreaField(
        _l("Anything the moderators should know?"),
        filters=[multiline],
        validators=[Length(max=NOTE_MAX,
                           message=_l("The note can be at most %(num)s characters.",
                                      num=lazy_number(NOTE_MAX)))],
        render_kw={"maxlength": NOTE_MAX, "rows": 5},
    )


def _target_url(target: Post | Thread | User | Message) -> str:
    if isinstance(target, Post):
        return url_for("boards.post", post_id=target.id)
    if isinstance(target, Message):
        return url_for("messages.show", conversation_id=target.conversation_id) + \
            f"#m{target.id}"
    if isinstance(target, Thread):
        return target.url
    return url_for("profiles.show", username=target.username)


def _render(template: str, kind: str, target, form: ReportForm, status: int = 200, **extra):
    return render_template(
        template, kind=kind, target=target, form=form, back_url=_target_url(target),
        note_help=NOTE_HELP, excerpt=markup.excerpt, **extra,
    ), status


@bp.route("/report/<kind>/<int:target_id>", methods=["GET", "POST"])
@login_required
def new(kind: str, target_id: int):
    viewer = policy()
    target = reports.get_target(viewer, kind, target_id)
    require(viewer.can_report(target))
    form = ReportForm()
    if not form.validate_on_submit():
        return _render("reports/new.html", kind, target, form, 400 if form.errors else 200)
    try:
        reports.file_report(current_actor(), target, form.reason.data,
                            form.note.data)
    except reports.AlreadyReported as already:
        if wants_json():
            raise
        # Not a failure for the member: their first report stands, so say so gently.
        return _render("reports/already.html", kind, target, form, already.status,
                       message=already.reason)
    flash(_("Thank you for letting us know. A moderator will take a look."), "success")
    return redirect(_target_url(target))
