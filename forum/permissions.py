"""The one place that answers "may this user do X to Y?", with a reason.

Views, templates and (later) the API ask a ``Policy``; list queries go through its
``visible_*`` filters so rows a viewer may not see never reach a page.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from flask import g
from flask_login import current_user
from sqlalchemy import Select, select

from .extensions import db
from .models import Access, Board, BoardModerator, Post, Role, Thread


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    retry_after: int | None = None  # seconds, for cooldowns
    login_required: bool = False  # a guest would be allowed after logging in

    def __bool__(self) -> bool:
        return self.allowed


ALLOW = Decision(True)


def deny(reason: str, *, retry_after: int | None = None) -> Decision:
    return Decision(False, reason, retry_after)


def need_login(reason: str) -> Decision:
    return Decision(False, reason, login_required=True)


class Policy:
    def __init__(self, user) -> None:
        self.user = user
        self.is_member = bool(user is not None and user.is_authenticated)
        self.role = user.role if self.is_member else None

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
        rows = db.session.scalars(
            select(BoardModerator.board_id).where(BoardModerator.user_id == self.user.id)
        )
        return frozenset(rows)

    def moderates(self, board: Board) -> bool:
        return self.is_global_moderator or board.id in self.moderated_board_ids

    @property
    def is_staff_anywhere(self) -> bool:
        return self.is_global_moderator or bool(self.moderated_board_ids)

    # -- boards --------------------------------------------------------------------------
    def can_view_board(self, board: Board) -> Decision:
        if board.access == Access.EVERYONE:
            return ALLOW
        if board.access == Access.MEMBERS:
            return ALLOW if self.is_member else need_login("This board is open to members only.")
        if self.moderates(board):
            return ALLOW
        if not self.is_member:
            return need_login("This board is open to the moderation team only.")
        return deny("This board is open to the moderation team only.")

    def visible_boards(self, query: Select) -> Select:
        """Restrict a query that selects from ``Board`` (or joins it) to readable boards."""
        if self.is_global_moderator:
            return query
        if not self.is_member:
            return query.where(Board.access == Access.EVERYONE)
        allowed = Board.access.in_([Access.EVERYONE, Access.MEMBERS])
        if self.moderated_board_ids:
            allowed = allowed | Board.id.in_(self.moderated_board_ids)
        return query.where(allowed)

    def can_create_thread(self, board: Board) -> Decision:
        seen = self.can_view_board(board)
        if not seen:
            return seen
        if not self.is_member:
            return need_login("Log in to start a thread.")
        if board.is_read_only and not self.moderates(board):
            return deny("This board is read-only: only moderators can start threads here.")
        return ALLOW

    # -- threads and posts ---------------------------------------------------------------
    def can_view_thread(self, thread: Thread) -> Decision:
        seen = self.can_view_board(thread.board)
        if not seen:
            return seen
        if thread.is_deleted and not self.moderates(thread.board):
            return deny("This thread has been deleted.")
        return ALLOW

    def visible_threads(self, query: Select, board: Board) -> Select:
        if self.moderates(board):
            return query
        return query.where(Thread.is_deleted.is_(False))

    def can_reply(self, thread: Thread) -> Decision:
        seen = self.can_view_thread(thread)
        if not seen:
            return seen
        if not self.is_member:
            return need_login("Log in to reply.")
        if self.moderates(thread.board):
            return ALLOW
        if thread.board.is_read_only:
            return deny("This board is read-only: only moderators can reply here.")
        if thread.is_locked:
            reason = f" {thread.locked_reason}" if thread.locked_reason else ""
            return deny(f"This thread is locked by a moderator.{reason}")
        return ALLOW

    def can_view_post(self, post: Post) -> Decision:
        """Whether the post's text is shown; deleted posts remain as a placeholder."""
        if post.is_deleted and not self.moderates(post.thread.board):
            return deny("This post was deleted.")
        return ALLOW

    def _is_author(self, post: Post) -> bool:
        return self.is_member and post.author_id == self.user.id

    def can_edit_post(self, post: Post) -> Decision:
        if not self.is_member:
            return need_login("Log in to edit posts.")
        board = post.thread.board
        if self.moderates(board):
            return ALLOW
        if not self._is_author(post):
            return deny("You can only edit your own posts.")
        if post.is_deleted:
            return deny("This post was deleted and can no longer be edited.")
        if post.thread.is_locked:
            return deny("This thread is locked, so its posts can no longer be edited.")
        if board.is_read_only:
            return deny("This board is read-only.")
        return ALLOW

    def can_delete_post(self, post: Post) -> Decision:
        if not self.is_member:
            return need_login("Log in to delete posts.")
        if post.is_deleted:
            return deny("This post is already deleted.")
        thread = post.thread
        if self.moderates(thread.board):
            return ALLOW
        if not self._is_author(post):
            return deny("You can only delete your own posts.")
        if thread.is_locked:
            return deny("This thread is locked, so its posts can no longer be deleted.")
        if post.id == thread.first_post_id and thread.reply_count > 0:
            return deny(
                "This post opens a thread that has replies; ask a moderator to remove the thread."
            )
        return ALLOW

    def can_view_revisions(self, post: Post) -> Decision:
        # Authors may want to fix a slip quietly; the history stays with them and the moderators.
        if self._is_author(post) or (self.is_member and self.moderates(post.thread.board)):
            return ALLOW
        if not self.is_member:
            return need_login("Log in to see the edit history.")
        return deny("Only the author and moderators can see a post's edit history.")

    # -- members -------------------------------------------------------------------------
    def can_edit_profile(self, user) -> Decision:
        if not self.is_member:
            return need_login("Log in to edit your profile.")
        if user.id == self.user.id:
            return ALLOW
        return deny("You can only edit your own profile.")


def policy() -> Policy:
    """The current viewer's policy, built once per request."""
    if "policy" not in g:
        g.policy = Policy(current_user)
    return g.policy
