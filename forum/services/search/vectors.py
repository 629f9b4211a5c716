"""PostgreSQL's search vectors following the database, in the writing transaction.

The session events ``sync`` listens to note which posts a write touches; on PostgreSQL, just
before the commit, this reads those posts back in the same transaction (its own uncommitted
rows included) and writes their vectors, so a post is searchable on every host the moment its
transaction commits, and a rollback takes the vector with it. The text is made here as
Whoosh's documents are (``markup.plain_text``, ``folding``), then weighted by PostgreSQL:
the thread title (opening post only) A, the body B, in the board's language's configuration.

A hard-deleted post's vector goes with it (``ON DELETE CASCADE``); hiding and deleting change
no vector, since the search statement joins the post and its thread for who may see it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import current_app
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from ...common import markup
from ...extensions import db
from . import backend, sync
from .folding import collapse_digraphs, fold
from .index import PostRecord
from .languages import TEXT_SEARCH_CONFIGS as CONFIGS

_UPSERT = text(
    "INSERT INTO post_search (post_id, language, vector) VALUES (:post_id, :language, "
    "setweight(to_tsvector(CAST(:config AS regconfig), :title), 'A') "
    "|| setweight(to_tsvector(CAST(:config AS regconfig), :body), 'B')) "
    "ON CONFLICT (post_id) DO UPDATE SET language = excluded.language, vector = excluded.vector"
)


def searchable(value: str, language: str) -> str:
    """Text as the vector and the query are built from: folded, and in German with "ae", "oe",
    "ue" read as umlauts (on both sides, so "Loetstation" and "Lötstation" meet)."""
    folded = fold(value)
    return collapse_digraphs(folded) if language == "de" else folded


def row(record: PostRecord) -> dict:
    language = record.language if record.language in CONFIGS else "en"
    return {
        "post_id": record.post_id,
        "language": language,
        "config": CONFIGS[language],
        "title": searchable(record.title, language) if record.position == 1 else "",
        "body": searchable(markup.plain_text(record.body_html), language),
    }


def write(session: Session, records: Iterable[PostRecord]) -> int:
    rows = [row(record) for record in records]
    if rows:
        session.execute(_UPSERT, rows)
    return len(rows)


def _active() -> bool:
    return sync.tracking() and backend.name() == backend.POSTGRES


def _before_commit(session: Session) -> None:
    if not _active():
        return
    session.flush()  # what is still pending is noted by the flush's own event
    pending = session.info.pop(sync.PENDING, None)
    if not pending:
        return
    where = sync.conditions(pending.posts, pending.threads, (), pending.boards,
                            pending.default_changed)
    if where is not None:
        default = pending.default_language or sync.default_language()
        write(session, sync.records(session, default, where))


_listening = False


def init_app(app) -> None:
    global _listening
    if not _listening:  # session events are class-wide: one listener for every app
        event.listen(Session, "before_commit", _before_commit)
        _listening = True


def rebuild(progress: Callable[[int], None] | None = None, batch: int = sync.BATCH) -> int:
    """Write every post's vector again, a batch per transaction (readers keep finding the old
    ones meanwhile). Returns the posts written."""
    count = 0
    pending: list[PostRecord] = []
    for record in sync.iter_records(batch):
        pending.append(record)
        if len(pending) >= batch:
            count += _flush(pending, progress)
    if pending:
        count += _flush(pending, progress)
    current_app.logger.info("Search vectors written for %s posts", count)
    return count


def _flush(records: list[PostRecord], progress) -> int:
    written = write(db.session, records)
    db.session.commit()
    records.clear()
    if progress is not None:
        progress(written)
    return written
