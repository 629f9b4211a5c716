"""Removing a spammer in one step, and undoing it within ``spam_undo_days``.

One transaction bans the account, soft-deletes everything they wrote (``content.purging``:
counters in SQL, the search index follows the commit), puts their email address and the
addresses they used on the ban lists, closes the open reports about them, and writes one log
entry with the counts. The ``SpamRemoval`` row goes in first: its unique ``active_key`` is
what lets only one of two moderators pressing the button at once go ahead.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...common.addresses import host_network
from ...common.numfmt import number
from ...database import commit, joined
from ...errors import Conflict, NotFound, Refused, require
from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    BanEntry,
    BanKind,
    ItemStatus,
    MemberAddress,
    Post,
    ReportItem,
    Role,
    Sanction,
    SanctionKind,
    SpamRemoval,
    Thread,
    User,
    utcnow,
)
from ...policy import Policy
from ...stores import settings
from .. import audit, text
from ..accounts import addresses, bans
from ..content import purging, restoring
from . import sanctions, summaries
from .system_reasons import SPAM_REMOVED

REASON_MAX = 500


def _already() -> Conflict:
    return Conflict(_("This member has already been removed as a spammer (perhaps by another "
                      "moderator a moment ago)."))


@dataclass(frozen=True)
class Preview:
    """What removing the member would do, for the confirmation page."""

    posts: int
    threads: int
    reports: int
    email: str
    addresses: list[str]


def _open_items(user: User):
    return and_(ReportItem.subject_id == user.id, ReportItem.status.in_(ACTIVE_STATUSES))


def preview(viewer: Policy, user: User) -> Preview:
    """Refuses: as ``remove`` (403), a member already removed (409)."""
    require(viewer.can_remove_spammer(user))
    if active_removal(user) is not None:
        raise _already()
    posts = db.session.scalar(select(func.count(Post.id)).where(
        Post.author_id == user.id, Post.is_deleted.is_(False))) or 0
    threads = db.session.scalar(
        select(func.count(Thread.id)).join(Post, Post.id == Thread.first_post_id)
        .where(Post.author_id == user.id, Thread.is_deleted.is_(False))) or 0
    reports = db.session.scalar(select(func.count(ReportItem.id)).where(_open_items(user))) or 0
    return Preview(posts, threads, reports, user.email, addresses.used_by(user))


def active_removal(user: User) -> SpamRemoval | None:
    return db.session.scalar(select(SpamRemoval).where(
        SpamRemoval.user_id == user.id, SpamRemoval.undone_at.is_(None)))


def _host_network(address: str) -> str:
    """A single address as the range to ban (``common.addresses.host_network``)."""
    network = host_network(address)
    if network is None:
        raise ValueError(f"not an address: {address!r}")
    return network


def _staff_addresses() -> set[str]:
    """Addresses the team used: never banned along with a spammer who shared them."""
    return set(db.session.scalars(
        select(MemberAddress.address).join(User, User.id == MemberAddress.user_id)
        .where((User.role_value > int(Role.MEMBER)) | User.is_board_moderator.is_(True))
    ))


def _ban_entries(removal: SpamRemoval, user: User, now: datetime) -> int:
    """The member's email address and the ranges of the addresses they used, minus those
    already listed and those the team used. Returns how many were added."""
    staff = _staff_addresses()
    wanted = [(BanKind.EMAIL, user.email_key, None)]
    days = settings.get("spam_address_ban_days")
    ends = now + timedelta(days=days) if days else None
    for address in addresses.used_by(user):
        if address not in staff:
            wanted.append((BanKind.NETWORK, _host_network(address), ends))
    listed = set(db.session.execute(
        select(BanEntry.kind, BanEntry.value)
        .where(BanEntry.value.in_([value for _kind, value, _ends in wanted]))
    ).all())
    added = 0
    for kind, value, expires_at in dict.fromkeys(wanted):
        if (kind, value) in listed:
            continue
        db.session.add(BanEntry(kind=kind, value=value, created_at=now,
                                created_by_id=removal.actor_id, expires_at=expires_at,
                                removal_id=removal.id, note=f"@{user.username}"[:500]))
        added += 1
    return added


def remove(actor: User, user: User, reason: str, *, item: ReportItem | None = None,
           now: datetime | None = None) -> SpamRemoval:
    """Remove ``user`` as a spammer, all in one transaction, logged as
    ``user.remove_spammer`` with the counts. The member is not notified.

    Refuses: anyone but moderators of the whole forum, and rank rules (staff targets, oneself)
    (403); a missing or long reason (400); a member already removed, also by another moderator
    at the same moment (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_remove_spammer(user))
    reason = text.checked(reason, REASON_MAX, missing=_("Please give a reason."),
                          too_long=_("The reason can be at most %(max)s characters.",
                                     max=number(REASON_MAX)))
    if active_removal(user) is not None:
        raise _already()
    removal = SpamRemoval(user_id=user.id, actor_id=actor.id, created_at=now, reason=reason,
                          active_key=f"user:{user.id}", posts=0, threads=0)
    db.session.add(removal)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _already() from None
    with joined():
        sanction = sanctions.ban(actor, user, reason, now=now, quiet=True)
        purged = purging.delete_member_posts(actor, user, now, reason=SPAM_REMOVED)
        closed = db.session.execute(
            update(ReportItem).where(_open_items(user))
            .values(status=ItemStatus.RESOLVED, open_key=None, resolved_by_id=actor.id,
                    resolved_at=now,
                    resolution=summaries.encode([("remove_spammer", None)]))
            .execution_options(synchronize_session=False)
        ).rowcount
        listed = _ban_entries(removal, user, now)
    db.session.execute(
        update(SpamRemoval).where(SpamRemoval.id == removal.id)
        .values(sanction_id=sanction.id, posts=purged.posts, threads=purged.threads)
        .execution_options(synchronize_session=False)
    )
    audit.record(actor, "user.remove_spammer", user, reason,
                 after={"posts": purged.posts, "threads": purged.threads, "reports": closed,
                        "ban_entries": listed}, now=now, item=item)
    commit()
    bans.forget_cache()
    db.session.expire_all()
    return removal


# -- undoing -------------------------------------------------------------------------------------
def get_removal(removal_id: int) -> SpamRemoval:
    removal = db.session.get(SpamRemoval, removal_id, options=[joinedload(SpamRemoval.user)])
    if removal is None:
        raise NotFound(_("That removal doesn't exist."))
    return removal


def removals_of(user: User) -> list[SpamRemoval]:
    return list(db.session.scalars(
        select(SpamRemoval).where(SpamRemoval.user_id == user.id)
        .options(joinedload(SpamRemoval.actor), joinedload(SpamRemoval.undone_by))
        .order_by(SpamRemoval.created_at.desc())
    ))


def undo_until(removal: SpamRemoval) -> datetime:
    return removal.created_at + timedelta(days=settings.get("spam_undo_days"))


def undo(actor: User, removal: SpamRemoval, reason: str,
         now: datetime | None = None) -> SpamRemoval:
    """Bring back what a removal took: the posts and threads it deleted (with their
    counts), the ban it issued (lifted), the ban-list entries it added (removed). Logged as
    ``user.undo_remove_spammer`` with the counts.

    Refuses: anyone but administrators (403); a missing reason (400); a removal older than
    ``spam_undo_days`` (403); one already undone, also a moment ago by someone else (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_undo_spam_removal())
    reason = text.checked(reason, REASON_MAX, missing=_("Please give a reason."),
                          too_long=_("The reason can be at most %(max)s characters.",
                                     max=number(REASON_MAX)))
    if now > undo_until(removal):
        raise Refused(_("This removal can no longer be undone: that was possible for "
                        "%(days)s days.", days=number(settings.get("spam_undo_days"))))
    claimed = db.session.execute(
        update(SpamRemoval)
        .where(SpamRemoval.id == removal.id, SpamRemoval.undone_at.is_(None))
        .values(undone_at=now, undone_by_id=actor.id, active_key=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Conflict(_("This removal has already been undone."))
    user = removal.user
    ours = (Post.deleted_at == removal.created_at, Post.deleted_by_id == removal.actor_id)
    with joined():
        threads = list(db.session.scalars(
            select(Thread).join(Post, Post.id == Thread.first_post_id)
            .where(Post.author_id == user.id, Thread.is_deleted.is_(True),
                   Thread.deleted_at == removal.created_at,
                   Thread.deleted_by_id == removal.actor_id)
            .order_by(Thread.id)
        ))
        for thread in threads:
            restoring.restore_thread(thread)
        posts = list(db.session.scalars(
            select(Post).where(Post.author_id == user.id, Post.is_deleted.is_(True), *ours)
            .order_by(Post.id)
        ))
        for post in posts:
            restoring.restore_post(post)
        sanction = (db.session.get(Sanction, removal.sanction_id)
                    if removal.sanction_id else None)
        if sanction is not None and sanction.kind == SanctionKind.BAN \
                and sanction.is_active(now):
            sanctions.lift(actor, sanction, reason, now=now)
        unlisted = db.session.execute(
            BanEntry.__table__.delete().where(BanEntry.removal_id == removal.id)
        ).rowcount
    audit.record(actor, "user.undo_remove_spammer", user, reason,
                 after={"posts": len(posts) + len(threads), "threads": len(threads),
                        "ban_entries": unlisted}, now=now)
    commit()
    bans.forget_cache()
    db.session.expire_all()
    return removal
