"""Which uploads a post or message shows, and tying each upload to the first that does.

Every writer of posts and messages is covered (new threads, replies, edits, approvals,
conversations) by a session hook rather than a call in each: after a flush, the uploads a new
or edited text references that belong to its author and to nothing yet are given to it,
in the same transaction.
"""
from __future__ import annotations

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from ...common.upload_refs import referenced_ids
from ...models import Message, Post, Upload


def _changed_body(obj) -> bool:
    from sqlalchemy import inspect

    return inspect(obj).attrs.body.history.has_changes()


def _after_flush(session: Session, _context) -> None:
    targets: list[tuple[str, int, int, list[int]]] = []
    for obj in [*session.new, *session.dirty]:
        if not isinstance(obj, Post | Message):
            continue
        if obj not in session.new and not _changed_body(obj):
            continue
        ids = referenced_ids(obj.body)
        if ids:
            column = "post_id" if isinstance(obj, Post) else "message_id"
            targets.append((column, obj.id, obj.author_id, ids))
    _link(session, targets)


def _link(session: Session, targets: list[tuple[str, int, int, list[int]]]) -> None:
    table = Upload.__table__
    for column, holder_id, author_id, ids in targets:
        session.connection().execute(
            update(table)
            .where(table.c.id.in_(ids), table.c.owner_id == author_id,
                   table.c.post_id.is_(None), table.c.message_id.is_(None))
            .values({column: holder_id}))


def _new_body(statement) -> str | None:
    """The text a bulk UPDATE writes into ``body``, when it writes a plain value there."""
    values = getattr(statement, "_values", None) or {}
    for key, value in values.items():
        if (getattr(key, "key", None) or getattr(key, "name", None) or str(key)) == "body":
            return getattr(value, "value", None)
    return None


def _before_bulk(state) -> None:
    """Edits write posts with a bulk UPDATE, past the unit of work: link what the new text
    shows before it runs, in the same transaction."""
    if not state.is_update:
        return
    statement = state.statement
    table = getattr(statement, "table", None)
    if getattr(table, "name", None) not in {"posts", "messages"}:
        return
    body = _new_body(statement)
    ids = referenced_ids(body) if isinstance(body, str) else []
    if not ids:
        return
    where = statement.whereclause
    query = select(table.c.id, table.c.author_id)
    rows = state.session.connection().execute(
        query.where(where) if where is not None else query).all()
    column = "post_id" if table.name == "posts" else "message_id"
    _link(state.session, [(column, row.id, row.author_id, ids) for row in rows])


_listening = False


def listen() -> None:
    # Session events are class-wide; every app in the process shares one listener.
    global _listening
    if not _listening:
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "do_orm_execute", _before_bulk)
        _listening = True
