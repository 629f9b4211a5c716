"""Starting threads, replying, editing and deleting posts.

Counters and last-post pointers change in SQL inside the same transaction as the write, so
concurrent posts never lose an increment and pages never need to count.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func, select, update

from ...common import markup
from ...common.numfmt import number
from ...database import commit
from ...errors import Refused
from ...extensions import db
from ...models import (
    Board,
    NotificationKind,
    PendingPost,
    Post,
    PostRevision,
    ReportItem,
    Thread,
    User,
    UTCDateTime,
    utcnow,
)
from ...policy import Policy
from .. import audit, blocks, data_export, notifications, text, webhooks
from . import (
    approvals,
    cooldowns,
    flagging,
    mentions,
    response_stamps,
    watched_words,
    watching,
)

TITLE_MAX = 200
BODY_MAX = 50_000
# Quotes beyond this many in one reply tell nobody more: a wall of quotes is no way to page
# the whole thread.
QUOTES_NOTIFIED_MAX = 10


def slugify(text: str, max_length: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-")


class InvalidInput(Refused):
    """Text that breaks a rule of form; ``field`` names the form field the message belongs to."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason, status=400)
        self.field = field


def normalize_title(title: str | None) -> str:
    """Titles keep single spaces only, so lengths are counted the way they are shown."""
    return " ".join((title or "").split())


normalize_body = text.multiline


def clean_title(title: str) -> str:
    """A title as it is stored. Refuses (400, field ``title``) an empty or oversized one."""
    title = normalize_title(title)
    if not title:
        raise InvalidInput("title", _("A thread needs a title."))
    if len(title) > TITLE_MAX:
        raise InvalidInput("title", _("Titles can be at most %(max)s characters.",
                                      max=TITLE_MAX))
    return title


def _clean_body(body: str) -> str:
    body = normalize_body(body)
    if not body:
        raise InvalidInput("body", _("A post can't be empty."))
    if len(body) > BODY_MAX:
        raise InvalidInput("body", _("Posts can be at most %(max)s characters.",
                                     max=number(BODY_MAX)))
    text.check_images(body)
    return body


def _require(decision) -> None:
    if not decision:
        raise Refused(decision)


def _add_post(actor: User, thread: Thread, body: str, now: datetime) -> Post:
    # Claim the next position atomically: two writers can never get the same number. A thread
    # merged into another meanwhile (the merge held the row) takes no more posts.
    position = db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id, Thread.merged_into_id.is_(None))
        .values(post_seq=Thread.post_seq + 1)
        .returning(Thread.post_seq)
    ).scalar_one_or_none()
    if position is None:
        raise Refused(_("This thread was merged into another one just now; reply there."),
                      status=409)
    post = Post(
        thread_id=thread.id,
        author_id=actor.id,
        position=position,
        body=body,
        body_html=mentions.render(body),
        created_at=now,
    )
    db.session.add(post)
    db.session.flush()
    db.session.execute(
        update(User).where(User.id == actor.id).values(post_count=User.post_count + 1)
    )
    return post


def create_thread(actor: User, board: Board, title: str, body: str,
                  now: datetime | None = None,
                  then: Callable[[Thread], None] | None = None) -> Thread | PendingPost:
    """Start a thread with its opening post. ``then(thread)`` runs in the same transaction,
    before the one commit (an event links its discussion thread so).

    Watched words apply to the title and the text; a thread that must wait for approval
    (``approvals.hold_cause``) is returned as the ``PendingPost`` it waits as. A thread made
    for ``then`` (an event's discussion) never waits: the event has been checked on its own.
    Refuses: board not visible or read-only, guest, empty/oversized title or body, a blocked
    watched word (``WordRefused``, 400).
    """
    now = now or utcnow()
    policy = Policy(actor, now)
    _require(policy.can_create_thread(board))
    title, body = clean_title(title), _clean_body(body)
    screening = watched_words.screen(title, body)
    title, body = clean_title(screening.title), _clean_body(screening.body)
    cooldowns.check_links(policy, board, body, now)
    ticket = cooldowns.take(policy, board, None, now)
    try:
        cause = approvals.hold_cause(policy, board, None, screening, now) if then is None else None
        if cause is not None:
            pending = approvals.hold(actor, board, None, title, body, cause, screening, now)
            commit()
            return pending
        thread = open_thread(actor, board, title, body, now)
        if then is not None:
            then(thread)
        webhooks.thread_created(thread, now)
        if screening.flag:
            db.session.refresh(thread)
            _flag(db.session.get(Post, thread.first_post_id), screening, now)
    except BaseException:
        ticket.cancel(now)
        raise
    commit()
    return thread


def _flag(post: Post, screening: watched_words.Screening, now: datetime) -> None:
    """A watched word with the action "flag": the post stays up and the queue gets an item."""
    flagging.open_item(post, screening.flag_words, now)


def open_thread(actor: User, board: Board, title: str, body: str, now: datetime) -> Thread:
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
    watching.started(actor, thread, now)
    thread.board = board
    told = mentions.notify(actor, thread, post, now)
    watching.tell_watchers(actor, thread, post, told, now)
    return thread


def reply(actor: User, thread: Thread, body: str,
          now: datetime | None = None) -> Post | PendingPost:
    """Add a reply. The thread's author hears of it (``REPLY``) and so do the authors of the
    posts it quotes (``QUOTE``), in the same transaction: see ``_notify_readers``. A reply
    that must wait for approval is returned as its ``PendingPost``; nobody hears of it yet.

    Refuses: thread not visible, locked, read-only board, guest, empty/oversized body, a
    blocked watched word (``WordRefused``, 400).
    """
    now = now or utcnow()
    policy = Policy(actor, now)
    _require(policy.can_reply(thread))
    body = _clean_body(body)
    screening = watched_words.screen(None, body)
    body = _clean_body(screening.body)
    cooldowns.check_links(policy, thread.board, body, now)
    # Counted first, in this transaction: of two replies sent at once, one fits the slow mode
    # and the other is refused, and a refusal further on gives the count back.
    ticket = cooldowns.take(policy, thread.board, thread, now)
    try:
        cause = approvals.hold_cause(policy, thread.board, thread, screening, now)
        if cause is not None:
            pending = approvals.hold(actor, thread.board, thread, None, body, cause, screening,
                                     now)
            commit()
            return pending
        post = append(actor, thread, body, now)
        if screening.flag:
            _flag(post, screening, now)
    except BaseException:
        ticket.cancel(now)
        raise
    commit()
    return post


def reply_within(actor: User, thread: Thread, body: str, now: datetime, *,
                 paced: bool = True) -> Post:
    """A reply that is part of another change (a contest entry, an expert's answer, a
    contest's results), in the caller's transaction: no commit, so the reply and what it
    belongs to are saved together or not at all. It answers to the rules a reply does, but
    what would wait for approval (a watched word that asks for review, a member whose posts
    are held) is refused instead: the change it belongs to cannot wait. ``paced``: it counts
    against the posting limits (flood interval, slow mode, new members' links) like a reply;
    the team's and experts' posts made through a page of steps pass False.

    Refuses: as ``Policy.can_reply``; an empty or oversized body; a blocked watched word; a
    post that would be held (403); a posting limit (429) or too many links (400).
    """
    policy = Policy(actor, now)
    _require(policy.can_reply(thread))
    body = _clean_body(body)
    screening = watched_words.screen(None, body)
    body = _clean_body(screening.body)
    if approvals.hold_cause(policy, thread.board, thread, screening, now) is not None:
        raise Refused(_("Your posts wait for a moderator's approval for now, so this can't be "
                        "posted here yet. Post in the thread instead; a moderator will see "
                        "it."), status=403)
    if paced:
        cooldowns.check_links(policy, thread.board, body, now)
        cooldowns.take(policy, thread.board, thread, now)
    post = append(actor, thread, body, now)
    if screening.flag:
        _flag(post, screening, now)
    return post


def add_notice(actor: User, thread: Thread, body: str, now: datetime) -> Post:
    """A moderator's notice posted into the thread (the caller checked the rank; no commit)."""
    post = append(actor, thread, _clean_body(body), now, notice=True)
    return post


def append(actor: User, thread: Thread, body: str, now: datetime,
            notice: bool = False) -> Post:
    post = _add_post(actor, thread, body, now)
    post.is_mod_notice = notice
    stamps = {}
    if not notice:
        # The first response and the team's first reply are stored once, when they happen, in
        # the statement that counts the reply: the desk and the response figures read them.
        moment = bindparam(None, now, type_=UTCDateTime())
        if actor.id != thread.author_id:
            stamps["first_response_at"] = func.coalesce(Thread.first_response_at, moment)
        if Policy(actor, now).moderates(thread.board):
            stamps["team_replied_at"] = func.coalesce(Thread.team_replied_at, moment)
    db.session.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(reply_count=Thread.reply_count + 1, last_post_id=post.id, last_post_at=now,
                **stamps)
    )
    if not thread.is_deleted:
        # A moderator's reply inside a deleted thread stays out of the board's counts.
        db.session.execute(
            update(Board)
            .where(Board.id == thread.board_id)
            .values(post_count=Board.post_count + 1, last_post_id=post.id)
        )
    _notify_readers(actor, thread, post, now)
    return post


def _notify_readers(actor: User, thread: Thread, post: Post, now: datetime) -> None:
    """One notification per person per reply: a mentioned member hears ``MENTION``, a quoted
    one ``QUOTE``, and everyone watching the thread (its author, by default) one grouped
    ``WATCHED`` notification for the thread, unless already told of this post. Nobody hears
    of their own reply, nor of one they may not read (a staff board, a deleted thread), nor of
    one by a member they blocked."""
    watching.replied(actor, post, now)
    told = mentions.notify(actor, thread, post, now)
    quoted = _quoted_authors(thread, post)
    shut = blocks.blockers_among(actor.id, [user.id for user in quoted])
    for user in quoted:
        if user.id == actor.id or user.id in told or user.id in shut:
            continue
        reader = Policy(user, now)
        if not (reader.can_view_thread(thread) and reader.can_view_post(post)):
            continue
        notifications.notify(user, NotificationKind.QUOTE, "post.quote",
                             {"name": actor.name, "title": thread.title}, post.url,
                             actor=actor, now=now)
        told.add(user.id)
    watching.tell_watchers(actor, thread, post, told, now)


def _quoted_authors(thread: Thread, post: Post) -> list[User]:
    """Whose posts in this thread the reply quotes. A header linking to a post names it
    exactly; an older name-only header counts when one member of the thread goes by that
    name (two namesakes and neither is told, rather than the wrong one)."""
    refs = markup.quotes(post.body)[:QUOTES_NOTIFIED_MAX]
    earlier = (Post.thread_id == thread.id, Post.id != post.id)
    author_ids: set[int] = set()
    post_ids = {ref.post_id for ref in refs if ref.post_id is not None}
    if post_ids:
        author_ids.update(db.session.scalars(
            select(Post.author_id).where(*earlier, Post.id.in_(post_ids))
        ))
    names = {ref.name for ref in refs if ref.post_id is None}
    if names:
        shown = func.coalesce(func.nullif(User.display_name, ""), User.username)
        rows = db.session.execute(
            select(shown, User.id).join(Post, Post.author_id == User.id)
            .where(*earlier, shown.in_(names)).distinct()
        ).all()
        namesakes: dict[str, set[int]] = {}
        for name, user_id in rows:
            namesakes.setdefault(name, set()).add(user_id)
        author_ids.update(ids.pop() for ids in namesakes.values() if len(ids) == 1)
    if not author_ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(author_ids)).order_by(User.id)))


def edit_post(actor: User, post: Post, body: str, now: datetime | None = None, *,
              reason: str | None = None, item: ReportItem | None = None) -> Post:
    """Replace a post's text, keeping the previous text as a revision. Someone else's post (a
    moderator of the board who outranks its author) needs a reason: the edit is logged as
    ``post.edit`` (linked to the report ``item`` when there is one) and the author told why.

    Watched words apply: "replace" censors the new text; for a member's own edit "review"
    hides the post until a moderator looks at it and "review" and "flag" open a queue item.
    Refuses: not the author (nor a moderator of the board above the author's rank), deleted
    post, locked thread, empty/oversized body, a blocked watched word (``WordRefused``); for
    someone else's post, no reason or the same text (400). An author's edit that changes
    nothing is accepted and records nothing.
    """
    now = now or utcnow()
    policy = Policy(actor)
    _require(policy.can_edit_post(post))
    body = _clean_body(body)
    screening = watched_words.screen(None, body)
    body = _clean_body(screening.body)
    moderated = post.author_id != actor.id
    if moderated:
        reason = text.clean_reason(reason, _("Please give a reason for “edit the post”."))
        if body == post.body:
            raise Refused(_("The new text is the same as the post's current text."), status=400)
    elif body == post.body:
        return post
    old = post.body
    # Claiming the revision number first locks the row, so two editors racing each keep the
    # text the other replaced instead of colliding on the number.
    number = db.session.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(revision_count=Post.revision_count + 1)
        .returning(Post.revision_count)
    ).scalar_one()
    current = db.session.execute(
        select(Post.body, Post.body_html, Post.created_at, Post.edited_at, Post.edited_by_id,
               Post.author_id)
        .where(Post.id == post.id)
    ).one()
    db.session.add(
        PostRevision(
            post_id=post.id,
            number=number,
            body=current.body,
            body_html=current.body_html,
            created_at=current.edited_at or current.created_at,
            editor_id=current.edited_by_id or current.author_id,
        )
    )
    db.session.execute(
        update(Post)
        .where(Post.id == post.id)
        .values(body=body, body_html=mentions.render(body), edited_at=now, edited_by_id=actor.id)
    )
    mentions.notify(actor, post.thread, post, now, before=old)
    if moderated:
        audit.record(actor, "post.edit", post, reason, before={"body": old},
                     after={"body": body}, now=now, item=item)
        notifications.notify_moderated(post, "edited", reason, now)
    elif not policy.moderates(post.thread.board) and (screening.review or screening.flag):
        _screened_edit(post, screening, now)
    commit()
    return post


def _screened_edit(post: Post, screening: watched_words.Screening, now: datetime) -> None:
    """An edit that brought in a watched word: the post keeps its place, so it cannot wait
    like a new one; "review" hides it until a moderator looks (as reports do), and both
    "review" and "flag" put it in the queue."""
    words = ", ".join(filter(None, (screening.review_words, screening.flag_words)))
    item = flagging.open_item(post, words, now)
    if screening.review:
        flagging.hide_for_review(post, item, words, now)


# A thread's latest post is the one written last: after a merge or a split, positions are no
# longer in the order posts were written. Of posts written at the same instant, the later one.
LATEST_FIRST = (Post.created_at.desc(), Post.position.desc())


def last_visible_post(thread_id: int) -> tuple[int | None, datetime | None]:
    """The id and time of the thread's latest post that isn't deleted, for its pointers."""
    row = db.session.execute(
        select(Post.id, Post.created_at)
        .where(Post.thread_id == thread_id, Post.is_deleted.is_(False))
        .order_by(*LATEST_FIRST)
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else (None, None)


def latest_board_post_id(board_id: int) -> int | None:
    """The board's latest post, for its "latest post" pointer after a delete or a move; of
    threads last active at the same instant, the newer thread's."""
    return db.session.scalar(
        select(Thread.last_post_id)
        .where(Thread.board_id == board_id, Thread.is_deleted.is_(False))
        .order_by(Thread.last_post_at.desc(), Thread.id.desc())
        .limit(1)
    )


def delete_post(actor: User, post: Post, reason: str | None = None,
                now: datetime | None = None, *, item: ReportItem | None = None) -> Post:
    """Soft-delete a post; the opening post of a reply-less thread takes the thread with it.
    Someone else's post (a moderator of the board who outranks its author) needs a reason: the
    delete is logged as ``post.delete`` (linked to the report ``item`` when there is one) and
    the author told why.

    Refuses: not the author (nor a moderator above the author's rank), already deleted, locked
    thread, an opening post that already has replies (members only); for someone else's post,
    no reason (400).
    """
    now = now or utcnow()
    _require(Policy(actor).can_delete_post(post))
    moderated = post.author_id != actor.id
    if moderated:
        reason = text.clean_reason(reason, _("Please give a reason for “delete the post”."))
    thread = post.thread
    # The flag flips only once even when two deletes race, so counters drop only once.
    claimed = db.session.execute(
        update(Post)
        .where(Post.id == post.id, Post.is_deleted.is_(False))
        .values(is_deleted=True, deleted_at=now, deleted_by_id=actor.id,
                delete_reason=(reason or "").strip()[:500] or None)
    ).rowcount
    if not claimed:
        raise Refused(_("This post is already deleted."), status=409)
    db.session.execute(
        update(User).where(User.id == post.author_id).values(post_count=User.post_count - 1)
    )
    db.session.flush()
    if post.id == thread.first_post_id:
        _delete_thread(actor, thread, now)
    elif thread.is_deleted:
        # The thread already left the board's counts when it was deleted.
        db.session.execute(
            update(Thread).where(Thread.id == thread.id)
            .values(reply_count=Thread.reply_count - 1)
        )
    else:
        last_id, last_at = last_visible_post(thread.id)
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
            .values(last_post_id=latest_board_post_id(thread.board_id))
        )
    if post.id != thread.first_post_id:
        response_stamps.restamp(thread.id)  # it may have been the thread's answer
    if moderated:
        audit.record(actor, "post.delete", post, reason, before={"deleted": False},
                     after={"deleted": True}, now=now, item=item)
        notifications.notify_moderated(post, "deleted", reason, now)
    commit()
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
        .values(last_post_id=latest_board_post_id(thread.board_id))
    )


# -- the member's own data ------------------------------------------------------------------

@data_export.section("posts")
def export_posts(user: User) -> list[dict]:
    """Every post the member wrote, deleted and hidden ones included (it is their text),
    with its thread's title and board where the member may read that board now (a post
    moved since to a board closed to them keeps its text, not the names): one query."""
    readable = Policy(user).visible_boards(select(Board.id)).scalar_subquery()
    may_read = Board.id.in_(readable)
    rows = db.session.execute(
        select(Post.id, Post.thread_id, case((may_read, Thread.title), else_=None).label("title"),
               case((may_read, Board.slug), else_=None).label("slug"), Post.position,
               Post.created_at, Post.edited_at, Post.body, Post.is_deleted, Post.is_hidden,
               Thread.first_post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .join(Board, Board.id == Thread.board_id)
        .where(Post.author_id == user.id)
        .order_by(Post.created_at, Post.id)
    )
    return [
        {"id": row.id, "thread_id": row.thread_id, "thread_title": row.title,
         "board": row.slug, "opens_thread": row.id == row.first_post_id,
         "created_at": data_export.iso(row.created_at),
         "edited_at": data_export.iso(row.edited_at), "body": row.body,
         "deleted": row.is_deleted, "hidden": row.is_hidden}
        for row in rows
    ]
