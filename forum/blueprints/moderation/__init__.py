"""The moderator panel under /mod: the report queue, the moderation log, members' records."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/mod")

from . import announcements, log, members, queue, threads  # noqa: E402,F401  (registers the routes on bp)
