"""Questions about boards, threads, posts and profiles."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from sqlalchemy import ColumnElement, Select, exists, true

from ..common import timefmt
from ..models import (
    Access,
    Board,
    BoardGroup,
    BoardModerator,
    GroupLimit,
    GroupMember,
    Post,
    Role,
    Thread,
    User,
)
from . import pace
from .decision import ALLOW, Decision, deny, need_login
from .viewer import Viewer


def readers_of_board(board: Board) -> ColumnElement[bool]:
    """``can_view_board`` for every member at once, as a condition on ``User`` rows, for
    fan-outs that write one statement for all their recipients (deleted accounts left out)."""
    team = (User.role_value >= Role.MODERATOR) | exists().where(
        BoardModerator.user_id == User.id, BoardModerator.board_id == board.id)
    if board.access == Access.STAFF:
        allowed = team
    elif board.read_group_ids:
        allowed = team | exists().where(GroupMember.user_id == User.id,
                                        GroupMember.group_id.in_(board.read_group_ids))
    else:
        allowed = true()
    return User.deleted_at.is_(None) & User.approval_state.is_(None) & allowed


class ContentRules(Viewer):
    # -- boards --------------------------------------------------------------------------
    # A board's ``access`` says whether guests, members or only the moderation team read it;
    # its read groups (``Board.read_group_ids``), when it has any, narrow that to their members,
    # and its post groups narrow who starts threads and replies. The moderation team (global
    # moderators, administrators, the board's own moderators) is never held back by groups.
    # ``can_view_board`` and ``visible_boards`` are the same rule, for one board and in SQL.
    def can_view_board(self, board: Board) -> Decision:
        if board.access == Access.STAFF:
            if self.moderates(board):
                return ALLOW
            if not self.is_member:
                return need_login(_("This board is open to the moderation team only."))
            return deny(_("This board is open to the moderation team only."))
        if board.access == Access.MEMBERS and not self.is_member:
            return need_login(_("This board is open to members only."))
        groups = board.read_group_ids
        if groups and not groups & self.group_ids and not self.moderates(board):
            if not self.is_member:
                return need_login(_("This board is open to members of certain groups only."))
            return deny(_("This board is open to members of certain groups only."))
        return ALLOW

    def _may_post_by_groups(self, board: Board) -> Decision:
        groups = board.post_group_ids
        if groups and not groups & self.group_ids and not self.moderates(board):
            return deny(_("Only members of certain groups can post in this board."))
        return ALLOW

    @property
    def board_visibility(self) -> tuple:
        """Everything ``visible_boards`` depends on: viewers with equal values may share a
        statement built by it."""
        if self.is_global_moderator:
            return ("all",)
        if not self.is_member:
            return ("guest",)
        return ("member", self.moderated_board_ids, self.group_ids)

    def visible_boards(self, query: Select) -> Select:
        """Restrict a query that selects from ``Board`` (or joins it) to readable boards."""
        if self.is_global_moderator:
            return query
        limited = BoardGroup.board_id == Board.id, BoardGroup.kind == GroupLimit.READ.value
        by_groups = ~exists().where(*limited)
        if not self.is_member:
            return query.where(Board.access == Access.EVERYONE, by_groups)
        if self.group_ids:
            by_groups = by_groups | exists().where(*limited,
                                                   BoardGroup.group_id.in_(self.group_ids))
        allowed = Board.access.in_([Access.EVERYONE, Access.MEMBERS]) & by_groups
        if self.moderated_board_ids:
            allowed = allowed | Board.id.in_(self.moderated_board_ids)
        return query.where(allowed)

    def can_see_own_waiting(self) -> Decision:
        """A member's posts waiting for approval are theirs to see; guests have none."""
        if not self.is_member:
            return need_login(_("Log in to see your posts waiting for a moderator."))
        return ALLOW

    def can_keep_up(self) -> Decision:
        """Watching, reading state, bookmarks: a member's own; guests have none."""
        if not self.is_member:
            return need_login(_("Log in to follow threads and keep your place."))
        return ALLOW

    def can_react(self, post: Post) -> Decision:
        """Reacting to a post someone else wrote that the member can read; a timeout stops
        it like other acts besides reading."""
        if not self.is_member:
            return need_login(_("Log in to react to posts."))
        seen = self.can_view_thread(post.thread)
        if not seen:
            return seen
        if post.is_deleted or post.is_hidden:
            return deny(_("This post can't take reactions: it is deleted or hidden."))
        if post.author_id == self.user.id:
            return deny(_("You can't react to your own post."))
        return self.acting_sanction()

    def can_create_thread(self, board: Board) -> Decision:
        seen = self.can_view_board(board)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to start a thread."))
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if board.is_read_only and not self.moderates(board):
            return deny(_("This board is read-only: only moderators can start threads here."))
        if board.thread_access == Access.STAFF and not self.moderates(board):
            return deny(_("Only the moderation team can start threads in this board."))
        return self._may_post_by_groups(board)

    # -- threads and posts ---------------------------------------------------------------
    def can_view_thread(self, thread: Thread) -> Decision:
        seen = self.can_view_board(thread.board)
        if not seen:
            return seen
        if thread.is_deleted and not self.moderates(thread.board):
            return deny(_("This thread has been deleted."))
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
            return need_login(_("Log in to reply."))
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if self.moderates(thread.board):
            return ALLOW
        if thread.board.is_read_only:
            return deny(_("This board is read-only: only moderators can reply here."))
        grouped = self._may_post_by_groups(thread.board)
        if not grouped:
            return grouped
        if thread.locked_now(self.clock):
            return deny(self.lock_notice(thread))
        return ALLOW

    def can_mark_answer(self, thread: Thread) -> Decision:
        """Mark a reply as the answer to a question (or change or unmark it): the member who
        asked, or a moderator of the board, in a question board."""
        seen = self.can_view_thread(thread)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to mark the answer."))
        if not thread.board.is_questions:
            return deny(_("Only questions in a question board have an accepted answer."))
        if self.moderates(thread.board):
            return ALLOW
        if thread.author_id != self.user.id:
            return deny(_("Only the member who asked, or a moderator, can mark the answer."))
        sanctioned = self.acting_sanction()
        if not sanctioned:
            return sanctioned
        if thread.is_deleted:
            return deny(_("This thread has been deleted."))
        return ALLOW

    def lock_notice(self, thread: Thread) -> str:
        """"Locked by a moderator: <reason>", with when it opens again for timed locks."""
        reason = (thread.locked_reason or "").strip()
        if reason and reason[-1] not in ".!?":
            reason += "."
        if thread.lock_ends_at is None:
            if reason:
                return _("Locked by a moderator: %(reason)s", reason=reason)
            return _("Locked by a moderator.")
        reopens = timefmt.when(thread.lock_ends_at, self.tz)
        if reason:
            return _("Locked by a moderator: %(reason)s It reopens at %(time)s.",
                     reason=reason, time=reopens)
        return _("Locked by a moderator. It reopens at %(time)s.", time=reopens)

    def posting_wait(self, board: Board, thread: Thread | None = None) -> Decision:
        """Whether flood limits or slow mode make the member wait before posting here, and
        for how long (for the page; posting counts atomically in ``services.content.cooldowns``)."""
        if not self.is_member:
            return ALLOW
        return pace.wait(self, board, thread, self.clock)

    def can_view_post(self, post: Post) -> Decision:
        """Whether the post's text is shown; deleted posts remain as a placeholder."""
        if post.is_deleted and not self.moderates(post.thread.board):
            return deny(_("This post was deleted."))
        if post.is_hidden and not (self._is_author(post) or self.moderates(post.thread.board)):
            if post.hidden_by_id is None:
                return deny(_("This post is hidden pending review by a moderator."))
            return deny(_("This post was hidden by a moderator."))
        return ALLOW

    def _is_author(self, post: Post) -> bool:
        return self.is_member and post.author_id == self.user.id

    def can_edit_post(self, post: Post) -> Decision:
        """Authors edit their own posts within the thread's limits (moderators of the board
        past them), unless a sanction stops them (``acting_sanction``); anyone else's post
        only a moderator of the board who outranks its author (``can_act_on_user``), through
        the moderators' edit, which asks for a reason and is logged
        (``services.content.posting.edit_post``)."""
        if not self.is_member:
            return need_login(_("Log in to edit posts."))
        sanctioned = self.acting_sanction()
        if not sanctioned:
            return sanctioned
        board = post.thread.board
        if not self._is_author(post):
            return self._may_moderate_post(post, _l("You can only edit your own posts."))
        if self.moderates(board):
            return ALLOW
        if post.is_deleted:
            return deny(_("This post was deleted and can no longer be edited."))
        if post.thread.locked_now(self.clock):
            return deny(_("This thread is locked, so its posts can no longer be edited."))
        if board.is_read_only:
            return deny(_("This board is read-only."))
        return ALLOW

    def can_delete_post(self, post: Post) -> Decision:
        """Authors delete their own posts within the thread's limits (moderators of the board
        past them), unless a sanction stops them (``acting_sanction``); anyone else's post
        only a moderator of the board who outranks its author, with a reason and a log entry
        (``services.content.posting.delete_post``)."""
        if not self.is_member:
            return need_login(_("Log in to delete posts."))
        # A timed-out member's posts stay as they are while the moderators look at them.
        sanctioned = self.acting_sanction()
        if not sanctioned:
            return sanctioned
        if post.is_deleted:
            return deny(_("This post is already deleted."))
        thread = post.thread
        if not self._is_author(post):
            return self._may_moderate_post(post, _l("You can only delete your own posts."))
        if self.moderates(thread.board):
            return ALLOW
        if thread.locked_now(self.clock):
            return deny(_("This thread is locked, so its posts can no longer be deleted."))
        if post.id == thread.first_post_id and thread.reply_count > 0:
            return deny(_(
                "This post opens a thread that has replies; ask a moderator to remove the thread."
            ))
        return ALLOW

    def _may_moderate_post(self, post: Post, refusal: LazyString) -> Decision:
        # Someone else's post: the board's moderators, and only above the author's rank, the
        # rule hiding applies (``ModerationRules.can_act_on_user``, beside this on ``Policy``).
        # ``refusal`` is lazy: a thread page asks this of every post, and a text nobody reads
        # needn't be looked up.
        board = post.thread.board
        if not self.moderates(board):
            return deny(refusal)
        return self.can_act_on_user(post.author, board)  # type: ignore[attr-defined]

    def post_class(self, post: Post) -> tuple | None:
        """Posts on which every per-post question of a thread page (react, edit, delete,
        history, report) gets the same answers for this viewer: for a member who neither wrote
        the post nor moderates its board, those answers follow from the thread and the post's
        state alone. None where they need the post itself (the author's own posts, a
        moderator's view, guests). A page of posts asks once per class, not once per post;
        ``tests/test_permissions.py`` checks the classes against the single answers."""
        if not self.is_member or self._is_author(post) or self.moderates(post.thread.board):
            return None
        return (post.thread.id, post.is_deleted, post.is_hidden, bool(post.revision_count))

    def can_view_revisions(self, post: Post) -> Decision:
        # Authors may want to fix a slip quietly; the history stays with them and the moderators.
        if self._is_author(post) or (self.is_member and self.moderates(post.thread.board)):
            return ALLOW
        if not self.is_member:
            return need_login(_("Log in to see the edit history."))
        return deny(_("Only the author and moderators can see a post's edit history."))

    # -- members -------------------------------------------------------------------------
    def can_edit_profile(self, user) -> Decision:
        """Open one's profile form and keep one's own settings there (time zone, language)."""
        if not self.is_member:
            return need_login(_("Log in to edit your profile."))
        if user.id == self.user.id:
            return ALLOW
        return deny(_("You can only edit your own profile."))

    def can_change_public_profile(self, user) -> Decision:
        """Change what others see of the member (display name, bio, location, website): not
        while a timeout or other sanction is in force."""
        decision = self.can_edit_profile(user)
        if not decision:
            return decision
        return self.acting_sanction()

