"""Who is asking: the member, their role, the boards they moderate, their sanctions in force."""
from __future__ import annotations

from datetime import datetime
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import inspect, select

from ..extensions import db
from ..models import (
    Board,
    BoardModerator,
    GroupMember,
    Role,
    utcnow,
)
from ..stores import settings
from . import standing
from .decision import ALLOW, Decision, deny


class Viewer:
    """What every question of the policy starts from."""

    def __init__(self, user, now=None) -> None:
        self.user = user
        # The clock sanctions are judged against; None means the time of asking.
        self.now = now
        self.is_member = bool(user is not None and user.is_authenticated)
        self.role = user.role if self.is_member else None

    @property
    def tz(self) -> str | None:
        """The zone the viewer reads times in (None, that is UTC, for guests)."""
        return self.user.timezone if self.is_member else None

    @property
    def clock(self) -> datetime:
        """The time rules are judged at: the one given, else now."""
        return self.now or utcnow()

    # -- who is this ---------------------------------------------------------------------
    @property
    def is_global_moderator(self) -> bool:
        return self.is_member and self.role >= Role.MODERATOR

    @property
    def is_admin(self) -> bool:
        return self.is_member and self.role >= Role.ADMIN

    @cached_property
    def moderated_board_ids(self) -> frozenset[int]:
        if not self.is_member or not self.user.is_board_moderator:
            return frozenset()
        listed = self.user.moderated_board_list
        if listed is not None:
            # Loaded with the member (``web.load_user``).
            return frozenset(int(board_id) for board_id in listed.split(",") if board_id)
        if "moderated_boards" not in inspect(self.user).unloaded:
            # The user loader brought them along with the user.
            return frozenset(board.id for board in self.user.moderated_boards)
        rows = db.session.scalars(
            select(BoardModerator.board_id).where(BoardModerator.user_id == self.user.id)
        )
        return frozenset(rows)

    @cached_property
    def group_ids(self) -> frozenset[int]:
        """The groups the member belongs to: loaded with the member for the request's viewer
        (``web.load_user``), else one query, asked only when a question needs them."""
        if not self.is_member:
            return frozenset()
        listed = getattr(self.user, "group_list", None)
        if listed is not None:
            return frozenset(int(group_id) for group_id in listed.split(",") if group_id)
        return frozenset(db.session.scalars(
            select(GroupMember.group_id).where(GroupMember.user_id == self.user.id)
        ))

    def moderates(self, board: Board) -> bool:
        return self.is_global_moderator or board.id in self.moderated_board_ids

    @property
    def is_staff_anywhere(self) -> bool:
        return self.is_global_moderator or bool(self.moderated_board_ids)

    @cached_property
    def active_sanctions(self) -> tuple:
        """The member's sanctions in force: one query per policy, none for guests."""
        if not self.is_member:
            return ()
        # Read without loading: on an expired member the expression can't be refreshed.
        if self.now is None and self.user.__dict__.get("sanctioned_at_load") is False:
            # Asked when the request loaded the member, milliseconds ago.
            return ()
        return tuple(standing.active_sanctions(self.user, self.now))

    def posting_sanction(self) -> Decision:
        """Refuses a member under a timeout, suspension or ban, with the reason and the end,
        and a member who has not accepted the current rules and privacy notice."""
        if not self.is_member:
            return ALLOW
        sanctioned = standing.posting_decision(self.active_sanctions, self.now, self.tz)
        if not sanctioned:
            return sanctioned
        documents = self.documents_decision()
        if not documents:
            return documents
        return self.email_decision()

    def email_decision(self) -> Decision:
        """Refuses a member whose address is unconfirmed while the forum requires
        confirmation before posting (a column of the member and a setting: no query)."""
        if (not self.is_member or self.user.email_confirmed_at is not None
                or settings.get("email_confirmation") != "required"):
            return ALLOW
        return deny(_("Please confirm your email address before posting: follow the link "
                      "we sent you, or ask for a new one on your account page."))

    def acting_sanction(self) -> Decision:
        """Refuses a member under a timeout, suspension or ban what a timeout stops besides
        posting: editing and deleting, profile changes, reports, event answers."""
        if not self.is_member or not self.active_sanctions:
            return ALLOW  # nearly everyone, asked several times per post of a page
        return standing.acting_decision(self.active_sanctions, self.now, self.tz)

    def documents_decision(self) -> Decision:
        """Refuses a member who has not accepted the current rules and privacy notice: they
        read on, but post again only after accepting them at /accept. Compared with the
        versions the settings already hold, so it costs no query."""
        if not self.is_member or settings.documents_accepted(self.user):
            return ALLOW
        return deny(_("The rules or the privacy notice have changed. Please read and accept "
                      "them (see the notice at the top of the page) before posting again."))

