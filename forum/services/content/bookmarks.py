"""Bookmarks: posts a member keeps, each with an optional note and a time to be reminded of it.
The reminder is a notification sent by ``forum run-timers``."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import joinedload

from ...common.paging import page_count
from ...database import commit, insert_for
from ...errors import InvalidField, NotFound, Refused
from ...extensions import db
from ...models import Bookmark, NotificationKind, Post, Thread, User, utcnow
from ...policy import Policy
from .. import data_export, notifications, text

NOTE_MAX = 500


def _require(decision) -> None:
    if not decision:
        raise Refused(decision)


def find(actor: User, post: Post) -> Bookmark | None:
    return db.session.scalar(select(Bookmark).where(Bookmark.user_id == actor.id,
                                                    Bookmark.post_id == post.id))


def save(actor: User, post: Post, note: str | None, remind_at: datetime | None,
         now: datetime | None = None) -> Bookmark:
    """Bookmark the post, or change the bookmark's note and reminder (one UPSERT, so two at
    once leave one bookmark). A new reminder time is sent again.

    Refuses: guests (login), a post the member may not read (404, the caller looked it up
    through the policy), a note over 500 characters, a reminder in the past (400).
    """
    now = now or utcnow()
    _require(Policy(actor, now).can_keep_up())
    note = text.multiline(note or "") or None
    if note is not None and len(note) > NOTE_MAX:
        raise InvalidField("note", _("A note can be at most %(max)s characters.",
                                        max=NOTE_MAX))
    if remind_at is not None and remind_at <= now:
        raise InvalidField("remind_at", _("Choose a reminder time in the future."))
    statement = insert_for(Bookmark).values(user_id=actor.id, post_id=post.id, note=note,
                                            remind_at=remind_at, created_at=now)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[Bookmark.user_id, Bookmark.post_id],
        set_={"note": statement.excluded.note, "remind_at": statement.excluded.remind_at,
              "reminded_at": None}))
    commit()
    return find(actor, post)


def remove(actor: User, bookmark_id: int) -> None:
    """Delete one of the member's bookmarks.

    Refuses: guests (login), a bookmark that isn't theirs (404, so ids can't be probed).
    """
    _require(Policy(actor).can_keep_up())
    removed = db.session.execute(delete(Bookmark).where(
        Bookmark.id == bookmark_id, Bookmark.user_id == actor.id)).rowcount
    if not removed:
        raise NotFound(_("That bookmark doesn't exist."))
    commit()


@dataclass(frozen=True)
class BookmarkPage:
    items: list[Bookmark]
    page: int
    pages: int


def list_for(viewer: Policy, page: int = 1, per_page: int = 30) -> BookmarkPage:
    """The member's bookmarks, newest first, those whose post they can no longer read left
    out. Two statements.

    Refuses: guests (login), a page past the last one (404).
    """
    _require(viewer.can_keep_up())
    user = viewer.user
    total = db.session.scalar(select(func.count()).select_from(Bookmark)
                              .where(Bookmark.user_id == user.id)) or 0
    pages = page_count(total, per_page)
    if page > pages:
        raise NotFound(_("That page of your bookmarks doesn't exist."))
    rows = db.session.scalars(
        select(Bookmark).where(Bookmark.user_id == user.id)
        .options(joinedload(Bookmark.post).joinedload(Post.thread).joinedload(Thread.board),
                 joinedload(Bookmark.post).joinedload(Post.author))
        .order_by(Bookmark.created_at.desc(), Bookmark.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    readable = [bookmark for bookmark in rows
                if viewer.can_view_thread(bookmark.post.thread)
                and viewer.can_view_post(bookmark.post)]
    return BookmarkPage(items=readable, page=page, pages=pages)


def send_reminders(now: datetime | None = None) -> int:
    """Send the reminders that fell due, each claimed by a conditional UPDATE first so
    overlapping runs never send one twice; a member who can no longer read the post is not
    reminded (the claim stays, so it is not tried again). Returns how many were sent."""
    now = now or utcnow()
    due = db.session.execute(
        select(Bookmark.id, Bookmark.user_id, Bookmark.post_id)
        .where(Bookmark.reminded_at.is_(None), Bookmark.remind_at.is_not(None),
               Bookmark.remind_at <= now)
        .order_by(Bookmark.remind_at, Bookmark.id)).all()
    sent = 0
    for bookmark_id, user_id, post_id in due:
        claimed = db.session.execute(
            update(Bookmark).where(Bookmark.id == bookmark_id, Bookmark.reminded_at.is_(None))
            .values(reminded_at=now)).rowcount
        if not claimed:
            continue
        user = db.session.get(User, user_id)
        post = db.session.get(Post, post_id)
        reader = Policy(user, now)
        if reader.can_view_thread(post.thread) and reader.can_view_post(post):
            notifications.notify(user, NotificationKind.BOOKMARK, "bookmark.reminder",
                                 {"title": post.thread.title}, post.url, now=now)
            sent += 1
        commit()
    return sent


@data_export.section("bookmarks")
def export_bookmarks(user: User) -> list[dict]:
    """The member's bookmarks: the post, the note, the reminder (one query)."""
    rows = db.session.execute(
        select(Bookmark.post_id, Bookmark.note, Bookmark.remind_at, Bookmark.reminded_at,
               Bookmark.created_at)
        .where(Bookmark.user_id == user.id).order_by(Bookmark.created_at, Bookmark.id))
    return [{"post_id": row.post_id, "note": row.note,
             "remind_at": data_export.iso(row.remind_at),
             "reminded_at": data_export.iso(row.reminded_at),
             "created_at": data_export.iso(row.created_at)} for row in rows]
