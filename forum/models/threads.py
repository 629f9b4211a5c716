"""Threads, posts and the revisions an edit leaves behind."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, Boolean, ForeignKey, Index, Integer, String, Text, event
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from ..extensions import db
from .base import UTCDateTime, utcnow

# The desk's partial indexes, written as its queries say it (SQLite uses a partial index only
# for a query that repeats its terms; PostgreSQL spells the flag "IS false").
# Unanswered: no response yet, neither deleted nor merged.
UNANSWERED_SQLITE = "first_response_at IS NULL AND is_deleted IS 0 AND merged_into_id IS NULL"
UNANSWERED_POSTGRESQL = UNANSWERED_SQLITE.replace("IS 0", "IS false")
# A question: answered by someone, no answer accepted, neither deleted nor merged.
OPEN_QUESTION_SQLITE = ("accepted_post_id IS NULL AND first_response_at IS NOT NULL "
                        "AND is_deleted IS 0 AND merged_into_id IS NULL")
OPEN_QUESTION_POSTGRESQL = OPEN_QUESTION_SQLITE.replace("IS 0", "IS false")


class Thread(db.Model):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    is_pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    # A pin may end by itself; like a timed lock it is read against the clock
    # (``pinned_now``), so an ended pin sorts with the others at once and nothing has to run.
    pinned_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Pinned above every board the viewer may read the thread in ("Pinned everywhere").
    pinned_everywhere: Mapped[bool] = mapped_column(Boolean, default=False)
    is_locked: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_reason: Mapped[str | None] = mapped_column(String(500))
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A lock may start later ("lock at the end of the contest") and end by itself; both are
    # read against the clock, so no worker has to flip ``is_locked``.
    lock_starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The thread's own slow mode (seconds between a member's posts), optionally until a time.
    slow_mode_seconds: Mapped[int] = mapped_column(Integer, default=0)
    slow_mode_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # Highest position handed out; positions never reuse, so permalinks stay stable.
    post_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Set when a moderator merged this thread into another: its posts live there now, the
    # thread itself stays (deleted) so reports and links to it keep a target, and ``/t/<id>``
    # answers with a 301 to the thread it went into (chains are shortened when made).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id"))
    # Visible replies (posts minus the opening one, deleted ones left out).
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    first_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    last_post_id: Mapped[int | None] = mapped_column(
        ForeignKey("posts.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    last_post_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When someone other than the author first replied, and when a member of the board's team
    # first did: set once by the reply that makes it so (``posting.append``), so the desk asks
    # an index for unanswered threads and the response figures read stored times, not posts.
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    team_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # In a question board, the reply the author or a moderator marked as the answer. A plain
    # number rather than a foreign key: adding one would rebuild ``threads`` on SQLite, which
    # the tables pointing at it would not survive. Posts are only ever soft-deleted; a merge
    # or split that takes the answer elsewhere clears it (``thread_merging._recount``).
    accepted_post_id: Mapped[int | None] = mapped_column(Integer)
    # The event this thread discusses, filled only where a query asks for it
    # (``services.content.reading.get_thread``), so the thread page links it at no extra query.
    event_id: Mapped[int | None] = query_expression()
    # Its poll, likewise: the thread page fetches the poll only when there is one.
    poll_id: Mapped[int | None] = query_expression()
    # The event's kind and, for an expert Q&A, its experts' ids ("3,17"), from the same query:
    # the page links the event's contest or Q&A pages and badges the experts for free.
    event_kind: Mapped[str | None] = query_expression()
    expert_ids: Mapped[str | None] = query_expression()
    # The sum of ``Post.version`` over the posts of the page being shown, filled by the same
    # query (``services.content.reading.get_thread``): with ``post_seq`` it tells whether a rendered
    # page of posts is still current.
    page_stamp: Mapped[int | None] = query_expression()
    # The viewing member's reading state, from the thread page's own query (``reading``):
    # the last position they read, their level for the thread and for its board.
    read_position: Mapped[int | None] = query_expression()
    watch_level: Mapped[str | None] = query_expression()
    board_watch_level: Mapped[str | None] = query_expression()
    # The viewing member's reactions to the page's posts ("post id:kind,…"), same query.
    my_reactions: Mapped[str | None] = query_expression()
    # The start of the opening post's HTML when anyone may read it (not hidden, not
    # deleted), from the thread page's own query: the page's link preview quotes it.
    opening_html: Mapped[str | None] = query_expression()

    board = relationship("Board")
    author = relationship("User", foreign_keys=[author_id])
    locked_by = relationship("User", foreign_keys=[locked_by_id])
    first_post = relationship("Post", foreign_keys=[first_post_id], post_update=True)
    last_post = relationship("Post", foreign_keys=[last_post_id], post_update=True)

    __table_args__ = (
        # The board page: pinned first, then by last activity.
        Index("ix_threads_board_listing", "board_id", "is_deleted", "is_pinned", "last_post_at"),
        Index("ix_threads_author_created", "author_id", "created_at"),
        # The few threads pinned above every board.
        Index("ix_threads_pinned_everywhere", "pinned_everywhere"),
        # The desk's unanswered threads: those still without a response, oldest first.
        Index("ix_threads_first_response", "first_response_at", "created_at"),
        # Which threads went into this one: only merged threads are in it. Every list asks
        # for "merged_into_id IS NULL", which an index of all threads (all but a few NULL)
        # made SQLite's planner walk as if it were selective: the desk's first posts and
        # events read every thread that way.
        Index("ix_threads_merged_into_id", "merged_into_id",
              sqlite_where=sql_text("merged_into_id IS NOT NULL"),
              postgresql_where=sql_text("merged_into_id IS NOT NULL")),
        # The desk's unanswered threads in its order (oldest first, then by id), so the first
        # 200 are read and no more; the index above leaves PostgreSQL sorting every one.
        Index("ix_threads_desk_unanswered", "created_at", "id",
              sqlite_where=sql_text(UNANSWERED_SQLITE),
              postgresql_where=sql_text(UNANSWERED_POSTGRESQL)),
        # The desk's questions without an accepted answer, per question board, oldest first.
        Index("ix_threads_desk_questions", "board_id", "created_at",
              sqlite_where=sql_text(OPEN_QUESTION_SQLITE),
              postgresql_where=sql_text(OPEN_QUESTION_POSTGRESQL)),
    )

    @property
    def url(self) -> str:
        return f"/t/{self.id}-{self.slug}" if self.slug else f"/t/{self.id}"

    @property
    def is_solved(self) -> bool:
        return self.accepted_post_id is not None

    @property
    def post_total(self) -> int:
        return self.reply_count + 1

    def locked_now(self, now: datetime) -> bool:
        """Whether the lock is in force at ``now``: set, started, and not yet ended."""
        if not self.is_locked:
            return False
        if self.lock_starts_at is not None and now < self.lock_starts_at:
            return False
        return self.lock_ends_at is None or now < self.lock_ends_at

    def pinned_now(self, now: datetime) -> bool:
        """Whether the pin is in force at ``now``: set and not yet ended."""
        return bool(self.is_pinned and (self.pinned_until is None or now < self.pinned_until))

    def lock_pending(self, now: datetime) -> bool:
        """A lock is set to start later."""
        return bool(self.is_locked and self.lock_starts_at is not None
                    and now < self.lock_starts_at)

    def own_slow_mode(self, now: datetime) -> int:
        """The thread's own slow-mode interval in force at ``now`` (0: none)."""
        if not self.slow_mode_seconds:
            return 0
        if self.slow_mode_until is not None and now >= self.slow_mode_until:
            return 0
        return self.slow_mode_seconds

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


class ThreadMoveNotice(db.Model):
    """A row left in a board a thread was moved out of: "Moved: <title> → <new board>", linking
    to the thread where it is now; it may end by itself (``expires_at``, read against the clock)
    or be removed by a moderator. The board it points to is the thread's board as it is."""

    __tablename__ = "thread_move_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"),
                                           index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    board = relationship("Board")
    thread = relationship("Thread")

    __table_args__ = (
        Index("ix_thread_move_notices_board", "board_id", "created_at"),
    )

    def shown_at(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


class Post(db.Model):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # 1-based place in the thread; pages are position ranges, so page 500 costs what page 1 does.
    position: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    is_deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    delete_reason: Mapped[str | None] = mapped_column(String(500))
    # Hidden pending review (reports reached the threshold; hidden_by_id is null) or hidden by
    # a moderator: shown only to its author and the board's moderators.
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    hidden_reason: Mapped[str | None] = mapped_column(String(500))
    # Written by a moderator as a notice to the thread ("slowing this down because…").
    is_mod_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    # Raised by the database on every UPDATE of the row (the trigger below), so whichever code
    # writes a post, ORM or bulk statement, a cached rendering of its page can tell it is old.
    version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The post's reaction counts ("kind:n,…"), filled by the query that loads a page of posts.
    reaction_summary: Mapped[str | None] = query_expression()

    thread = relationship("Thread", foreign_keys=[thread_id])
    author = relationship("User", foreign_keys=[author_id])
    edited_by = relationship("User", foreign_keys=[edited_by_id])

    __table_args__ = (
        Index("uq_posts_thread_position", "thread_id", "position", unique=True),
        Index("ix_posts_author_created", "author_id", "created_at"),
    )

    @property
    def url(self) -> str:
        return f"/p/{self.id}"

    def __repr__(self) -> str:
        return f"<Post {self.id} in {self.thread_id}#{self.position}>"


class PostRevision(db.Model):
    """The text a post had before an edit; kept so edits stay accountable."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    # When this text was written and by whom (the original author or a later editor).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    editor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)

    editor = relationship("User")

    __table_args__ = (Index("uq_post_revisions_post_number", "post_id", "number", unique=True),)


# The same statements are in the migration that added ``posts.version``; these build it for
# databases made with ``create_all`` (the test suite). SQLite cannot assign to NEW, so its
# trigger updates the row again; the WHEN clause keeps that second update from firing it.
POST_VERSION_DDL = {
    "sqlite": (
        "CREATE TRIGGER posts_version_bump AFTER UPDATE ON posts FOR EACH ROW "
        "WHEN NEW.version = OLD.version "
        "BEGIN UPDATE posts SET version = OLD.version + 1 WHERE id = NEW.id; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION posts_version_bump() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN NEW.version := OLD.version + 1; RETURN NEW; END $$",
        "CREATE TRIGGER posts_version_bump BEFORE UPDATE ON posts FOR EACH ROW "
        "EXECUTE FUNCTION posts_version_bump()",
    ),
}
for _dialect, _statements in POST_VERSION_DDL.items():
    for _statement in _statements:
        event.listen(Post.__table__, "after_create",
                     DDL(_statement).execute_if(dialect=_dialect))
