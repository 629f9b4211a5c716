"""Questions about moderating: boards, members, reports, the log, the admin panel."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from ..extensions import db
from ..models import (
    Board,
    Invitation,
    Message,
    Post,
    Thread,
    User,
)
from ..stores import settings
from . import pace
from .decision import ALLOW, Decision, deny, need_login
from .viewer import Viewer


class ModerationRules(Viewer):
    # -- moderation ----------------------------------------------------------------------
    def can_moderate_board(self, board: Board) -> Decision:
        if not self.is_member:
            return need_login(_("Log in to moderate."))
        if self.moderates(board):
            return ALLOW
        return deny(_("You don't moderate this board."))

    def can_pin_everywhere(self) -> Decision:
        """A thread shown above every board reaches boards a board moderator doesn't look
        after, so only moderators of the whole forum (and administrators) pin it there."""
        if not self.is_member:
            return need_login(_("Log in to moderate."))
        if self.is_global_moderator:
            return ALLOW
        return deny(_("Only moderators of the whole forum can pin a thread above every board."))

    def can_use_moderator_tools(self) -> Decision:
        """Asked before a thread or post is looked up for a moderator's tools (deleted ones
        included): guests log in and members are refused, so neither learns what exists."""
        if not self.is_member:
            return need_login(_("Log in to moderate."))
        if self.is_staff_anywhere:
            return ALLOW
        return deny(_("Only moderators can do that."))

    def can_act_on_user(self, user: User, board: Board | None = None) -> Decision:
        """Rank rules for acting on a member or their posts. Moderators act anywhere, board
        moderators only with a board they moderate (the report's); nobody acts on themselves;
        only administrators act on moderators (board moderators included) and administrators."""
        if not self.is_member:
            return need_login(_("Log in to moderate."))
        in_scope = self.is_global_moderator or (
            board is not None and board.id in self.moderated_board_ids
        )
        if not in_scope:
            if self.moderated_board_ids:
                return deny(_("You can only take this action inside the boards you moderate."))
            return deny(_("Only moderators can do that."))
        if user.id == self.user.id:
            return deny(_("You can't take moderator action on yourself."))
        if self.is_admin:
            return ALLOW
        if user.is_admin:
            return deny(_("Moderators can't act on an administrator."))
        if user.is_moderator or user.is_board_moderator:
            return deny(_("Moderators can't act on another moderator; ask an administrator."))
        return ALLOW

    def can_report(self, target: Post | Thread | User | Message) -> Decision:
        """Whether the viewer may report this (not under a timeout or other sanction); the
        reports service answers 404 for targets that are gone or out of sight."""
        if not self.is_member:
            return need_login(_("Log in to report something to the moderators."))
        if isinstance(target, Message):
            return self.can_report_message(target)  # type: ignore[attr-defined]
        sanctioned = self.acting_sanction()
        if not sanctioned:
            return sanctioned
        if isinstance(target, User):
            if target.id == self.user.id:
                return deny(_("You can't report yourself."))
        elif target.author_id == self.user.id:
            if isinstance(target, Thread):
                return deny(_("You can't report your own thread."))
            return deny(_("You can't report your own post."))
        return ALLOW

    def can_view_reports(self) -> Decision:
        if not self.is_member:
            return need_login(_("Log in to see the report queue."))
        if self.is_staff_anywhere:
            return ALLOW
        return deny(_("The report queue is for moderators."))

    def can_handle_report(self, item) -> Decision:
        """Claim, read and resolve a queue item: reports about members are for moderators;
        reports about posts and threads also for the moderators of their board."""
        if not self.is_member:
            return need_login(_("Log in to handle reports."))
        if item.thread_id is None:
            if self.is_global_moderator:
                return ALLOW
            return deny(_("Only moderators can handle reports about members."))
        if self.moderates(item.thread.board):
            return ALLOW
        return deny(_("You can only handle reports from boards you moderate."))

    def can_hide_message(self, item) -> Decision:
        """Remove a reported private message from its conversation: whoever handles the
        report (moderators of the whole forum, as for reports about members), by the rank
        rules on its author. Only from a report: the team reads no other message."""
        handles = self.can_handle_report(item)
        if not handles:
            return handles
        return self.can_act_on_user(item.subject)

    def can_release(self, item) -> Decision:
        """Give a claimed item back to the queue: its claimer, or an administrator."""
        handles = self.can_handle_report(item)
        if not handles:
            return handles
        if item.claimed_by_id not in (None, self.user.id) and not self.is_admin:
            return deny(_("Only the moderator who claimed this report, or an administrator, "
                          "can release it."))
        return ALLOW

    # -- the community manager's desk ---------------------------------------------------------
    def can_use_desk(self) -> Decision:
        """The desk lists what waits for the team: moderators and administrators see every
        board's items, board moderators their boards'."""
        if not self.is_member:
            return need_login(_("Log in to see the team's desk."))
        if self.is_staff_anywhere:
            return ALLOW
        return deny(_("The desk is for the moderation team."))

    def can_handle_desk_item(self, board: Board) -> Decision:
        """Open, answer, mark done, snooze or assign an item of the desk: its board's team."""
        desk = self.can_use_desk()
        if not desk:
            return desk
        if self.moderates(board):
            return ALLOW
        return deny(_("You can only handle desk items from the boards you moderate."))

    def can_receive_desk_item(self, assignee: User, board: Board) -> Decision:
        """Whether an item may be given to ``assignee``: someone of the board's team, who
        can open it."""
        if self.can_handle_desk_item(board) and type(self)(assignee).moderates(board):
            return ALLOW
        return deny(_("%(name)s doesn't look after this board, so they can't take this item.",
                      name=assignee.name))

    def can_view_member_notes(self) -> Decision:
        """Whether the viewer is on the team that keeps moderator notes and canned responses
        at all; whose record they may read is ``can_view_member_record``."""
        if not self.is_member:
            return need_login(_("Log in to continue."))
        if self.is_staff_anywhere:
            return ALLOW
        return deny(_("Moderator notes are for the moderation team."))

    def can_handle_appeals(self) -> Decision:
        """See members' appeals against sanctions: moderators and administrators, who may act
        on any board's sanctions."""
        if not self.is_member:
            return need_login(_("Log in to see appeals."))
        if self.is_global_moderator:
            return ALLOW
        return deny(_("Appeals are for moderators."))

    def can_decide_appeal(self, appeal) -> Decision:
        """Decide an appeal: a moderator who may act on the member, never the one who issued
        the sanction (another moderator looks at it afresh)."""
        listed = self.can_handle_appeals()
        if not listed:
            return listed
        if appeal.sanction.issuer_id == self.user.id:
            return deny(_("You issued this sanction, so another moderator decides the appeal "
                          "against it."))
        return self.can_act_on_user(appeal.user)

    def can_view_member_record(self, user: User, board: Board | None = None) -> Decision:
        """Read a member's moderation record (the team's private notes on them, their
        sanctions) and add a note to it. The scope, highest rank first:

        - administrators read every record;
        - nobody below an administrator reads an administrator's record, nor their own;
        - moderators of the whole forum read everyone else's, other moderators' included;
        - board moderators read only plain members' records, and only of members who have
          posted in a board they moderate (their threads and replies, deleted ones too): the
          people whose posts they look after. ``board`` is a board the viewer moderates where
          the member is known to have posted (a report about their post), which spares asking.
        """
        team = self.can_view_member_notes()
        if not team:
            return team
        if self.is_admin:
            return ALLOW
        if user.is_admin:
            return deny(_("Only administrators can read an administrator's moderation record."))
        if user.id == self.user.id:
            return deny(_("Your own moderation record is for the administrators."))
        if self.is_global_moderator:
            return ALLOW
        if user.is_moderator or user.is_board_moderator:
            return deny(_("Only moderators of the whole forum and administrators can read a "
                          "moderator's record."))
        if board is not None and board.id in self.moderated_board_ids:
            return ALLOW
        if self._posted_in_moderated_boards(user):
            return ALLOW
        return deny(_("You can read the records of members who have posted in the boards you "
                      "moderate."))

    def _posted_in_moderated_boards(self, user: User) -> bool:
        """One EXISTS on the member's posts, once per member and policy."""
        asked = self.__dict__.setdefault("_active_in_boards", {})
        if user.id not in asked:
            asked[user.id] = bool(db.session.scalar(select(exists().where(
                Post.author_id == user.id,
                Post.thread_id == Thread.id,
                Thread.board_id.in_(self.moderated_board_ids),
            ))))
        return asked[user.id]

    def can_view_member_addresses(self) -> Decision:
        """The network addresses a member used and who else used them: personal data kept
        for spotting spammers' second accounts, so moderators of the whole forum only."""
        if not self.is_member:
            return need_login(_("Log in to continue."))
        if self.is_global_moderator:
            return ALLOW
        return deny(_("Only moderators of the whole forum can see the addresses members "
                      "used."))

    def can_remove_spammer(self, user: User) -> Decision:
        """Ban, delete everything they wrote and ban their addresses, in one step: it reaches
        the whole forum, so moderators of the whole forum, by the rank rules."""
        if not self.is_member:
            return need_login(_("Log in to moderate."))
        if not self.is_global_moderator:
            return deny(_("Only moderators of the whole forum can remove a spammer."))
        return self.can_act_on_user(user)

    def can_undo_spam_removal(self) -> Decision:
        return self._admin_only(_l("Only administrators can undo a spammer's removal."))

    def can_manage_bans(self) -> Decision:
        """The ban lists: email domains, email addresses and network ranges."""
        return self._admin_only(_l("Only administrators can change the ban lists."))

    def can_manage_outbox(self) -> Decision:
        """The outgoing mail: what is queued, sent and failed, and sending a failed one again."""
        return self._admin_only(_l("Only administrators can see the outgoing mail."))

    def can_manage_webhooks(self) -> Decision:
        """Webhooks: registering them, their secrets, and their delivery logs."""
        return self._admin_only(_l("Only administrators can manage webhooks."))

    def can_view_mod_log(self) -> Decision:
        if not self.is_member:
            return need_login(_("Log in to see the moderation log."))
        if self.is_global_moderator:
            return ALLOW
        return deny(_("The moderation log is for moderators."))

    def _admin_only(self, refusal) -> Decision:
        """``refusal`` (lazy) words the answer to a member who is not an administrator; it is
        translated only then, so an administrator's many checks on a page translate nothing."""
        if not self.is_member:
            return need_login(_("Log in to continue."))
        if self.is_admin:
            return ALLOW
        return deny(str(refusal))

    def can_view_admin_panel(self) -> Decision:
        return self._admin_only(_l("Only administrators can see the administration panel."))

    def can_export_mod_log(self) -> Decision:
        return self._admin_only(_l("Only administrators can export the moderation log."))

    def can_manage_roles(self) -> Decision:
        return self._admin_only(_l("Only administrators can change roles."))

    def can_manage_account(self, user: User) -> Decision:
        """Change a member's name, email or display name, give them a password reset link,
        end their sessions. Administrators only; as with roles, one administrator may act on
        another (the last-administrator guard protects the forum)."""
        return self._admin_only(_l("Only administrators can manage members' accounts."))

    def can_delete_account(self, user: User) -> Decision:
        """Delete someone's account from the panel. One's own goes through the account page,
        where the password is asked."""
        decision = self._admin_only(_l("Only administrators can delete members' accounts."))
        if decision and user.id == self.user.id:
            return deny(_("Delete your own account from your account settings."))
        return decision

    def can_manage_approvals(self) -> Decision:
        """See new accounts waiting for approval, approve or reject them."""
        return self._admin_only(_l("Only administrators can approve new accounts."))

    def can_manage_settings(self) -> Decision:
        return self._admin_only(_l("Only administrators can change site settings."))

    def can_manage_documents(self) -> Decision:
        """The rules and the privacy notice."""
        return self._admin_only(
            _l("Only administrators can edit the rules and the privacy notice."))

    def can_manage_invitations(self) -> Decision:
        """Every invitation: the list of all, revoking anyone's."""
        return self._admin_only(_l("Only administrators can manage everyone's invitations."))

    def can_create_invitation(self) -> Decision:
        """Administrators always; members when the setting allows it and they are past the
        new-member limits (``pace.is_new_member``) and free of sanctions."""
        if not self.is_member:
            return need_login(_("Log in to invite someone."))
        if self.is_admin:
            return ALLOW
        if not settings.get("members_may_invite"):
            return deny(_("Only administrators can invite people to this forum."))
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if pace.is_new_member(self.user, self.clock):
            return deny(_("You can invite people once you are no longer a new member."))
        return ALLOW

    def can_revoke_invitation(self, invitation: Invitation) -> Decision:
        if not self.is_member:
            return need_login(_("Log in to continue."))
        if self.is_admin or invitation.created_by_id == self.user.id:
            return ALLOW
        return deny(_("Only the member who made an invitation, or an administrator, can "
                      "revoke it."))

    def can_manage_canned_responses(self) -> Decision:
        return self._admin_only(_l("Only administrators can edit canned responses."))

    def can_manage_groups(self) -> Decision:
        """Groups and their members (which boards they open is the structure's)."""
        return self._admin_only(_l("Only administrators can manage groups."))

    def can_manage_structure(self) -> Decision:
        """Categories and boards: create, edit, reorder, archive, delete."""
        return self._admin_only(
            _l("Only administrators can change the forum's categories and boards."))
