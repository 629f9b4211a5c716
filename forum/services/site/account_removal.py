"""Deleting an account: by an administrator from the panel, or by the member themself with
their password. Either way the account is anonymised (posts stay, shown as "Deleted member")
or anonymised with all its posts soft-deleted, in one transaction with its log entry.

The forum never loses its last administrator who can log in: a deletion that would leave
none is refused (two administrators deleting each other at once take turns).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...database import commit
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import Post, Role, Thread, User, utcnow
from ...policy import Policy
from .. import audit
from ..accounts import anonymise as anonymising
from ..accounts.account import AccountError, password_matches
from ..accounts.last_admin import lock_admins, usable_admin_count
from ..community import event_rsvp
from ..content import purging

KEEP_POSTS = "keep"
DELETE_POSTS = "delete"
POST_CHOICES = (KEEP_POSTS, DELETE_POSTS)
LAST_ADMIN = _l("This is the forum's last administrator who can log in; make someone else an "
              "administrator first.")


@dataclass(frozen=True)
class RemovalPreview:
    """What deleting the account would touch, for the confirmation page."""

    user: User
    posts: int
    threads: int
    last_admin: bool


def _require_present(user: User) -> None:
    if user.is_deleted:
        raise Conflict(_("This account has already been deleted."))


def _is_last_admin(user: User, now: datetime) -> bool:
    return user.is_admin and usable_admin_count(now) <= 1


def preview(user: User, now: datetime | None = None) -> RemovalPreview:
    """How many visible posts and threads the account has, and whether it is the last
    administrator: three queries."""
    now = now or utcnow()
    posts = db.session.scalar(
        select(func.count(Post.id)).where(Post.author_id == user.id, Post.is_deleted.is_(False))
    ) or 0
    threads = db.session.scalar(
        select(func.count(Thread.id))
        .where(Thread.author_id == user.id, Thread.is_deleted.is_(False))
    ) or 0
    return RemovalPreview(user=user, posts=posts, threads=threads,
                          last_admin=_is_last_admin(user, now))


def removal_page(viewer: Policy, user: User, now: datetime | None = None) -> RemovalPreview:
    """The confirmation page of an administrator's deletion.

    Refuses: anyone but administrators, one's own account (403); a deleted account (409).
    """
    require(viewer.can_delete_account(user))
    _require_present(user)
    return preview(user, now)


def _remove(actor: User, user: User, posts: str, action: str, reason: str | None,
            now: datetime) -> purging.Purged:
    if posts not in POST_CHOICES:
        raise Refused(_("Choose whether to keep the posts or delete them."), status=400)
    _require_present(user)
    was_admin = user.is_admin
    if was_admin:
        lock_admins()
    # Claimed by a conditional UPDATE: of two deletions at once, the second finds it done.
    claimed = db.session.execute(
        update(User).where(User.id == user.id, User.deleted_at.is_(None))
        .values(deleted_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Conflict(_("This account has already been deleted."))
    purged = purging.Purged(0, 0)
    if posts == DELETE_POSTS:
        purged = purging.delete_member_posts(actor, user, now)
        db.session.refresh(user)
    event_rsvp.withdraw_member(user, now)
    before = anonymising.anonymise(user, now)
    db.session.flush()
    # Counted after the write, inside it, as when an administrator is demoted.
    if was_admin and usable_admin_count(now) == 0:
        db.session.rollback()
        raise Refused(str(LAST_ADMIN))
    audit.record(actor, action, user, reason, before=before,
                 after={"username": user.username, "role": Role.MEMBER.name.lower(),
                        "posts": "deleted" if posts == DELETE_POSTS else "kept",
                        "posts_deleted": purged.posts, "threads_deleted": purged.threads},
                 now=now)
    commit()
    return purged


def delete_account(actor: User, user: User, posts: str, reason: str | None = None,
                   now: datetime | None = None) -> purging.Purged:
    """An administrator deletes a member's account (``user.delete``, before/after), keeping
    their posts under "Deleted member" (``posts="keep"``) or deleting them (``"delete"``).

    Refuses: anyone but administrators, one's own account (403); an unknown choice (400); an
    account already deleted (409); the last administrator who can log in (403).
    """
    now = now or utcnow()
    require(Policy(actor).can_delete_account(user))
    return _remove(actor, user, posts, "user.delete", reason, now)


def delete_own_account(user: User, password: str, posts: str,
                       now: datetime | None = None) -> purging.Purged:
    """A member deletes their own account after typing their password (``account.delete``).

    Refuses: a wrong password (``AccountError`` on "password"); an unknown choice (400); an
    account already deleted (409); the last administrator who can log in (403).
    """
    now = now or utcnow()
    _require_present(user)
    if not password_matches(user, password):
        raise AccountError("password", _("That password is not correct."))
    return _remove(user, user, posts, "account.delete", None, now)
