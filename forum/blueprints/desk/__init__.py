"""The community manager's desk under /desk: what waits for the team's answer, one item at a
time with its reply box, and the hand actions on it."""
from flask import Blueprint

from ..two_step_gate import require_two_step

bp = Blueprint("desk", __name__, url_prefix="/desk")
# The desk is part of the team's tools: the same two-step rule as /mod.
bp.before_request(require_two_step)

from . import views  # noqa: E402,F401  (registers the routes on bp)
