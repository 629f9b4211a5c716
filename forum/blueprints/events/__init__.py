"""Events: the list and month calendar, event pages, answers (RSVP) and calendar files."""
from flask import Blueprint

bp = Blueprint("events", __name__)

from . import views  # noqa: E402,F401  (registers the routes on bp)
