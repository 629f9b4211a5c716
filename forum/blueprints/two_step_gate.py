"""When the setting says so, the moderation team sets up two-step login before using /mod or
/admin: a member of the team without it is sent to set it up."""
from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..services.accounts import two_factor
from ..web import current_actor


def require_two_step():
    """A ``before_request`` of the panels. Guests and members pass on to the panels' own
    refusals; the setting is read first, so with it off this costs no query."""
    if not current_user.is_authenticated:
        return None
    if not two_factor.setup_required(current_actor()):
        return None
    flash(_("The moderation team needs two-step login. Please set it up to continue."),
          "warning")
    return redirect(url_for("auth.two_factor_page"))
