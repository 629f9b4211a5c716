"""Links that arrive by mail and need no login: one-click unsubscribe (RFC 8058). A mail
program POSTs to the link by itself ("List-Unsubscribe=One-Click") without any form of ours,
so the route takes POST without a CSRF token; what the link can do is only what it names."""
from __future__ import annotations

from flask import Blueprint, render_template, request

from ..extensions import csrf
from ..services.mail import unsubscribe as unsubscribing

bp = Blueprint("mail", __name__)

_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str):
    if request.method == "POST":
        found = unsubscribing.unsubscribe(token)
    else:
        found = unsubscribing.find(token)
    return render_template("site/unsubscribe.html", found=found,
                           confirming=request.method == "GET"), 200, _PRIVATE
