"""``@name`` in posts: linked to the member's profile when the post is written, and the member
told, if they may read the post.

At most ``mentions_max`` members a post are told (a setting); a mention inside a quote or a
code block tells nobody; ``@team`` and ``@moderators`` tell the board's moderation team (the
team's desk reads those notifications by their kind, ``TEAM_MENTION``). An edit tells only the
members it newly mentions.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, exists, insert, literal, select
from sqlalchemy.types import JSON

from ...common import markup, usernames
from ...extensions import db
from ...models import (
    BoardModerator,
    Notification,
    NotificationKind,
    Post,
    Role,
    SanctionKind,
    Thread,
    User,
)
from ...policy import Policy
from ...policy.content import readers_of_board
from ...stores import settings
from .. import blocks, notifications

# Written instead of a name, these call the board's moderators.
TEAM_NAMES = frozenset({"team", "moderators"})


def members_named(names: Iterable[str]) -> dict[str, User]:
    """The members the written names stand for, by username key (any case or normalisation);
    deleted accounts and accounts waiting for approval are nobody to mention. One query."""
    keys = {usernames.key(name) for name in names if name.lower() not in TEAM_NAMES}
    if not keys:
        return {}
    found = db.session.scalars(select(User).where(
        User.username_key.in_(keys), User.deleted_at.is_(None),
        User.approval_state.is_(None)))
    return {user.username_key: user for user in found}


def render(body: str) -> str:
    """A post's HTML with its mentions of members linked (one query when it has any)."""
    written = markup.mentions(body)
    if not written:
        return markup.render(body)
    members = members_named(mention.name for mention in written)
    if not members:
        return markup.render(body)

    def resolve(name: str) -> str | None:
        user = members.get(usernames.key(name))
        return user.username if user is not None else None

    return markup.render(body, resolve)


def _mentioned_by(recipient: User, actor: User) -> bool:
    """Whether a mention by ``actor`` may reach ``recipient``: not when the recipient blocked
    the writer."""
    return not blocks.blockers_among(actor.id, [recipient.id])


def notify(actor: User, thread: Thread, post: Post, now: datetime,
           before: str | None = None, skip: Iterable[int] = ()) -> set[int]:
    """Tell the members the post mentions outside quotes and code (only those ``before``, an
    earlier text of the post, did not), at most ``mentions_max`` of them, each only if they
    may read the post and isn't ``actor`` or in ``skip``. ``@team`` tells the board's
    moderators. Returns the ids told, so nobody hears of the post twice."""
    written = [mention for mention in markup.mentions(post.body) if not mention.quoted]
    if before is not None:
        earlier = {usernames.key(mention.name) for mention in markup.mentions(before)
                   if not mention.quoted}
        written = [mention for mention in written if usernames.key(mention.name) not in earlier]
    told: set[int] = set()
    unheard: list[str] = []
    # The names that told nobody (unknown, suspended, or unable to read the post), for the
    # writer to see; the post keeps them until the request ends.
    post.unheard_mentions = unheard
    if not written:
        return told
    limit = settings.get("mentions_max")
    members = members_named(mention.name for mention in written)
    skipped = set(skip) | {actor.id}
    for mention in written:
        if len(told) >= limit:
            break
        user = members.get(usernames.key(mention.name))
        if user is None:
            unheard.append(mention.name)
            continue
        if user.id in skipped or user.id in told:
            continue
        reader = Policy(user, now)
        if not (reader.can_view_thread(thread) and reader.can_view_post(post)):
            unheard.append(mention.name)
            continue
        if not _mentioned_by(user, actor) or _shut_out(reader):
            unheard.append(mention.name)
            continue
        notifications.notify(user, NotificationKind.MENTION, "post.mention",
                             {"name": actor.name, "title": thread.title}, post.url,
                             actor=actor, now=now)
        told.add(user.id)
    if any(mention.name.lower() in TEAM_NAMES for mention in written):
        told |= _call_the_team(actor, thread, post, now, skipped | told)
    return told


def _shut_out(reader: Policy) -> bool:
    """A suspended or banned member can't log in to read what they were told."""
    return any(sanction.kind in (SanctionKind.SUSPENSION, SanctionKind.BAN)
               for sanction in reader.active_sanctions)


def _call_the_team(actor: User, thread: Thread, post: Post, now: datetime,
                   skip: set[int]) -> set[int]:
    """Tell the board's moderation team (its own moderators, the forum's moderators and
    administrators) in one ``INSERT … SELECT``."""
    board = thread.board
    team = select(User.id).where(
        (User.role_value >= Role.MODERATOR) | exists().where(
            BoardModerator.user_id == User.id, BoardModerator.board_id == board.id),
        readers_of_board(board), User.id.not_in(sorted(skip)))
    ids = set(db.session.scalars(team))
    if not ids or thread.is_deleted:
        return set()
    rows = team.with_only_columns(
        User.id, literal(NotificationKind.TEAM_MENTION.value), literal("post.team_mention"),
        bindparam("params", {"name": actor.name, "title": thread.title}, type_=JSON),
        literal(""), literal(post.url), literal(actor.id),
        bindparam("now", now, type_=Notification.__table__.c.created_at.type), literal(1))
    db.session.execute(insert(Notification).from_select(
        ["recipient_id", "kind", "key", "params", "text", "link", "actor_id", "created_at",
         "count"], rows))
    return ids
