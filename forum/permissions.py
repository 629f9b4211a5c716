"""The one place that answers "may this user do X to Y?", with a reason.

Views, templates and (later) the API ask a ``Policy``; list queries go through its
``visible_*`` filters so rows a viewer may not see never reach a page.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from flask import g
from flask_login import current_user
from sqlalchemy import Select, inspect, select

from .extensions import db
from .models import (
    Access,
    Audience,
    Board,
    BoardModerator,
    Event,
    Placement,
    Post,
    Role,
    Thread,
    User,
    utcnow,
)


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
    def __init__(self, user, now=None) -> None:
        self.user = user
        # The clock sanctions are judged against; None means the time of asking.
        self.now = now
        self.is_member = bool(user is not None and user.is_authenticated)
        self.role = user.role if self.is_member else None

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
        if self.now is None and self.user.sanctioned_at_load is False:
            # Asked when the request loaded the member, milliseconds ago.
            return ()
        from .services import sanctions  # imported late: the service imports this module

        return tuple(sanctions.active_sanctions(self.user, self.now))

    def posting_sanction(self) -> Decision:
        """Refuses a member under a timeout, suspension or ban, with the reason and the end."""
        if not self.is_member:
            return ALLOW
        from .services import sanctions

        return sanctions.posting_decision(self.active_sanctions, self.now)

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

    @property
    def board_visibility(self) -> tuple:
        """Everything ``visible_boards`` depends on: viewers with equal values may share a
        statement built by it."""
        if self.is_global_moderator:
            return ("all",)
        if not self.is_member:
            return ("guest",)
        return ("member", self.moderated_board_ids)

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
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
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
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if self.moderates(thread.board):
            return ALLOW
        if thread.board.is_read_only:
            return deny("This board is read-only: only moderators can reply here.")
        if thread.locked_now(self.clock):
            return deny(self.lock_notice(thread))
        return ALLOW

    def lock_notice(self, thread: Thread) -> str:
        """"Locked by a moderator: <reason>", with when it opens again for timed locks."""
        from .services.sanctions import when

        reason = (thread.locked_reason or "").strip()
        if reason and reason[-1] not in ".!?":
            reason += "."
        text = f"Locked by a moderator: {reason}" if reason else "Locked by a moderator."
        if thread.lock_ends_at is not None:
            text += f" It reopens at {when(thread.lock_ends_at)}."
        return text

    def posting_wait(self, board: Board, thread: Thread | None = None) -> Decision:
        """Whether flood limits or slow mode make the member wait before posting here, and
        for how long (for the page; posting counts atomically in ``services.cooldowns``)."""
        if not self.is_member:
            return ALLOW
        from .services import cooldowns

        return cooldowns.wait(self, board, thread, self.clock)

    def can_view_post(self, post: Post) -> Decision:
        """Whether the post's text is shown; deleted posts remain as a placeholder."""
        if post.is_deleted and not self.moderates(post.thread.board):
            return deny("This post was deleted.")
        if post.is_hidden and not (self._is_author(post) or self.moderates(post.thread.board)):
            if post.hidden_by_id is None:
                return deny("This post is hidden pending review by a moderator.")
            return deny("This post was hidden by a moderator.")
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
        if post.thread.locked_now(self.clock):
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
        if thread.locked_now(self.clock):
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

    # -- moderation ----------------------------------------------------------------------
    def can_moderate_board(self, board: Board) -> Decision:
        if not self.is_member:
            return need_login("Log in to moderate.")
        if self.moderates(board):
            return ALLOW
        return deny("You don't moderate this board.")

    def can_act_on_user(self, user: User, board: Board | None = None) -> Decision:
        """Rank rules for acting on a member or their posts. Moderators act anywhere, board
        moderators only with a board they moderate (the report's); nobody acts on themselves;
        only administrators act on moderators (board moderators included) and administrators."""
        if not self.is_member:
            return need_login("Log in to moderate.")
        in_scope = self.is_global_moderator or (
            board is not None and board.id in self.moderated_board_ids
        )
        if not in_scope:
            if self.moderated_board_ids:
                return deny("You can only take this action inside the boards you moderate.")
            return deny("Only moderators can do that.")
        if user.id == self.user.id:
            return deny("You can't take moderator action on yourself.")
        if self.is_admin:
            return ALLOW
        if user.is_admin:
            return deny("Moderators can't act on an administrator.")
        if user.is_moderator or user.is_board_moderator:
            return deny("Moderators can't act on another moderator; ask an administrator.")
        return ALLOW

    def can_report(self, target: Post | Thread | User) -> Decision:
        """Whether the viewer may report this; the reports service answers 404 for targets
        that are gone or out of sight."""
        if not self.is_member:
            return need_login("Log in to report something to the moderators.")
        if isinstance(target, User):
            if target.id == self.user.id:
                return deny("You can't report yourself.")
        elif target.author_id == self.user.id:
            noun = "thread" if isinstance(target, Thread) else "post"
            return deny(f"You can't report your own {noun}.")
        return ALLOW

    def can_view_reports(self) -> Decision:
        if not self.is_member:
            return need_login("Log in to see the report queue.")
        if self.is_staff_anywhere:
            return ALLOW
        return deny("The report queue is for moderators.")

    def can_handle_report(self, item) -> Decision:
        """Claim, read and resolve a queue item: reports about members are for moderators;
        reports about posts and threads also for the moderators of their board."""
        if not self.is_member:
            return need_login("Log in to handle reports.")
        if item.thread_id is None:
            if self.is_global_moderator:
                return ALLOW
            return deny("Only moderators can handle reports about members.")
        if self.moderates(item.thread.board):
            return ALLOW
        return deny("You can only handle reports from boards you moderate.")

    def can_release(self, item) -> Decision:
        """Give a claimed item back to the queue: its claimer, or an administrator."""
        handles = self.can_handle_report(item)
        if not handles:
            return handles
        if item.claimed_by_id not in (None, self.user.id) and not self.is_admin:
            return deny("Only the moderator who claimed this report, or an administrator, can "
                        "release it.")
        return ALLOW

    def can_view_member_notes(self) -> Decision:
        """Private moderator notes on members, and adding to them."""
        if not self.is_member:
            return need_login("Log in to continue.")
        if self.is_staff_anywhere:
            return ALLOW
        return deny("Moderator notes are for the moderation team.")

    def can_view_mod_log(self) -> Decision:
        if not self.is_member:
            return need_login("Log in to see the moderation log.")
        if self.is_global_moderator:
            return ALLOW
        return deny("The moderation log is for moderators.")

    def _admin_only(self, what: str) -> Decision:
        if not self.is_member:
            return need_login("Log in to continue.")
        if self.is_admin:
            return ALLOW
        return deny(f"Only administrators can {what}.")

    def can_view_admin_panel(self) -> Decision:
        return self._admin_only("see the administration panel")

    def can_export_mod_log(self) -> Decision:
        return self._admin_only("export the moderation log")

    def can_manage_roles(self) -> Decision:
        return self._admin_only("change roles")

    def can_manage_settings(self) -> Decision:
        return self._admin_only("change site settings")

    def can_manage_canned_responses(self) -> Decision:
        return self._admin_only("edit canned responses")

    # -- announcements -------------------------------------------------------------------
    def sees_audience(self, audience: str) -> bool:
        """Whether an announcement for ``audience`` is meant for this viewer."""
        if audience == Audience.EVERYONE:
            return True
        if audience == Audience.MEMBERS:
            return self.is_member
        return self.is_staff_anywhere

    def can_manage_announcements(self) -> Decision:
        """Open the announcements list: administrators see all, moderators their boards'."""
        if not self.is_member:
            return need_login("Log in to manage announcements.")
        if self.is_admin or self.is_staff_anywhere:
            return ALLOW
        return deny("Announcements are written by administrators and moderators.")

    def can_manage_announcement(self, placement: str, board: Board | None) -> Decision:
        """Create, edit or end one: site-wide ones are the administrators', a board's also
        its moderators'."""
        listed = self.can_manage_announcements()
        if not listed:
            return listed
        if placement == Placement.BOARD and board is not None and self.moderates(board):
            return ALLOW
        if self.is_admin:
            return ALLOW
        if placement == Placement.BOARD:
            return deny("You can only announce in boards you moderate.")
        return deny("Only administrators can make site-wide announcements.")

    # -- events --------------------------------------------------------------------------
    def can_view_event(self, event: Event) -> Decision:
        """An event is seen by whoever may read the board its discussion lives in."""
        return self.can_view_board(event.board)

    def visible_events(self, query: Select) -> Select:
        """Restrict a query that selects from ``Event`` to events the viewer may see."""
        return self.visible_boards(query.join(Board, Board.id == Event.board_id))

    def can_create_event(self, board: Board) -> Decision:
        seen = self.can_view_board(board)
        if not seen:
            return seen
        if not self.is_member:
            return need_login("Log in to create an event.")
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if self.moderates(board):
            return ALLOW
        if board.is_read_only:
            return deny("This board is read-only: only moderators can create events here.")
        if not board.allows_member_events:
            return deny("Only moderators can create events in this board.")
        return ALLOW

    def can_edit_event(self, event: Event) -> Decision:
        """Edit, reschedule or cancel: the author (while still allowed to post) and the
        board's moderators. A cancelled event stays as it was."""
        seen = self.can_view_event(event)
        if not seen:
            return seen
        if not self.is_member:
            return need_login("Log in to edit events.")
        if event.is_cancelled:
            return deny("This event was cancelled; it can no longer be changed.")
        if self.moderates(event.board):
            return ALLOW
        if event.author_id != self.user.id:
            return deny("Only the event's author and moderators can change it.")
        return self.posting_sanction()

    def can_rsvp(self, event: Event) -> Decision:
        seen = self.can_view_event(event)
        if not seen:
            return seen
        if not self.is_member:
            return need_login("Log in to answer this event.")
        if event.is_cancelled:
            return deny("This event was cancelled.")
        now = self.clock
        if event.has_started(now):
            return deny("This event has already started; answers are closed.")
        if event.rsvp_deadline is not None and now >= event.rsvp_deadline:
            from .timefmt import format_datetime

            closed = format_datetime(event.rsvp_deadline, self.user.timezone)
            return deny(f"Answers closed at {closed}.")
        return ALLOW


def policy() -> Policy:
    """The current viewer's policy, built once per request."""
    if "policy" not in g:
        # The user itself, not the proxy: the policy reads it dozens of times a page.
        g.policy = Policy(current_user._get_current_object())
    return g.policy
