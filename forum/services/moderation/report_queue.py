"""Reading the report queue: a page of items for the moderator's filters, the menu counts,
and one item with everything around its target. Each costs a fixed number of queries.

Writing (filing, claiming) lives in ``reports``; resolving in ``resolution``.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from ...common.paging import page_count
from ...errors import NotFound, Refused, require
from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    Board,
    ItemStatus,
    ModeratorNote,
    Post,
    Report,
    ReportItem,
    ReportReason,
    Sanction,
    Thread,
    User,
    ranked_reasons,
    utcnow,
)
from ...policy import Policy
from . import reports, sanctions

STATUSES = ("active", *(s.value for s in ItemStatus))


@dataclass(frozen=True)
class QueuePage:
    items: list[ReportItem]
    page: int
    pages: int
    total: int
    status: str
    # Each item's reasons with how many reports gave them, most frequent first.
    reasons: dict[int, list[tuple[ReportReason, int]]]


def _scoped(viewer: Policy, query):
    """Only items the viewer may handle: board moderators see their boards' posts and
    threads, not reports about members."""
    if viewer.is_global_moderator:
        return query
    boards = sorted(viewer.moderated_board_ids)
    board_threads = select(Thread.id).where(Thread.board_id.in_(boards))
    return query.where(ReportItem.thread_id.in_(board_threads))


def queue_page(viewer: Policy, status: str = "active", board_id: int | None = None,
               reason: str | None = None, page: int = 1, per_page: int = 25) -> QueuePage:
    """A page of the queue. Active items (open and claimed) come by priority: most reporters
    first, then oldest; closed ones most recently handled first. Three queries (count, items
    with their targets, reports) plus the policy's board lookup, whatever the length.

    Refuses: anyone outside the moderation team (login or 403); an unknown status or reason
    (400); a page past the last (404).
    """
    require(viewer.can_view_reports())
    if status not in STATUSES:
        raise Refused(_("Unknown status filter."), status=400)
    if reason is not None and reason not in set(ReportReason):
        raise Refused(_("Unknown reason filter."), status=400)
    statuses = list(ACTIVE_STATUSES) if status == "active" else [status]
    conditions = [ReportItem.status.in_(statuses)]
    if board_id is not None:
        conditions.append(
            ReportItem.thread_id.in_(select(Thread.id).where(Thread.board_id == board_id))
        )
    if reason is not None:
        conditions.append(
            exists().where(Report.item_id == ReportItem.id, Report.reason == reason)
        )
    total = db.session.scalar(
        _scoped(viewer, select(func.count(ReportItem.id)).where(*conditions))
    ) or 0
    pages = page_count(total, per_page)
    if page < 1 or page > pages:
        raise NotFound(_("That page of the queue doesn't exist."))
    if status == "active":
        order = (ReportItem.report_count.desc(), ReportItem.first_reported_at, ReportItem.id)
    else:
        order = (ReportItem.resolved_at.desc(), ReportItem.id.desc())
    query = (
        select(ReportItem)
        .where(*conditions)
        .options(
            joinedload(ReportItem.post),
            joinedload(ReportItem.thread).joinedload(Thread.board),
            joinedload(ReportItem.subject),
            joinedload(ReportItem.claimed_by),
            joinedload(ReportItem.resolved_by),
        )
        .order_by(*order)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    items = list(db.session.scalars(_scoped(viewer, query)).unique())
    return QueuePage(items=items, page=page, pages=pages, total=total, status=status,
                     reasons=reason_counts([item.id for item in items]))


def reason_counts(item_ids: list[int]) -> dict[int, list[tuple[ReportReason, int]]]:
    """Counted by the database: the busiest items have dozens of reports, which the page
    only shows as a badge per reason."""
    counts: dict[int, dict[ReportReason, int]] = {item_id: {} for item_id in item_ids}
    if item_ids:
        rows = db.session.execute(
            select(Report.item_id, Report.reason, func.count())
            .where(Report.item_id.in_(item_ids))
            .group_by(Report.item_id, Report.reason)
        )
        for item_id, reason, count in rows:
            counts[item_id][ReportReason(reason)] = count
    return {item_id: ranked_reasons(found) for item_id, found in counts.items()}


def next_item_id(viewer: Policy, now: datetime | None = None) -> int | None:
    """The first item in queue order the viewer may take up now: open, claimed by them, or
    claimed by someone whose claim lapsed. One query."""
    now = now or utcnow()
    query = (
        select(ReportItem.id)
        .where(or_(reports.claimable(now),
                   (ReportItem.status == ItemStatus.CLAIMED)
                   & (ReportItem.claimed_by_id == viewer.user.id)))
        .order_by(ReportItem.report_count.desc(), ReportItem.first_reported_at, ReportItem.id)
        .limit(1)
    )
    return db.session.scalar(_scoped(viewer, query))


def most_common_reason(item_reports: list[Report]) -> ReportReason:
    """The reason most of the item's reports gave (ties by name), for the reason a moderator
    starts from."""
    counts: dict[ReportReason, int] = {}
    for report in item_reports:
        reason = ReportReason(report.reason)
        counts[reason] = counts.get(reason, 0) + 1
    ranked = ranked_reasons(counts)
    return ranked[0][0] if ranked else ReportReason.OTHER


def moderated_boards(viewer: Policy) -> list[Board]:
    """The boards whose reports the viewer handles, for the queue's board filter and the "move
    thread" choice: every board for moderators, their own for board moderators. One query."""
    query = select(Board).order_by(Board.position, Board.title)
    if not viewer.is_global_moderator:
        query = query.where(Board.id.in_(sorted(viewer.moderated_board_ids)))
    return list(db.session.scalars(query))


def items_about(viewer: Policy, user: User, limit: int = 50,
                leave_out: int | None = None) -> list[ReportItem]:
    """Queue items concerning the member that the viewer may handle, newest first, with their
    thread and board: one query. A board moderator sees only their boards' items."""
    query = (
        select(ReportItem)
        .where(ReportItem.subject_id == user.id)
        .options(joinedload(ReportItem.thread).joinedload(Thread.board))
        .order_by(ReportItem.first_reported_at.desc(), ReportItem.id.desc())
        .limit(limit)
    )
    if leave_out is not None:
        query = query.where(ReportItem.id != leave_out)
    return list(db.session.scalars(_scoped(viewer, query)))


def open_count_query(viewer: Policy):
    """Open items the viewer may handle, as a scalar subquery for the page header's counts."""
    return _scoped(
        viewer,
        select(func.count(ReportItem.id)).where(ReportItem.status == ItemStatus.OPEN),
    ).scalar_subquery()


# -- one item ----------------------------------------------------------------------------------
def get_item(viewer: Policy, item_id: int) -> ReportItem:
    """Refuses: unknown item (404), one the viewer may not handle (login or 403)."""
    item = db.session.scalar(
        select(ReportItem)
        .where(ReportItem.id == item_id)
        .options(
            joinedload(ReportItem.thread).joinedload(Thread.board),
            joinedload(ReportItem.post),
            joinedload(ReportItem.subject),
            joinedload(ReportItem.claimed_by),
            joinedload(ReportItem.resolved_by),
        )
    )
    if item is None:
        raise NotFound(_("That report doesn't exist."))
    require(viewer.can_handle_report(item))
    return item


@dataclass(frozen=True)
class ItemContext:
    """Everything the item page shows, loaded in a fixed number of queries."""

    item: ReportItem
    reports: list[Report]
    post: Post | None  # the reported post, or the opening post of a reported thread
    thread: Thread | None
    nearby: list[Post]  # the post with the posts around it
    subject: User | None
    earlier: list[ReportItem]  # other items about the same member, newest first
    sanctions: list[Sanction]
    notes: list[ModeratorNote]
    # Why the member's sanctions and notes are left out (``Policy.can_view_member_record``),
    # or None when they are shown.
    record_refusal: str | None = None


def item_context(viewer: Policy, item_id: int, around: int = 2,
                 earlier_limit: int = 10) -> ItemContext:
    """The item with its target in context: the posts around the post, the thread, the
    member concerned with earlier reports, sanctions and moderator notes.

    Refuses: as ``get_item``.
    """
    item = get_item(viewer, item_id)
    reports = list(db.session.scalars(
        select(Report).where(Report.item_id == item.id)
        .options(joinedload(Report.reporter)).order_by(Report.created_at, Report.id)
    ))
    thread = item.thread
    post = item.post if item.post_id else (thread.first_post if thread else None)
    nearby: list[Post] = []
    if post is not None:
        nearby = list(db.session.scalars(
            select(Post)
            .where(Post.thread_id == post.thread_id,
                   Post.position.between(post.position - around, post.position + around))
            .options(joinedload(Post.author)).order_by(Post.position)
        ))
    subject = item.subject
    earlier: list[ReportItem] = []
    member_sanctions: list[Sanction] = []
    notes: list[ModeratorNote] = []
    record_refusal = None
    if subject is not None:
        earlier = items_about(viewer, subject, limit=earlier_limit, leave_out=item.id)
        # The item's board is one the viewer moderates and the member posted in (the
        # reported post or thread), so asking costs no query.
        record = viewer.can_view_member_record(subject, thread.board if thread else None)
        if record:
            member_sanctions = sanctions.list_for_user(subject)
            notes = list(db.session.scalars(
                select(ModeratorNote).where(ModeratorNote.user_id == subject.id)
                .options(joinedload(ModeratorNote.author))
                .order_by(ModeratorNote.created_at.desc(), ModeratorNote.id.desc())
            ))
        else:
            record_refusal = record.reason
    return ItemContext(item=item, reports=reports, post=post, thread=thread, nearby=nearby,
                       subject=subject, earlier=earlier, sanctions=member_sanctions,
                       notes=notes, record_refusal=record_refusal)
