"""Starting threads, replying, editing and deleting posts.

Counters and last-post pointers change in SQL inside the same transaction as the write, so
concurrent posts never lose an increment and pages never need to count.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from sqlalchemy import func, select, update

from ..errors import NotFound, Refused
from ..extensions import db
from ..models import Board, Post, PostRevision, Thread, User, utcnow
from ..permissions import Policy
from . import markup

TITLE_MAX = 200
BODY_MAX = 50_000


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise Refused("A thread needs a title.", status=400)
    if len(title) > TITLE_MAX:
        raise Refused(f"Titles can be at most {TITLE_MAX} characters.", status=400)
    return title


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise Refused("A post can't be empty.", status=400)
    if len(body) > BODY_MAX:
        raise Refused(f"Posts can be at most {BODY_MAX:,} characters.", status=400)
    return body


def _require(decision) -> None:
    if not decision:
        raise Refused(decision)


def _add_post(actor: User, thread: Thread, body: str, now: datetime) -> Post:
    # Claim the next position atomically: two writers can never get the same number.
    position = db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(post_seq=Thread.post_seq + 1)
        .returning(Thread.post_seq)
    ).scalar_one()
    post = Post(
        thread_id=thread.id,
        author_id=actor.id,
        position=position,
        body=body,
        body_html=markup.render(body),
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    db.session.execute(
        update(User).where(User.id == actor.id).values(post_count=User.post_count + 1)
    )
    return post


def create_thread(actor: User, board: Board, title: str, body: str,
                  now: datetime | None = None) -> Thread:
    """Start a thread with its opening post.

    Refuses: board not visible or read-only, guest, empty/oversized title or body.
    """
    now = now or utcnow()
    _require(Policy(actor).can_create_thread(board))
    title, body = _clean_title(title), _clean_body(body)
    thread = Thread(
        board_id=board.id,
        author_id=actor.id,
        title=title,
        slug=slugify(title),
        created_at=now,
        last_post_at=now,
        post_seq=0,
        reply_count=0,
    )
    db.session.add(thread)
    db.session.flush()
    post = _add_post(actor, thread, body, now)
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(first_post_id=post.id, last_post_id=post.id, last_post_at=now)
    )
    db.session.execute(
        update(Board)
        .where(Board.id == board.id)
        .values(
            thread_count=Board.thread_count + 1,
            post_count=Board.post_count + 1,
            last_post_id=post.id,
        )
    )
    db.session.execute(
        update(User).where(User.id == actor.id).values(thread_count=User.thread_count + 1)
    )
    db.session.commit()
    return thread


def reply(actor: User, thread: Thread, body: str, now: datetime | None = None) -> Post:
    """Add a reply.

    Refuses: thread not visible, locked, read-only board, guest, empty/oversized body.
    """
    now = now or utcnow()
    _require(Policy(actor).can_reply(thread))
    body = _clean_body(body)
    post = _add_post(actor, thread, body, now)
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(reply_count=Thread.reply_count + 1, last_post_id=post.id, last_post_at=now)
    )
    db.session.execute(
        update(Board)
        .where(Board.id == thread.board_id)
        .values(post_count=Board.post_count + 1, last_post_id=post.id)
    )
    db.session.commit()
    return post


def edit_post(actor: User, post: Post, body: str, now: datetime | None = None) -> Post:
    """Replace a post's text, keeping the previous text as a revision.

    Refuses: not the author (nor a moderator of the board), deleted post, locked thread,
    empty/oversized body. An edit that changes nothing is accepted and records nothing.
    """
    now = now or utcnow()
    _require(Policy(actor).can_edit_post(post))
    body = _clean_body(body)
    if body == post.body:
        return post
    db.session.add(
        PostRevision(
            post_id=post.id,
            number=post.revision_count + 1,
            body=post.body,
            body_html=post.body_html,
            created_at=post.edited_at or post.created_at,
            editor_id=post.edited_by_id or post.author_id,
        )
    )
    post.body = body
    post.body_html = markup.render(body)
    post.edited_at = now
    post.edited_by_id = actor.id
    post.revision_count = post.revision_count + 1
    db.session.commit()
    return post


def _last_visible_post_id(thread_id: int) -> tuple[int | None, datetime | None]:
    row = db.session.execute(
        select(Post.id, Post.created_at)
        .where(Post.thread_id == thread_id, Post.is_deleted.is_(False))
        .order_by(Post.position.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def _last_board_post_id(board_id: int) -> int | None:
    return db.session.scalar(
        select(Thread.last_post_id)
        .where(Thread.board_id == board_id, Thread.is_deleted.is_(False))
        .order_by(Thread.last_post_at.desc())
        .limit(1)
    )


def delete_post(actor: User, post: Post, reason: str | None = None,
                now: datetime | None = None) -> Post:
    """Soft-delete a post; the opening post of a reply-less thread takes the thread with it.

    Refuses: not the author (nor a moderator), already deleted, locked thread, an opening post
    that already has replies (members only).
    """
    now = now or utcnow()
    _require(Policy(actor).can_delete_post(post))
    thread = post.thread
    post.is_deleted = True
    post.deleted_at = now
    post.deleted_by_id = actor.id
    post.delete_reason = (reason or "").strip()[:500] or None
    db.session.execute(
        update(User).where(User.id == post.author_id).values(post_count=User.post_count - 1)
    )
    db.session.flush()
    if post.id == thread.first_post_id:
        _delete_thread(actor, thread, now)
    else:
        last_id, last_at = _last_visible_post_id(thread.id)
        db.session.execute(
            update(Thread)
            .where(Thread.id == thread.id)
            .values(reply_count=Thread.reply_count - 1, last_post_id=last_id,
                    last_post_at=last_at or thread.created_at)
        )
        db.session.execute(
            update(Board).where(Board.id == thread.board_id).values(post_count=Board.post_count - 1)
        )
        db.session.flush()
        db.session.execute(
            update(Board)
            .where(Board.id == thread.board_id)
            .values(last_post_id=_last_board_post_id(thread.board_id))
        )
    db.session.commit()
    return post


def _delete_thread(actor: User, thread: Thread, now: datetime) -> None:
    remaining = db.session.scalar(
        select(func.count()).select_from(Post).where(
            Post.thread_id == thread.id, Post.is_deleted.is_(False)
        )
    )
    thread.is_deleted = True
    thread.deleted_at = now
    thread.deleted_by_id = actor.id
    # The opening post is already marked deleted; the others leave the board's count too.
    db.session.execute(
        update(Board)
        .where(Board.id == thread.board_id)
        .values(thread_count=Board.thread_count - 1, post_count=Board.post_count - remaining - 1)
    )
    db.session.execute(
        update(User).where(User.id == thread.author_id).values(thread_count=User.thread_count - 1)
    )
    db.session.flush()
    db.session.execute(
        update(Board)
        .where(Board.id == thread.board_id)
        .values(last_post_id=_last_board_post_id(thread.board_id))
    )


def get_post_or_404(post_id: int) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound("That post doesn't exist.")
    return post
