"""Removing what no post shows: uploads left unreferenced, and files no row needs."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import String, cast, delete, literal, select

from ...database import commit
from ...extensions import db
from ...models import PendingPost, PendingState, Upload, utcnow
from .storage import storage

# An upload waits this long for the post it was made for (a long draft, a preview).
KEEP_UNREFERENCED = timedelta(days=1)


def drop_unused_files(keys: set[str]) -> int:
    """Delete the files of ``keys`` that no remaining, unpurged upload uses. Called after
    the rows went, so a file is never deleted while a row still points at it."""
    if not keys:
        return 0
    still = set(db.session.scalars(
        select(Upload.display_key).where(Upload.display_key.in_(keys),
                                         Upload.purged_at.is_(None))))
    still |= set(db.session.scalars(
        select(Upload.thumb_key).where(Upload.thumb_key.in_(keys), Upload.purged_at.is_(None))))
    store = storage()
    gone = 0
    for key in sorted(keys - still):
        store.delete(key)
        gone += 1
    return gone


def remove_unreferenced(now: datetime | None = None) -> int:
    """Delete uploads older than a day that no post or message references, and then their
    files unless another upload of the same picture keeps them. Returns the uploads removed.
    Safe to run on several hosts at once: the DELETE decides which rows each run removes."""
    now = now or utcnow()
    # A post waiting for a moderator's approval holds its images too: they are linked to the
    # post it becomes.
    waiting = (select(PendingPost.id)
               .where(PendingPost.state == PendingState.WAITING,
                      PendingPost.author_id == Upload.owner_id,
                      PendingPost.body.contains(
                          literal("/uploads/") + cast(Upload.id, String) + literal("/")))
               .exists())
    stale = (Upload.post_id.is_(None), Upload.message_id.is_(None),
             Upload.created_at < now - KEEP_UNREFERENCED, ~waiting)
    # Looked for first: a DELETE … RETURNING reports no row count, and a round with nothing to
    # remove (nearly every one) must not count as a write (it would empty every kept page).
    if db.session.scalar(select(Upload.id).where(*stale).limit(1)) is None:
        return 0
    rows = db.session.execute(
        delete(Upload).where(*stale).returning(Upload.display_key, Upload.thumb_key)
        .execution_options(synchronize_session=False)).all()
    commit()
    keys = {key for row in rows for key in row}
    drop_unused_files(keys)
    return len(rows)

