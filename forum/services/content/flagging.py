"""Putting a post in the report queue because a watched word says so ("flag", or "review" on
an edit): an open item with no member's report, and optionally the post hidden until a
moderator reviews it, as enough reports would. Resolving the item is the queue's business
(``services.moderation``)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update

from ...extensions import db
from ...models import ItemStatus, Post, ReportItem, TargetKind
from .. import audit
from . import response_stamps


def reason(words: str) -> str:
    """Stored as the log entry's (and the hidden post's) reason; worded for readers by
    ``moderation.system_reasons``."""
    return f"Watched words: {words}"


def _insert_ignoring_duplicate(values: dict) -> None:
    """INSERT … ON CONFLICT DO NOTHING on the item's ``open_key``: a post already in the queue
    keeps its one open item, and the transaction stays usable on PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(ReportItem).values(**values)
                       .on_conflict_do_nothing(index_elements=["open_key"]))


def open_item(post: Post, words: str, now: datetime) -> ReportItem:
    """The post's open queue item, opened if there is none, with a log entry (no actor)
    saying which words put it there (no commit). The item counts no reporters."""
    open_key = f"post:{post.id}"
    _insert_ignoring_duplicate({
        "target_kind": TargetKind.POST, "post_id": post.id, "thread_id": post.thread_id,
        "subject_id": post.author_id, "open_key": open_key, "status": ItemStatus.OPEN,
        "report_count": 0, "first_reported_at": now, "last_reported_at": now,
        "auto_hidden": False,
    })
    item = db.session.scalar(select(ReportItem).where(ReportItem.open_key == open_key))
    audit.record(None, "post.flag", post, reason(words), now=now, item=item)
    return item


def hide_for_review(post: Post, item: ReportItem, words: str, now: datetime) -> None:
    """Hide the post until a moderator reviews its item (no commit)."""
    hidden = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.is_hidden.is_(False), Post.is_deleted.is_(False))
        .values(is_hidden=True, hidden_at=now, hidden_by_id=None, hidden_reason=reason(words))
        .execution_options(synchronize_session=False)
    ).rowcount
    if hidden:
        db.session.execute(
            update(ReportItem).where(ReportItem.id == item.id).values(auto_hidden=True)
            .execution_options(synchronize_session=False)
        )
        # Written a moment ago, it was counted as an answer: hidden, it answers no one yet.
        response_stamps.restamp(post.thread_id)
        db.session.expire(post)
