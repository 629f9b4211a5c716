"""The administrator panel under /admin: roles, canned responses, site settings, the forum's
structure, the rules and privacy notice, invitations, members' accounts, groups."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import (  # noqa: E402,F401  (registers the routes on bp)
    accounts,
    announcements,
    bans,
    canned,
    documents,
    groups,
    home,
    invitations,
    settings,
    structure,
    users,
)
