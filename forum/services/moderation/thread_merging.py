"""Merging a thread into another, and splitting posts out of a thread (into a new thread or an
existing one).

Positions stay unique and gap-free per thread. Posts that arrive in a thread are appended
after its last position, in the order they were written; a thread that loses posts is numbered
1…n again in its old order. Before anything moves, the threads concerned are held
(``thread_common.hold_threads``: ascending ids, a row lock on PostgreSQL, the write lock on
SQLite) and read again, so a reply sent at the same moment waits and then takes the next
position after the move; a reply to a thread merged meanwhile is refused by ``posting``.

Posts keep their authors, times, texts and ids, so every ``/p/<id>`` still leads to its post
(its page follows from its new position). A merged thread stays as a deleted thread pointing to
the one it went into (``Thread.merged_into_id``), so ``/t/<id>`` answers with a 301 there.
Counters (threads' replies and pointers, boards' threads, posts and latest post, members'
thread counts) change in the same transaction; the search index follows after the commit
(``search.sync`` watches ``posts.thread_id`` and ``posts.position``). Each action is logged
(``thread.merge``, ``thread.split``) with before and after, and the starter of a thread that
was merged or lost posts is told.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ...database import commit
from ...errors import Refused
from ...extensions import db
from ...models import (
    Access,
    Announcement,
    Board,
    Event,
    ModAction,
    Post,
    ReportItem,
    Thread,
    ThreadMoveNotice,
    User,
    utcnow,
)
from .. import audit
from ..content import posting, response_stamps
from ..text import clean_reason
from .thread_common import check_moderator, hold_threads, refresh, tell_author_of_place

# A split takes at most this many posts at once (the split page lists one page of posts).
SPLIT_MAX = 500


def find_thread(thread_id: int) -> Thread:
    """The thread a merge or split goes into, by its number. Refuses: an unknown number (400,
    said beside the form: the moderator typed it)."""
    thread = db.session.get(Thread, thread_id)
    if thread is None:
        raise Refused(_("There is no thread number %(number)s.", number=thread_id), status=400)
    return thread


def split_candidates(thread: Thread) -> list[Post]:
    """The thread's posts for the split page, in order (at most ``SPLIT_MAX``), with their
    authors: one query."""
    return list(db.session.scalars(
        select(Post).where(Post.thread_id == thread.id, Post.position <= SPLIT_MAX)
        .options(joinedload(Post.author)).order_by(Post.position)
    ))


# -- shared steps --------------------------------------------------------------------------------
def _append(posts: list[Post], target: Thread) -> None:
    """Give ``posts`` (already in written order) the target's next positions. Each row gets
    its own statement, so the search index hears of every one."""
    start = db.session.scalar(select(Thread.post_seq).where(Thread.id == target.id))
    for offset, post in enumerate(posts, 1):
        db.session.execute(
            update(Post).where(Post.id == post.id)
            .values(thread_id=target.id, position=start + offset)
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Thread).where(Thread.id == target.id)
        .values(post_seq=Thread.post_seq + len(posts))
        .execution_options(synchronize_session=False)
    )


def _renumber(thread: Thread) -> None:
    """Number the thread's remaining posts 1…n in their order. Positions only go down and
    lower ones are done first, so no two posts ever share one, even for a moment."""
    rows = db.session.execute(
        select(Post.id, Post.position).where(Post.thread_id == thread.id)
        .order_by(Post.position)
    ).all()
    for number, (post_id, position) in enumerate(rows, 1):
        if position != number:
            db.session.execute(
                update(Post).where(Post.id == post_id).values(position=number)
                .execution_options(synchronize_session=False)
            )
    db.session.execute(
        update(Thread).where(Thread.id == thread.id).values(post_seq=len(rows))
        .execution_options(synchronize_session=False)
    )


def _recount(thread: Thread) -> None:
    """The thread's replies and latest post, from its posts as they are now."""
    visible = db.session.scalar(
        select(func.count()).select_from(Post)
        .where(Post.thread_id == thread.id, Post.is_deleted.is_(False))
    )
    first_id = db.session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.position == 1)
    )
    last_id, last_at = posting.last_visible_post(thread.id)
    kept_answer = select(Post.id).where(Post.id == Thread.accepted_post_id,
                                        Post.thread_id == thread.id).scalar_subquery()
    db.session.execute(
        update(Thread).where(Thread.id == thread.id)
        .values(reply_count=max(visible - 1, 0), first_post_id=first_id, last_post_id=last_id,
                last_post_at=last_at or thread.created_at, accepted_post_id=kept_answer)
        .execution_options(synchronize_session=False)
    )
    # The first response and the team's reply are the thread's as it is now (the desk and
    # the response figures read them); an answer that went elsewhere is no longer its own.
    response_stamps.restamp(thread.id)


def _shift_board_counts(board_id: int, threads: int, posts: int) -> None:
    if threads or posts:
        db.session.execute(
            update(Board).where(Board.id == board_id)
            .values(thread_count=Board.thread_count + threads,
                    post_count=Board.post_count + posts)
            .execution_options(synchronize_session=False)
        )


def _repoint_boards(*board_ids: int) -> None:
    db.session.flush()
    for board_id in sorted(set(board_ids)):
        db.session.execute(
            update(Board).where(Board.id == board_id)
            .values(last_post_id=posting.latest_board_post_id(board_id))
            .execution_options(synchronize_session=False)
        )


def _visible(posts: Iterable[Post]) -> int:
    return sum(1 for post in posts if not post.is_deleted)


def _follow_posts(post_ids: list[int], target: Thread) -> None:
    """Reports on the moved posts follow them (the queue filters by the post's thread)."""
    if post_ids:
        db.session.execute(
            update(ReportItem).where(ReportItem.post_id.in_(post_ids))
            .values(thread_id=target.id)
            .execution_options(synchronize_session=False)
        )


_ACCESS_RANK = {Access.EVERYONE: 0, Access.MEMBERS: 1, Access.STAFF: 2}


def _hides_from_readers(source: Board, target: Board) -> bool:
    """Whether some reader of ``source`` may not read ``target``: a stricter "who may read", or
    read groups the source's readers don't all belong to. A merge is a quiet change, so it must
    not narrow a thread's audience; moving a thread, which says so, may."""
    if _ACCESS_RANK[Access(target.access)] > _ACCESS_RANK[Access(source.access)]:
        return True
    target_groups = target.read_group_ids
    if not target_groups or source.access == Access.STAFF:
        return False
    source_groups = source.read_group_ids
    return not source_groups or not source_groups <= target_groups


def _written_order(posts: list[Post]) -> list[Post]:
    return sorted(posts, key=lambda post: (post.created_at, post.position, post.id))


def _check_audience(source: Board, target: Board, doing: str) -> None:
    """Refuses (409) moving posts quietly from ``source`` to a board fewer people may read."""
    if _hides_from_readers(source, target):
        if doing == "merge":
            message = _("“%(target)s” is open to fewer people than “%(source)s”: merging "
                        "would hide these posts from some of the people who can read them now. "
                        "Move the thread there first if that is what you mean.",
                        target=target.title, source=source.title)
        else:
            message = _("“%(target)s” is open to fewer people than “%(source)s”: splitting "
                        "the posts there would hide them from some of the people who can read "
                        "them now. Choose a board open to the same readers.",
                        target=target.title, source=source.title)
        raise Refused(message, status=409)


def _check_merge(actor: User, source: Thread, target: Thread) -> None:
    check_moderator(actor, source.board)
    check_moderator(actor, target.board)
    _check_audience(source.board, target.board, "merge")


# -- merging -------------------------------------------------------------------------------------
def merge_threads(actor: User, source: Thread, target: Thread, reason: str,
                  now: datetime | None = None) -> ModAction:
    """Move every post of ``source`` to the end of ``target``, in the order they were written
    (``thread.merge``). ``source`` stays as a deleted thread that redirects to ``target``; its
    event (moving to the target's board), announcements, "moved" notices and earlier merges
    point to ``target`` from now on.
    The source's starter is told.

    Refuses: someone who doesn't moderate both boards (403; a staff board included), no reason
    or the thread itself (400), a target fewer people may read (a staff board, a board of
    fewer groups) and a deleted source or target (409).
    """
    now = now or utcnow()
    _check_merge(actor, source, target)
    reason = clean_reason(reason, _("Please give a reason for “merge the threads”."))
    if target.id == source.id:
        raise Refused(_("A thread can't be merged into itself."), status=400)
    hold_threads(source.id, target.id)
    refresh(source, target)
    # Either thread may have moved while we waited for it: ask again of the boards it is in.
    _check_merge(actor, source, target)
    if source.is_deleted:
        raise Refused(_("This thread was deleted; restore it before merging it."), status=409)
    if target.is_deleted:
        raise Refused(_("That thread was deleted; choose another or restore it first."),
                      status=409)
    posts = _written_order(list(db.session.scalars(
        select(Post).where(Post.thread_id == source.id)
        .execution_options(populate_existing=True)
    )))
    moved = _visible(posts)
    before = {"thread": source.id, "title": source.title, "board": source.board.slug,
              "posts": len(posts), "target_posts": target.post_seq}
    _append(posts, target)
    post_ids = [post.id for post in posts]
    _follow_posts(post_ids, target)
    # The event follows its discussion, to the board it is read in now.
    db.session.execute(
        update(Event).where(Event.thread_id == source.id)
        .values(thread_id=target.id, board_id=target.board_id)
        .execution_options(synchronize_session=False)
    )
    for model, column in ((Announcement, Announcement.thread_id),
                          (ThreadMoveNotice, ThreadMoveNotice.thread_id),
                          (Thread, Thread.merged_into_id)):
        db.session.execute(
            update(model).where(column == source.id).values({column.key: target.id})
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Thread).where(Thread.id == source.id)
        .values(is_deleted=True, deleted_at=now, deleted_by_id=actor.id,
                merged_into_id=target.id, post_seq=0, reply_count=0, first_post_id=None,
                last_post_id=None, is_pinned=False, pinned_until=None,
                pinned_everywhere=False)
        .execution_options(synchronize_session=False)
    )
    _recount(target)
    _shift_board_counts(source.board_id, -1, -moved)
    _shift_board_counts(target.board_id, 0, moved)
    db.session.execute(
        update(User).where(User.id == source.author_id)
        .values(thread_count=User.thread_count - 1)
        .execution_options(synchronize_session=False)
    )
    _repoint_boards(source.board_id, target.board_id)
    tell_author_of_place(actor, source, target.board, "thread.merged",
                         {"into": target.title}, reason, now, link=target.url)
    entry = audit.record(actor, "thread.merge", source, reason, before=before,
                         after={"into": target.id, "title": target.title,
                                "board": target.board.slug,
                                "positions": [before["target_posts"] + 1,
                                              before["target_posts"] + len(posts)]},
                         now=now)
    commit()
    db.session.expire_all()
    return entry


# -- splitting -----------------------------------------------------------------------------------
def _check_split(actor: User, thread: Thread, plan: SplitPlan) -> None:
    """The rank and audience checks of a split, asked of the boards as they are now."""
    check_moderator(actor, thread.board)
    destination = plan.into.board if plan.into is not None else plan.board
    if destination is None:
        return
    check_moderator(actor, destination)
    _check_audience(thread.board, destination, "split")



@dataclass(frozen=True)
class SplitPlan:
    """Where split posts go: a new thread (``title`` in ``board``) or an existing one."""

    reason: str
    post_ids: tuple[int, ...]
    title: str | None = None
    board: Board | None = None
    into: Thread | None = None


def split_posts(actor: User, thread: Thread, plan: SplitPlan,
                now: datetime | None = None) -> Thread:
    """Move the chosen posts out of ``thread`` (``thread.split``): into a new thread titled
    ``plan.title`` in ``plan.board`` (started by the earliest chosen post's author, at its
    time), or to the end of ``plan.into``. The thread keeps its other posts, numbered 1…n
    again. Its starter is told. Returns the thread the posts went to.

    Refuses: someone who doesn't moderate the boards concerned (403); no reason, no posts, too
    many, posts not of this thread, the opening post (it starts the thread and stays), a
    missing or bad title, no destination, this thread as the destination, a new thread opened
    by a deleted post (400); a destination board fewer people may read than this thread's (a
    staff board, a board of fewer groups) and a deleted thread on either side (409). The
    checks of rank and readers are asked again once the threads are held.
    """
    now = now or utcnow()
    into = plan.into
    _check_split(actor, thread, plan)
    reason = clean_reason(plan.reason, _("Please give a reason for “split the thread”."))
    wanted = set(plan.post_ids)
    if not wanted:
        raise Refused(_("Choose the posts to split out."), status=400)
    if len(wanted) > SPLIT_MAX:
        raise Refused(_("Split at most %(max)s posts at once.", max=SPLIT_MAX), status=400)
    if into is None and plan.board is None:
        raise Refused(_("Choose where the posts go: a new thread or an existing one."), status=400)
    if into is not None and into.id == thread.id:
        raise Refused(_("Choose another thread: the posts are already in this one."), status=400)
    title = posting.clean_title(plan.title or "") if into is None else None
    hold_threads(thread.id, *((into.id,) if into is not None else ()))
    refresh(thread, *((into,) if into is not None else ()))
    # Either thread may have moved while we waited for it: ask again of the boards it is in.
    _check_split(actor, thread, plan)
    if thread.is_deleted:
        raise Refused(_("This thread was deleted; restore it before splitting it."), status=409)
    if into is not None and into.is_deleted:
        raise Refused(_("That thread was deleted; choose another or restore it first."),
                      status=409)
    posts = list(db.session.scalars(
        select(Post).where(Post.id.in_(wanted), Post.thread_id == thread.id)
        .execution_options(populate_existing=True)
    ))
    if len(posts) != len(wanted):
        raise Refused(_("Some of the chosen posts aren't in this thread (any more). Reload the "
                      "page and choose again."), status=400)
    if any(post.id == thread.first_post_id or post.position == 1 for post in posts):
        raise Refused(_("The opening post can't be split out: it starts this thread. Leave it "
                      "unticked."), status=400)
    posts = _written_order(posts)
    moved = _visible(posts)
    source_before = thread.post_seq
    if into is None:
        opening = posts[0]
        if opening.is_deleted:
            raise Refused(_("A new thread can't start with a deleted post; tick a later one "
                          "first or restore it."), status=400)
        into = Thread(board_id=plan.board.id, author_id=opening.author_id, title=title,
                      slug=posting.slugify(title), created_at=opening.created_at,
                      last_post_at=opening.created_at, post_seq=0, reply_count=0)
        db.session.add(into)
        db.session.flush()
        db.session.execute(
            update(User).where(User.id == opening.author_id)
            .values(thread_count=User.thread_count + 1)
            .execution_options(synchronize_session=False)
        )
        _shift_board_counts(into.board_id, 1, 0)
        created = True
    else:
        created = False
    target_before = into.post_seq
    _append(posts, into)
    _renumber(thread)
    post_ids = [post.id for post in posts]
    _follow_posts(post_ids, into)
    _recount(thread)
    _recount(into)
    _shift_board_counts(thread.board_id, 0, -moved)
    _shift_board_counts(into.board_id, 0, moved)
    _repoint_boards(thread.board_id, into.board_id)
    tell_author_of_place(actor, thread, into.board,
                         "thread.split_new" if created else "thread.split_into",
                         {"num": len(posts), "into": into.title},
                         reason, now, link=into.url, neutral_link=thread.url)
    audit.record(actor, "thread.split", thread, reason,
                 before={"posts": post_ids, "positions": source_before},
                 after={"into": into.id, "title": into.title, "board": into.board.slug
                        if into.board is not None else None, "new_thread": created,
                        "positions": [target_before + 1, target_before + len(posts)]},
                 now=now)
    commit()
    db.session.expire_all()
    return into
