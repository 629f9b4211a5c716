"""Announcements: writing them (administrators everywhere, moderators in their boards) and
showing the current ones to their audience on every page.

The banner is on every page, so what is current is read once per process every few seconds
(``ANNOUNCEMENTS_CACHE_SECONDS``) and filtered per viewer in Python; a write in this process
clears it at once, other workers catch up within that time (with Redis, at once:
``stores.kept_version``). A member's dismissals are read
only when something they could have dismissed is current for them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from weakref import WeakKeyDictionary

from flask import current_app, g, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...common import markup
from ...common.numfmt import number
from ...database import commit
from ...errors import Conflict, NotFound, Refused, require
from ...extensions import db
from ...models import (
    Announcement,
    AnnouncementDismissal,
    Audience,
    Board,
    Placement,
    Severity,
    Thread,
    User,
    utcnow,
)
from ...policy import Policy
from ...stores import kept_version
from .. import audit, text, webhooks

TITLE_MAX = 150
BODY_MAX = 10_000
PAST_SHOWN = 50
# Times near the ends of the calendar overflow when shown in a zone far from UTC.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)

LABELS = {
    Severity.INFO: _l("Information"),
    Severity.SUCCESS: _l("Good news"),
    Severity.WARNING: _l("Warning"),
    Severity.CRITICAL: _l("Important"),
}
# Most pressing first wherever several are shown together.
_RANK = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.SUCCESS: 2, Severity.INFO: 3}


class Scope(StrEnum):
    """Where announcements are managed from: the admin panel sees every placement, the
    moderator panel only board announcements in the viewer's boards."""

    ALL = "all"
    BOARDS = "boards"


class InvalidAnnouncement(Refused):
    """Input that can't be saved (400); ``field`` names the form field it belongs to."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason, status=400)
        self.field = field


@dataclass(frozen=True)
class Draft:
    """What an author asks for. ``starts_at`` None means now, ``ends_at`` None until ended."""

    title: str
    body: str = ""
    severity: str = Severity.INFO
    audience: str = Audience.EVERYONE
    placement: str = Placement.BANNER
    board_id: int | None = None
    thread_id: int | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    is_dismissible: bool = True


@dataclass(frozen=True)
class Notice:
    """An announcement as pages show it: plain values, safe to keep between requests."""

    id: int
    title: str
    body_html: str
    severity: str
    audience: str
    placement: str
    board_id: int | None
    thread_id: int | None
    starts_at: datetime
    ends_at: datetime | None
    is_dismissible: bool

    def is_current(self, now: datetime) -> bool:
        return self.starts_at <= now and (self.ends_at is None or now < self.ends_at)

    @property
    def label(self) -> str:
        return str(LABELS.get(self.severity, LABELS[Severity.INFO]))

    @property
    def role(self) -> str:
        # Only what is critical interrupts a screen reader; the rest waits its turn.
        return "alert" if self.severity == Severity.CRITICAL else "status"


@dataclass(frozen=True)
class Listing:
    current: list[Announcement]
    scheduled: list[Announcement]
    past: list[Announcement]


# -- showing ---------------------------------------------------------------------------------
_COLUMNS = (
    Announcement.id, Announcement.title, Announcement.body_html, Announcement.severity,
    Announcement.audience, Announcement.placement, Announcement.board_id,
    Announcement.thread_id, Announcement.starts_at, Announcement.ends_at,
    Announcement.is_dismissible,
)
# app -> (monotonic time loaded, cutoff, notices, kept version): notices that had not ended
# at ``cutoff``, so the entry answers for any clock at or after it.
_PROCESS_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def clear_cache() -> None:
    if has_app_context():
        g.pop(_SNAPSHOT, None)
        _PROCESS_CACHE.pop(current_app._get_current_object(), None)


def _sorted(notices) -> tuple[Notice, ...]:
    return tuple(sorted(notices, key=lambda n: (_RANK.get(n.severity, 9), -n.starts_at.timestamp(),
                                                -n.id)))


def _load(cutoff: datetime, user_id: int | None) -> tuple[tuple[Notice, ...], set[int] | None]:
    """Announcements not ended at ``cutoff``; for a member, which of them they dismissed, in
    the same query."""
    query = select(*_COLUMNS).where(_live(cutoff))
    if user_id is None:
        return _sorted(Notice(*row) for row in db.session.execute(query)), None
    query = query.add_columns(AnnouncementDismissal.user_id).outerjoin(
        AnnouncementDismissal,
        and_(AnnouncementDismissal.announcement_id == Announcement.id,
             AnnouncementDismissal.user_id == user_id),
    )
    notices, dismissed = [], set()
    for row in db.session.execute(query):
        notice = Notice(*row[:-1])
        notices.append(notice)
        if row[-1] is not None:
            dismissed.add(notice.id)
    return _sorted(notices), dismissed


def _live(cutoff: datetime):
    return or_(Announcement.ends_at.is_(None), Announcement.ends_at > cutoff)


# The copy a request started with, kept for the rest of it even if the process's copy
# expires meanwhile: a page is drawn from one list, at one query's cost.
_SNAPSHOT = "_agora_announcements"


def _cached(now: datetime) -> tuple[Notice, ...] | None:
    """This request's or this process's copy, if it is fresh and answers for ``now``."""
    snapshot = g.get(_SNAPSHOT)
    if snapshot is not None and now >= snapshot[0]:
        return snapshot[1]
    app = current_app._get_current_object()
    entry = _PROCESS_CACHE.get(app)
    ttl = app.config.get("ANNOUNCEMENTS_CACHE_SECONDS", 5)
    if (entry is not None and time.monotonic() - entry[0] < ttl and now >= entry[1]
            and kept_version.usable(entry[3])):
        setattr(g, _SNAPSHOT, (entry[1], entry[2]))
        return entry[2]
    return None


def _store(cutoff: datetime, notices: tuple[Notice, ...], version: int | None) -> None:
    """Keep what was read under ``version``, the kept version taken before reading it."""
    if version is not None:
        _PROCESS_CACHE[current_app._get_current_object()] = (time.monotonic(), cutoff, notices,
                                                             version)
    setattr(g, _SNAPSHOT, (cutoff, notices))


def _notices(now: datetime, user_id: int | None) -> tuple[tuple[Notice, ...], set[int] | None]:
    version = kept_version.current()  # taken before reading, so a change meanwhile shows
    notices = _cached(now)
    if notices is not None:
        return notices, None
    cutoff = min(now, utcnow())
    notices, dismissed = _load(cutoff, user_id)
    _store(cutoff, notices, version)
    return notices, dismissed


def _for_viewer(viewer: Policy, notices, now: datetime) -> list[Notice]:
    return [n for n in notices if n.is_current(now) and viewer.sees_audience(n.audience)]


# A member's dismissals fetched along with the page header's counts:
# (user id, the announcement ids asked about or None for all, the dismissed ones).
_PREFETCH = "_agora_announcement_dismissals"


def select_with_notices(viewer: Policy, *scalars, now: datetime | None = None,
                        params: dict | None = None, reusable: bool = False) -> tuple:
    """The values of ``select(*scalars)`` (scalar subqueries: one row, bind parameters in
    ``params``), with what the member's announcements need riding along in the same round
    trip: the current list when this process's copy is stale, and which of theirs they
    dismissed. Pages then show the banner without a query of its own. ``reusable``: the
    scalars are built once, so the statement around them may be kept too."""
    count = len(scalars)
    if not viewer.is_member or not has_app_context():
        return tuple(db.session.execute(select(*scalars), params or {}).one())
    now = now or viewer.clock
    user_id = viewer.user.id
    params = {**(params or {}), "dismisser_id": user_id}
    version = kept_version.current()
    notices = _cached(now)
    if notices is None:
        cutoff = min(now, utcnow())
        # One row of counts, joined to every live announcement (none: one row of NULLs).
        counts = select(*(s.label(f"c{i}") for i, s in enumerate(scalars))).subquery()
        query = select(*counts.c, *_COLUMNS, AnnouncementDismissal.user_id).select_from(
            counts.outerjoin(Announcement, _live(cutoff)).outerjoin(
                AnnouncementDismissal,
                and_(AnnouncementDismissal.announcement_id == Announcement.id,
                     AnnouncementDismissal.user_id == user_id),
            )
        )
        rows = db.session.execute(query, params).all()
        found = [row for row in rows if row[count] is not None]
        _store(cutoff, _sorted(Notice(*row[count:-1]) for row in found), version)
        setattr(g, _PREFETCH, (user_id, None, {row[count] for row in found
                                               if row[-1] is not None}))
        return tuple(rows[0][:count])
    closable = tuple(n.id for n in _for_viewer(viewer, notices, now) if n.is_dismissible)
    statement = (_with_dismissals(scalars, closable) if reusable
                 else _with_dismissals.__wrapped__(scalars, closable))
    row = db.session.execute(statement, params).one()
    setattr(g, _PREFETCH, (user_id, frozenset(closable),
                           {i for i, flag in zip(closable, row[count:], strict=True) if flag}))
    return tuple(row[:count])


@lru_cache(maxsize=64)
def _with_dismissals(scalars: tuple, closable: tuple[int, ...]):
    """``select(*scalars)`` and, per announcement id, whether the member given as the
    ``dismisser_id`` parameter closed it."""
    flags = [
        exists().where(AnnouncementDismissal.announcement_id == announcement_id,
                       AnnouncementDismissal.user_id == bindparam("dismisser_id"))
        .label(f"d{announcement_id}")
        for announcement_id in closable
    ]
    return select(*scalars, *flags)


def _prefetched(user_id: int, wanted: list[int]) -> set[int] | None:
    found = g.get(_PREFETCH) if has_app_context() else None
    if found is None or found[0] != user_id:
        return None
    asked = found[1]
    if asked is not None and not set(wanted) <= asked:
        return None
    return found[2]


def visible_notices(viewer: Policy, now: datetime | None = None,
                    guest_dismissed: frozenset[int] = frozenset()) -> list[Notice]:
    """Every placement's announcements current at ``now`` for this viewer's audience, most
    pressing first, without those they dismissed (a member's from the database, a guest's
    from ``guest_dismissed``). Board announcements are only shown on their board's page, whose
    view already checked the viewer may read it."""
    now = now or viewer.clock
    user_id = viewer.user.id if viewer.is_member else None
    notices, dismissed = _notices(now, user_id)
    mine = _for_viewer(viewer, notices, now)
    closable = [n.id for n in mine if n.is_dismissible]
    if not closable:
        return mine
    if user_id is None:
        dismissed = guest_dismissed
    elif dismissed is None:
        dismissed = _prefetched(user_id, closable)
    if dismissed is None:
        dismissed = set(db.session.scalars(
            select(AnnouncementDismissal.announcement_id).where(
                AnnouncementDismissal.user_id == user_id,
                AnnouncementDismissal.announcement_id.in_(closable),
            )
        ))
    return [n for n in mine if not (n.is_dismissible and n.id in dismissed)]


def banners(notices: list[Notice]) -> list[Notice]:
    return [n for n in notices if n.placement == Placement.BANNER]


def pinned(notices: list[Notice], board: Board) -> list[Notice]:
    """A board's own announcements and those for every board, in the order given."""
    return [n for n in notices
            if n.placement == Placement.ALL_BOARDS
            or (n.placement == Placement.BOARD and n.board_id == board.id)]


def dismiss(viewer: Policy, announcement_id: int, now: datetime | None = None) -> Announcement:
    """Close an announcement for this viewer: a member's choice is stored (a second dismissal
    changes nothing); a guest's is kept by the caller in their browser.

    Refuses: an unknown announcement or one not meant for the viewer (404); one that is not
    dismissible (403).
    """
    announcement = db.session.get(Announcement, announcement_id)
    if (announcement is None or not viewer.sees_audience(announcement.audience)
            or (announcement.board is not None and not viewer.can_view_board(announcement.board))):
        raise NotFound(_("There is no such announcement."))
    if not announcement.is_dismissible:
        raise Refused(_("This announcement stays until it ends; it can't be dismissed."))
    if not viewer.is_member:
        return announcement
    g.pop(_PREFETCH, None)
    key = (announcement.id, viewer.user.id)
    if db.session.get(AnnouncementDismissal, key) is None:
        db.session.add(AnnouncementDismissal(announcement_id=announcement.id,
                                             user_id=viewer.user.id,
                                             dismissed_at=now or utcnow()))
        try:
            commit()
        except IntegrityError:
            # The same member dismissed it from another tab a moment earlier.
            db.session.rollback()
    return announcement


# -- managing --------------------------------------------------------------------------------
def require_manager(viewer: Policy, scope: Scope = Scope.ALL) -> None:
    """Refuses (login or 403) anyone who may not manage announcements at all."""
    require(viewer.can_manage_announcements())


def _authorize(viewer: Policy, placement: str, board: Board | None, scope: Scope) -> None:
    require(viewer.can_manage_announcement(placement, board))
    if scope == Scope.BOARDS and placement != Placement.BOARD:
        raise Refused(_("Site-wide announcements are managed in the administration panel."))


def manage_listing(viewer: Policy, scope: Scope = Scope.ALL,
                   now: datetime | None = None) -> Listing:
    """Current, scheduled and (the latest) past announcements the viewer manages here.

    Refuses: anyone who manages no announcements (login or 403).
    """
    require_manager(viewer, scope)
    now = now or viewer.clock
    query = select(Announcement).options(joinedload(Announcement.board),
                                         joinedload(Announcement.author))
    if scope == Scope.BOARDS or not viewer.is_admin:
        query = query.where(Announcement.placement == Placement.BOARD)
        if not viewer.is_global_moderator:
            query = query.where(Announcement.board_id.in_(viewer.moderated_board_ids))
    live = or_(Announcement.ends_at.is_(None), Announcement.ends_at > now)
    open_ = list(db.session.scalars(query.where(live).order_by(Announcement.starts_at,
                                                                Announcement.id)))
    past = list(db.session.scalars(
        query.where(~live).order_by(Announcement.ends_at.desc(), Announcement.id.desc())
        .limit(PAST_SHOWN)
    ))
    return Listing(current=[a for a in open_ if a.is_current(now)],
                   scheduled=[a for a in open_ if a.is_scheduled(now)], past=past)


def board_choices(viewer: Policy) -> list[Board]:
    """The boards the viewer may announce in, by title."""
    query = select(Board).order_by(Board.title, Board.id)
    if not viewer.is_global_moderator:
        query = query.where(Board.id.in_(viewer.moderated_board_ids))
    return list(db.session.scalars(query))


def get_manageable(viewer: Policy, announcement_id: int,
                   scope: Scope = Scope.ALL) -> Announcement:
    """Refuses: no such announcement (404); one the viewer may not manage here (403)."""
    require_manager(viewer, scope)
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise NotFound(_("There is no such announcement."))
    _authorize(viewer, announcement.placement, announcement.board, scope)
    return announcement


def _checked(draft: Draft, now: datetime) -> tuple[dict, Board | None]:
    """The draft's values ready to store, and its board. Refuses (400) with the field."""
    try:
        title = text.checked(draft.title, TITLE_MAX, missing=_("Give the announcement a title."),
                             too_long=_("Keep the title to %(max)s characters or fewer.",
                                        max=TITLE_MAX))
    except Refused as error:
        raise InvalidAnnouncement("title", error.reason) from None
    try:
        body = text.checked(draft.body, BODY_MAX,
                            too_long=_("Keep the message to %(max)s characters or fewer.",
                                       max=number(BODY_MAX)))
    except Refused as error:
        raise InvalidAnnouncement("body", error.reason) from None
    if draft.severity not in set(Severity):
        raise InvalidAnnouncement("severity", _("Choose info, success, warning or critical."))
    if draft.audience not in set(Audience):
        raise InvalidAnnouncement("audience", _("Choose everyone, members or moderators."))
    if draft.placement not in set(Placement):
        raise InvalidAnnouncement("placement",
                                  _("Choose a banner, every board, or one board."))
    board = None
    if draft.placement == Placement.BOARD:
        if draft.board_id is None:
            raise InvalidAnnouncement("board", _("Choose the board to announce in."))
        board = db.session.get(Board, draft.board_id)
        if board is None:
            raise InvalidAnnouncement("board", _("That board doesn't exist (any more)."))
    if draft.thread_id is not None:
        thread = db.session.get(Thread, draft.thread_id)
        if thread is None or thread.is_deleted:
            raise InvalidAnnouncement("thread", _("There is no thread number %(number)s.",
                                                   number=draft.thread_id))
    for field, moment in (("starts_at", draft.starts_at), ("ends_at", draft.ends_at)):
        if moment is not None and moment.tzinfo is None:
            raise InvalidAnnouncement(field, _("Give the time with its time zone."))
        if moment is not None and not EARLIEST <= moment < LATEST:
            raise InvalidAnnouncement(field, _("That date is out of range."))
    starts_at = draft.starts_at or now
    if draft.ends_at is not None and draft.ends_at <= starts_at:
        raise InvalidAnnouncement("ends_at", _("The end must be after the start."))
    values = {
        "title": title, "body": body, "body_html": markup.render(body),
        "severity": str(draft.severity), "audience": str(draft.audience),
        "placement": str(draft.placement), "board_id": board.id if board else None,
        "thread_id": draft.thread_id, "starts_at": starts_at, "ends_at": draft.ends_at,
        "is_dismissible": bool(draft.is_dismissible),
    }
    return values, board


def preview(actor: User, draft: Draft, scope: Scope = Scope.ALL,
            now: datetime | None = None) -> Notice:
    """The draft as pages would show it, saving nothing. Refuses as ``create_announcement``."""
    viewer = Policy(actor, now)
    require_manager(viewer, scope)
    values, board = _checked(draft, now or utcnow())
    _authorize(viewer, values["placement"], board, scope)
    return Notice(id=0, **{k: values[k] for k in (
        "title", "body_html", "severity", "audience", "placement", "board_id", "thread_id",
        "starts_at", "ends_at", "is_dismissible")})


def _logged(values: dict) -> dict:
    """JSON-ready values for the moderation log (the rendered HTML stays out)."""
    return {k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in values.items() if k != "body_html"}


def create_announcement(actor: User, draft: Draft, scope: Scope = Scope.ALL,
                        now: datetime | None = None) -> Announcement:
    """Save a new announcement (``announcement.create``).

    Refuses: a title that is empty or too long, a body too long, an unknown severity, audience
    or placement, a board placement without an existing board, an unknown thread, an end not
    after the start (400, with the field); site-wide placements to anyone but administrators
    and boards the author doesn't moderate (403).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    require_manager(viewer, scope)
    values, board = _checked(draft, now)
    _authorize(viewer, values["placement"], board, scope)
    announcement = Announcement(author_id=actor.id, created_at=now, **values)
    db.session.add(announcement)
    db.session.flush()
    audit.record(actor, "announcement.create", announcement, after=_logged(values), now=now)
    webhooks.announcement_published(announcement, now)
    commit()
    clear_cache()
    return announcement


def update_announcement(actor: User, announcement: Announcement, draft: Draft,
                        scope: Scope = Scope.ALL, now: datetime | None = None) -> Announcement:
    """Change an announcement (``announcement.edit`` with what changed). Dismissals stay.

    Refuses: as ``create_announcement``, for both the announcement as it is and as it would be.
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    require_manager(viewer, scope)
    _authorize(viewer, announcement.placement, announcement.board, scope)
    # A blank start keeps the one already set rather than moving it to now.
    if draft.starts_at is None:
        draft = replace(draft, starts_at=announcement.starts_at)
    values, board = _checked(draft, now)
    _authorize(viewer, values["placement"], board, scope)
    before = {k: getattr(announcement, k) for k in values if getattr(announcement, k) != values[k]}
    if not before:
        return announcement
    after = {k: values[k] for k in before}
    for key, value in after.items():
        setattr(announcement, key, value)
    announcement.updated_at = now
    audit.record(actor, "announcement.edit", announcement, before=_logged(before),
                 after=_logged(after), now=now)
    commit()
    clear_cache()
    return announcement


def end_announcement(actor: User, announcement: Announcement, scope: Scope = Scope.ALL,
                     now: datetime | None = None) -> Announcement:
    """End it now (``announcement.end``); a scheduled one is ended before it ever shows.

    Refuses: who may not manage it (403); one that has already ended (409).
    """
    now = now or utcnow()
    viewer = Policy(actor, now)
    require_manager(viewer, scope)
    _authorize(viewer, announcement.placement, announcement.board, scope)
    if announcement.is_past(now):
        raise Conflict(_("This announcement has already ended."))
    before = {"starts_at": announcement.starts_at, "ends_at": announcement.ends_at}
    announcement.starts_at = min(announcement.starts_at, now)
    announcement.ends_at = now
    announcement.updated_at = now
    audit.record(actor, "announcement.end", announcement, before=_logged(before),
                 after=_logged({"starts_at": announcement.starts_at, "ends_at": now}), now=now)
    commit()
    clear_cache()
    return announcement
