"""When a thread was first answered, kept true as its replies change.

``posting.append`` stores ``Thread.first_response_at`` (the first reply by anyone but the
author) and ``Thread.team_replied_at`` (the first reply by the board's team) when the reply is
written; the desk, "Team replied" and the response figures read them. A reply that later goes
away (deleted, hidden by a moderator, a report or a watched word, moved to another thread by
a merge or a split, purged with its author's posts) or comes back (restored, shown again) changes
what they should say, so every writer of those changes calls ``restamp`` in its transaction:
one UPDATE working both out again from the replies as they are now.

Who counts as the team is read as it stands (moderators, administrators, the board's own
moderators), so a reply of someone no longer on the team stops counting for "Team replied"
once the thread is restamped.
"""
from __future__ import annotations

from sqlalchemy import ColumnElement, exists, func, or_, select, update
from sqlalchemy.orm import aliased

from ...extensions import db
from ...models import BoardModerator, Post, Role, Thread, User


def restamp(*thread_ids: int | None) -> None:
    """Work out the first response and the team's first reply of these threads again. No
    commit; one statement."""
    ids = sorted({thread_id for thread_id in thread_ids if thread_id is not None})
    if ids:
        restamp_matching(Thread.id.in_(ids))


def restamp_matching(condition: ColumnElement[bool]) -> None:
    """``restamp`` for the threads ``condition`` selects (a subquery of affected threads)."""
    reply = aliased(Post)
    member = aliased(User)
    # A reply: not the opening post, visible to readers, written by a person (no notice).
    replies = (reply.thread_id == Thread.id, reply.id != Thread.first_post_id,
               reply.is_deleted.is_(False), reply.is_hidden.is_(False),
               reply.is_mod_notice.is_(False))
    on_team = or_(
        select(member.role_value).where(member.id == reply.author_id).scalar_subquery()
        >= Role.MODERATOR,
        # Correlated to the updated thread two levels up; left to itself SQLAlchemy would
        # add ``threads`` to this FROM (a moderator of any board would count).
        exists().where(BoardModerator.user_id == reply.author_id,
                       BoardModerator.board_id == Thread.board_id).correlate_except(BoardModerator),
    )
    first = (select(func.min(reply.created_at))
             .where(*replies, reply.author_id != Thread.author_id).scalar_subquery())
    team = select(func.min(reply.created_at)).where(*replies, on_team).scalar_subquery()
    db.session.execute(
        update(Thread).where(condition)
        .values(first_response_at=first, team_replied_at=team)
        .execution_options(synchronize_session=False)
    )
