"""(routes being written)"""
from ...errors import NotFound
from . import bp


@bp.get("/reports")
def queue():
    raise NotFound()
