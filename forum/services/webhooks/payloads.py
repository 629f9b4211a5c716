"""What each event tells, called by the service that made the change, in its transaction.
The shapes are a contract (the README lists them): fields are added, never renamed.

A subject a guest may not read (a thread or event in a members-only, staff or group board;
an announcement for members or the team) goes to staff-only hooks alone. Reports and
sanctions go to every hook that chose them, but the reporter, the notes and the reasons
only to staff-only ones."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import (
    Announcement,
    Audience,
    Board,
    Event,
    Post,
    Report,
    ReportItem,
    Sanction,
    Thread,
    User,
    WebhookEvent,
)
from ...policy import Policy
from ..mail import links
from .queue import emit, iso

EXCERPT_MAX = 500


def _absolute(path: str) -> str:
    return links.external_url("boards.index").rstrip("/") + path


def _public(board: Board | None) -> bool:
    return board is not None and bool(Policy(None).can_view_board(board))


def _member(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "username": user.username, "name": user.name,
            "url": _absolute(user.url)}


def _board(board: Board) -> dict[str, Any]:
    return {"id": board.id, "slug": board.slug, "title": board.title,
            "url": _absolute(f"/b/{board.slug}")}


def _excerpt(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= EXCERPT_MAX else text[: EXCERPT_MAX - 1] + "…"


# -- new threads -----------------------------------------------------------------------------
def thread_created(thread: Thread, now: datetime | None = None) -> int:
    def build():
        # The opening post's id reached the thread by a statement: look the post up.
        post = db.session.scalar(select(Post).where(Post.thread_id == thread.id)
                                 .order_by(Post.position).limit(1))
        board = thread.board or db.session.get(Board, thread.board_id)
        data = {"thread": {
            "id": thread.id, "title": thread.title, "url": _absolute(thread.url),
            "created_at": iso(thread.created_at), "board": _board(board),
            "author": _member(db.session.get(User, thread.author_id)),
            "excerpt": _excerpt(post.body if post is not None else ""),
        }}
        return (data if _public(board) else None), data

    return emit(WebhookEvent.THREAD_CREATED, build, now)


# -- reports ----------------------------------------------------------------------------------
def _report_target(item: ReportItem) -> tuple[dict[str, Any], bool]:
    """The reported thing as a payload, and whether a guest could read it."""
    kind = str(item.target_kind)
    target: dict[str, Any] = {"kind": kind}
    post = db.session.get(Post, item.post_id) if item.post_id else None
    thread = db.session.get(Thread, item.thread_id) if item.thread_id else None
    if post is not None:
        target.update(id=post.id, url=_absolute(f"/p/{post.id}"))
        thread = thread or post.thread
    elif thread is not None:
        target.update(id=thread.id, url=_absolute(thread.url))
    subject = db.session.get(User, item.subject_id) if item.subject_id else None
    if kind == "user" and subject is not None:
        target.update(id=subject.id, url=_absolute(subject.url))
    readable = kind == "user" or (
        thread is not None and not thread.is_deleted and _public(thread.board)
        and (post is None or not (post.is_hidden or post.is_deleted)))
    target["member"] = _member(subject)
    return target, readable


def report_created(report: Report, now: datetime | None = None) -> int:
    def build():
        item = db.session.get(ReportItem, report.item_id)
        target, readable = _report_target(item)
        common = {"id": report.id, "item_id": item.id, "reason": str(report.reason),
                  "created_at": iso(report.created_at),
                  "queue_url": _absolute(f"/mod/reports/{item.id}")}
        staff = {"report": {**common, "target": target, "note": report.note,
                            "reporter": _member(db.session.get(User, report.reporter_id))}}
        shown = target if readable else {"kind": target["kind"]}
        return {"report": {**common, "target": shown}}, staff

    return emit(WebhookEvent.REPORT_CREATED, build, now)


# -- sanctions -----------------------------------------------------------------------------
def _sanction(sanction: Sanction, staff: bool) -> dict[str, Any]:
    data = {"id": sanction.id, "kind": str(sanction.kind),
            "member": _member(db.session.get(User, sanction.user_id)),
            "starts_at": iso(sanction.starts_at), "ends_at": iso(sanction.ends_at),
            "lifted_at": iso(sanction.lifted_at)}
    if staff:
        data.update(reason=sanction.reason, message=sanction.message,
                    points=sanction.points,
                    issuer=_member(db.session.get(User, sanction.issuer_id)))
    return data


def sanction_issued(sanction: Sanction, now: datetime | None = None) -> int:
    return emit(WebhookEvent.SANCTION_ISSUED,
                lambda: ({"sanction": _sanction(sanction, False)},
                         {"sanction": _sanction(sanction, True)}), now)


def sanction_lifted(sanction: Sanction, now: datetime | None = None) -> int:
    def build():
        db.session.refresh(sanction)  # lifted by a statement: read what it wrote
        return {"sanction": _sanction(sanction, False)}, {"sanction": _sanction(sanction, True)}

    return emit(WebhookEvent.SANCTION_LIFTED, build, now)


# -- events ---------------------------------------------------------------------------------
def _event(event: Event) -> tuple[dict[str, Any], bool]:
    board = event.board or db.session.get(Board, event.board_id)
    data = {"event": {
        "id": event.id, "title": event.title, "kind": str(event.kind),
        "description": event.description, "url": _absolute(event.url),
        "starts_at": iso(event.starts_at), "ends_at": iso(event.ends_at),
        "timezone": event.timezone, "location": event.location,
        "online_url": event.online_url, "capacity": event.capacity,
        "cancelled_at": iso(event.cancelled_at), "board": _board(board),
    }}
    return data, _public(board)


def event_changed(kind: WebhookEvent, event: Event, now: datetime | None = None) -> int:
    """``kind``: EVENT_CREATED, EVENT_UPDATED or EVENT_CANCELLED."""
    def build():
        data, public = _event(event)
        return (data if public else None), data

    return emit(kind, build, now)


# -- announcements --------------------------------------------------------------------------
def announcement_published(announcement: Announcement, now: datetime | None = None) -> int:
    def build():
        board = (db.session.get(Board, announcement.board_id)
                 if announcement.board_id else None)
        data = {"announcement": {
            "id": announcement.id, "title": announcement.title, "body": announcement.body,
            "severity": str(announcement.severity), "audience": str(announcement.audience),
            "placement": str(announcement.placement),
            "board": _board(board) if board is not None else None,
            "starts_at": iso(announcement.starts_at), "ends_at": iso(announcement.ends_at),
        }}
        public = (announcement.audience == Audience.EVERYONE
                  and (board is None or _public(board)))
        return (data if public else None), data

    return emit(WebhookEvent.ANNOUNCEMENT_PUBLISHED, build, now)
