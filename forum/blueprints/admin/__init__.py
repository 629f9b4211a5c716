"""The administrator panel under /admin: roles, canned responses, site settings, the forum's
structure."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import announcements, canned, groups, home, settings, structure, users  # noqa: E402,F401  (registers the routes on bp)
