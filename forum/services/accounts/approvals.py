"""New accounts waiting for an administrator ("new accounts need approval"): the list, and
approving or rejecting them, one at a time or many at once.

Approving admits the account and tells the member with a notification. Rejecting keeps the
account, marked rejected, without logging in: its name and email stay taken (a program that
was turned away can't sign up again at once under the same ones), and when the applicant
tries to log in they read why. The address the application came from is forgotten either
way once it is decided. Every decision is logged.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ...database import commit
from ...errors import Conflict, NotFound, require
from ...extensions import db
from ...models import NotificationKind, User, utcnow
from ...policy import Policy
from .. import audit, notifications
from ..text import checked

WAITING = "waiting"
REJECTED = "rejected"
REASON_MAX = 1000
LISTED_MAX = 200  # the page lists the oldest this many; the count says how many wait


def waiting_count() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.approval_state == WAITING)) or 0


def waiting(viewer: Policy) -> list[User]:
    """The accounts waiting, oldest first (at most ``LISTED_MAX``).

    Refuses: anyone but administrators."""
    require(viewer.can_manage_approvals())
    return list(db.session.scalars(
        select(User).where(User.approval_state == WAITING)
        .order_by(User.created_at, User.id).limit(LISTED_MAX)))


def accounts(ids: Iterable[int]) -> list[User]:
    """The accounts with these ids, in id order, whatever their state (unknown ids left
    out): ``approve`` then decides about those still waiting."""
    return list(db.session.scalars(select(User).where(User.id.in_(list(ids))).order_by(User.id)))


def get_waiting(user_id: int) -> User:
    """Refuses: ``NotFound`` for an account that doesn't exist or isn't waiting (any more)."""
    user = db.session.get(User, user_id)
    if user is None or user.approval_state != WAITING:
        raise NotFound(_("That account isn't waiting for approval (any more)."))
    return user


def _decide(ids: list[int], state: str | None, reason: str | None) -> list[int]:
    """Move the accounts still waiting among ``ids`` to ``state``, in one statement that
    only touches those still waiting: of two administrators deciding at once, one does."""
    if not ids:
        return []
    rows = db.session.execute(
        update(User).where(User.id.in_(ids), User.approval_state == WAITING)
        .values(approval_state=state, approval_address=None, approval_reason=reason)
        .returning(User.id)
        .execution_options(synchronize_session=False)
    )
    return [row[0] for row in rows]


def approve(actor: User, users: Iterable[User], now: datetime | None = None) -> list[User]:
    """Admit the waiting accounts among ``users``, logging each (``user.approve``) and telling
    each with a notification. Accounts someone decided meanwhile are left as they are; the
    approved ones are returned.

    Refuses: anyone but administrators (403); ``Conflict`` (409) when none of them is
    waiting any more."""
    require(Policy(actor, now).can_manage_approvals())
    now = now or utcnow()
    users = list(users)
    decided = set(_decide([user.id for user in users], None, None))
    if users and not decided:
        db.session.rollback()
        raise Conflict(_("Another administrator decided about this already."))
    approved = []
    for user in users:
        if user.id not in decided:
            continue
        db.session.refresh(user)
        audit.record(actor, "user.approve", user, before={"approval": WAITING},
                     after={"approval": "approved"}, now=now)
        notifications.notify(user, NotificationKind.ACCOUNT, "account.approved", {}, "/",
                             actor=actor, now=now)
        approved.append(user)
    commit()
    return approved


def reject(actor: User, user: User, reason: str, now: datetime | None = None) -> None:
    """Reject a waiting account with a reason the applicant reads when they try to log in
    (``user.reject``).

    Refuses: anyone but administrators (403); a missing or overlong reason (400);
    ``Conflict`` (409) when someone decided about it meanwhile."""
    require(Policy(actor, now).can_manage_approvals())
    now = now or utcnow()
    reason = checked(reason, REASON_MAX,
                     missing=_("Please give a reason: the applicant reads it."),
                     too_long=_("Please keep the reason under %(num)d characters.",
                                num=REASON_MAX))
    if not _decide([user.id], REJECTED, reason):
        db.session.rollback()
        raise Conflict(_("Another administrator decided about this already."))
    db.session.refresh(user)
    audit.record(actor, "user.reject", user, reason, before={"approval": WAITING},
                 after={"approval": REJECTED}, now=now)
    commit()

