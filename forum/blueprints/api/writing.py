"""Writing through the API: threads, replies, edits, reactions, reports, event answers,
notifications read. Each view checks its body's shape and calls the one service the page
calls, which asks the policy and refuses with the page's reasons."""
from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import Refused
from ...models import PendingPost, RsvpStatus, Scope
from ...policy import policy
from ...services import notifications
from ...services.community import event_listing, event_rsvp
from ...services.content import posting, reactions, reading
from ...services.moderation import reports
from ...web import current_actor
from ..events.views import ANSWERED
from . import present, shapes
from .declare import operation


def _pending(pending: PendingPost):
    return {"pending_id": pending.id,
            "detail": _("Thanks! A moderator will look at your post before others can see "
                        "it.")}, 202


def _member_only(what: str) -> None:
    if not policy().is_member:
        raise Refused(what, login_required=True)


@operation("POST", "/boards/<slug>/threads", tag="boards", scope=Scope.WRITE,
           summary=_l("Start a thread"), body=shapes.NewThread, answer=shapes.Thread,
           status=201, errors=(400, 404, 409), also={202: shapes.Pending},
           description=_l("Answers 202 with a `Pending` body when the thread waits for a "
                          "moderator's approval."))
def new_thread(slug: str, body: dict):
    viewer = policy()
    board = reading.get_board(viewer, slug)
    created = posting.create_thread(current_actor(), board, body["title"], body["body"])
    if isinstance(created, PendingPost):
        return _pending(created)
    return present.thread(created, viewer), 201


@operation("POST", "/threads/<int:thread_id>/posts", tag="threads", scope=Scope.WRITE,
           summary=_l("Reply to a thread"), body=shapes.NewPost, answer=shapes.Post,
           status=201, errors=(400, 404, 409), also={202: shapes.Pending},
           description=_l("Slow mode and flood limits answer 429 with Retry-After; a reply "
                          "that waits for approval answers 202 with a `Pending` body."))
def reply(thread_id: int, body: dict):
    viewer = policy()
    thread = reading.get_thread(viewer, thread_id)
    created = posting.reply(current_actor(), thread, body["body"])
    if isinstance(created, PendingPost):
        return _pending(created)
    return present.post(created, viewer), 201


@operation("PATCH", "/posts/<int:post_id>", tag="threads", scope=Scope.WRITE,
           summary=_l("Edit a post"), body=shapes.PostEdit, answer=shapes.Post,
           errors=(400, 404, 409),
           description=_l("Your own post; a moderator changing someone else's post gives a "
                          "reason, which is logged, and needs a token with the moderate "
                          "scope too."))
def edit_post(post_id: int, body: dict):
    viewer = policy()
    post = reading.get_post(viewer, post_id)
    moderating = viewer.is_member and post.author_id != viewer.user.id
    token = g.get("api_token")
    if moderating and token is not None and not token.allows(Scope.MODERATE):
        raise Refused(_("Changing someone else's post is a moderator's edit: it needs a "
                        "token with the “moderate” scope."), status=403)
    posting.edit_post(current_actor(), post, body["body"],
                      reason=body["reason"] if moderating else None)
    return present.post(reading.get_post(viewer, post_id), viewer)


def _reacted(post_id: int, changed: bool) -> dict:
    return {"changed": changed, "reactions": dict(reactions.counts_for(post_id))}


@operation("POST", "/posts/<int:post_id>/reactions", tag="threads", scope=Scope.WRITE,
           summary=_l("React to a post"), body=shapes.Reaction, answer=shapes.Changed,
           errors=(400, 404),
           description=_l("Adding a reaction you gave already changes nothing (`changed` is "
                          "false)."))
def react(post_id: int, body: dict):
    post = reading.get_post(policy(), post_id)
    changed = reactions.react(current_actor(), post, body["kind"], True)
    return _reacted(post.id, changed)


@operation("DELETE", "/posts/<int:post_id>/reactions/<kind>", tag="threads",
           scope=Scope.WRITE, summary=_l("Take back a reaction"), answer=shapes.Changed,
           errors=(400, 404))
def unreact(post_id: int, kind: str):
    post = reading.get_post(policy(), post_id)
    changed = reactions.react(current_actor(), post, kind, False)
    return _reacted(post.id, changed)


@operation("POST", "/reports", tag="reports", scope=Scope.WRITE,
           summary=_l("Report a post, thread or member"), body=shapes.NewReport,
           answer=shapes.ReportFiled, status=201, errors=(400, 404, 409))
def file_report(body: dict):
    viewer = policy()
    _member_only(_("Please log in to report something."))
    target = reports.get_target(viewer, body["target"], body["id"])
    report = reports.file_report(current_actor(), target, body["reason"], body["note"])
    return {"report_id": report.id,
            "detail": _("Thanks for the report. A moderator will look at it.")}, 201


@operation("PUT", "/events/<int:event_id>/rsvp", tag="events", scope=Scope.WRITE,
           summary=_l("Answer an event"), body=shapes.RsvpAnswer, answer=shapes.Rsvp,
           errors=(400, 404, 409))
def rsvp(event_id: int, body: dict):
    viewer = policy()
    event = event_listing.get_event(viewer, event_id)
    status = event_rsvp.answer_event(current_actor(), event, body["answer"])
    return {"event": present.event(event_listing.get_event(viewer, event_id)),
            "answer": status, "detail": str(ANSWERED[RsvpStatus(status)])}


@operation("POST", "/notifications/read", tag="account", scope=Scope.WRITE,
           summary=_l("Mark notifications read"), body=shapes.MarkRead, answer=shapes.Marked,
           errors=(400,),
           description=_l("Give `ids` (your notifications'; others' are ignored) or "
                          "`all: true`."))
def mark_read(body: dict):
    _member_only(_("Notifications are a member's own: send an access token."))
    if body["all"] == bool(body["ids"]):
        raise Refused(_("Give either the ids of the notifications to mark, or “all”: true."),
                      status=400)
    user = current_actor()
    marked = (notifications.mark_all_read(user) if body["all"]
              else notifications.mark_read(user, body["ids"]))
    return {"marked": marked}
