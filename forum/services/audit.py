"""The moderation log: every moderator and administrator action, written in the action's own
transaction, and the filtered pages and CSV export that read it.

``record`` only adds the entry to the session; the calling service commits it together with
the change it describes, so there is never an action without its entry or an entry without
its action.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload

from ..common.paging import page_count
from ..common.usernames import key as username_key
from ..errors import Refused, require
from ..extensions import db
from ..models import (
    Announcement,
    BanEntry,
    Board,
    CannedResponse,
    Category,
    Event,
    Group,
    Invitation,
    Message,
    ModAction,
    ModeratorNote,
    Post,
    ReportItem,
    Sanction,
    Setting,
    SiteDocument,
    Thread,
    User,
    Webhook,
    utcnow,
)
from ..policy import Policy
from .audit_names import action_name

ACTION_RE = re.compile(r"^[a-z_]+\.[a-z_]+$")
REASON_MAX = 2000
LABEL_MAX = 200


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# How the log names a document's version: a whole phrase for each.
_DOCUMENT_LABELS = {"rules": "community rules v{version}", "privacy": "privacy notice v{version}"}


def describe(target: Any) -> tuple[str | None, int | None, int | None, str]:
    """(kind, id, id of the member concerned, label) for anything the log can point at."""
    if target is None:
        return None, None, None, ""
    if isinstance(target, User):
        return "user", target.id, target.id, f"user @{target.username}"
    if isinstance(target, Post):
        title = _short(target.thread.title) if target.thread is not None else "?"
        return "post", target.id, target.author_id, f"post #{target.id} in “{title}”"
    if isinstance(target, Thread):
        return "thread", target.id, target.author_id, f"thread “{_short(target.title)}”"
    if isinstance(target, Board):
        # The title and address as they were: the label outlives a renamed or deleted board.
        return "board", target.id, None, f"board “{_short(target.title)}” (/b/{target.slug})"
    if isinstance(target, Category):
        return "category", target.id, None, f"category “{_short(target.title)}”"
    if isinstance(target, ReportItem):
        return "report", target.id, target.subject_id, f"report #{target.id}"
    if isinstance(target, Sanction):
        return "sanction", target.id, target.user_id, f"{target.kind} #{target.id}"
    if isinstance(target, ModeratorNote):
        return "note", target.id, target.user_id, f"note #{target.id}"
    if isinstance(target, CannedResponse):
        return "canned", target.id, None, f"canned response “{_short(target.title)}”"
    if isinstance(target, Event):
        return "event", target.id, target.author_id, f"event “{_short(target.title)}”"
    if isinstance(target, Setting):
        return "setting", None, None, f"setting {target.name}"
    if isinstance(target, Group):
        return "group", target.id, None, f"group “{_short(target.name)}”"
    if isinstance(target, Announcement):
        return "announcement", target.id, None, f"announcement “{_short(target.title)}”"
    if isinstance(target, SiteDocument):
        label = _DOCUMENT_LABELS.get(target.name, "document {name} v{version}")
        return "document", target.id, None, label.format(name=target.name,
                                                         version=target.version)
    if isinstance(target, Invitation):
        note = f" “{_short(target.note, 40)}”" if target.note else ""
        return "invitation", target.id, target.used_by_id, f"invitation #{target.id}{note}"
    if isinstance(target, Message):
        # Never the words: the log is read by more people than the conversation was.
        return "message", target.id, target.author_id, f"message #{target.id}"
    if isinstance(target, Webhook):
        # The host alone: a hook's path often holds the receiver's token.
        host = urlsplit(target.url).hostname or "?"
        return "webhook", target.id, None, f"webhook #{target.id} ({host})"
    if isinstance(target, BanEntry):
        return "ban_entry", target.id, None, f"ban list entry {target.value}"
    raise TypeError(f"the moderation log can't describe {type(target).__name__}")


def record(actor: User | None, action: str, target: Any, reason: str | None = None,
           before: dict | None = None, after: dict | None = None,
           now: datetime | None = None, *, item: ReportItem | None = None) -> ModAction:
    """Add a log entry to the current transaction (no commit). ``actor`` None means the forum
    itself acted; ``action`` is ``noun.verb``; ``before``/``after`` must be JSON-ready."""
    if not ACTION_RE.match(action):
        raise ValueError(f"log actions are named noun.verb, not {action!r}")
    kind, target_id, user_id, label = describe(target)
    entry = ModAction(
        created_at=now or utcnow(),
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_kind=kind,
        target_id=target_id,
        target_user_id=user_id,
        target_label=label[:LABEL_MAX],
        reason=(reason or "").strip()[:REASON_MAX] or None,
        before=before,
        after=after,
        item_id=item.id if item is not None else None,
    )
    db.session.add(entry)
    return entry


# -- reading the log ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LogFilter:
    """What the log page filters on; empty fields match everything. Names are usernames."""

    actor: str | None = None
    action: str | None = None
    member: str | None = None
    since: date | None = None  # from the start of this day (UTC)
    until: date | None = None  # to the end of this day (UTC)


@dataclass(frozen=True)
class LogPage:
    items: list[ModAction]
    page: int
    pages: int
    total: int


def _user_id(username: str):
    return (
        select(User.id).where(User.username_key == username_key(username)).scalar_subquery()
    )


def _filtered(query: Select, filters: LogFilter) -> Select:
    # Names become subqueries, so a filter costs no extra round trip.
    if filters.actor:
        query = query.where(ModAction.actor_id == _user_id(filters.actor))
    if filters.member:
        query = query.where(ModAction.target_user_id == _user_id(filters.member))
    if filters.action:
        query = query.where(ModAction.action == filters.action.strip())
    if filters.since:
        query = query.where(ModAction.created_at >= datetime.combine(filters.since, time(), UTC))
    if filters.until:
        end = datetime.combine(filters.until, time(), UTC) + timedelta(days=1)
        query = query.where(ModAction.created_at < end)
    return query


def log_page(viewer: Policy, filters: LogFilter | None = None, page: int = 1,
             per_page: int = 50) -> LogPage:
    """Newest entries first, with actor and member loaded: two queries whatever the length.

    Refuses: anyone but moderators and administrators (from the policy); a page past the last.
    """
    require(viewer.can_view_mod_log())
    filters = filters or LogFilter()
    total = db.session.scalar(_filtered(select(func.count(ModAction.id)), filters)) or 0
    pages = page_count(total, per_page)
    if page < 1 or page > pages:
        raise Refused(_("That page of the log doesn't exist."), status=404)
    items = list(
        db.session.scalars(
            _filtered(select(ModAction), filters)
            .options(joinedload(ModAction.actor), joinedload(ModAction.target_user))
            .order_by(ModAction.created_at.desc(), ModAction.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    return LogPage(items=items, page=page, pages=pages, total=total)


def action_names() -> list[str]:
    """The actions that occur in the log, for a filter menu."""
    return list(db.session.scalars(select(ModAction.action).distinct().order_by(ModAction.action)))


# The action as its code (for tools) and its name in the reader's language (for people).
CSV_COLUMNS = ["time", "actor", "action", "action_name", "target", "member", "reason", "before",
               "after", "report"]


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells that start with these as formulas; a leading quote keeps it text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_csv(viewer: Policy, filters: LogFilter | None = None,
               batch: int = 500) -> Iterator[str]:
    """The filtered log as CSV text, oldest first, produced in batches so a long log streams.

    Refuses: anyone but administrators (from the policy).
    """
    require(viewer.can_export_mod_log())
    filters = filters or LogFilter()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    last_id = 0
    while True:
        rows = list(
            db.session.scalars(
                _filtered(select(ModAction), filters)
                .where(ModAction.id > last_id)
                .options(joinedload(ModAction.actor), joinedload(ModAction.target_user))
                .order_by(ModAction.id)
                .limit(batch)
            )
        )
        for entry in rows:
            writer.writerow([
                entry.created_at.isoformat(),
                _csv_safe(entry.actor.username) if entry.actor else "(system)",
                entry.action,
                action_name(entry.action),
                _csv_safe(entry.target_label),
                _csv_safe(entry.target_user.username) if entry.target_user else "",
                _csv_safe(entry.reason or ""),
                _csv_safe(json.dumps(entry.before, ensure_ascii=False)) if entry.before else "",
                _csv_safe(json.dumps(entry.after, ensure_ascii=False)) if entry.after else "",
                entry.item_id or "",
            ])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        last_id = rows[-1].id
