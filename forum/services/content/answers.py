"""The accepted answer of a question: the member who asked, or a moderator, marks one reply in
a question board as the answer; it shows under the question and the thread counts as solved.
Marking, changing and unmarking are logged (``thread.accept_answer``,
``thread.unaccept_answer``) with the post before and after.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select, update

from ...database import commit
from ...errors import Conflict, Refused, require
from ...extensions import db
from ...models import Post, Thread, User, utcnow
from ...policy import Policy
from .. import audit


def _held_answer(thread: Thread) -> int | None:
    """The thread's answer as it stands, with the thread's row held until the commit: a no-op
    UPDATE first (a row lock on PostgreSQL, the write lock on SQLite, where SELECT … FOR UPDATE
    locks nothing), so of two people marking at once the second reads what the first wrote
    and each change is logged once, with what it replaced."""
    db.session.execute(update(Thread).where(Thread.id == thread.id)
                       .values(accepted_post_id=Thread.accepted_post_id)
                       .execution_options(synchronize_session=False))
    return db.session.scalar(select(Thread.accepted_post_id).where(Thread.id == thread.id))


def mark_answer(actor: User, post: Post, now: datetime | None = None) -> Thread:
    """Make ``post`` its thread's answer (replacing another one).
    Refuses: not the asker nor a moderator of the board, not a question board (403); the
    opening post, a deleted or hidden reply (400); already the answer (409)."""
    now = now or utcnow()
    thread = post.thread
    require(Policy(actor, now).can_mark_answer(thread))
    if post.id == thread.first_post_id:
        raise Refused(_("The question itself can't be its answer."), status=400)
    if post.is_deleted or post.is_hidden:
        raise Refused(_("A deleted or hidden reply can't be the answer."), status=400)
    before = _held_answer(thread)
    if before == post.id:
        raise Conflict(_("This reply is already the answer."))
    db.session.execute(update(Thread).where(Thread.id == thread.id)
                       .values(accepted_post_id=post.id)
                       .execution_options(synchronize_session=False))
    audit.record(actor, "thread.accept_answer", thread, before={"answer": before},
                 after={"answer": post.id}, now=now)
    commit()
    db.session.expire(thread)
    return thread


def unmark_answer(actor: User, thread: Thread, now: datetime | None = None) -> Thread:
    """The question has no accepted answer any more.
    Refuses: as ``mark_answer``; no answer marked (409)."""
    now = now or utcnow()
    require(Policy(actor, now).can_mark_answer(thread))
    before = _held_answer(thread)
    if before is None:
        raise Conflict(_("This question has no accepted answer."))
    db.session.execute(update(Thread).where(Thread.id == thread.id)
                       .values(accepted_post_id=None)
                       .execution_options(synchronize_session=False))
    audit.record(actor, "thread.unaccept_answer", thread, before={"answer": before},
                 after={"answer": None}, now=now)
    commit()
    db.session.expire(thread)
    return thread


def accepted_post(thread: Thread) -> Post | None:
    """The answer shown under the question, when there is one still visible: one query, only
    for solved threads."""
    if thread.accepted_post_id is None:
        return None
    post = db.session.get(Post, thread.accepted_post_id)
    if post is None or post.thread_id != thread.id or post.is_deleted or post.is_hidden:
        return None
    return post
