"""(routes being written)"""
from ...errors import NotFound
from . import bp


@bp.get("/")
def home():
    raise NotFound()
