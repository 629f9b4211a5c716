"""Questions about announcements and events."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select

from ..common.timefmt import format_datetime
from ..models import (
    Access,
    Audience,
    Board,
    Event,
    Placement,
)
from .decision import ALLOW, Decision, deny, need_login
from .viewer import Viewer


class CommunityRules(Viewer):
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
            return need_login(_("Log in to manage announcements."))
        if self.is_admin or self.is_staff_anywhere:
            return ALLOW
        return deny(_("Announcements are written by administrators and moderators."))

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
            return deny(_("You can only announce in boards you moderate."))
        return deny(_("Only administrators can make site-wide announcements."))

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
            return need_login(_("Log in to create an event."))
        sanctioned = self.posting_sanction()
        if not sanctioned:
            return sanctioned
        if self.moderates(board):
            return ALLOW
        if board.is_read_only:
            return deny(_("This board is read-only: only moderators can create events here."))
        if not board.allows_member_events:
            return deny(_("Only moderators can create events in this board."))
        if board.thread_access == Access.STAFF:
            return deny(_("Only moderators start threads in this board, and an event opens one."))
        # An event opens a discussion thread: who may not post here may not open one either.
        return self._may_post_by_groups(board)  # type: ignore[attr-defined]

    def can_edit_event(self, event: Event) -> Decision:
        """Edit, reschedule or cancel: the author (while still allowed to post) and the
        board's moderators. A cancelled event stays as it was."""
        seen = self.can_view_event(event)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to edit events."))
        if event.is_cancelled:
            return deny(_("This event was cancelled; it can no longer be changed."))
        if self.moderates(event.board):
            return ALLOW
        if event.author_id != self.user.id:
            return deny(_("Only the event's author and moderators can change it."))
        return self.posting_sanction()

    def can_rsvp(self, event: Event) -> Decision:
        seen = self.can_view_event(event)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to answer this event."))
        sanctioned = self.acting_sanction()  # type: ignore[attr-defined]
        if not sanctioned:
            return sanctioned
        if event.is_cancelled:
            return deny(_("This event was cancelled."))
        now = self.clock
        if event.has_started(now):
            return deny(_("This event has already started; answers are closed."))
        if event.rsvp_deadline is not None and now >= event.rsvp_deadline:
            closed = format_datetime(event.rsvp_deadline, self.user.timezone)
            return deny(_("Answers closed at %(time)s.", time=closed))
        return ALLOW



    # -- contests and expert Q&As ------------------------------------------------------------
    def can_take_part(self, event: Event) -> Decision:
        """Entering a contest, voting in it, asking the experts and voting on questions. When
        each is open is the contest's or Q&A's schedule, judged by its service."""
        seen = self.can_view_event(event)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to take part."))
        sanctioned = self.acting_sanction()  # type: ignore[attr-defined]
        if not sanctioned:
            return sanctioned
        if event.is_cancelled:
            return deny(_("This event was cancelled."))
        return ALLOW

    def can_moderate_event(self, event: Event) -> Decision:
        """Disqualifying entries, announcing winners, naming experts, hiding and merging
        questions: the moderators of the event's board."""
        seen = self.can_view_event(event)
        if not seen:
            return seen
        if not self.is_member:
            return need_login(_("Log in to moderate this event."))
        if not self.moderates(event.board):  # type: ignore[attr-defined]
            return deny(_("Only moderators can do this."))
        return ALLOW

    def can_see_contest_standings(self, event: Event, phase: str) -> Decision:
        """Votes and the ranking (counts, and the order entries are listed in): for everyone
        once voting has closed, before that for the event's moderators only, so the standings
        sway no vote."""
        if phase == "closed":
            return ALLOW
        if self.can_moderate_event(event):
            return ALLOW
        return deny(_("The ranking is shown once voting has closed."))
