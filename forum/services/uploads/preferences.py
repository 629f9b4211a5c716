"""A member's choice about images from other sites."""
from __future__ import annotations

from ...database import commit
from ...errors import require
from ...models import User
from ...policy import Policy


def set_remote_images(actor: User, load: bool) -> User:
    """Load images from other sites at once (True) or behind a placeholder (False). Only the
    member's own choice; no sanction stops it."""
    require(Policy(actor).can_edit_profile(actor))
    actor.load_remote_images = bool(load)
    commit()
    return actor
