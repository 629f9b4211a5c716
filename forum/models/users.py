"""Members and their roles."""
from __future__ import annotations

import hashlib
from datetime import datetime
from enum import IntEnum
from urllib.parse import quote

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..common import usernames
from ..extensions import db
from .base import UTCDateTime, utcnow


class Role(IntEnum):
    """Ordered so that ``user.role >= Role.MODERATOR`` reads naturally."""

    MEMBER = 1
    MODERATOR = 2
    ADMIN = 3

    @property
    def label(self):
        """The role's name for people (lazy: in the reader's language when shown)."""
        return _ROLE_LABELS[self]


_ROLE_LABELS = {
    Role.MEMBER: _l("Member"),
    Role.MODERATOR: _l("Moderator"),
    Role.ADMIN: _l("Admin"),
}


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # NFKC-normalised as typed, in any script (forum/common/usernames.py).
    username: Mapped[str] = mapped_column(String(32))
    # Case-folded copies carry the unique constraints: "Alice" and "alice" are one name, and so
    # are "Jürgen" and "JÜRGEN".
    username_key: Mapped[str] = mapped_column(String(usernames.KEY_MAX), unique=True)
    # The name's look-alike skeleton (Unicode TR39): a unique index, so no two members have
    # names that look alike even when two sign-ups race, and the check is one lookup. Null for
    # deleted accounts, and for names that were already alike when skeletons came in: the
    # oldest of those keeps the skeleton, which still keeps new look-alikes out.
    username_skeleton: Mapped[str | None] = mapped_column(String(usernames.SKELETON_MAX),
                                                          unique=True, index=True)
    email: Mapped[str] = mapped_column(String(254))
    email_key: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role_value: Mapped[int] = mapped_column("role", Integer, default=Role.MEMBER)
    display_name: Mapped[str | None] = mapped_column(String(64))
    # An uploaded avatar: the storage keys of its sizes (``AVATAR_SIZES``), space-separated;
    # None shows the generated one. The keys are content hashes, so a new picture is a new
    # address and the old one may stay cached for good.
    avatar_keys: Mapped[str | None] = mapped_column(String(300))
    # Show images from other sites at once rather than behind a "load image" placeholder.
    load_remote_images: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default="0")
    bio: Mapped[str | None] = mapped_column(Text)
    bio_html: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(100))
    website: Mapped[str | None] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # The interface language the member chose ("de", "en"); None follows their browser.
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    thread_count: Mapped[int] = mapped_column(Integer, default=0)
    # No posting counter (flood interval, slow mode) of this member runs past this moment, so
    # before it the reply box asks the counters and after it need not.
    paced_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the member showed they read mail at their address (a confirmation link, or an
    # account made by an administrator's command); None while it waits for confirmation.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the member stopped every notification mail (one-click unsubscribe); account
    # mail (resets, confirmations) still goes.
    notification_mail_stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The member's notification mail choices where they differ from the defaults
    # (services/notification_mail/topics.py): None while every choice is the default.
    mail_preferences: Mapped[dict | None] = mapped_column(JSON)
    # When the member's next digest falls due; also its claim (a worker sends only after
    # moving it on with a conditional UPDATE). A new account starts due "now", which the
    # first run only turns into the member's real moment. None: no digest (turned off).
    digest_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the account was deleted: the row stays, anonymised, so posts keep an author.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The versions of the rules and the privacy notice the member last accepted (0: none);
    # compared with the current ones kept among the settings, so the check costs no query.
    rules_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    privacy_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # None for an admitted member. "waiting" while a sign-up waits for an administrator
    # (the forum's "new accounts need approval" setting), "rejected" once refused: the account
    # can't log in either way. A rejected account is kept, so its name and email can't simply
    # be used again, and the login page can tell the applicant why.
    approval_state: Mapped[str | None] = mapped_column(String(16), index=True)
    # The applicant's answer to the forum's question, while it matters to the decision.
    approval_answer: Mapped[str | None] = mapped_column(Text)
    # The address the application came from, kept only until it is decided.
    approval_address: Mapped[str | None] = mapped_column(String(64))
    # Why an application was rejected, told to the applicant when they try to log in.
    approval_reason: Mapped[str | None] = mapped_column(Text)

    # Set while the member moderates chosen boards, so the policy only looks the boards up then.
    is_board_moderator: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set by a moderator on the member's record: every post waits for approval.
    always_review: Mapped[bool] = mapped_column(Boolean, default=False)
    # Keeping up (``services.content.watching``): the levels threads get when the member
    # starts one or replies, and when they last marked everything read.
    watch_started: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    track_replied: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    read_all_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Reactions others gave the member's posts, kept in SQL with each reaction.
    reactions_received: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    # Whether any timeout, suspension or ban was in force when the request loaded the member
    # (``web.load_user`` asks in the same query); False spares the policy its sanctions query.
    # None where a query did not ask.
    sanctioned_at_load: Mapped[bool | None] = query_expression()
    # The ids of the boards the member moderates, comma-separated, from the same query; None
    # where a query did not ask.
    moderated_board_list: Mapped[str | None] = query_expression()
    # The ids of the member's groups, comma-separated ("" for none), from the same query; None
    # where a query did not ask.
    group_list: Mapped[str | None] = query_expression()
    # The ids of the members this member blocked, comma-separated ("" for none), negative
    # where their posts are folded away too, from the same query; None where a query did not
    # ask.
    blocked_list: Mapped[str | None] = query_expression()

    moderated_boards = relationship(
        "Board", secondary="board_moderators", order_by="Board.position", viewonly=True
    )

    __table_args__ = (Index("ix_users_post_count", "post_count"),
                      Index("ix_users_digest_due_at", "digest_due_at"),
                      # The desk's new members' first posts start from who joined lately.
                      Index("ix_users_created_at", "created_at"))

    @property
    def role(self) -> Role:
        return Role(self.role_value)

    @role.setter
    def role(self, value: Role) -> None:
        self.role_value = int(value)

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def password_stamp(self) -> str:
        """A short digest of the password hash: a signed token that names it (the second step
        of a login, an appeal from the login page) is spent by a password change."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    @property
    def url(self) -> str:
        """The profile's address, for links stored outside a request (notifications); names
        in any script are percent-encoded, as ``url_for`` would."""
        return f"/u/{quote(self.username, safe='')}"

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_admitted(self) -> bool:
        """Whether the account may log in as far as approval goes (sanctions aside)."""
        return self.approval_state is None

    @property
    def is_moderator(self) -> bool:
        return self.role >= Role.MODERATOR

    @property
    def is_admin(self) -> bool:
        return self.role >= Role.ADMIN

    # "<login id>:<secret>" of the login this request came with (``models.Login``), set when
    # the member is loaded or logs in; what Flask-Login keeps in the session and the
    # remember-me cookie. Not a column: the secret is never stored.
    login_cookie = None
    # When that login was last marked seen, as loaded with the member.
    login_seen_at = None

    @property
    def login_id(self) -> int | None:
        cookie = self.login_cookie
        return int(cookie.partition(":")[0]) if cookie else None

    # One member is one member whichever login loaded them (Flask-Login would compare the
    # login cookies).
    __hash__ = object.__hash__

    def __eq__(self, other):
        if isinstance(other, User):
            return self is other or (self.id is not None and self.id == other.id)
        return NotImplemented

    def __ne__(self, other):
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def get_id(self) -> str:
        if not self.login_cookie:
            raise RuntimeError("no login is attached to this member")
        return self.login_cookie

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class BoardModerator(db.Model):
    """A moderator of chosen boards only."""

    __tablename__ = "board_moderators"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    board_id: Mapped[int] = mapped_column(
        ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True, index=True
    )



class OldUsername(db.Model):
    """A name a member had before it was changed: ``/u/<old>`` redirects to them. A name is
    freed when its member changes it; whoever takes it next (another member, or the same one
    taking it back) ends the redirect, and deleting the account ends its redirects."""

    __tablename__ = "old_usernames"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    username: Mapped[str] = mapped_column(String(32))
    # Old names reserve nothing (anyone may take one, which ends its redirect), so they need
    # no skeleton: only the key that finds them.
    username_key: Mapped[str] = mapped_column(String(usernames.KEY_MAX), unique=True)
    retired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class PasswordReset(db.Model):
    """A single-use link to set a new password. Only the token's SHA-256 is kept, so the
    table cannot be read back into working links."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the link was used, or replaced by a newer one.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The administrator who asked for it; None when the member asked (by mail, later).
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    user = relationship("User", foreign_keys=[user_id])
