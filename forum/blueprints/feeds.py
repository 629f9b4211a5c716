"""Atom feeds (RFC 4287) of a public board's new threads, a public thread's posts, the
forum's latest threads and its announcements, read as a guest whoever asks: a closed board's
feed is as unknown (404) to its members as to anyone, since a feed reader logs in nowhere.

Written with a Jinja template (``templates/feeds/atom.xml``, autoescaped like every
``.xml`` template) rather than a feed library: the document is a dozen elements, and the
tests parse every feed back with a feed parser and check what validity rests on.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_babel import gettext as _

from ..errors import NotFound
from ..models import Announcement, Post, Thread, User, utcnow
from ..services.content.reading import page_of
from ..services.syndication import feeds
from ..stores import settings
from .machine_readable import absolute_url, authority, xml_answer

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml"
# Tag ids (RFC 4151) carry a date on which the name was held; any fixed one will do, as long
# as an id never changes.
TAG_DATE = "2000"
# An empty feed still says when it changed: never, as far as a reader can tell.
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    url: str
    published: datetime
    updated: datetime
    author: str
    author_url: str | None
    html: str | None
    category: str | None = None


@dataclass(frozen=True)
class Feed:
    id: str
    title: str
    subtitle: str | None
    self_url: str
    page_url: str
    entries: list[Entry]
    updated: datetime


def _tag(kind: str, key: object, when: datetime | None = None) -> str:
    date = when.astimezone(UTC).strftime("%Y-%m-%d") if when else TAG_DATE
    return f"tag:{authority()},{date}:{kind}:{key}"


def _author(user: User | None) -> tuple[str, str | None]:
    if user is None:
        return settings.get("forum_name"), None
    if user.is_deleted:
        return user.name, None
    return user.name, absolute_url("profiles.show", username=user.username)


def _thread_link(thread: Thread, page: int = 1, anchor: str | None = None) -> str:
    return absolute_url("boards.thread", thread_id=thread.id, slug=thread.slug or None,
                        page=page if page > 1 else None, _anchor=anchor)


def _thread_entry(thread: Thread, with_board: bool) -> Entry:
    post = feeds.shown_first_post(thread)
    name, profile = _author(thread.author)
    return Entry(
        id=_tag("thread", thread.id, thread.created_at), title=thread.title,
        url=_thread_link(thread), published=thread.created_at,
        updated=feeds.thread_updated(thread), author=name, author_url=profile,
        html=post.body_html if post is not None else None,
        category=thread.board.title if with_board else None,
    )


def _post_entry(thread: Thread, post: Post, per_page: int) -> Entry:
    name, profile = _author(post.author)
    title = (thread.title if post.position == 1 else
             _("%(title)s (post %(num)d)", title=thread.title, num=post.position))
    return Entry(
        id=_tag("post", post.id, post.created_at), title=title,
        url=_thread_link(thread, page_of(post.position, per_page), f"p{post.id}"),
        published=post.created_at, updated=post.edited_at or post.created_at,
        author=name, author_url=profile, html=post.body_html,
    )


def _announcement_entry(announcement: Announcement) -> Entry:
    name, profile = _author(announcement.author)
    thread = announcement.thread
    if thread is not None and feeds.guest().can_view_thread(thread) \
            and thread.merged_into_id is None:
        url = _thread_link(thread)
    elif announcement.board is not None:
        url = absolute_url("boards.board", slug=announcement.board.slug)
    else:
        url = absolute_url("boards.index")
    updated = max(announcement.starts_at, announcement.updated_at or announcement.starts_at)
    return Entry(
        id=_tag("announcement", announcement.id, announcement.created_at),
        title=announcement.title, url=url, published=announcement.starts_at, updated=updated,
        author=name, author_url=profile, html=announcement.body_html,
    )


def _answer(feed: Feed):
    body = render_template("feeds/atom.xml", feed=feed, root=absolute_url("boards.index"))
    return xml_answer(body, ATOM, feed.updated)


def _updated(entries: list[Entry], fallback: datetime = EPOCH) -> datetime:
    return max((entry.updated for entry in entries), default=fallback)


def _site(title: str) -> str:
    return _("%(site)s: %(title)s", site=settings.get("forum_name"), title=title)


@bp.get("/feeds/b/<slug>.atom")
def board(slug: str):
    try:
        found = feeds.board_feed(slug)
    except NotFound:
        moved = feeds.renamed_public_board(slug)
        if moved is None or moved.slug == slug:
            raise
        return redirect(url_for("feeds.board", slug=moved.slug), 301)
    entries = [_thread_entry(thread, False) for thread in found.threads]
    return _answer(Feed(
        id=_tag("feed:board", found.board.id),
        title=_site(_("New threads in %(board)s", board=found.board.title)),
        subtitle=found.board.description or None,
        self_url=absolute_url("feeds.board", slug=found.board.slug),
        page_url=absolute_url("boards.board", slug=found.board.slug),
        entries=entries, updated=_updated(entries)))


@bp.get("/feeds/t/<int:thread_id>.atom")
def thread(thread_id: int):
    try:
        found = feeds.thread_feed(thread_id)
    except feeds.MergedInto as merged:
        return redirect(url_for("feeds.thread", thread_id=merged.target.id), 301)
    per_page = current_app.config["POSTS_PER_PAGE"]
    entries = [_post_entry(found.thread, post, per_page) for post in found.posts]
    return _answer(Feed(
        id=_tag("feed:thread", found.thread.id),
        title=_site(found.thread.title), subtitle=found.thread.board.title,
        self_url=absolute_url("feeds.thread", thread_id=found.thread.id),
        page_url=_thread_link(found.thread),
        entries=entries, updated=_updated(entries, found.thread.created_at)))


@bp.get("/feeds/latest.atom")
def latest():
    entries = [_thread_entry(thread, True) for thread in feeds.latest_threads()]
    return _answer(Feed(
        id=_tag("feed", "latest"), title=_site(_("Latest threads")),
        subtitle=settings.get("tagline") or None,
        self_url=absolute_url("feeds.latest"), page_url=absolute_url("boards.index"),
        entries=entries, updated=_updated(entries)))


@bp.get("/feeds/announcements.atom")
def announcements():
    entries = [_announcement_entry(item) for item in feeds.announcements(utcnow())]
    return _answer(Feed(
        id=_tag("feed", "announcements"), title=_site(_("Announcements")), subtitle=None,
        self_url=absolute_url("feeds.announcements"), page_url=absolute_url("boards.index"),
        entries=entries, updated=_updated(entries)))
