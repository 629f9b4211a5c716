"""Private conversations (``/messages``) and blocking members (``/account/blocked``)."""
from flask import Blueprint

bp = Blueprint("messages", __name__)

from . import blocking, views  # noqa: E402,F401  (routes register on import)
