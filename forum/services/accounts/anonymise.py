"""Anonymising an account: the row stays so posts keep an author, shown as "Deleted member";
everything that identified the person goes.

A step, not an entry point: ``services.site.account_removal`` checks who may, logs, and
commits.
"""
from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import delete, select, update

from ...extensions import db
from ...models import (
    AnnouncementDismissal,
    BoardModerator,
    Conversation,
    ConversationParticipant,
    GroupMember,
    Invitation,
    MemberAddress,
    Notification,
    PasswordReset,
    Role,
    User,
)
from .. import blocks
from . import logins, usernames
from .account import username_taken

DELETED_NAME = "Deleted member"


def placeholder_username(user: User) -> str:
    return f"deleted-{user.id}"


def placeholder_email(user: User) -> str:
    # ".invalid" is reserved (RFC 2606): no mail can ever be delivered there.
    return f"deleted-{user.id}@deleted.invalid"


def anonymise(user: User, now: datetime) -> dict:
    """Strip the account down to its id and counts; returns what it held before (for the
    log: the name and role, never the email or profile text). No commit."""
    before = {"username": user.username, "role": user.role.name.lower(),
              "display_name": user.display_name}
    usernames.forget_old_names(user)
    db.session.execute(delete(PasswordReset).where(PasswordReset.user_id == user.id))
    db.session.execute(delete(BoardModerator).where(BoardModerator.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.recipient_id == user.id))
    db.session.execute(
        delete(AnnouncementDismissal).where(AnnouncementDismissal.user_id == user.id)
    )
    db.session.execute(delete(GroupMember).where(GroupMember.user_id == user.id))
    db.session.execute(delete(MemberAddress).where(MemberAddress.user_id == user.id))
    blocks.forget_member(user.id)
    # The account leaves its conversations; its messages stay, from "Deleted member".
    active = (ConversationParticipant.user_id == user.id,
              ConversationParticipant.left_at.is_(None))
    db.session.execute(
        update(Conversation)
        .where(Conversation.id.in_(select(ConversationParticipant.conversation_id)
                                   .where(*active)))
        .values(participant_count=Conversation.participant_count - 1)
        .execution_options(synchronize_session=False))
    db.session.execute(update(ConversationParticipant).where(*active).values(left_at=now)
                       .execution_options(synchronize_session=False))
    # Links the person handed out stop working with the account that vouched for them.
    db.session.execute(
        update(Invitation).where(Invitation.created_by_id == user.id,
                                 Invitation.used_by_id.is_(None), Invitation.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)
    )
    name = placeholder_username(user)
    if username_taken(name):
        # A member who registered such a name before it was reserved keeps it.
        name = f"{name}-{secrets.token_hex(4)}"
    user.username = name
    user.username_key = name
    # The placeholder keeps nothing out: its own name is reserved, and the name it replaces is
    # free again, look-alikes included.
    user.username_skeleton = None
    user.email = placeholder_email(user)
    user.email_key = user.email
    user.display_name = DELETED_NAME
    user.bio = user.bio_html = user.location = user.website = None
    user.timezone = "UTC"
    user.role = Role.MEMBER
    user.is_board_moderator = False
    # Not a hash any method produces, so no password ever matches it.
    user.password_hash = "!deleted:" + secrets.token_hex(16)
    # Its logins end, and their addresses and browsers are not kept.
    logins.forget(user.id)
    user.deleted_at = now
    return before
