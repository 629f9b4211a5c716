"""The API's shapes: what calls send (checked) and what they answer (described), declared once
for the views and the OpenAPI description alike."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ...common.shapes import Bool, Int, ListOf, Moment, Obj, Str
from ...models import REACTIONS, ReportReason, RsvpStatus
from ...models.tokens import Scope
from ...services.content.posting import BODY_MAX, TITLE_MAX
from ...services.moderation.macros import PERIODS

ID_MAX = 2**31 - 1
REACTION_KINDS = tuple(str(kind) for kind in REACTIONS)
# A page of a list: at most this many items per call, whatever the client asks.
LIMIT_MAX = 100
POSITIONS_MAX = 100


def _id(**kwargs) -> Int:
    return Int(minimum=1, maximum=ID_MAX, **kwargs)


def maybe(shape: Obj) -> Obj:
    """The named object, or null."""
    return Obj(shape.name, shape.fields, nullable=True)


# -- what answers are made of ---------------------------------------------------------------------
Member = Obj("MemberRef", {
    "id": _id(),
    "username": Str(),
    "display_name": Str(nullable=True),
}, description=_l("A member as a byline shows them."))

Category = Obj("Category", {"id": _id(), "title": Str()})

Board = Obj("Board", {
    "slug": Str(),
    "title": Str(),
    "description": Str(nullable=True),
    "category": Obj(None, {"id": _id(), "title": Str()}, nullable=True,
                    description=_l("None for an archived board.")),
    "thread_count": Int(minimum=0),
    "post_count": Int(minimum=0),
    "is_read_only": Bool(),
    "is_archived": Bool(),
    "is_questions": Bool(),
})

BoardList = Obj("BoardList", {
    "categories": ListOf(Obj("CategoryBoards", {
        "category": Obj(None, {"id": _id(), "title": Str()}, nullable=True),
        "boards": ListOf(Board),
    })),
})

Thread = Obj("Thread", {
    "id": _id(),
    "board": Str(description=_l("The board's slug.")),
    "title": Str(),
    "slug": Str(),
    "author": maybe(Member),
    "created_at": Moment(),
    "last_post_at": Moment(),
    "reply_count": Int(minimum=0),
    "last_position": Int(minimum=0,
                         description=_l("The position of the thread's latest post.")),
    "is_pinned": Bool(),
    "is_locked": Bool(),
    "is_deleted": Bool(),
    "url": Str(),
})

ThreadList = Obj("ThreadList", {
    "items": ListOf(Thread),
    "next_cursor": Str(nullable=True, description=_l(
        "Pass as `cursor` for the next page; null on the last one.")),
})

Reactions = Obj("ReactionCounts", {kind: Int(minimum=0, required=False)
                                   for kind in REACTION_KINDS})

Post = Obj("Post", {
    "id": _id(),
    "thread_id": _id(),
    "position": Int(minimum=1),
    "author": maybe(Member),
    "created_at": Moment(),
    "edited_at": Moment(nullable=True),
    "state": Str(choices=("visible", "hidden", "deleted")),
    "body": Str(nullable=True, description=_l(
        "The Markdown source; null when the post's text isn't shown to the caller.")),
    "body_html": Str(nullable=True, description=_l("The rendered, sanitised HTML.")),
    "reactions": Reactions,
    "url": Str(),
})

PollResults = Obj("Poll", {
    "id": _id(),
    "question": Str(),
    "max_choices": Int(minimum=1, description=_l("1 for a single-choice poll.")),
    "results_shown": Str(choices=("always", "voted", "closed")),
    "is_public": Bool(),
    "is_changeable": Bool(),
    "closes_at": Moment(nullable=True),
    "is_closed": Bool(),
    "voted": Bool(description=_l("Whether the caller has voted.")),
    "voter_count": Int(minimum=0, nullable=True, description=_l(
        "Null while the results are hidden from the caller.")),
    "options": ListOf(Obj("PollOption", {
        "id": _id(),
        "label": Str(),
        "votes": Int(minimum=0, nullable=True, description=_l(
            "Null while the results are hidden from the caller.")),
        "chosen": Bool(description=_l("Whether the caller chose it.")),
    })),
}, nullable=True, description=_l("The thread's poll, read-only; null when it has none."))

PostList = Obj("PostList", {
    "thread": Thread,
    "poll": PollResults,
    "items": ListOf(Post),
})

Pending = Obj("Pending", {
    "pending_id": _id(),
    "detail": Str(),
}, description=_l("The post waits for a moderator's approval before others see it."))

Profile = Obj("Profile", {
    "id": _id(),
    "username": Str(),
    "display_name": Str(nullable=True),
    "role": Str(choices=("member", "moderator", "admin")),
    "joined_at": Moment(),
    "post_count": Int(minimum=0),
    "thread_count": Int(minimum=0),
    "bio_html": Str(nullable=True),
    "location": Str(nullable=True),
    "website": Str(nullable=True),
})

RsvpCounts = Obj("RsvpCounts", {
    "going": Int(minimum=0), "maybe": Int(minimum=0), "declined": Int(minimum=0),
    "waitlist": Int(minimum=0),
})

Event = Obj("Event", {
    "id": _id(),
    "title": Str(),
    "kind": Str(),
    "starts_at": Moment(),
    "ends_at": Moment(nullable=True),
    "timezone": Str(nullable=True),
    "location": Str(nullable=True),
    "online_url": Str(nullable=True),
    "capacity": Int(minimum=0, nullable=True),
    "board": Str(nullable=True),
    "thread_id": Int(minimum=1, nullable=True),
    "is_cancelled": Bool(),
    "rsvp": RsvpCounts,
    "url": Str(),
})

EventList = Obj("EventList", {"items": ListOf(Event)})

Rsvp = Obj("RsvpResult", {"event": Event, "answer": Str(), "detail": Str()})

Hit = Obj("SearchHit", {
    "post_id": _id(),
    "thread_id": _id(),
    "thread_title": Str(),
    "board": Str(nullable=True),
    "author": maybe(Member),
    "created_at": Moment(),
    "excerpt_html": Str(),
    "url": Str(),
})

SearchResults = Obj("SearchResults", {
    "query": Str(),
    "total": Int(minimum=0),
    "page": Int(minimum=1),
    "pages": Int(minimum=0),
    "items": ListOf(Hit),
})

Notification = Obj("Notification", {
    "id": _id(),
    "kind": Str(),
    "text": Str(),
    "url": Str(nullable=True),
    "created_at": Moment(),
    "is_read": Bool(),
})

NotificationList = Obj("NotificationList", {
    "items": ListOf(Notification),
    "page": Int(minimum=1),
    "pages": Int(minimum=0),
})

Marked = Obj("Marked", {"marked": Int(minimum=0)})

Changed = Obj("Changed", {"changed": Bool(), "reactions": Reactions})

ReportFiled = Obj("ReportFiled", {"report_id": _id(), "detail": Str()})

QueueItem = Obj("QueueItem", {
    "id": _id(),
    "status": Str(),
    "target": Str(choices=("post", "thread", "user", "message")),
    "post_id": Int(minimum=1, nullable=True),
    "thread_id": Int(minimum=1, nullable=True),
    "board": Str(nullable=True),
    "subject": maybe(Member),
    "report_count": Int(minimum=0),
    "reasons": ListOf(Obj(None, {"reason": Str(), "count": Int(minimum=1)})),
    "first_reported_at": Moment(),
    "claimed_by": maybe(Member),
    "outcome": Str(nullable=True, description=_l("What was done, once handled.")),
})

Queue = Obj("ReportQueue", {
    "items": ListOf(QueueItem),
    "page": Int(minimum=1),
    "pages": Int(minimum=0),
    "total": Int(minimum=0),
})

Resolved = Obj("Resolution", {"item": QueueItem})

Me = Obj("Me", {
    "member": maybe(Member),
    "scopes": ListOf(Str(choices=tuple(Scope))),
})

# -- what calls send ---------------------------------------------------------------------------
ThreadsQuery = Obj(None, {
    "cursor": Str(required=False, max_length=200,
                  description=_l("From the previous page's `next_cursor`.")),
    "limit": Int(required=False, minimum=1, maximum=LIMIT_MAX, default=25),
})

PostsQuery = Obj(None, {
    "from": Int(required=False, minimum=1, maximum=ID_MAX, default=1,
                description=_l("The first position.")),
    "to": Int(required=False, minimum=1, maximum=ID_MAX,
              description=_l("The last position (at most %(max)s after `from`).",
                              max=POSITIONS_MAX)),
})

PageQuery = Obj(None, {"page": Int(required=False, minimum=1, maximum=100_000, default=1)})

SearchQuery = Obj(None, {
    "q": Str(min_length=1, max_length=200),
    "board": Str(required=False, max_length=100),
    "page": Int(required=False, minimum=1, maximum=1000, default=1),
})

QueueQuery = Obj(None, {
    "status": Str(required=False, choices=("active", "open", "claimed", "resolved",
                                           "dismissed"), default="active"),
    "page": Int(required=False, minimum=1, maximum=100_000, default=1),
})

NewThread = Obj("NewThread", {
    "title": Str(min_length=1, max_length=TITLE_MAX),
    "body": Str(min_length=1, max_length=BODY_MAX),
})

NewPost = Obj("NewPost", {"body": Str(min_length=1, max_length=BODY_MAX)})

PostEdit = Obj("PostEdit", {
    "body": Str(min_length=1, max_length=BODY_MAX),
    "reason": Str(required=False, max_length=500,
                  description=_l("Required when a moderator changes someone else's post.")),
})

Reaction = Obj("Reaction", {"kind": Str(choices=REACTION_KINDS)})

NewReport = Obj("NewReport", {
    "target": Str(choices=("post", "thread", "user")),
    "id": _id(),
    "reason": Str(choices=tuple(str(reason) for reason in ReportReason)),
    "note": Str(required=False, max_length=1000),
})

RsvpAnswer = Obj("RsvpAnswer", {
    "answer": Str(choices=(RsvpStatus.GOING.value, RsvpStatus.MAYBE.value,
                           RsvpStatus.DECLINED.value),
                  description=_l("Going past the capacity puts the member on the waiting "
                                 "list.")),
})

MarkRead = Obj("MarkRead", {
    "ids": ListOf(_id(), required=False, max_items=500, unique=True),
    "all": Bool(required=False, default=False),
})

Resolve = Obj("Resolve", {
    "actions": ListOf(Str(choices=("dismiss", "hide_post", "hide_message", "delete_post",
                                   "edit_post", "lock_thread", "move_thread")),
                      required=False, max_items=7, unique=True, default=[]),
    "reason": Str(max_length=500),
    "body": Str(required=False, max_length=BODY_MAX,
                description=_l("`edit_post`: the new text.")),
    "destination": Str(required=False, max_length=100,
                       description=_l("`move_thread`: the slug of the board to move to.")),
    "sanction": Str(required=False, choices=("warn", "timeout", "suspend", "ban"),
                    nullable=True),
    "timeout": Str(required=False, choices=tuple(PERIODS), nullable=True,
                   description=_l("`timeout`: how long, as the web form offers it.")),
    "until": Moment(required=False, nullable=True,
                    description=_l("`suspend`, `ban`: the end (none: a ban for good).")),
    "message": Str(required=False, max_length=2000, nullable=True),
})
