"""Members report posts, threads and members; reports on one target gather into one queue item
that moderators claim and resolve (reading the queue lives in ``report_queue``,
resolving in ``resolution``).

Races are settled by the database: a target's open item is unique (``open_key``), a member's
report in an item is unique, and an item only changes while its status is still active.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select, update

from ...common.numfmt import number
from ...common.timefmt import when
from ...database import commit, joined
from ...errors import Conflict, NotFound, Refused, require
from ...extensions import db
from ...models import (
    ACTIVE_STATUSES,
    ItemStatus,
    Message,
    NotificationKind,
    Post,
    Report,
    ReportedMessage,
    ReportItem,
    ReportReason,
    TargetKind,
    Thread,
    User,
    utcnow,
)
from ...policy import Policy
from ...policy.pace import is_new_member
from ...stores import ratelimit, settings
from .. import audit, data_export, notifications, text, webhooks
from ..content import response_stamps
from . import system_reasons
from .summaries import summary_text

NOTE_MAX = 1000


class AlreadyReported(Refused):
    """The member already has an open report on this target: said kindly, not as an error."""

    def __init__(self, noun: str) -> None:
        if noun == "post":
            message = _("You have already reported this post. Thank you — a moderator will "
                        "look at it.")
        elif noun == "thread":
            message = _("You have already reported this thread. Thank you — a moderator will "
                        "look at it.")
        elif noun == "message":
            message = _("You have already reported this message. Thank you — a moderator "
                        "will look at it.")
        else:
            message = _("You have already reported this member. Thank you — a moderator will "
                        "look at it.")
        super().__init__(message, status=409)


# -- targets -----------------------------------------------------------------------------------
def _noun(target: Post | Thread | User | Message) -> str:
    if isinstance(target, Post):
        return "post"
    if isinstance(target, Message):
        return "message"
    return "thread" if isinstance(target, Thread) else "member"


def get_target(viewer: Policy, kind: str, target_id: int) -> Post | Thread | User:
    """The post, thread or member a report form is about.

    Refuses (404): an unknown kind or id, a deleted post or thread, one the viewer may not see.
    """
    if kind == TargetKind.POST:
        target = db.session.get(Post, target_id)
    elif kind == TargetKind.THREAD:
        target = db.session.get(Thread, target_id)
    elif kind == TargetKind.USER:
        target = db.session.get(User, target_id)
    elif kind == TargetKind.MESSAGE:
        target = db.session.get(Message, target_id)
    else:
        target = None
    if target is None or not _reportable(viewer, target):
        raise NotFound(_("There is nothing to report here: it may have been deleted."))
    return target


def _reportable(viewer: Policy, target: Post | Thread | User | Message) -> bool:
    if isinstance(target, User):
        return True
    if isinstance(target, Message):
        # Only its readers know it exists.
        return bool(viewer.can_read_conversation(viewer.participation(target.conversation_id)))
    thread = target if isinstance(target, Thread) else target.thread
    if thread.is_deleted or not viewer.can_view_thread(thread):
        return False
    if isinstance(target, Post):
        return not target.is_deleted and bool(viewer.can_view_post(target))
    return True


def _item_fields(target: Post | Thread | User | Message) -> dict:
    if isinstance(target, Message):
        # Like a report about a member, for moderators of the whole forum: a conversation
        # belongs to no board.
        return {"target_kind": TargetKind.MESSAGE, "post_id": None, "thread_id": None,
                "subject_id": target.author_id, "open_key": f"message:{target.id}"}
    if isinstance(target, Post):
        return {"target_kind": TargetKind.POST, "post_id": target.id,
                "thread_id": target.thread_id, "subject_id": target.author_id,
                "open_key": f"post:{target.id}"}
    if isinstance(target, Thread):
        return {"target_kind": TargetKind.THREAD, "post_id": None, "thread_id": target.id,
                "subject_id": target.author_id, "open_key": f"thread:{target.id}"}
    return {"target_kind": TargetKind.USER, "post_id": None, "thread_id": None,
            "subject_id": target.id, "open_key": f"user:{target.id}"}


def _insert_ignoring_duplicate(model, values: dict, keys: list[str]) -> int:
    """INSERT … ON CONFLICT DO NOTHING: 1 if inserted, 0 if a row with those keys exists.
    Unlike catching IntegrityError, this leaves the transaction usable on PostgreSQL."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)
    return db.session.execute(statement).rowcount


# -- filing ------------------------------------------------------------------------------------
def file_report(actor: User, target: Post | Thread | User | Message,
                reason: ReportReason | str,
                note: str | None = None, now: datetime | None = None) -> Report:
    """Report a post, thread or member. The report joins the target's open queue item (made
    if needed); when distinct reporters of a post who are no longer new members reach
    ``auto_hide_threshold`` the post is hidden pending review (logged as ``post.autohide``
    with no actor; the author is told).

    A private message is reported by a participant; the queue item shows the moderators
    that message and the five before it (``moderation.reported_messages``), nothing else.

    Refuses: guests (login), own content or self (403), a deleted or invisible target (404), an
    unknown reason or a note over 1,000 characters (400), a second open report on the same
    target (``AlreadyReported``, 409), more than ``report_limit_per_hour`` reports in an hour
    (429 with retry_after).
    """
    now = now or utcnow()
    policy = Policy(actor)
    if isinstance(target, Message) and not _reportable(policy, target):
        # Outside the conversation, the message is nothing anyone knows of.
        raise NotFound(_("There is nothing to report here: it may have been deleted."))
    require(policy.can_report(target))
    if not _reportable(policy, target):
        raise NotFound(_("There is nothing to report here: it may have been deleted."))
    try:
        reason = ReportReason(reason)
    except ValueError:
        raise Refused(_("Please choose a reason from the list."), status=400) from None
    note = text.checked(note, NOTE_MAX,
                        too_long=_("The note can be at most %(max)s characters.",
                                           max=number(NOTE_MAX)))
    fields = _item_fields(target)
    noun = _noun(target)
    if _has_open_report(actor, fields["open_key"]):
        raise AlreadyReported(noun)

    limit = settings.get("report_limit_per_hour")
    with joined():
        allowed = ratelimit.hit(f"report:user:{actor.id}", limit, 3600, now)
    if not allowed:
        db.session.rollback()
        raise Refused(
            _("You can file at most %(limit)s reports an hour. Please try again later.",
              limit=limit),
            retry_after=allowed.retry_after,
        )

    item_id, count = _join_open_item(fields, now)
    inserted = _insert_ignoring_duplicate(
        Report,
        {"item_id": item_id, "reporter_id": actor.id, "reason": reason.value,
         "note": note or None, "status": ItemStatus.OPEN, "created_at": now},
        ["item_id", "reporter_id"],
    )
    if not inserted:
        # The same member's second report won a race with the first: keep one.
        db.session.rollback()
        raise AlreadyReported(noun)
    if isinstance(target, Post):
        _maybe_auto_hide(target, item_id, count, now)
    if isinstance(target, Message):
        _insert_ignoring_duplicate(ReportedMessage,
                                   {"item_id": item_id, "message_id": target.id}, ["item_id"])
    report = db.session.scalar(
        select(Report).where(Report.item_id == item_id, Report.reporter_id == actor.id)
    )
    webhooks.report_created(report, now)
    commit()
    return report


def _has_open_report(actor: User, open_key: str) -> bool:
    return bool(db.session.scalar(
        select(exists().where(
            Report.reporter_id == actor.id,
            Report.item_id == ReportItem.id,
            ReportItem.open_key == open_key,
        ))
    ))


def _join_open_item(fields: dict, now: datetime) -> tuple[int, int]:
    """Count one more reporter on the target's open item, opening one if there is none.
    Returns (item id, reporters now)."""
    for _attempt in range(3):
        _insert_ignoring_duplicate(
            ReportItem,
            {**fields, "status": ItemStatus.OPEN, "report_count": 0, "first_reported_at": now,
             "last_reported_at": now, "auto_hidden": False},
            ["open_key"],
        )
        item_id = db.session.scalar(
            select(ReportItem.id).where(ReportItem.open_key == fields["open_key"])
        )
        if item_id is None:
            continue  # resolved between our insert and select: open a fresh one
        # The status test in the UPDATE means a report never lands in an item a moderator
        # closed a moment ago (the row lock orders the two).
        count = db.session.execute(
            update(ReportItem)
            .where(ReportItem.id == item_id, ReportItem.status.in_(ACTIVE_STATUSES))
            .values(report_count=ReportItem.report_count + 1, last_reported_at=now)
            .returning(ReportItem.report_count)
            .execution_options(synchronize_session=False)
        ).scalar()
        if count is not None:
            return item_id, count
    db.session.rollback()
    raise Conflict(_("The report queue is busy right now. Please try again."))


def _established_reporters(item_id: int, now: datetime) -> int:
    """How many of the item's reporters are no longer new members (``pace.is_new_member``):
    one query, asked only once the item has enough reports in all. The row lock the report
    count's UPDATE took orders two reports filed at once, so the second sees the first."""
    reporters = db.session.scalars(
        select(User).join(Report, Report.reporter_id == User.id).where(Report.item_id == item_id)
    )
    return sum(1 for reporter in reporters if not is_new_member(reporter, now))


def _maybe_auto_hide(post: Post, item_id: int, count: int, now: datetime) -> None:
    threshold = settings.get("auto_hide_threshold")
    # Staff posts stay up: a handful of accounts shouldn't be able to silence a moderator.
    author = post.author
    if not threshold or count < threshold or post.is_hidden:
        return
    if author.is_moderator or author.is_board_moderator:
        return
    # Only members past the new-member limits count: accounts made a minute ago (a spammer's
    # or a mob's) can still report, and the queue shows them, but they can't hide a post.
    count = _established_reporters(item_id, now)
    if count < threshold:
        return
    hidden = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.is_hidden.is_(False), Post.is_deleted.is_(False))
        .values(is_hidden=True, hidden_at=now, hidden_by_id=None,
                hidden_reason=system_reasons.auto_hidden(count))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not hidden:
        return
    response_stamps.restamp(post.thread_id)
    db.session.execute(
        update(ReportItem).where(ReportItem.id == item_id).values(auto_hidden=True)
        .execution_options(synchronize_session=False)
    )
    item = db.session.get(ReportItem, item_id)
    audit.record(None, "post.autohide", post, system_reasons.auto_hide_logged(count),
                 after={"hidden": True}, now=now, item=item)
    notifications.notify(
        post.author, NotificationKind.MODERATION, "post.auto_hidden",
        {"title": post.thread.title}, post.url, now=now,
    )
    db.session.expire(post)


# -- claiming ----------------------------------------------------------------------------------
# A claim holds for the setting's minutes; after that the item counts as open again, read
# against the clock like every other end, so no worker has to release it.
def claim_cutoff(now: datetime) -> datetime | None:
    """Claims made at or before this moment have lapsed; None when claims never lapse."""
    minutes = settings.get("claim_minutes")
    return now - timedelta(minutes=minutes) if minutes else None


def claim_lapsed(item: ReportItem, now: datetime | None = None) -> bool:
    cutoff = claim_cutoff(now or utcnow())
    return (item.status == ItemStatus.CLAIMED and cutoff is not None
            and item.claimed_at is not None and item.claimed_at <= cutoff)


def claimable(now: datetime):
    """The SQL condition of an item anyone may claim: open, or claimed long enough ago."""
    free = ReportItem.status == ItemStatus.OPEN
    cutoff = claim_cutoff(now)
    if cutoff is None:
        return free
    return or_(free, and_(ReportItem.status == ItemStatus.CLAIMED,
                          ReportItem.claimed_at <= cutoff))


def claim(actor: User, item: ReportItem, now: datetime | None = None) -> ReportItem:
    """"I'm on it": mark the item as handled by ``actor``, logged as ``report.claim`` (with
    whose lapsed claim it took over, if any).

    Refuses: someone who may not handle it (403); an item claimed by someone whose claim
    still holds, or closed (409, saying by whom).
    """
    now = now or utcnow()
    require(Policy(actor).can_handle_report(item))
    lapsed = item.claimed_by if claim_lapsed(item, now) else None
    claimed = db.session.execute(
        update(ReportItem)
        .where(ReportItem.id == item.id, claimable(now))
        .values(status=ItemStatus.CLAIMED, claimed_by_id=actor.id, claimed_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        raise Conflict(describe_state(item, actor.timezone))
    before = {"claimed_by": lapsed.username} if lapsed is not None else None
    audit.record(actor, "report.claim", item, before=before, now=now, item=item)
    commit()
    db.session.refresh(item)
    return item


def open_item(actor: User, item: ReportItem, now: datetime | None = None) -> ReportItem:
    """Opening an item claims it for ``actor`` when nobody holds it (logged as a claim);
    when another moderator claims it at the same moment, theirs stands and the page says so.

    Refuses: as ``claim``, except that a claim held by someone else is no refusal.
    """
    now = now or utcnow()
    if item.status == ItemStatus.OPEN or (claim_lapsed(item, now)
                                          and item.claimed_by_id != actor.id):
        try:
            return claim(actor, item, now)
        except Conflict:
            db.session.refresh(item)
    return item


def release(actor: User, item: ReportItem, now: datetime | None = None) -> ReportItem:
    """Give a claimed item back to the queue, logged as ``report.release``.

    Refuses: someone who may not handle it (403); another moderator's claim unless an
    administrator (403); an item not claimed any more (409).
    """
    now = now or utcnow()
    require(Policy(actor).can_release(item))
    released = db.session.execute(
        update(ReportItem)
        .where(ReportItem.id == item.id, ReportItem.status == ItemStatus.CLAIMED)
        .values(status=ItemStatus.OPEN, claimed_by_id=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not released:
        db.session.rollback()
        raise Conflict(describe_state(item, actor.timezone))
    audit.record(actor, "report.release", item, now=now, item=item)
    commit()
    db.session.refresh(item)
    return item


def describe_state(item: ReportItem, tz_name: str | None) -> str:
    """What happened to an item, for the moderator who lost a race (they may know who), times
    in their zone ``tz_name``."""
    db.session.refresh(item)
    if item.status == ItemStatus.CLAIMED:
        at = when(item.claimed_at, tz_name)
        if item.claimed_by is None:
            return _("another moderator claimed this report at %(at)s and is handling it.",
                     at=at)
        return _("%(who)s claimed this report at %(at)s and is handling it.",
                 who=item.claimed_by.username, at=at)
    if item.status in (ItemStatus.RESOLVED, ItemStatus.DISMISSED):
        return _finished(item, tz_name)
    return _("This report is open again; please reload the page.")


def _finished(item: ReportItem, tz_name: str | None) -> str:
    """How a closed item was closed, one whole sentence per case; the resolution is the
    summary the log keeps."""
    at, what = when(item.resolved_at, tz_name), summary_text(item.resolution)
    dismissed = item.status == ItemStatus.DISMISSED
    if item.resolved_by is None:
        if dismissed:
            if what:
                return _("another moderator already dismissed this report at %(at)s "
                         "(%(what)s).", at=at, what=what)
            return _("another moderator already dismissed this report at %(at)s.", at=at)
        if what:
            return _("another moderator already resolved this report at %(at)s (%(what)s).",
                     at=at, what=what)
        return _("another moderator already resolved this report at %(at)s.", at=at)
    who = item.resolved_by.username
    if dismissed:
        if what:
            return _("%(who)s already dismissed this report at %(at)s (%(what)s).",
                     who=who, at=at, what=what)
        return _("%(who)s already dismissed this report at %(at)s.", who=who, at=at)
    if what:
        return _("%(who)s already resolved this report at %(at)s (%(what)s).",
                 who=who, at=at, what=what)
    return _("%(who)s already resolved this report at %(at)s.", who=who, at=at)


# -- the member's own data ------------------------------------------------------------------

@data_export.section("reports")
def export_reports(user: User) -> list[dict]:
    """The reports the member filed, with what they were about and where they stand (never
    who handled them): one query."""
    rows = db.session.execute(
        select(Report.id, Report.reason, Report.note, Report.status, Report.created_at,
               Report.closed_at, ReportItem.target_kind, ReportItem.post_id,
               ReportItem.thread_id, ReportItem.subject_id)
        .join(ReportItem, ReportItem.id == Report.item_id)
        .where(Report.reporter_id == user.id)
        .order_by(Report.created_at, Report.id)
    )
    return [
        {"id": row.id, "reason": row.reason, "note": row.note, "status": row.status,
         "created_at": data_export.iso(row.created_at),
         "closed_at": data_export.iso(row.closed_at),
         "target": {"kind": row.target_kind, "post_id": row.post_id,
                    "thread_id": row.thread_id, "member_id": row.subject_id}}
        for row in rows
    ]
