"""The moderator panel under /mod: the report queue, the moderation log, members' records,
thread and post tools."""
from flask import Blueprint

bp = Blueprint("moderation", __name__, url_prefix="/mod")

from . import announcements, log, members, posts, queue, spammers, threads  # noqa: E402,F401  (registers the routes on bp)
