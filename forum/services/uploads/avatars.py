"""Members' own avatars: uploaded, cropped square, stored in a few sizes; and their removal,
by the member or, for an offensive one, by a moderator."""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ...common import images
from ...database import commit
from ...errors import InvalidField, require
from ...extensions import db
from ...models import NotificationKind, User, utcnow
from ...policy import Policy
from .. import audit, notifications, text
from .storage import storage
from .uploading import clean_name, limit_bytes, refusal, too_large_message

PREFIX = "avatars/"


def keys_of(user: User) -> list[str]:
    return (user.avatar_keys or "").split()


def _drop_unused(keys: list[str]) -> None:
    """Delete the files of an avatar no member shows any more (two members may have
    uploaded the same picture)."""
    if not keys:
        return
    still = " ".join(db.session.scalars(
        select(User.avatar_keys).where(User.avatar_keys.is_not(None))))
    store = storage()
    for key in keys:
        if key not in still:
            store.delete(key)


def set_avatar(actor: User, data: bytes, filename: str | None) -> User:
    """The member's avatar from an uploaded picture. Refuses as the public profile does (a
    timeout stops it) and as an upload does: a bad file name, an empty or oversized file
    (413), anything that doesn't decode as a JPEG, PNG, WebP or GIF within the bounds."""
    require(Policy(actor).can_change_public_profile(actor))
    clean_name(filename)
    if not data:
        raise InvalidField("file", refusal("empty"))
    if len(data) > limit_bytes():
        raise InvalidField("file", too_large_message(), status=413)
    try:
        sizes = images.avatar(data)
    except images.ImageRefused as refused:
        raise InvalidField("file", refusal(refused.code)) from None
    store = storage()
    keys = []
    for encoded in sizes:
        key = PREFIX + encoded.key
        if not store.exists(key):
            store.put(key, encoded.data)
        keys.append(key)
    old = keys_of(actor)
    actor.avatar_keys = " ".join(keys)
    commit()
    _drop_unused([key for key in old if key not in keys])
    return actor


def remove_avatar(actor: User) -> User:
    """Back to the generated avatar (the member's own choice: no sanction stops it)."""
    require(Policy(actor).can_edit_profile(actor))
    old = keys_of(actor)
    actor.avatar_keys = None
    commit()
    _drop_unused(old)
    return actor


def reset_avatar(actor: User, member: User, reason: str | None,
                 now: datetime | None = None) -> User:
    """A moderator removes an offensive avatar: logged with the reason, the member told.
    Refuses: whom the moderator may not act on (``can_act_on_user``), no reason (400), a
    member with no uploaded avatar (400)."""
    now = now or utcnow()
    require(Policy(actor, now).can_act_on_user(member))
    reason = text.clean_reason(reason, _("Please give a reason for removing the avatar."))
    old = keys_of(member)
    if not old:
        raise InvalidField("reason", _("This member has no avatar of their own to remove."))
    member.avatar_keys = None
    audit.record(actor, "user.avatar_reset", member, reason, now=now)
    notifications.notify(member, NotificationKind.MODERATION, "user.avatar_reset",
                         {"reason": reason}, "/account/profile", actor, now=now)
    commit()
    _drop_unused(old)
    return member
