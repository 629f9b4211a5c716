"""Questions about uploaded images: who may upload, how many a day, and who may see one."""
from __future__ import annotations

from flask_babel import gettext as _

from ..models import Access, ConversationParticipant, Upload
from ..stores import settings
from . import pace
from .decision import ALLOW, Decision, deny, need_login
from .viewer import Viewer


class UploadRules(Viewer):
    def can_upload_image(self) -> Decision:
        """Members who may post; a timeout or suspension stops uploads as it stops posts."""
        if not self.is_member:
            return need_login(_("Log in to upload images."))
        return self.posting_sanction()

    def uploads_per_day(self) -> int | None:
        """The day's limit for this member, None for the moderation team (exempt)."""
        if self.is_global_moderator or self.moderated_board_ids:
            return None
        new = pace.is_new_member(self.user, self.clock)
        return settings.get("new_member_uploads_per_day" if new else "uploads_per_day")

    def is_public_upload(self, upload: Upload) -> bool:
        """Whether anyone at all may see it, for good: an upload in a visible post of a board
        guests read. Such files may be cached by anyone, forever (the URL changes with the
        bytes)."""
        post = upload.post
        if upload.purged_at is not None or post is None:
            return False
        board = post.thread.board
        return (board.access == Access.EVERYONE and not board.read_group_ids
                and not post.is_deleted and not post.is_hidden
                and not post.thread.is_deleted)

    def can_view_upload(self, upload: Upload,
                        participant: ConversationParticipant | None) -> Decision:
        """As the post or message that holds it; an upload that none holds yet only to its
        owner. ``participant`` is the viewer's place in the message's conversation."""
        gone = deny(_("We couldn't find that image."))
        if upload.purged_at is not None:
            return gone
        if upload.post is not None:
            post = upload.post
            seen = self.can_view_thread(post.thread)
            if not seen:
                return seen
            return self.can_view_post(post)
        if upload.message is not None:
            if upload.message.hidden_at is not None:
                return gone
            return self.can_read_conversation(participant)
        if self.is_member and upload.owner_id == self.user.id:
            return ALLOW
        return gone
