"""What the team does by hand with a desk item: answer it, mark it done, snooze it, give it
to someone (who is told), put it back; and the quiet "looking at it" an opened item shows.

Each hand action is logged in its own transaction and carries the version of the item the
actor saw: the row's ``UPDATE … WHERE version = seen`` lets one of two team members acting at
once win, and tells the other who did what (409), so two people never answer one member.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ...database import commit, joined
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import DeskState, NotificationKind, PendingPost, Post, Thread, User, utcnow
from ...policy import Policy
from .. import audit, notifications
from ..content import posting
from .listing import Item

SNOOZE_MAX = timedelta(days=30)

# What the other team member is told when someone acted first.
_ACTED = {
    "done": _l("%(name)s marked this item done just now."),
    "snooze": _l("%(name)s snoozed this item just now."),
    "assign": _l("%(name)s gave this item to a team member just now."),
    "unassign": _l("%(name)s took this item back from its team member just now."),
    "reopen": _l("%(name)s put this item back on the desk just now."),
    "reply": _l("%(name)s answered this item just now."),
}


def _insert_ignoring_duplicate(values: dict) -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(DeskState).values(**values)
                       .on_conflict_do_nothing(index_elements=["kind", "subject_id"]))


def _claim(actor: User, item: Item, seen: int, action: str, values: dict,
           now: datetime) -> None:
    """Change the item's row if it is still the version the actor saw."""
    code, subject_id = item.key
    _insert_ignoring_duplicate({"kind": code, "subject_id": subject_id, "version": 0,
                                "updated_at": now})
    changed = db.session.execute(
        update(DeskState)
        .where(DeskState.kind == code, DeskState.subject_id == subject_id,
               DeskState.version == seen)
        .values(**values, version=DeskState.version + 1, last_action=action,
                last_actor_id=actor.id, updated_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not changed:
        db.session.rollback()
        state = db.session.scalar(select(DeskState).where(DeskState.kind == code,
                                                          DeskState.subject_id == subject_id))
        who = state.last_actor.name if state is not None and state.last_actor else "?"
        said = _ACTED.get(state.last_action if state is not None else "")
        raise Conflict(str(said) % {"name": who} if said else
                       _("Someone changed this item just now; look at it again."))


def _target(item: Item):
    return db.session.get(item.kind.model, item.found.subject_id)


def _log(actor: User, action: str, item: Item, now: datetime, **after) -> None:
    audit.record(actor, action, _target(item), after={"desk_kind": item.kind.code, **after},
                 now=now)


def _require_board(actor: User, item: Item, now: datetime) -> Policy:
    viewer = Policy(actor, now)
    require(viewer.can_handle_desk_item(item.board))
    return viewer


def mark_done(actor: User, item: Item, seen: int, now: datetime | None = None) -> None:
    """The item leaves the desk until its condition begins anew. Logged as ``desk.done``.
    Refuses: not the board's team (403); changed meanwhile (409)."""
    now = now or utcnow()
    _require_board(actor, item, now)
    _claim(actor, item, seen, "done",
           {"done_at": now, "done_by_id": actor.id, "snoozed_until": None}, now)
    _log(actor, "desk.done", item, now)
    commit()


def snooze(actor: User, item: Item, seen: int, until: datetime,
           now: datetime | None = None) -> None:
    """Off the desk until ``until``. Logged as ``desk.snooze``.
    Refuses: not the board's team (403); a time past or more than 30 days ahead (400);
    changed meanwhile (409)."""
    now = now or utcnow()
    _require_board(actor, item, now)
    if until <= now:
        raise Refused(_("Choose a time in the future to snooze until."), status=400)
    if until > now + SNOOZE_MAX:
        raise Refused(_("An item can be snoozed for at most 30 days."), status=400)
    _claim(actor, item, seen, "snooze", {"snoozed_until": until}, now)
    _log(actor, "desk.snooze", item, now, until=until.isoformat())
    commit()


def assign(actor: User, item: Item, seen: int, assignee: User | None,
           now: datetime | None = None) -> None:
    """Give the item to a team member of its board (told by a notification), or take it back
    (``assignee`` None). Logged as ``desk.assign`` / ``desk.unassign``.
    Refuses: not the board's team (403); an assignee who doesn't look after the board (400);
    changed meanwhile (409)."""
    now = now or utcnow()
    viewer = _require_board(actor, item, now)
    if assignee is None:
        _claim(actor, item, seen, "unassign", {"assignee_id": None, "assigned_at": None}, now)
        _log(actor, "desk.unassign", item, now)
        commit()
        return
    receivable = viewer.can_receive_desk_item(assignee, item.board)
    if not receivable:
        raise Refused(receivable.reason, status=400)
    _claim(actor, item, seen, "assign", {"assignee_id": assignee.id, "assigned_at": now}, now)
    _log(actor, "desk.assign", item, now, assignee=assignee.username)
    code, subject_id = item.key
    notifications.notify(assignee, NotificationKind.DESK, "desk.assigned",
                         {"name": actor.name, "title": item.found.title},
                         f"/desk/{code}/{subject_id}", actor=actor, now=now)
    commit()


def reopen(actor: User, item: Item, seen: int, now: datetime | None = None) -> None:
    """Back on the desk: undo "done" or a snooze. Logged as ``desk.reopen``.
    Refuses: not the board's team (403); changed meanwhile (409)."""
    now = now or utcnow()
    _require_board(actor, item, now)
    _claim(actor, item, seen, "reopen",
           {"done_at": None, "done_by_id": None, "snoozed_until": None}, now)
    _log(actor, "desk.reopen", item, now)
    commit()


def reply(actor: User, item: Item, seen: int, body: str,
          now: datetime | None = None) -> Post | PendingPost:
    """Answer from the desk: the reply goes into the item's thread and the item is done, in
    one transaction (logged as ``desk.reply``). A reply that must wait for approval leaves the
    item waiting. Refuses: as ``posting.reply``; not the board's team (403); an item that
    isn't about a thread (400); changed meanwhile (409: the reply is not posted)."""
    now = now or utcnow()
    _require_board(actor, item, now)
    if not item.kind.replies or item.found.thread_id is None:
        raise Refused(_("This item can't be answered with a reply."), status=400)
    thread = db.session.get(Thread, item.found.thread_id)
    with joined():
        post = posting.reply(actor, thread, body, now)
        if isinstance(post, Post):
            _claim(actor, item, seen, "reply",
                   {"done_at": now, "done_by_id": actor.id, "snoozed_until": None}, now)
            _log(actor, "desk.reply", item, now, post=post.id)
    commit()
    return post


def look(actor: User, item: Item, now: datetime | None = None) -> None:
    """Show the team that ``actor`` has the item open. Not a hand action: it changes no
    version and is not logged."""
    now = now or utcnow()
    code, subject_id = item.key
    _insert_ignoring_duplicate({"kind": code, "subject_id": subject_id, "version": 0,
                                "updated_at": now})
    db.session.execute(
        update(DeskState).where(DeskState.kind == code, DeskState.subject_id == subject_id)
        .values(looking_id=actor.id, looking_at=now)
        .execution_options(synchronize_session=False))
    commit()
