"""Handing out a stored image: which one, to whom, and how long it may be kept."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from ...errors import NotFound
from ...extensions import db
from ...models import MIME_TYPES, ConversationParticipant, Message, Post, Thread, Upload
from ...policy import Policy
from .storage import storage

# Public images' URLs change with their bytes, so they may be kept for good.
PUBLIC_CACHE = "public, max-age=31536000, immutable"
# Private ones are asked about again on every use (the answer may change: a post hidden, a
# member leaving a conversation); the ETag keeps that to a 304 when nothing changed.
PRIVATE_CACHE = "private, no-cache"


@dataclass(frozen=True)
class Served:
    data: bytes
    mimetype: str
    etag: str
    cache_control: str


def _load(viewer: Policy, upload_id: int) -> tuple[Upload | None, ConversationParticipant | None]:
    """The upload with its post, thread and board, or its message and the viewer's place in
    that conversation: one statement."""
    viewer_id = viewer.user.id if viewer.is_member else None
    # A guest is no participant: id 0 matches no one.
    participant_on = and_(ConversationParticipant.conversation_id == Message.conversation_id,
                          ConversationParticipant.user_id == (viewer_id or 0))
    row = db.session.execute(
        select(Upload, ConversationParticipant)
        .outerjoin(Message, Message.id == Upload.message_id)
        .outerjoin(ConversationParticipant, participant_on)
        .where(Upload.id == upload_id)
        .options(joinedload(Upload.post).joinedload(Post.thread).joinedload(Thread.board),
                 joinedload(Upload.message))
    ).first()
    if row is None:
        return None, None
    return row[0], row[1]


def serve(viewer: Policy, upload_id: int, name: str, thumb: bool = False) -> Served:
    """The bytes of an upload's display image (or thumbnail) for this viewer. Refuses with
    404, saying nothing of whether it exists, an upload the viewer may not see, a name that
    isn't the upload's current one, and one whose file is gone."""
    missing = NotFound()
    upload, participant = _load(viewer, upload_id)
    if upload is None:
        raise missing
    key = upload.thumb_key if thumb else upload.display_key
    if name != (upload.thumb_name if thumb else upload.display_name):
        raise missing
    if not viewer.can_view_upload(upload, participant):
        raise missing
    data = storage().get(key)
    if data is None:
        raise missing
    public = viewer.is_public_upload(upload)
    return Served(data=data, mimetype=MIME_TYPES[key.rsplit(".", 1)[1]],
                  etag=key.split(".")[0][:32],
                  cache_control=PUBLIC_CACHE if public else PRIVATE_CACHE)
