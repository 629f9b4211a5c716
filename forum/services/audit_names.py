"""What the moderation log's stored codes and labels say, in the reader's language.

An entry keeps its action as a code (``user.warn``) and its target as the English label
``audit.describe`` wrote (``user @ann``). Both are worded when shown: the code by the table
below, the label by recognising the shape ``describe`` gives each kind of target. The stored
values stay as written: the log is append-only, and its CSV keeps them for tools.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..common import timefmt
from ..common.numfmt import number

# Every action the forum logs; a test fails when a code in the source has no name here.
ACTION_NAMES = {
    "account.delete": _l("Account deleted by its owner"),
    "account.password_reset": _l("Password reset by the member"),
    "appeal.lift": _l("Appeal granted: sanction lifted"),
    "appeal.reduce": _l("Appeal granted in part: sanction shortened"),
    "appeal.uphold": _l("Appeal refused: sanction upheld"),
    "announcement.create": _l("Announcement created"),
    "announcement.edit": _l("Announcement edited"),
    "announcement.end": _l("Announcement ended"),
    "ban_list.add": _l("Added to a ban list"),
    "ban_list.remove": _l("Removed from a ban list"),
    "board.archive": _l("Board archived"),
    "board.create": _l("Board created"),
    "board.delete": _l("Board deleted"),
    "board.move": _l("Board moved"),
    "board.settings": _l("Board pace changed"),
    "board.unarchive": _l("Board taken out of the archive"),
    "board.update": _l("Board edited"),
    "canned.create": _l("Canned response created"),
    "conversation.team_start": _l("Conversation started for the team"),
    "canned.delete": _l("Canned response deleted"),
    "canned.update": _l("Canned response edited"),
    "category.create": _l("Category created"),
    "category.delete": _l("Category deleted"),
    "category.move": _l("Category moved"),
    "category.update": _l("Category edited"),
    "desk.assign": _l("Desk item given to a team member"),
    "desk.done": _l("Desk item marked done"),
    "desk.reopen": _l("Desk item put back on the desk"),
    "desk.reply": _l("Desk item answered"),
    "desk.snooze": _l("Desk item snoozed"),
    "desk.unassign": _l("Desk item taken back"),
    "document.publish": _l("Document published"),
    "challenge.disqualify": _l("Contest entry disqualified"),
    "challenge.schedule": _l("Contest schedule set"),
    "challenge.winners": _l("Contest winners announced"),
    "event.cancel": _l("Event cancelled"),
    "event.expert_add": _l("Expert added to a Q&A"),
    "event.expert_remove": _l("Expert removed from a Q&A"),
    "event.create": _l("Event created"),
    "event.edit": _l("Event edited"),
    "group.add_member": _l("Member added to a group"),
    "group.create": _l("Group created"),
    "group.delete": _l("Group deleted"),
    "group.remove_member": _l("Member removed from a group"),
    "group.update": _l("Group edited"),
    "invitation.create": _l("Invitation created"),
    "mail.retry": _l("Failed mail sent again"),
    "invitation.revoke": _l("Invitation revoked"),
    "invitation.use": _l("Invitation used"),
    "message.hide": _l("Reported private message removed"),
    "message.view": _l("Reported private message read"),
    "note.add": _l("Moderator note added"),
    "poll.add": _l("Poll added to a member's thread"),
    "poll.close": _l("Poll closed"),
    "poll.delete": _l("Poll deleted"),
    "poll.edit": _l("Poll edited"),
    "question.hide": _l("Q&A question hidden"),
    "question.merge": _l("Q&A question merged into another"),
    "post.autohide": _l("Post hidden after reports"),
    "post.approve": _l("Waiting post approved"),
    "post.reject": _l("Waiting post rejected"),
    "post.flag": _l("Post flagged by a watched word"),
    "thread.approve": _l("Waiting thread approved"),
    "thread.reject": _l("Waiting thread rejected"),
    "user.review": _l("Review of every post switched"),
    "user.avatar_reset": _l("Avatar removed"),
    "post.purge_images": _l("Images of a post purged"),
    "words.add": _l("Watched word added"),
    "words.update": _l("Watched word changed"),
    "words.remove": _l("Watched word removed"),
    "post.delete": _l("Post deleted"),
    "post.edit": _l("Post edited"),
    "post.hide": _l("Post hidden"),
    "post.restore": _l("Post restored"),
    "post.unhide": _l("Post shown again"),
    "report.claim": _l("Report claimed"),
    "report.dismiss": _l("Report dismissed"),
    "report.release": _l("Report released"),
    "sanction.lift": _l("Sanction lifted"),
    "setting.change": _l("Setting changed"),
    "thread.accept_answer": _l("Answer marked"),
    "thread.unaccept_answer": _l("Answer unmarked"),
    "thread.cool_down": _l("Thread cooled down"),
    "thread.lock": _l("Thread locked"),
    "thread.merge": _l("Thread merged"),
    "thread.move": _l("Thread moved"),
    "thread.move_notice_remove": _l("“Moved” notice removed"),
    "thread.notice": _l("Moderator notice posted"),
    "thread.pin": _l("Thread pinned"),
    "thread.rename": _l("Thread renamed"),
    "thread.restore": _l("Thread restored"),
    "thread.slow_mode": _l("Slow mode changed"),
    "thread.split": _l("Thread split"),
    "thread.unlock": _l("Thread unlocked"),
    "thread.unpin": _l("Thread unpinned"),
    "user.account": _l("Account details changed"),
    "user.approve": _l("New account approved"),
    "user.ban": _l("Member banned"),
    "user.boards": _l("Boards moderated changed"),
    "user.delete": _l("Account deleted by an administrator"),
    "user.password_reset": _l("Password reset link made"),
    "user.reject": _l("New account rejected"),
    "user.remove_spammer": _l("Spammer removed"),
    "user.role": _l("Role changed"),
    "user.sessions": _l("Sessions ended"),
    "user.suspend": _l("Member suspended"),
    "user.timeout": _l("Member timed out"),
    "user.two_factor_off": _l("Two-step login turned off by an administrator"),
    "user.undo_remove_spammer": _l("Spammer's removal undone"),
    "user.warn": _l("Member warned"),
    "webhook.auto_disable": _l("Webhook stopped by the forum"),
    "webhook.create": _l("Webhook added"),
    "webhook.delete": _l("Webhook deleted"),
    "webhook.disable": _l("Webhook stopped"),
    "webhook.edit": _l("Webhook edited"),
    "webhook.enable": _l("Webhook started"),
    "webhook.redeliver": _l("Webhook delivery sent again"),
    "webhook.reveal_secret": _l("Webhook secret revealed"),
    "webhook.rotate_secret": _l("Webhook secret replaced"),
    "webhook.test": _l("Webhook test sent"),
}


def action_name(code: str | None) -> str:
    """The action's name for people; a code with no name shows as itself."""
    name = ACTION_NAMES.get(code or "")
    return str(name) if name is not None else (code or "")


# -- target labels -------------------------------------------------------------------------------
# For each kind of target, the shapes ``audit.describe`` writes and how each reads now. Titles
# may hold anything, quotes included, so a pattern must match the whole label.
Wording = Callable[[dict[str, str]], str]
_LABELS: dict[str, list[tuple[re.Pattern[str], Wording]]] = {
    "user": [(re.compile(r"user @(?P<name>.+)"), lambda v: _("member @%(name)s", **v))],
    "post": [(re.compile(r"post #(?P<id>\d+) in “(?P<title>.*)”", re.S),
              lambda v: _("post #%(id)s in “%(title)s”", **v))],
    "thread": [(re.compile(r"thread “(?P<title>.*)”", re.S),
                lambda v: _("thread “%(title)s”", **v))],
    "board": [(re.compile(r"board “(?P<title>.*)” \(/b/(?P<slug>[^)]*)\)", re.S),
               lambda v: _("board “%(title)s” (/b/%(slug)s)", **v))],
    "category": [(re.compile(r"category “(?P<title>.*)”", re.S),
                  lambda v: _("category “%(title)s”", **v))],
    "report": [(re.compile(r"report #(?P<id>\d+)"), lambda v: _("report #%(id)s", **v))],
    "sanction": [
        (re.compile(r"warning #(?P<id>\d+)"), lambda v: _("warning #%(id)s", **v)),
        (re.compile(r"timeout #(?P<id>\d+)"), lambda v: _("timeout #%(id)s", **v)),
        (re.compile(r"suspension #(?P<id>\d+)"), lambda v: _("suspension #%(id)s", **v)),
        (re.compile(r"ban #(?P<id>\d+)"), lambda v: _("ban #%(id)s", **v)),
    ],
    "note": [(re.compile(r"note #(?P<id>\d+)"), lambda v: _("note #%(id)s", **v))],
    "message": [(re.compile(r"message #(?P<id>\d+)"),
                 lambda v: _("private message #%(id)s", **v))],
    "canned": [(re.compile(r"canned response “(?P<title>.*)”", re.S),
                lambda v: _("canned response “%(title)s”", **v))],
    "event": [(re.compile(r"event “(?P<title>.*)”", re.S),
               lambda v: _("event “%(title)s”", **v))],
    "setting": [(re.compile(r"setting (?P<name>.+)"), lambda v: _("setting %(name)s", **v))],
    "group": [(re.compile(r"group “(?P<name>.*)”", re.S),
               lambda v: _("group “%(name)s”", **v))],
    "announcement": [(re.compile(r"announcement “(?P<title>.*)”", re.S),
                      lambda v: _("announcement “%(title)s”", **v))],
    "document": [
        (re.compile(r"community rules v(?P<version>\d+)"),
         lambda v: _("community rules v%(version)s", **v)),
        (re.compile(r"privacy notice v(?P<version>\d+)"),
         lambda v: _("privacy notice v%(version)s", **v)),
        (re.compile(r"document (?P<name>\S+) v(?P<version>\d+)"),
         lambda v: _("document %(name)s v%(version)s", **v)),
    ],
    "webhook": [(re.compile(r"webhook #(?P<id>\d+) \((?P<host>.*)\)", re.S),
                 lambda v: _("webhook #%(id)s (%(host)s)", **v))],
    "ban_entry": [(re.compile(r"ban list entry (?P<value>.+)"),
                   lambda v: _("ban list entry %(value)s", **v))],
    "invitation": [
        (re.compile(r"invitation #(?P<id>\d+)"), lambda v: _("invitation #%(id)s", **v)),
        (re.compile(r"invitation #(?P<id>\d+) “(?P<note>.*)”", re.S),
         lambda v: _("invitation #%(id)s “%(note)s”", **v)),
    ],
}


def target_label(kind: str | None, label: str | None) -> str:
    """A log entry's target in the reader's language; a label of no known shape (one cut
    short at the length limit, say) shows as stored."""
    label = label or ""
    for pattern, wording in _LABELS.get(kind or "", ()):
        match = pattern.fullmatch(label)
        if match:
            return wording(match.groupdict())
    return label


# -- before and after ------------------------------------------------------------------------------
# The fields entries keep before and after a change, named for people. A field with no name
# here shows its key, so a new field is never hidden.
FIELD_NAMES = {
    "access": _l("Who may read"), "answer": _l("Answer"), "approval": _l("Approval"),
    "archived": _l("Archived"), "assignee": _l("Given to"),
    "audience": _l("Audience"), "ban_entries": _l("Ban-list entries"),
    "board": _l("Board"), "boards": _l("Boards"), "body": _l("Text"),
    "capacity": _l("Places"), "category": _l("Category"), "category_id": _l("Category"),
    "deleted": _l("Deleted"), "description": _l("Description"),
    "desk_kind": _l("Desk item"), "ends_at": _l("Ends"),
    "expires": _l("Expires"), "expires_at": _l("Expires"), "group": _l("Group"),
    "hidden": _l("Hidden"), "is_dismissible": _l("Can be dismissed"), "kind": _l("Kind"),
    "language": _l("Language"), "lifted_at": _l("Lifted"), "location": _l("Place"),
    "locked": _l("Closed"), "member": _l("Member"), "note": _l("Note"),
    "notice": _l("Notice"), "notice_board": _l("Notice in board"),
    "online_url": _l("Online link"), "placement": _l("Placement"), "points": _l("Warning points"),
    "position": _l("Position"),
    "positions": _l("Positions"), "post": _l("Post"), "posts": _l("Posts"),
    "read_only": _l("Read-only"),
    "response_hours": _l("Hours until the first reply"), "reports": _l("Reports closed"),
    "role": _l("Role"),
    "rsvp_deadline": _l("Answers until"),
    "seconds": _l("Seconds"), "sessions": _l("Sessions"),
    "sanction": _l("Sanction"), "sessions_ended": _l("Sessions ended"),
    "severity": _l("Severity"), "slug": _l("Address"),
    "slow_mode_seconds": _l("Slow mode (seconds)"), "starts_at": _l("Starts"),
    "state": _l("State"), "threshold": _l("Threshold"), "threads": _l("Threads"),
    "timezone": _l("Time zone"), "title": _l("Title"),
    "until": _l("Until"), "used_by": _l("Used by"), "value": _l("Value"),
    "version": _l("Version"), "warnings": _l("Warnings"),
    "word": _l("Word or domain"), "word_action": _l("Action"), "replacement": _l("Replacement"),
    "domain": _l("Link domain"), "threads_need_approval": _l("New threads need approval"),
    "always_review": _l("Review every post"),
    "words": _l("Watched words"),
    "actions": _l("Preset actions"), "claimed_by": _l("Claimed by"),
    "reason": _l("Reason"), "timeout": _l("Timeout length"),
    "host": _l("Host"), "events": _l("Events"), "staff_only": _l("Staff only"),
    "failures": _l("Failed attempts in a row"), "delivery": _l("Delivery"),
    "event": _l("Event"),
    "question": _l("Question"), "options": _l("Options"), "closes_at": _l("Closes"),
    "closed_at": _l("Closed"), "votes": _l("Votes"),
}
# Stored codes a field may hold, worded (the same code may mean different things in two fields).
VALUE_NAMES = {
    "approval": {"waiting": _l("Waiting for approval"), "approved": _l("Approved"),
                 "rejected": _l("Rejected")},
    "kind": {"warning": _l("Warning"), "timeout": _l("Timeout"),
             "suspension": _l("Suspension"), "ban": _l("Ban"),
             "domain": _l("Email domain"), "email": _l("Email address"),
             "network": _l("Network range")},
    "access": {"everyone": _l("Everyone"), "members": _l("Members"),
               "staff": _l("Moderation team")},
    "audience": {"everyone": _l("Everyone"), "members": _l("Members"),
                 "moderators": _l("Moderation team")},
    "severity": {"info": _l("Information"), "success": _l("Good news"),
                 "warning": _l("Warning"), "critical": _l("Critical")},
    "word_action": {"block": _l("Block"), "review": _l("Send to review"),
                    "replace": _l("Replace"), "flag": _l("Flag")},
    # A macro's presets (``moderation.macros``).
    "actions": {"hide_post": _l("Hide the post"), "delete_post": _l("Delete the post"),
                "lock_thread": _l("Lock the thread")},
    "sanction": {"warn": _l("Warn"), "timeout": _l("Time out"), "ban": _l("Ban")},
    "timeout": {"10m": _l("10 minutes"), "1h": _l("1 hour"), "6h": _l("6 hours"),
                "24h": _l("24 hours"), "3d": _l("3 days"), "7d": _l("7 days")},
    # The desk's kinds of item (``services.desk.kinds``), by the same names.
    "desk_kind": {"unanswered": _l("Unanswered thread"),
                  "question": _l("Question without an accepted answer"),
                  "first_post": _l("New member's first post"),
                  "event": _l("Event with unanswered questions")},
    "state": {"enabled": _l("Running"), "disabled": _l("Stopped")},
    "placement": {"banner": _l("Banner on every page"), "all_boards": _l("Top of every board"),
                  "board": _l("Top of one board")},
}
_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def field_name(key: str) -> str:
    name = FIELD_NAMES.get(key)
    return str(name) if name is not None else key


def field_value(key: str, value, tz_name: str | None) -> str:
    """A stored value as people read it: yes/no, a dash for nothing, moments in the reader's
    zone and language, known codes by name, lists joined; anything else as stored."""
    named = VALUE_NAMES.get(key, {}).get(value) if isinstance(value, str) else None
    if named is not None:
        return str(named)
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, str) and _MOMENT.match(value):
        try:
            return timefmt.format_datetime(datetime.fromisoformat(value), tz_name)
        except ValueError:
            return value
    if isinstance(value, list | tuple):
        return ", ".join(field_value(key, item, tz_name) for item in value)
    return str(value)
