"""A member's "always review" switch: while it is on, every post they write waits for a
moderator's approval (``services.content.approvals``)."""
from __future__ import annotations

from datetime import datetime

from ...database import commit
from ...errors import require
from ...models import User, utcnow
from ...policy import Policy
from .. import audit


def set_always_review(actor: User, user: User, on: bool,
                      now: datetime | None = None) -> User:
    """Switch it, logged as ``user.review``; switching to what it is already records nothing.

    Refuses: anyone who may not act on the member (the rank rules of ``can_act_on_user``).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_act_on_user(user))
    if bool(user.always_review) == on:
        return user
    audit.record(actor, "user.review", user, before={"always_review": not on},
                 after={"always_review": on}, now=now)
    user.always_review = on
    commit()
    return user
