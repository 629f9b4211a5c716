"""Taking an image from a member: checks, re-encoding, storing, one row."""
from __future__ import annotations

import unicodedata
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from ...common import images
from ...common.numfmt import number
from ...database import commit
from ...errors import InvalidField, Refused, require
from ...extensions import db
from ...models import Upload, User, utcnow
from ...policy import Policy
from ...stores import ratelimit, settings
from .. import data_export
from .storage import storage

NAME_MAX = 120
DAY = 24 * 3600
MIB = 1024 * 1024


def limit_bytes() -> int:
    """The largest file accepted, from the ``upload_max_mb`` setting."""
    return settings.get("upload_max_mb") * MIB


def too_large_message() -> str:
    return _("That image is too large: images can be at most %(max)s MB.",
             max=number(settings.get("upload_max_mb")))


def refusal(code: str) -> str:
    return {
        "empty": _("That file is empty. Choose an image to upload."),
        "not_an_image": _("That file isn't an image we can read. Upload a JPEG, PNG, WebP or "
                          "GIF image."),
        "too_many_pixels": _("That image has too many pixels. Images can be at most "
                             "%(max)s megapixels.", max=number(images.MAX_PIXELS // 1_000_000)),
        "too_many_frames": _("That animation has too many frames. Animations can have at "
                             "most %(max)s.", max=number(images.MAX_FRAMES)),
    }[code]


def clean_name(name: str | None) -> str:
    """The file's name as shown in the alt text. Refuses a name that tries to be a path or
    carries control characters (NUL above all): no browser sends one."""
    name = unicodedata.normalize("NFC", name or "")
    if any(ch in name for ch in "/\\") or ".." in name or any(
            unicodedata.category(ch) in {"Cc", "Cf"} for ch in name):
        raise InvalidField("file", _("That file name isn't allowed. Rename the file and try "
                                     "again."))
    stem = name.rsplit(".", 1)[0].strip() if "." in name else name.strip()
    return (stem or _("image"))[:NAME_MAX]


def day_key(user: User) -> str:
    return f"upload:day:{user.id}"


def upload_image(actor: User, data: bytes, filename: str | None,
                 now: datetime | None = None) -> Upload:
    """Store an image for ``actor``. Refuses: a guest or a sanctioned member (policy); a
    file name that is a path or has control characters, an empty file, a file over
    ``upload_max_mb`` (413), anything that doesn't decode as a JPEG, PNG, WebP or GIF within
    the pixel and frame bounds (400); more than the day's uploads (429, with when to try
    again) or the member's quota (403)."""
    now = now or utcnow()
    viewer = Policy(actor, now)
    require(viewer.can_upload_image())
    name = clean_name(filename)
    if not data:
        raise InvalidField("file", refusal("empty"))
    if len(data) > limit_bytes():
        raise InvalidField("file", too_large_message(), status=413)
    per_day = viewer.uploads_per_day()
    if per_day == 0:
        raise Refused(_("New members can upload images once they have been here a little "
                        "longer."))
    if per_day is not None:
        left = ratelimit.peek(day_key(actor), per_day, DAY, now=now)
        if not left:
            raise Refused(_("You have uploaded as many images as you may today."),
                          retry_after=left.retry_after)
    try:
        processed = images.process(data)
    except images.ImageRefused as refused:
        raise InvalidField("file", refusal(refused.code)) from None
    size = len(processed.display.data) + len(processed.thumb.data)
    used = db.session.scalar(
        select(func.coalesce(func.sum(Upload.stored_bytes), 0))
        .where(Upload.owner_id == actor.id, Upload.purged_at.is_(None))) or 0
    quota = settings.get("upload_quota_mb") * MIB
    if used + size > quota:
        raise Refused(_("Your images take all the space you have (%(max)s MB). Images you "
                        "no longer show in any post are removed after a day.",
                        max=number(settings.get("upload_quota_mb"))))
    if per_day is not None:
        # Counted only now, in one atomic step: of uploads sent at once, exactly the day's
        # limit get through.
        counted = ratelimit.hit(day_key(actor), per_day, DAY, now=now)
        if not counted:
            raise Refused(_("You have uploaded as many images as you may today."),
                          retry_after=counted.retry_after)
    store = storage()
    for encoded in (processed.display, processed.thumb):
        # Stored once by content: a picture uploaded again is already there.
        if not store.exists(encoded.key):
            store.put(encoded.key, encoded.data)
    upload = Upload(owner_id=actor.id, display_key=processed.display.key,
                    thumb_key=processed.thumb.key, width=processed.width,
                    height=processed.height, stored_bytes=size, name=name, created_at=now)
    db.session.add(upload)
    commit()
    return upload


def recent_uploads(actor: User, limit: int = 12) -> list[Upload]:
    """The member's latest uploads, for the upload page (one query)."""
    return list(db.session.scalars(
        select(Upload).where(Upload.owner_id == actor.id, Upload.purged_at.is_(None))
        .order_by(Upload.created_at.desc(), Upload.id.desc()).limit(limit)))


@data_export.section("uploads")
def export_uploads(user: User) -> list[dict]:
    """The member's uploaded images: where they are and what shows them (one query)."""
    rows = db.session.scalars(
        select(Upload).where(Upload.owner_id == user.id).order_by(Upload.id))
    return [{"id": upload.id, "name": upload.name, "url": upload.url,
             "width": upload.width, "height": upload.height,
             "created_at": data_export.iso(upload.created_at), "post_id": upload.post_id,
             "message_id": upload.message_id,
             "purged_at": data_export.iso(upload.purged_at)} for upload in rows]
