"""Purging a post's images for good: for illegal content, where a soft delete is not enough."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from ...database import commit
from ...errors import Refused, require
from ...extensions import db
from ...models import Post, Upload, User, utcnow
from ...policy import Policy
from .. import audit, text
from .storage import storage


def post_uploads(post: Post) -> list[Upload]:
    """The uploads a post holds, purged ones included (for the moderators' page; one query)."""
    return list(db.session.scalars(
        select(Upload).where(Upload.post_id == post.id).order_by(Upload.id)))


def purge_post_images(actor: User, post: Post, reason: str | None,
                      now: datetime | None = None) -> int:
    """Delete the files of a deleted post's images, and of every other upload of the same
    pictures (illegal content goes wherever it was uploaded again); the rows stay, marked
    purged, so the log and the report keep their record. Logged as ``post.purge_images``.
    Returns how many uploads were purged. Refuses: rank rules or a board the actor doesn't
    moderate (403), no reason (400), a post not deleted first (409), no images left (409)."""
    now = now or utcnow()
    require(Policy(actor, now).can_act_on_user(post.author, post.thread.board))
    reason = text.clean_reason(reason, _("Please give a reason for purging the images."))
    if not post.is_deleted:
        raise Refused(_("Delete the post first; then its images can be purged."), status=409)
    own = [upload for upload in post_uploads(post) if upload.purged_at is None]
    if not own:
        raise Refused(_("This post has no images left to purge."), status=409)
    keys = {key for upload in own for key in (upload.display_key, upload.thumb_key)}
    purged = db.session.execute(
        update(Upload)
        .where(or_(Upload.display_key.in_(keys), Upload.thumb_key.in_(keys)),
               Upload.purged_at.is_(None))
        .values(purged_at=now)
        .returning(Upload.id)
        .execution_options(synchronize_session=False)).scalars().all()
    audit.record(actor, "post.purge_images", post, reason,
                 after={"uploads": sorted(purged)}, now=now)
    commit()
    store = storage()
    for key in sorted(keys):
        store.delete(key)
    return len(purged)
