"""Reading through the API: boards, threads, posts, members, events, search, notifications.
Each view parses its declared query, asks one service with the caller's policy, presents."""
from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...errors import NotFound, Refused, error_response
from ...models import Scope
from ...policy import policy
from ...services import notification_texts, notifications
from ...services.accounts import profiles
from ...services.community import event_listing
from ...services.community.polls import reading as poll_reading
from ...services.content import reading, thread_cursor
from ...services.search import query as search_query
from ...services.search import throttle
from ...web import current_actor, viewer_tz
from ..args import local_path
from . import bp, present, shapes
from .declare import operation


@bp.errorhandler(reading.MergedAway)
def _merged(merged: reading.MergedAway):
    """A merged thread's address leads to the thread it went into, as the pages do; a write
    to it is refused with where to go instead."""
    if request.method == "GET":
        values = {**(request.view_args or {}), "thread_id": merged.target.id}
        return redirect(url_for(request.endpoint, **values, **request.args), 301)
    return error_response(409, _("This thread was merged into “%(title)s”; reply there.",
                                 title=merged.target.title))


@operation("GET", "/me", tag="account", summary=_l("Who the token belongs to"),
           answer=shapes.Me,
           description=_l("The token's member and scopes; a call without a token is a "
                          "guest's."))
def me():
    token = g.get("api_token")
    viewer = policy()
    return {"member": present.member(viewer.user) if viewer.is_member else None,
            "scopes": [scope.value for scope in Scope if token is not None
                       and scope.value in token.scope_set]}


@operation("GET", "/boards", tag="boards", summary=_l("Boards by category"),
           answer=shapes.BoardList)
def boards():
    cards = reading.board_index(policy())
    return {"categories": [{"category": present.category(card.category),
                            "boards": [present.board(board) for board in card.boards]}
                           for card in cards]}


@operation("GET", "/boards/<slug>/threads", tag="boards", summary=_l("A board's threads"),
           query=shapes.ThreadsQuery, answer=shapes.ThreadList, errors=(400, 404),
           description=_l("Latest activity first, a page at a time: pass the answer's "
                          "`next_cursor` as `cursor` for the next page."))
def board_threads(slug: str, query: dict):
    viewer = policy()
    found = thread_cursor.board_threads(viewer, slug, query["cursor"], query["limit"])
    return {"items": [present.thread(thread, viewer) for thread in found.items],
            "next_cursor": found.next_cursor}


@operation("GET", "/threads/<int:thread_id>/posts", tag="threads",
           summary=_l("A thread's posts by position"), query=shapes.PostsQuery,
           answer=shapes.PostList, errors=(400, 404), moves=True,
           description=_l("Posts keep their position for good (a deleted one stays as a "
                          "placeholder), so `from` and `to` address the same posts on "
                          "every call; at most 100 positions a call."))
def thread_posts(thread_id: int, query: dict):
    viewer = policy()
    found = thread_cursor.thread_posts(viewer, thread_id, query["from"], query["to"])
    # One statement more, only for a thread that has a poll (its id came with the thread).
    box = poll_reading.box_for(viewer, found.thread) if found.thread.poll_id else None
    return {"thread": present.thread(found.thread, viewer), "poll": present.poll(box),
            "items": [present.post(post, viewer) for post in found.items]}


@operation("GET", "/posts/<int:post_id>", tag="threads", summary=_l("A post"),
           answer=shapes.Post, errors=(404,))
def get_post(post_id: int):
    viewer = policy()
    return present.post(reading.get_post(viewer, post_id), viewer)


@operation("GET", "/members/<username>", tag="members", summary=_l("A member's profile"),
           answer=shapes.Profile, errors=(404,))
def member(username: str):
    user = profiles.find_member(username)
    if not user.is_admitted and not policy().is_admin:
        raise NotFound(_("There is no member with that name."))
    return present.profile(user)


@operation("GET", "/events", tag="events", summary=_l("Upcoming events with their answers"),
           answer=shapes.EventList)
def events():
    viewer = policy()
    return {"items": [present.event(event)
                      for event in event_listing.upcoming(viewer, viewer.clock)]}


@operation("GET", "/events/<int:event_id>", tag="events", summary=_l("An event"),
           answer=shapes.Event, errors=(404,))
def event(event_id: int):
    return present.event(event_listing.get_event(policy(), event_id))


@operation("GET", "/search", tag="search", summary=_l("Search posts"),
           query=shapes.SearchQuery, answer=shapes.SearchResults, errors=(400, 404),
           description=_l("The same search as the search page, counted against the same "
                          "limit; only what the caller may read is found."))
def search(query: dict):
    viewer = policy()
    throttle.admit(current_actor(), request.remote_addr)
    board_id = reading.get_board(viewer, query["board"]).id if query["board"] else None
    params = search_query.SearchParams(q=query["q"].strip(), board_id=board_id,
                                       page=query["page"])
    outcome = search_query.search(current_actor(), params, policy=viewer)
    if outcome.error:
        raise Refused(outcome.error, status=400)
    hits = outcome.hits or []
    return {
        "query": params.q,
        "total": outcome.total,
        "page": params.page,
        "pages": outcome.pages,
        "items": [{
            "post_id": hit.post.id,
            "thread_id": hit.thread.id,
            "thread_title": hit.thread.title,
            "board": hit.board.slug if hit.board is not None else None,
            "author": present.member(hit.author),
            "created_at": present.moment(hit.post.created_at),
            "excerpt_html": str(hit.snippet),
            "url": url_for("boards.post", post_id=hit.post.id, _external=True),
        } for hit in hits],
    }


@operation("GET", "/notifications", tag="account", summary=_l("Your notifications"),
           query=shapes.PageQuery, answer=shapes.NotificationList, errors=(404,))
def notification_list(query: dict):
    viewer = policy()
    if not viewer.is_member:
        raise Refused(_("Notifications are a member's own: send an access token."),
                      login_required=True)
    listing = notifications.list_for(viewer.user, query["page"], 30)
    tz = viewer_tz()
    items = []
    for note in listing.items:
        shown = notification_texts.shown(note, tz)
        link = local_path(note.link)
        items.append({"id": note.id, "kind": note.kind, "text": shown.text,
                      "url": request.host_url.rstrip("/") + link if link else None,
                      "created_at": present.moment(note.created_at),
                      "is_read": note.read_at is not None})
    return {"items": items, "page": listing.page, "pages": listing.pages}
