"""The administrator panel under /admin: roles, canned responses, site settings, the forum's
structure, the rules and privacy notice, invitations, members' accounts, groups."""
from flask import Blueprint

from ..two_step_gate import require_two_step

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The team may be required to use two-step login before using the panel.
bp.before_request(require_two_step)

from . import (  # noqa: E402,F401  (registers the routes on bp)
    accounts,
    announcements,
    approvals,
    bans,
    canned,
    documents,
    groups,
    home,
    invitations,
    outbox,
    settings,
    structure,
    two_factor,
    users,
    webhooks,
    words,
)
