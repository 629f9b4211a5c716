"""(routes being written)"""
from flask import Blueprint

bp = Blueprint("notifications", __name__)


@bp.get("/notifications")
def index():
    from ..errors import NotFound
    raise NotFound()
