"""The notification centre behind the header's bell: the list, marking read, following links."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import Field
from wtforms.validators import ValidationError

from ..errors import bad_request
from ..services import notifications
from ..web import current_actor
from .args import ID_DIGITS_MAX, ID_MAX, local_path, page_arg

bp = Blueprint("notifications", __name__)

# A page shows 30; a request naming far more than that was not made by the page.
IDS_MAX = 100


class IdListField(Field):
    """Repeated ``ids`` values, each a notification id."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = []
        for raw in valuelist:
            raw = raw.strip()
            if not (raw.isascii() and raw.isdigit()) or len(raw) > ID_DIGITS_MAX:
                raise ValueError(_("Notifications are chosen by number."))
            if int(raw) <= ID_MAX:
                # A larger one names no notification, like someone else's: left out.
                self.data.append(int(raw))


class MarkReadForm(FlaskForm):
    ids = IdListField()

    def validate_ids(self, field: IdListField) -> None:
        if not field.raw_data:
            raise ValidationError(_("Choose a notification to mark as read."))
        if len(field.raw_data) > IDS_MAX:
            raise ValidationError(_("Mark at most %(num)d notifications at a time.",
                                    num=IDS_MAX))


def _per_page() -> int:
    return current_app.config.get("NOTIFICATIONS_PER_PAGE", 30)


def _back(page: int):
    return redirect(url_for(".index", page=page if page > 1 else None))


@bp.get("/notifications")
@login_required
def index():
    listing = notifications.list_for(current_actor(), page_arg(), _per_page())
    return render_template("notifications/index.html", listing=listing)


@bp.post("/notifications/read")
@login_required
def read():
    page = page_arg()
    form = MarkReadForm()
    if not form.validate_on_submit():
        raise bad_request(" ".join(str(error) for error in form.ids.errors)
                          or _("Please reload the page and try again."))
    if notifications.mark_read(current_actor(), form.ids.data):
        flash(_("Marked as read."), "success")
    return _back(page)


@bp.post("/notifications/read-all")
@login_required
def read_all():
    # Nothing to read from the form: the CSRF token is checked for every POST before the view.
    changed = notifications.mark_all_read(current_actor())
    flash(ngettext("Marked %(num)d notification as read.",
                   "Marked %(num)d notifications as read.", changed)
          if changed else _("You were already up to date."), "success")
    return _back(page_arg())


@bp.get("/notifications/<int:notification_id>")
@login_required
def follow(notification_id: int):
    link = local_path(notifications.open_notification(current_actor(), notification_id))
    return redirect(link or url_for(".index"))
