"""Forum objects as the API's shapes (``shapes.py``) describe them: plain dicts, times as
RFC 3339 in UTC, links absolute."""
from __future__ import annotations

from flask import url_for

from ...common.timefmt import machine
from ...models import Board, Event, Post, Thread, User
from ...policy import Policy
from ...services.content import reactions


def moment(value) -> str | None:
    return machine(value) if value is not None else None


def member(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "display_name": user.display_name}


def category(value) -> dict | None:
    return None if value is None else {"id": value.id, "title": value.title}


def board(value: Board) -> dict:
    return {
        "slug": value.slug,
        "title": value.title,
        "description": value.description,
        "category": None if value.is_archived else category(value.category),
        "thread_count": value.thread_count,
        "post_count": value.post_count,
        "is_read_only": bool(value.is_read_only),
        "is_archived": bool(value.is_archived),
        "is_questions": bool(value.is_questions),
    }


def thread(value: Thread, viewer: Policy) -> dict:
    return {
        "id": value.id,
        "board": value.board.slug,
        "title": value.title,
        "slug": value.slug or "",
        "author": member(value.author),
        "created_at": moment(value.created_at),
        "last_post_at": moment(value.last_post_at),
        "reply_count": value.reply_count,
        "last_position": value.post_seq,
        "is_pinned": bool(value.is_pinned and value.pinned_now(viewer.clock)),
        "is_locked": bool(value.locked_now(viewer.clock)),
        "is_deleted": bool(value.is_deleted),
        "url": url_for("boards.thread", thread_id=value.id, _external=True),
    }


def poll(box) -> dict | None:
    """A thread's poll box (``polls.reading.PollBox``); counts only where the caller sees
    the results."""
    if box is None:
        return None
    value, shown = box.poll, box.results_visible
    return {
        "id": value.id, "question": value.question, "max_choices": value.max_choices,
        "results_shown": value.results_shown, "is_public": bool(value.is_public),
        "is_changeable": bool(value.is_changeable), "closes_at": moment(value.closes_at),
        "is_closed": box.ended_at is not None, "voted": box.voted,
        "voter_count": value.voter_count if shown else None,
        "options": [{"id": option.id, "label": option.label,
                     "votes": option.votes if shown else None, "chosen": option.chosen}
                    for option in box.options],
    }


def reaction_counts(summary: str | None) -> dict[str, int]:
    return dict(reactions.parse_summary(summary))


def post(value: Post, viewer: Policy) -> dict:
    shown = bool(viewer.can_view_post(value))
    state = "deleted" if value.is_deleted else "hidden" if value.is_hidden else "visible"
    return {
        "id": value.id,
        "thread_id": value.thread_id,
        "position": value.position,
        "author": member(value.author),
        "created_at": moment(value.created_at),
        "edited_at": moment(value.edited_at),
        "state": state,
        "body": value.body if shown else None,
        "body_html": value.body_html if shown else None,
        "reactions": reaction_counts(value.reaction_summary) if shown else {},
        "url": url_for("boards.post", post_id=value.id, _external=True),
    }


def profile(user: User) -> dict:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "role": user.role.name.lower(),
        "joined_at": moment(user.created_at),
        "post_count": user.post_count,
        "thread_count": user.thread_count,
        "bio_html": user.bio_html or None,
        "location": user.location or None,
        "website": user.website or None,
    }


def event(value: Event) -> dict:
    return {
        "id": value.id,
        "title": value.title,
        "kind": str(value.kind),
        "starts_at": moment(value.starts_at),
        "ends_at": moment(value.ends_at),
        "timezone": value.timezone,
        "location": value.location,
        "online_url": value.online_url,
        "capacity": value.capacity,
        "board": value.board.slug if value.board is not None else None,
        "thread_id": value.thread_id,
        "is_cancelled": value.cancelled_at is not None,
        "rsvp": {"going": value.going_count or 0, "maybe": value.maybe_count or 0,
                 "declined": value.declined_count or 0,
                 "waitlist": value.waitlist_count or 0},
        "url": url_for("events.show", event_id=value.id, _external=True),
    }

