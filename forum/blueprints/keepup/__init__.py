"""Keeping up: watch levels, unread lists and marking read, reactions, bookmarks."""
from flask import Blueprint, current_app
from markupsafe import Markup

from ... import fragments

bp = Blueprint("keepup", __name__)

from . import bookmark_views, reaction_views, views  # noqa: E402,F401  (they register on bp)


def watch_level_form(action: str, current: str, label_id: str) -> Markup:
    """The watch level form of a board or thread page, rendered once per address, level and
    language, and completed with the viewer's token."""
    macro = current_app.jinja_env.get_template("keepup/_level_form.html").module.level_form
    return fragments.with_token(fragments.kept("watch-level", (action, current, label_id), macro,
                                               action, current, label_id, fragments.TOKEN))


def _globals(state) -> None:
    from ...models import REACTIONS, WATCH_LEVEL_LABELS

    state.app.jinja_env.globals.update(watch_levels=list(WATCH_LEVEL_LABELS.items()),
                                       reactions_set=REACTIONS, watch_level_form=watch_level_form)


bp.record_once(_globals)
