"""Keeping up: watch levels, unread lists and marking read, reactions, bookmarks."""
from flask import Blueprint

bp = Blueprint("keepup", __name__)

from . import bookmark_views, reaction_views, views  # noqa: E402,F401  (they register on bp)


def _globals(state) -> None:
    from ...models import REACTIONS, WATCH_LEVEL_LABELS

    state.app.jinja_env.globals.update(watch_levels=list(WATCH_LEVEL_LABELS.items()),
                                       reactions_set=REACTIONS)


bp.record_once(_globals)
