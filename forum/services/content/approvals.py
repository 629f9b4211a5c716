"""Pre-moderation: posts that wait for a moderator before anyone else sees them.

Why a post waits (``hold_cause``): a watched word with the action "review", the member's record
says "always review", the board wants every new thread approved, or the post is one of a new
member's first ``premod_new_member_posts`` (new as ``policy.pace.is_new_member`` says, and only
while their approved posts are fewer than that). The board's moderators never wait.

A waiting post is a ``PendingPost``, not a post: only its author and the board's moderators
can open it. Approving it writes the post as a reply or thread would have been written, at
that moment: it takes the next position at the end of the thread (positions, and so
permalinks, are never handed out before), the counters, the board's latest post, search and
notifications follow as for any post. Of two moderators deciding the same post at once one
wins; the other is told it was decided already (``approving``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ...common import markup
from ...common.paging import page_count
from ...errors import NotFound, require
from ...extensions import db
from ...models import (
    Board,
    HoldCause,
    PendingPost,
    PendingState,
    Thread,
    User,
)
from ...policy import Policy
from ...policy.pace import is_new_member
from ...stores import settings
from .. import data_export
from .watched_words import Screening


def hold_cause(policy: Policy, board: Board, thread: Thread | None, screening: Screening,
               now: datetime) -> HoldCause | None:
    """Why this post must wait for approval, or None when it goes up at once."""
    if policy.moderates(board):
        return None
    user = policy.user
    if screening.review:
        return HoldCause.WORDS
    if user.always_review:
        return HoldCause.MEMBER
    if thread is None and board.threads_need_approval:
        return HoldCause.BOARD
    first_posts = settings.get("premod_new_member_posts")
    if first_posts and user.post_count < first_posts and is_new_member(user, now):
        return HoldCause.NEW_MEMBER
    return None


def hold(actor: User, board: Board, thread: Thread | None, title: str | None, body: str,
         cause: HoldCause, screening: Screening, now: datetime) -> PendingPost:
    """Keep the post for a moderator (in the caller's transaction)."""
    pending = PendingPost(
        board_id=board.id, thread_id=thread.id if thread is not None else None,
        author_id=actor.id, title=title, body=body, body_html=markup.render(body),
        cause=cause, words=screening.review_words or None, created_at=now,
        state=PendingState.WAITING,
    )
    db.session.add(pending)
    db.session.flush()
    return pending


# -- reading -----------------------------------------------------------------------------------
def loaded():
    return select(PendingPost).options(
        joinedload(PendingPost.board), joinedload(PendingPost.thread),
        joinedload(PendingPost.author), joinedload(PendingPost.decided_by))


def get_for_viewer(viewer: Policy, pending_id: int) -> PendingPost:
    """A waiting (or decided) post, for its author or a moderator of its board.

    Refuses: guests (login); anyone else (404, so nobody learns it exists).
    """
    require(viewer.can_see_own_waiting())
    pending = db.session.scalar(loaded().where(PendingPost.id == pending_id))
    if pending is None or not (pending.author_id == viewer.user.id
                               or viewer.moderates(pending.board)):
        raise NotFound(_("That post doesn't exist."))
    return pending


def own_waiting(viewer: Policy) -> list[PendingPost]:
    """The viewer's posts still waiting, newest first."""
    if not viewer.is_member:
        return []
    return list(db.session.scalars(
        loaded().where(PendingPost.author_id == viewer.user.id,
                        PendingPost.state == PendingState.WAITING)
        .order_by(PendingPost.created_at.desc(), PendingPost.id.desc())))


@dataclass(frozen=True)
class ApprovalPage:
    items: list[PendingPost]
    page: int
    pages: int
    total: int


def _scoped(viewer: Policy, query):
    if viewer.is_global_moderator:
        return query
    return query.where(PendingPost.board_id.in_(sorted(viewer.moderated_board_ids)))


def queue(viewer: Policy, page: int = 1, per_page: int = 50) -> ApprovalPage:
    """Waiting posts in the boards the viewer moderates, oldest first.

    Refuses: guests (login), members (403); a page past the last (404).
    """
    require(viewer.can_use_moderator_tools())
    waiting = _scoped(viewer, select(PendingPost).where(
        PendingPost.state == PendingState.WAITING))
    total = db.session.scalar(select(db.func.count()).select_from(waiting.subquery())) or 0
    pages = page_count(total, per_page)
    if page > pages:
        raise NotFound(_("That page of the list doesn't exist."))
    items = list(db.session.scalars(
        _scoped(viewer, loaded().where(PendingPost.state == PendingState.WAITING))
        .order_by(PendingPost.created_at, PendingPost.id)
        .limit(per_page).offset((page - 1) * per_page)))
    return ApprovalPage(items, page, pages, total)


def waiting_count_query(viewer: Policy):
    """Posts waiting in the boards the viewer moderates, as a scalar subquery for the page
    header's counts (it rides along with the other counts: no query of its own)."""
    return _scoped(viewer, select(db.func.count(PendingPost.id)).where(
        PendingPost.state == PendingState.WAITING)).scalar_subquery()


def waiting_count(viewer: Policy) -> int:
    if not viewer.can_use_moderator_tools():
        return 0
    return db.session.scalar(select(waiting_count_query(viewer))) or 0


def get_to_decide(viewer: Policy, pending_id: int) -> PendingPost:
    """A waiting post for a moderator of its board.

    Refuses: guests (login) and members (403) before anything is looked up; unknown (404);
    a board the viewer doesn't moderate (403).
    """
    require(viewer.can_use_moderator_tools())
    pending = db.session.scalar(loaded().where(PendingPost.id == pending_id))
    if pending is None:
        raise NotFound(_("That post doesn't exist."))
    require(viewer.can_moderate_board(pending.board))
    return pending




# -- the member's own data ---------------------------------------------------------------------
@data_export.section("waiting_posts")
def export_waiting(user: User) -> list[dict]:
    """The member's posts that waited (or wait) for approval, with what became of them: their
    text, which no other section holds while it waits or after it was turned down."""
    rows = db.session.scalars(select(PendingPost).where(PendingPost.author_id == user.id)
                              .order_by(PendingPost.created_at, PendingPost.id))
    return [{"id": row.id, "thread_id": row.thread_id, "title": row.title, "body": row.body,
             "created_at": data_export.iso(row.created_at), "state": row.state,
             "reason": row.reason if row.state == PendingState.REJECTED else None,
             "post_id": row.post_id} for row in rows]
