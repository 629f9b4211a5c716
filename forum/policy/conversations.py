"""Questions about private conversations and blocking.

Only the people in a conversation read it: the moderation team has no way in but being a
participant, or a report (which shows the reported message and the five before it, and logs
each look). Rules that need the other members' rows (who blocked whom, who is suspended) are
the conversations service's; the rules here need only the viewer and what they hold.
"""
from __future__ import annotations

from datetime import timedelta
from functools import cached_property

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import ConversationParticipant, UserBlock
from ..stores import settings
from . import standing
from .decision import ALLOW, Decision, deny, need_login
from .viewer import Viewer


class ConversationRules(Viewer):
    def can_use_messages(self) -> Decision:
        """Open one's conversations at all: every member, and no guest."""
        if not self.is_member:
            return need_login(_("Log in to read your messages."))
        return ALLOW

    def is_new_to_conversations(self) -> bool:
        """Within the settings' first hours or first posts, when a member can answer
        conversations but not start them."""
        hours = settings.get("conversation_new_member_hours")
        posts = settings.get("conversation_new_member_posts")
        young = hours > 0 and self.user.created_at > self.clock - timedelta(hours=hours)
        return young or self.user.post_count < posts

    def can_start_conversation(self) -> Decision:
        """Start a conversation with other members: not while timed out, suspended or banned
        (nor before accepting changed rules), and not as a new member. The moderation team is
        never held back as new."""
        usable = self.can_use_messages()
        if not usable:
            return usable
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if not self.is_staff_anywhere and self.is_new_to_conversations():
            hours = settings.get("conversation_new_member_hours")
            posts = settings.get("conversation_new_member_posts")
            if hours and posts:
                return deny(_("New members can start conversations once they have been here "
                              "%(hours)s hours and written %(posts)s posts. Until then you can "
                              "answer the conversations others start with you.",
                              hours=hours, posts=posts))
            if hours:
                return deny(_("New members can start conversations once they have been here "
                              "%(hours)s hours. Until then you can answer the conversations "
                              "others start with you.", hours=hours))
            return deny(_("Members can start conversations once they have written %(posts)s "
                          "posts. Until then you can answer the conversations others start "
                          "with you.", posts=posts))
        return ALLOW

    def can_start_team_conversation(self, member) -> Decision:
        """Start a conversation with a member on behalf of the moderation team ("explain
        before you act"): moderators of the whole forum and administrators, with anyone but
        themselves, while no sanction stops them."""
        if not self.is_member:
            return need_login(_("Log in to moderate."))
        if not self.is_global_moderator:
            return deny(_("Only moderators of the whole forum can write to a member for the "
                          "team."))
        if member.id == self.user.id:
            return deny(_("You can't start a conversation with yourself."))
        if member.is_deleted:
            return deny(_("This account was deleted."))
        return self.posting_sanction()

    def can_read_conversation(self, participant: ConversationParticipant | None) -> Decision:
        """Only its participants, and only until they leave: administrators and moderators
        included."""
        usable = self.can_use_messages()
        if not usable:
            return usable
        if participant is None or participant.user_id != self.user.id:
            return deny(_("Only the people in a conversation can read it."))
        if participant.has_left:
            return deny(_("You left this conversation, so you can no longer read it."))
        return ALLOW

    def can_write_in(self, conversation, participant: ConversationParticipant | None
                     ) -> Decision:
        """Answer in a conversation one is in. Suspended and banned members send nothing; a
        timed-out member (or one who must first accept changed rules) answers the team only."""
        readable = self.can_read_conversation(participant)
        if not readable:
            return readable
        blocked = standing.account_block_decision(self.active_sanctions, self.clock, self.tz)
        if not blocked:
            return blocked
        if conversation.is_team:
            return ALLOW
        return self.posting_sanction()

    def can_add_participant(self, conversation, participant: ConversationParticipant | None
                            ) -> Decision:
        """Bring someone into a conversation: its starter, while still in it and able to
        write."""
        writable = self.can_write_in(conversation, participant)
        if not writable:
            return writable
        if conversation.starter_id != self.user.id:
            return deny(_("Only the member who started a conversation can add people to it."))
        return self.posting_sanction()

    def can_leave_conversation(self, participant: ConversationParticipant | None) -> Decision:
        return self.can_read_conversation(participant)

    def participation(self, conversation_id: int) -> ConversationParticipant | None:
        """The viewer's place in a conversation, if they have one: one query."""
        if not self.is_member:
            return None
        return db.session.get(ConversationParticipant, (conversation_id, self.user.id))

    def can_report_message(self, message, participant: ConversationParticipant | None = None
                           ) -> Decision:
        """A participant reports someone else's message, unless a sanction stops reports."""
        if participant is None:
            participant = self.participation(message.conversation_id)
        readable = self.can_read_conversation(participant)
        if not readable:
            return readable
        sanctioned = self.acting_sanction()
        if not sanctioned:
            return sanctioned
        if message.author_id == self.user.id:
            return deny(_("You can't report your own message."))
        return ALLOW

    # -- blocking ----------------------------------------------------------------------------
    def can_block(self, user) -> Decision:
        """Block another member: anyone signed in, whatever their standing (it protects
        them), but not themselves or an account that no longer exists."""
        if not self.is_member:
            return need_login(_("Log in to block a member."))
        if user.id == self.user.id:
            return deny(_("You can't block yourself."))
        if user.is_deleted:
            return deny(_("This account was deleted."))
        return ALLOW

    @cached_property
    def _blocks(self) -> dict[int, bool]:
        """The members this member blocked, each with whether their posts are folded away:
        loaded with the member for the request's viewer (``web.load_user``), else one query."""
        if not self.is_member:
            return {}
        listed = getattr(self.user, "blocked_list", None)
        if listed is not None:
            signed = [int(value) for value in listed.split(",") if value]
            return {abs(value): value < 0 for value in signed}
        rows = db.session.execute(select(UserBlock.blocked_id, UserBlock.collapse_posts)
                                  .where(UserBlock.blocker_id == self.user.id))
        return {blocked_id: folded for blocked_id, folded in rows}

    def has_blocked(self, user) -> bool:
        return user.id in self._blocks

    @property
    def folded_author_ids(self) -> frozenset[int]:
        """The members whose posts this member chose to fold away when blocking them."""
        return frozenset(user_id for user_id, folded in self._blocks.items() if folded)
