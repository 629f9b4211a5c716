"""The moderator panel under /mod: the report queue, the moderation log, members' records,
thread and post tools, appeals."""
from flask import Blueprint

from ..two_step_gate import require_two_step

bp = Blueprint("moderation", __name__, url_prefix="/mod")
# The team may be required to use two-step login before using the panel.
bp.before_request(require_two_step)

from . import (  # noqa: E402,F401  (registers the routes on bp)
    announcements,
    appeals,
    approvals,
    conversations,
    log,
    members,
    posts,
    queue,
    queue_actions,
    spammers,
    threads,
)
