"""Reactions to posts: a small fixed set (``models.REACTIONS``), one of each kind per member
per post.

Adding and removing are race-safe: the reaction's primary key makes a second one impossible
(``INSERT … ON CONFLICT DO NOTHING`` says whether this request added it), and the counts move
only when a row did, in SQL (``n = n + 1``). The form says what the button meant (add or
remove), so a button pressed twice, or two at once, changes the count once. Each change also
raises the post's version, so kept pages of posts show the new counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import String, and_, cast, delete, func, insert, select, update

from ...database import commit, insert_for
from ...errors import NotFound, Refused
from ...extensions import db
from ...models import (
    REACTIONS,
    Notification,
    NotificationKind,
    Post,
    Reaction,
    ReactionCount,
    User,
    utcnow,
)
from ...policy import Policy, pace
from ...stores import settings
from .. import data_export

REACTED_KEY = "post.reactions"


def parse_kind(value: str | None) -> str:
    """A reaction kind from a form. Refuses (400) anything outside the set."""
    if value not in REACTIONS:
        raise Refused(_("That reaction doesn't exist."), status=400)
    return value


def react(actor: User, post: Post, kind: str, add: bool, now: datetime | None = None) -> bool:
    """Add (``add``) or take back the member's reaction of ``kind`` to the post. Returns
    whether anything changed: adding one that is there, or removing one that isn't, changes
    nothing.

    Refuses: guests (login), a post the member may not read (404), a deleted or hidden post,
    their own post, a timeout (from the policy), an unknown kind (400), a new member past
    ``new_member_reactions_per_day`` (429).
    """
    now = now or utcnow()
    kind = parse_kind(kind)
    viewer = Policy(actor, now)
    decision = viewer.can_react(post)
    if not decision:
        raise Refused(decision)
    changed = _add(viewer, post, kind, now) if add else _remove(actor, post, kind)
    commit()
    return changed


def _add(viewer: Policy, post: Post, kind: str, now: datetime) -> bool:
    actor = viewer.user
    _check_daily_limit(actor, now)
    # RETURNING says whether this statement added the row (a conflict returns nothing).
    added = db.session.execute(
        insert_for(Reaction).values(post_id=post.id, user_id=actor.id, kind=kind,
                                    created_at=now)
        .on_conflict_do_nothing().returning(Reaction.post_id)).first()
    if added is None:
        return False
    statement = insert_for(ReactionCount).values(post_id=post.id, kind=kind, n=1)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[ReactionCount.post_id, ReactionCount.kind],
        set_={"n": ReactionCount.n + 1}))
    _counted(post, +1)
    _tell_author(actor, post, now)
    return True


def _remove(actor: User, post: Post, kind: str) -> bool:
    removed = db.session.execute(
        delete(Reaction).where(Reaction.post_id == post.id, Reaction.user_id == actor.id,
                               Reaction.kind == kind)).rowcount
    if not removed:
        return False
    db.session.execute(update(ReactionCount)
                       .where(ReactionCount.post_id == post.id, ReactionCount.kind == kind)
                       .values(n=ReactionCount.n - 1))
    _counted(post, -1)
    return True


def _counted(post: Post, step: int) -> None:
    # The author's total for their profile; the post's version, so kept pages show the counts.
    db.session.execute(update(User).where(User.id == post.author_id)
                       .values(reactions_received=User.reactions_received + step))
    db.session.execute(update(Post).where(Post.id == post.id)
                       .values(version=Post.version + 1)
                       .execution_options(synchronize_session=False))


def _check_daily_limit(actor: User, now: datetime) -> None:
    if not pace.is_new_member(actor, now):
        return
    limit = settings.get("new_member_reactions_per_day")
    given = db.session.scalar(select(func.count()).select_from(Reaction).where(
        Reaction.user_id == actor.id, Reaction.created_at > now - timedelta(days=1))) or 0
    if given >= limit:
        raise Refused(ngettext(
            "New members can give %(num)d reaction a day; you can react again tomorrow.",
            "New members can give %(num)d reactions a day; you can react again tomorrow.",
            limit), status=429, retry_after=3600)


def _tell_author(actor: User, post: Post, now: datetime) -> None:
    """One unread notification per post for its author: a new reaction counts one more on
    it (naming the latest), else starts one."""
    if post.author_id is None or post.author_id == actor.id:
        return
    link = f"/p/{post.id}"
    grouped = and_(Notification.recipient_id == post.author_id,
                   Notification.kind == NotificationKind.REACTION.value,
                   Notification.link == link, Notification.read_at.is_(None))
    params = {"name": actor.name, "title": post.thread.title}
    raised = db.session.execute(
        update(Notification).where(grouped)
        .values(count=Notification.count + 1, actor_id=actor.id, created_at=now, params=params)
        .execution_options(synchronize_session=False)).rowcount
    if raised:
        return
    db.session.execute(insert(Notification).values(
        recipient_id=post.author_id, kind=NotificationKind.REACTION.value, key=REACTED_KEY,
        params=params, text="", link=link, actor_id=actor.id, created_at=now, count=1))


# -- reading ------------------------------------------------------------------------------------
def summary_column():
    """A post's counts as "kind:n,kind:n" (kinds with none left out), for the query that loads
    a page of posts."""
    return (select(func.aggregate_strings(ReactionCount.kind + ":" + cast(ReactionCount.n,
                                                                          String), ","))
            .where(ReactionCount.post_id == Post.id, ReactionCount.n > 0)
            .scalar_subquery())


def parse_summary(summary: str | None) -> tuple[tuple[str, int], ...]:
    """``summary_column``'s text as (kind, count) pairs in the set's order."""
    counts: dict[str, int] = {}
    for part in (summary or "").split(","):
        kind, _sep, number = part.partition(":")
        if kind in REACTIONS and number.isdigit():
            counts[kind] = int(number)
    return tuple((kind, counts[kind]) for kind in REACTIONS if counts.get(kind))


@dataclass(frozen=True)
class Reactor:
    kind: str
    user: User


def who_reacted(viewer: Policy, post: Post) -> list[Reactor]:
    """Who gave each reaction to the post, by kind in the set's order, then earliest first.

    Refuses: a deleted or hidden post the viewer may not read (404).
    """
    if not viewer.can_view_post(post):
        raise NotFound(_("That post doesn't exist."))
    rows = db.session.execute(
        select(Reaction.kind, User).join(User, User.id == Reaction.user_id)
        .where(Reaction.post_id == post.id)
        .order_by(Reaction.created_at, User.id)).all()
    order = list(REACTIONS)
    rows = sorted(rows, key=lambda row: order.index(row[0]) if row[0] in order else 99)
    return [Reactor(kind, user) for kind, user in rows]


def counts_for(post_id: int) -> tuple[tuple[str, int], ...]:
    """A post's reaction counts as (kind, count) pairs in the set's order: one query."""
    summary = db.session.scalar(select(summary_column()).where(Post.id == post_id))
    return parse_summary(summary)


@data_export.section("reactions")
def export_reactions(user: User) -> list[dict]:
    """The reactions the member gave: post, kind, when (one query)."""
    rows = db.session.execute(
        select(Reaction.post_id, Reaction.kind, Reaction.created_at)
        .where(Reaction.user_id == user.id)
        .order_by(Reaction.created_at, Reaction.post_id, Reaction.kind))
    return [{"post_id": row.post_id, "kind": row.kind,
             "created_at": data_export.iso(row.created_at)} for row in rows]
