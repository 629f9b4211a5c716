"""Questions about polls: who votes, who sees the results and the voters, who adds,
changes, closes and deletes one."""
from __future__ import annotations

from flask_babel import gettext as _

from ..models import Poll, ResultsShown, Thread
from .decision import ALLOW, Decision, deny, need_login
from .viewer import Viewer


class PollRules(Viewer):
    def _readable(self, thread: Thread) -> Decision:
        return self.can_view_thread(thread)  # ContentRules, beside this in ``Policy``

    def can_vote(self, poll: Poll) -> Decision:
        """Members who may read the thread vote while the poll is open and the thread is
        neither locked nor deleted; a timeout stops it like other acts besides reading."""
        thread = poll.thread
        seen = self._readable(thread)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to vote."))
        if poll.closed_now(self.clock):
            return deny(_("This poll is closed."))
        if thread.is_deleted:
            return deny(_("This thread has been deleted."))
        if thread.locked_now(self.clock):
            return deny(_("This thread is locked, and so is its poll."))
        return self.acting_sanction()

    def sees_poll_results(self, poll: Poll, voted: bool) -> bool:
        """Results as the poll's setting says; the board's moderators always see them."""
        if poll.results_shown == ResultsShown.ALWAYS or poll.closed_now(self.clock):
            return True
        if self.moderates(poll.thread.board):
            return True
        return poll.results_shown == ResultsShown.VOTED and voted

    def can_view_poll_voters(self, poll: Poll, voted: bool) -> Decision:
        """Who voted for what, for a public poll, to whoever sees its results."""
        seen = self._readable(poll.thread)
        if not seen:
            return seen
        if not poll.is_public:
            return deny(_("Votes in this poll are anonymous."))
        if not self.sees_poll_results(poll, voted):
            return deny(_("The results of this poll aren't shown yet."))
        return ALLOW

    def can_add_poll(self, thread: Thread) -> Decision:
        """A poll is added by the thread's author or a moderator of its board, to a thread
        without one that is neither deleted nor (for the author) locked."""
        seen = self._readable(thread)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to add a poll."))
        if thread.is_deleted:
            return deny(_("This thread has been deleted."))
        if self.moderates(thread.board):
            return ALLOW
        if thread.author_id != self.user.id:
            return deny(_("Only the thread's author or a moderator can add a poll."))
        if thread.locked_now(self.clock):
            return deny(self.lock_notice(thread))  # ContentRules
        return self.posting_sanction()

    def can_manage_poll(self, poll: Poll) -> Decision:
        """Change, close or delete a poll: the board's moderators always (logged); the
        thread's author may close it, and change or delete it while nobody has voted."""
        thread = poll.thread
        seen = self._readable(thread)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to manage this poll."))
        if self.moderates(thread.board):
            return ALLOW
        if thread.author_id != self.user.id:
            return deny(_("Only the thread's author or a moderator can manage its poll."))
        if thread.is_deleted:
            return deny(_("This thread has been deleted."))
        return self.acting_sanction()

    def can_change_poll(self, poll: Poll, has_votes: bool) -> Decision:
        """Change the question, the options' wording or the closing time, or delete the poll:
        once someone voted, only a moderator (the votes were cast for what it said)."""
        managed = self.can_manage_poll(poll)
        if not managed:
            return managed
        if has_votes and not self.moderates(poll.thread.board):
            return deny(_("Members have voted: only a moderator can change or delete this "
                          "poll now. You can still close it."))
        return ALLOW
