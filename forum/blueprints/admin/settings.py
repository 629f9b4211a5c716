"""Site settings: a form drawn from the declared settings, so a new one appears by itself."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import Refused, require
from ...policy import policy
from ...services.site import settings as site_settings
from ...stores import settings as stored_settings
from ...web import current_actor
from . import bp
from .forms import settings_form


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    require(policy().can_manage_settings())
    form = settings_form(stored_settings.all_settings())
    if request.method == "GET":
        return render_template("admin/settings.html", form=form, tab="settings")
    if not form.validate_on_submit():
        return render_template("admin/settings.html", form=form, tab="settings"), 400
    try:
        changed = site_settings.update(current_actor(), form.changes())
    except Refused as error:
        if error.status != 400:
            raise
        form.form_errors.append(error.reason)
        return render_template("admin/settings.html", form=form, tab="settings"), 400
    if changed:
        names = ", ".join(form[name].label.text for name in changed)
        flash(_("Saved: %(names)s.", names=names), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for(".settings"))
