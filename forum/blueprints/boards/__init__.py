"""The forum itself on the web: board index, boards, threads and posts."""
from flask import Blueprint

bp = Blueprint("boards", __name__)

from . import post_list, rows, views  # noqa: E402,F401  (they register on bp)

bp.record_once(lambda state: post_list.init_app(state.app))
