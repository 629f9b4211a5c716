"""A member's notification mail choices: which topics come by email at once, in the digest or
only on the site, and when the digest comes."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from ...models import utcnow
from ...services.notification_mail import preferences, schedule, topics
from ...stores import settings
from ...web import current_actor
from . import bp
from .mail_forms import DELIVERIES, build


@bp.route("/account/mail", methods=["GET", "POST"])
@login_required
def mail_choices():
    user = current_actor()
    offered = topics.offered()
    form = build(offered, preferences.current(user), settings.get("digest_hour"))
    if form.validate_on_submit():
        preferences.save(user, form.chosen(offered))
        flash(_("Your email choices are saved."), "success")
        return redirect(url_for(".mail_choices"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/mail_choices.html", form=form, topics=offered,
                           deliveries=DELIVERIES, user=user,
                           next_digest=schedule.first_due(user, utcnow())), status
