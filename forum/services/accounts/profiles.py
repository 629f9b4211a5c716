"""Member profiles: finding a member, what a viewer may see of their activity, editing, the list.

Reads go through the viewer's ``Policy`` so a profile never leaks threads from boards the viewer
cannot open; the one write, ``update_profile``, validates everything before touching the row.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from ...common import markup, timefmt
from ...common.numfmt import number
from ...common.paging import page_count
from ...common.usernames import key as username_key
from ...common.usernames import problem as username_problem
from ...database import commit
from ...errors import NotFound, Refused
from ...extensions import db
from ...i18n import is_language
from ...models import Board, BoardModerator, OldUsername, Post, Thread, User
from ...policy import Policy
from .. import data_export
from . import display_names, usernames

DISPLAY_NAME_MAX = display_names.LENGTH_MAX
BIO_MAX = 5_000
LOCATION_MAX = 100
WEBSITE_MAX = 200
SEARCH_MAX = 64

# What others see of a member: a sanction stops changes to these.
PUBLIC_FIELDS = ("display_name", "bio", "location", "website")

RECENT_THREADS = 5
RECENT_POSTS = 10

SORTS = ("posts", "name", "joined")
DEFAULT_SORT = "posts"

# "name:" starts a scheme unless digits follow, as in "example.org:8080".
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
_HOST = re.compile(r"^[\w-]+(\.[\w-]+)+\.?$")


class ProfileInvalid(Refused):
    """Profile input broke one or more rules; ``errors`` maps form field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(" ".join(errors.values()), status=400)
        self.errors = errors


@dataclass(frozen=True)
class ProfileData:
    display_name: str = ""
    bio: str = ""
    location: str = ""
    website: str = ""
    timezone: str = "UTC"
    # A code of ``forum.i18n.LANGUAGES``; empty or None follows the browser.
    language: str | None = None


@dataclass
class Activity:
    threads: list[Thread] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    moderated_boards: list[Board] = field(default_factory=list)


@dataclass
class MemberPage:
    members: list[User]
    total: int
    page: int
    pages: int
    query: str
    sort: str


# -- reading ------------------------------------------------------------------------------

def is_username(text: str) -> bool:
    """Whether ``text`` could be a username, in any case or normalisation."""
    return username_problem(text or "") is None


def find_member(username: str) -> User:
    """The member with this username, ignoring case and normalisation.

    Refuses (404): no such member, or text that could never be a username.
    """
    if not is_username(username):
        raise NotFound(_("There is no member with that name."))
    user = db.session.scalar(select(User).where(User.username_key == username_key(username)))
    if user is None:
        raise NotFound(_("There is no member with that name."))
    return user


def find_renamed(username: str) -> User | None:
    """The member who had this name before a rename, while nobody else has taken it: one
    query on the old names alone."""
    if not is_username(username):
        return None
    return usernames.find_by_old_name(username)


def recent_activity(viewer: Policy, user: User) -> Activity:
    """The member's latest threads and posts that ``viewer`` may open, with their boards loaded.

    Deleted threads and posts stay off the profile even for moderators: it shows the member's
    standing contributions, and moderators have the thread pages for the rest.
    """
    threads = viewer.visible_boards(
        select(Thread)
        .join(Thread.board)
        .where(Thread.author_id == user.id, Thread.is_deleted.is_(False))
        .options(contains_eager(Thread.board))
        .order_by(Thread.created_at.desc(), Thread.id.desc())
        .limit(RECENT_THREADS)
    )
    posts = viewer.visible_boards(
        select(Post)
        .join(Post.thread)
        .join(Thread.board)
        .where(
            Post.author_id == user.id,
            Post.is_deleted.is_(False),
            Thread.is_deleted.is_(False),
        )
        .options(contains_eager(Post.thread).contains_eager(Thread.board))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(RECENT_POSTS)
    )
    activity = Activity(
        threads=list(db.session.scalars(threads)),
        posts=list(db.session.scalars(posts)),
    )
    if user.is_board_moderator:
        boards = viewer.visible_boards(
            select(Board)
            .join(BoardModerator, BoardModerator.board_id == Board.id)
            .where(BoardModerator.user_id == user.id)
            .order_by(Board.position, Board.id)
        )
        activity.moderated_boards = list(db.session.scalars(boards))
    return activity


def _like_pattern(text: str) -> str:
    """``%text%`` for LIKE, with the user's own ``%``, ``_`` and ``\\`` matched literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def name_search(query: str | None) -> tuple[str, list]:
    """The search text tidied, and the conditions that match it in usernames and display
    names (none for an empty search). Refuses (400) an overlong search."""
    query = " ".join((query or "").split())
    if len(query) > SEARCH_MAX:
        raise Refused(_("Searches can be at most %(max)s characters.", max=SEARCH_MAX), status=400)
    if not query:
        return query, []
    # Keys are folded in Python; display names only by the database's lower(), which on
    # SQLite folds ASCII letters alone.
    return query, [or_(User.username_key.like(_like_pattern(username_key(query)), escape="\\"),
                       func.lower(User.display_name).like(_like_pattern(query.lower()),
                                                          escape="\\"))]


def _ordered(query: Select, sort: str) -> Select:
    if sort == "name":
        return query.order_by(User.username_key)
    if sort == "joined":
        return query.order_by(User.created_at.desc(), User.id.desc())
    return query.order_by(User.post_count.desc(), User.username_key)


def list_members(query: str = "", sort: str = DEFAULT_SORT, page: int = 1,
                 per_page: int = 30) -> MemberPage:
    """One page of members, optionally filtered by a piece of their username or display name.

    Sorts: ``posts`` (most active first, the default), ``name`` (A–Z), ``joined`` (newest first).
    Refuses (400): an unknown sort, a page below 1, an overlong search;
    (404): a page past the last one (page 1 always exists, even with no matches).
    """
    if sort not in SORTS:
        raise Refused(_("Members can be sorted by posts, name or joined date."), status=400)
    if page < 1:
        raise Refused(_("Page numbers start at 1."), status=400)
    query, matches = name_search(query)
    # Deleted accounts keep their rows for their posts, not a place in the list; accounts
    # waiting for approval (or rejected) aren't members yet.
    matches += [User.deleted_at.is_(None), User.approval_state.is_(None)]
    total = db.session.scalar(select(func.count(User.id)).where(*matches)) or 0
    pages = page_count(total, per_page)
    if page > pages:
        raise NotFound(_("That page of the member list doesn't exist."))
    members = list(db.session.scalars(
        _ordered(select(User).where(*matches), sort)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ))
    return MemberPage(members=members, total=total, page=page, pages=pages, query=query, sort=sort)


# -- editing ------------------------------------------------------------------------------

def _has_control(text: str) -> bool:
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _location(text: str, errors: dict[str, str]) -> str | None:
    """The location tidied to one line; a problem goes into ``errors``."""
    value = " ".join((text or "").split())
    if _has_control(value):
        errors["location"] = _("Locations can't contain control characters.")
    elif len(value) > LOCATION_MAX:
        errors["location"] = _("Locations can be at most %(max)s characters (this is "
                               "%(count)s).", max=LOCATION_MAX, count=len(value))
    return value or None


def _display_name(text: str, user: User | None, errors: dict[str, str]) -> str | None:
    try:
        return display_names.check(text, user)
    except display_names.DisplayNameRefused as refused:
        errors["display_name"] = str(refused)
        return None


def clean_website(text: str) -> str | None:
    """A plain http(s) address, or None when left empty; raises ``ValueError`` with a reason.

    An address typed without a scheme ("example.org") is taken as https.
    """
    value = (text or "").strip()
    if not value:
        return None
    if any(ch.isspace() for ch in value) or _has_control(value):
        raise ValueError(_("A web address can't contain spaces."))
    if not _SCHEME.match(value):
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        # Reading the port is what makes urlsplit reject a malformed one.
        parts.port  # noqa: B018
    except ValueError:
        raise ValueError(_("That doesn't look like a web address.")) from None
    if parts.scheme.lower() not in {"http", "https"}:
        raise ValueError(_("Only http:// and https:// addresses are accepted."))
    if parts.username is not None or parts.password is not None:
        raise ValueError(_("Web addresses with a user name or password aren't accepted."))
    if not _HOST.match(host):
        raise ValueError(_("That doesn't look like a web address, e.g. https://example.org."))
    if len(value) > WEBSITE_MAX:
        raise ValueError(_("Web addresses can be at most %(max)s characters.", max=WEBSITE_MAX))
    return value


def validate(data: ProfileData, user: User | None = None) -> dict:
    """The cleaned column values for ``user``'s profile from ``data``; raises
    ``ProfileInvalid`` listing every problem."""
    errors: dict[str, str] = {}
    values: dict = {
        "display_name": _display_name(data.display_name, user, errors),
        "location": _location(data.location, errors),
    }
    bio = (data.bio or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(bio) > BIO_MAX:
        errors["bio"] = _("Bios can be at most %(max)s characters (this is %(count)s).",
                           max=number(BIO_MAX), count=number(len(bio)))
    elif _has_control(bio.replace("\n", "").replace("\t", "")):
        errors["bio"] = _("Bios can't contain control characters.")
    values["bio"] = bio or None
    try:
        values["website"] = clean_website(data.website)
    except ValueError as error:
        errors["website"] = str(error)
    timezone = (data.timezone or "").strip()
    if not timefmt.is_zone(timezone):
        errors["timezone"] = _("Choose a time zone from the list.")
    values["timezone"] = timezone
    language = (data.language or "").strip() or None
    if language is not None and not is_language(language):
        errors["language"] = _("Choose a language from the list.")
    values["language"] = language
    if errors:
        raise ProfileInvalid(errors)
    return values


def update_profile(actor: User, user: User, data: ProfileData) -> User:
    """Save a member's public profile, time zone and language; the bio is rendered to safe HTML
    here. The display name is cleaned and checked by ``display_names``.

    Refuses: a guest (login required), someone else's profile (403), invalid input
    (``ProfileInvalid``, 400, nothing saved), a change to what others see (display name, bio,
    location, website) while a timeout or other sanction is in force (403; time zone and
    language stay the member's own to change).
    """
    viewer = Policy(actor)
    decision = viewer.can_edit_profile(user)
    if not decision:
        raise Refused(decision)
    values = validate(data, user)
    if any(values[name] != getattr(user, name) for name in PUBLIC_FIELDS):
        decision = viewer.can_change_public_profile(user)
        if not decision:
            raise Refused(decision)
    values["bio_html"] = markup.render(values["bio"]) if values["bio"] else None
    for name, value in values.items():
        setattr(user, name, value)
    commit()
    return user


# -- the member's own data ------------------------------------------------------------------

@data_export.section("profile")
def export_profile(user: User) -> dict:
    """The account and public profile, with the names it had before: one query."""
    old_names = list(db.session.scalars(
        select(OldUsername.username).where(OldUsername.user_id == user.id)
        .order_by(OldUsername.retired_at, OldUsername.id)
    ))
    return {
        "username": user.username,
        "previous_usernames": old_names,
        "email": user.email,
        "display_name": user.display_name,
        "bio": user.bio,
        "location": user.location,
        "website": user.website,
        "timezone": user.timezone,
        "language": user.language,
        "role": user.role.name.lower(),
        "joined_at": data_export.iso(user.created_at),
        "last_seen_at": data_export.iso(user.last_seen_at),
        "post_count": user.post_count,
        "thread_count": user.thread_count,
    }
