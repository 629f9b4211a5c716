"""Polls: voting, who voted for what, adding a poll to a thread and managing one."""
from flask import Blueprint
from flask_babel import format_percent

bp = Blueprint("polls", __name__)


@bp.app_template_filter("percent")
def percent(share: float) -> str:
    """A share (0.42) as the reader's language writes a percentage ("42%", "42 %")."""
    return format_percent(share)


from . import views  # noqa: E402,F401  (they register on bp)
