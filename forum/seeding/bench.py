"""A large synthetic community for benchmarks: ``flask --app wsgi forum bench-seed --posts N``.

Rows go in with SQLAlchemy Core ``insert()`` in batches (executemany), never an ORM object at a
time. Ids are handed out here, so every counter the services keep (a thread's ``post_seq``,
``reply_count`` and last post, a board's counts and latest post, a member's post and thread
counts) is worked out while the rows are made and written with them: the result reads exactly
as if the posts had been written one by one through ``posting``.

Post bodies come from a few hundred Markdown templates, each rendered once; a slot in each
template takes a word from a long made-up vocabulary, so posts differ and searches for a rare
word find a handful of posts, as on a real forum. The search index is built at the end by two
writer processes.

Everyone's password is ``BENCH_PASSWORD``; ``bench_admin``, ``bench_mod1``… and ``bench_member1``…
are the accounts the benchmark logs in as.
"""
from __future__ import annotations

import os
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, func, insert, select, text, update

from ..common import markup, usernames
from ..common.progress import Progress, quiet
from ..extensions import db
from ..models import (
    Access,
    Announcement,
    Board,
    BoardModerator,
    Category,
    Event,
    EventRsvp,
    ModAction,
    Post,
    Report,
    ReportItem,
    Role,
    Sanction,
    Thread,
    User,
    utcnow,
)
from ..services.accounts import account
from ..services.search import index, sync

BENCH_PASSWORD = "bench-password"
SLOT = "qqslotqq"  # replaced by a word per post, after the template's Markdown is rendered
BATCH = 5000
USERS = 1000
BOARDS = 20
THREADS = 2000
# Boards 3 and 4 are question boards; four in five of their threads with a reply from
# someone else have an accepted answer (chosen without the random generator, so the rest of
# the data stays what earlier runs measured).
QUESTION_BOARDS = (3, 4)
# bench_mod5 ends up a moderator of the first two boards only.
BOARD_MODERATOR, MODERATED_BOARDS = 6, (1, 2)
TEMPLATES = 300

@dataclass(frozen=True)
class BenchSummary:
    users: int
    boards: int
    threads: int
    posts: int
    longest_thread_id: int
    longest_thread_posts: int
    seconds_db: float
    seconds_index: float


class ForumNotEmpty(RuntimeError):
    pass


def _words(text: str) -> list[str]:
    return text.split()


_COMMON = _words(
    "the a to and of it is that in for this with on have be but not was so if are just can do "
    "at as what or they about like one there would get will an from up out think know no more "
    "some time when use which people then also how any because now only well than very same "
    "even still here really good much make new other over into could these work thing first "
    "way need try going back see look sure got should want problem why day something thanks"
)
_TOPIC = _words(
    "server network router switch firewall vlan dns proxy nginx docker container backup disk "
    "raid kernel driver firmware update release config cache database index query latency "
    "memory worker process thread board forum moderator report sanction event meetup printer "
    "filament nozzle bed solder resistor capacitor sensor battery motor servo arduino pico "
    "lathe mill chisel plane glue clamp varnish oak walnut maple bracket hinge screw bolt "
    "python rust shell script cron service socket certificate password account garden tomato"
)


def _made_up_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable nonsense ("kavoru"): the long tail of rare words real forums have."""
    onsets, vowels = "bdfgklmnprstvz", "aeiou"
    words: set[str] = set()
    while len(words) < count:
        syllables = rng.randint(2, 4)
        words.add("".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(words)


def _sentence(rng: random.Random, slot: bool = False) -> str:
    words = [rng.choice(_TOPIC if rng.random() < 0.3 else _COMMON)
             for _ in range(rng.randint(6, 16))]
    if slot:
        words.insert(rng.randrange(1, len(words)), SLOT)
    return " ".join(words).capitalize() + rng.choice(".!?.")


def _template(rng: random.Random) -> str:
    """A post's Markdown with one slot: paragraphs, sometimes emphasis, a list, code or a link."""
    paragraphs = []
    for n in range(rng.choice((1, 1, 2, 2, 3))):
        sentences = [_sentence(rng, slot=(n == 0 and i == 0)) for i in range(rng.randint(1, 4))]
        paragraphs.append(" ".join(sentences))
    extra = rng.random()
    if extra < 0.1:
        paragraphs.append("\n".join(f"- {rng.choice(_TOPIC)} {rng.choice(_COMMON)}"
                                    for _ in range(rng.randint(2, 4))))
    elif extra < 0.16:
        paragraphs.append(f"```\n$ {rng.choice(_TOPIC)} --{rng.choice(_TOPIC)}\n```")
    elif extra < 0.22:
        paragraphs.append(f"See <https://example.com/{rng.choice(_TOPIC)}> for the "
                          f"**{rng.choice(_TOPIC)}** notes.")
    elif extra < 0.27:
        paragraphs.insert(0, f"> {_sentence(rng)}")
    return "\n\n".join(paragraphs)


def _thread_lengths(rng: random.Random, posts: int, threads: int) -> list[int]:
    """Uneven lengths summing to ``posts``: two very long threads (10,000+ posts from 100k
    up), a long tail of short ones, every thread at least its opening post."""
    threads = max(2, min(threads, posts // 2))
    longest = min(posts // 5, max(12_000, posts // 10))
    big = [longest, int(longest * 0.85)]
    rest = posts - sum(big)
    count = threads - len(big)
    weights = [rng.paretovariate(1.3) for _ in range(count)]
    spare = rest - count
    total = sum(weights)
    lengths = [1 + int(spare * w / total) for w in weights]
    for i in range(rest - sum(lengths)):  # what rounding down left over
        lengths[i % count] += 1
    return big + lengths


def _insert(table, rows: list[dict]) -> None:
    if rows:
        db.session.execute(insert(table), rows)


def _categories_and_boards(now: datetime) -> list[dict]:
    cats = ["Workshop", "Home lab", "Making", "Community"]
    _insert(Category.__table__, [
        {"id": i + 1, "title": title, "description": f"{title} boards", "position": i}
        for i, title in enumerate(cats)
    ])
    boards = []
    for i in range(BOARDS):
        # One staff-only board and one for members only, as real forums have.
        access = (Access.STAFF if i == BOARDS - 1 else
                  Access.MEMBERS if i == BOARDS - 2 else Access.EVERYONE)
        boards.append({
            "id": i + 1, "category_id": i % len(cats) + 1, "slug": f"board-{i + 1}",
            "title": f"{_TOPIC[i].capitalize()} talk", "position": i,
            "description": f"Everything about {_TOPIC[i]} and {_TOPIC[i + 20]}.",
            "access": str(access), "is_read_only": False, "slow_mode_seconds": 0,
            "allows_member_events": i == 0, "thread_count": 0, "post_count": 0,
            "is_questions": i + 1 in QUESTION_BOARDS,
        })
    return boards


def _users(rng: random.Random, now: datetime) -> list[dict]:
    password_hash = account.hash_password(BENCH_PASSWORD)  # one hash for all: they are many
    users = []
    for i in range(USERS):
        if i == 0:
            name, role = "bench_admin", Role.ADMIN
        elif i <= 5:
            name, role = f"bench_mod{i}", Role.MODERATOR
        else:
            name, role = f"bench_member{i - 5}", Role.MEMBER
        users.append({
            "id": i + 1, "username": name, "username_key": usernames.key(name),
            "username_skeleton": usernames.skeleton(name),
            "email": f"{name}@example.com", "email_key": f"{name}@example.com",
            "password_hash": password_hash, "role": int(role),
            "display_name": None if rng.random() < 0.7 else name.replace("_", " ").title(),
            "bio": None, "bio_html": None, "location": None, "website": None,
            "timezone": rng.choice(("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo")),
            "created_at": now - timedelta(days=rng.randint(760, 1500)),
            "last_seen_at": now - timedelta(hours=rng.randint(1, 2000)),
            "post_count": 0, "thread_count": 0,
            "is_board_moderator": False,
        })
    return users


class _Seeder:
    def __init__(self, posts: int, rng: random.Random, now: datetime, progress: Progress,
                 threads: int = THREADS):
        self.total = posts
        self.threads = threads
        self.rng = rng
        self.now = now
        self.progress = progress
        self.slot_words = _made_up_words(rng, 20_000)
        sources = [_template(rng) for _ in range(TEMPLATES)]
        # The Markdown work: once per template, never per post.
        self.templates = [(src, markup.render(src)) for src in sources]
        cum, acc = [], 0.0
        for i in range(USERS):
            acc += 1.0 / (i + 3)  # a few members write most posts, as everywhere
            cum.append(acc)
        self.author_weights = cum

    def author(self) -> int:
        return self.rng.choices(range(1, USERS + 1), cum_weights=self.author_weights)[0]

    def plan_threads(self, boards: list[dict]) -> list[dict]:
        """Every thread's row with its length; counters and post pointers come later."""
        rng, now = self.rng, self.now
        public = [b for b in boards if b["access"] == Access.EVERYONE]
        threads = []
        for t_index, length in enumerate(_thread_lengths(rng, self.total, self.threads)):
            # The two longest threads live on the first board, which the benchmark opens.
            board = boards[0] if t_index < 2 else rng.choice(
                public if rng.random() < 0.9 else boards)
            start = now - timedelta(minutes=rng.randint(60 * 24, 60 * 24 * 730))
            title = " ".join(rng.choice(_TOPIC) for _ in range(rng.randint(3, 7))).capitalize()
            locked = t_index % 53 == 7
            threads.append({
                "id": t_index + 1, "board_id": board["id"], "author_id": self.author(),
                "title": f"{title} ({t_index + 1})", "slug": "-".join(title.lower().split()[:5]),
                "created_at": start, "is_pinned": t_index % 97 == 5, "is_locked": locked,
                "locked_reason": "Solved; thanks everyone." if locked else None,
                "locked_by_id": 2 if locked else None,
                "locked_at": now - timedelta(days=1) if locked else None,
                "slow_mode_seconds": 0, "is_deleted": False, "post_seq": length,
                "reply_count": 0, "last_post_at": start,
            })
        return threads

    def write_posts(self, threads: list[dict], boards: list[dict], users: list[dict]) -> int:
        """Insert every post in batches and work out the counters on the way."""
        rng, now = self.rng, self.now
        by_board = {board["id"]: board for board in boards}
        rows: list[dict] = []
        post_id = 0
        with self.progress(self.total, "Posts") as bar:
            for thread in threads:
                length, start = thread["post_seq"], thread["created_at"]
                span = (now - start).total_seconds() * rng.uniform(0.05, 0.98)
                step = span / length
                visible, last = 0, None
                # When the thread was first answered, and by the team, as ``posting`` stores
                # it (the first visible reply by someone else; by a moderator or more).
                answered = team = answer = None
                for position in range(1, length + 1):
                    post_id += 1
                    author = thread["author_id"] if position == 1 else self.author()
                    created = start + timedelta(
                        seconds=step * (position - 1) + rng.uniform(0, step * 0.5))
                    src, html = self.templates[rng.randrange(TEMPLATES)]
                    word = self.slot_words[rng.randrange(len(self.slot_words))]
                    deleted = position > 1 and rng.random() < 0.01
                    hidden = not deleted and position > 1 and rng.random() < 0.003
                    rows.append({
                        "id": post_id, "thread_id": thread["id"], "author_id": author,
                        "position": position, "body": src.replace(SLOT, word),
                        "body_html": html.replace(SLOT, word), "created_at": created,
                        "revision_count": 0, "is_deleted": deleted,
                        "deleted_at": created + timedelta(hours=1) if deleted else None,
                        "deleted_by_id": author if deleted else None,
                        "is_hidden": hidden, "hidden_at": created if hidden else None,
                        "is_mod_notice": False,
                    })
                    if not deleted:
                        visible += 1
                        last = (post_id, created)
                        users[author - 1]["post_count"] += 1
                    if position > 1 and not deleted and not hidden:
                        if answered is None and author != thread["author_id"]:
                            answered, answer = created, post_id
                        if team is None and _on_team(users, author, thread["board_id"]):
                            team = created
                    if len(rows) >= BATCH:
                        _insert(Post.__table__, rows)
                        bar.update(len(rows))
                        rows = []
                users[thread["author_id"] - 1]["thread_count"] += 1
                solved = (thread["board_id"] in QUESTION_BOARDS and answer is not None
                          and thread["id"] % 5 != 0)
                thread.update(reply_count=visible - 1, first_post_id=post_id - length + 1,
                              last_post_id=last[0], last_post_at=last[1],
                              first_response_at=answered, team_replied_at=team,
                              accepted_post_id=answer if solved else None)
                board = by_board[thread["board_id"]]
                board["thread_count"] += 1
                board["post_count"] += visible
                if board.get("last_post_at") is None or last[1] > board["last_post_at"]:
                    board["last_post_at"], board["last_post_id"] = last[1], last[0]
            _insert(Post.__table__, rows)
            bar.update(len(rows))
        return post_id


def _on_team(users: list[dict], author: int, board_id: int) -> bool:
    if author == BOARD_MODERATOR:
        return board_id in MODERATED_BOARDS
    return users[author - 1]["role"] >= Role.MODERATOR


def _write_counters(threads: list[dict], boards: list[dict], users: list[dict]) -> None:
    """The denormalised counters and pointers, one executemany per table."""
    def many(table, columns: tuple[str, ...], rows: list[dict]) -> None:
        statement = (update(table).where(table.c.id == bindparam("row_id"))
                     .values({name: bindparam(f"v_{name}") for name in columns}))
        db.session.execute(statement, [
            {"row_id": row["id"], **{f"v_{name}": row.get(name) for name in columns}}
            for row in rows
        ])

    many(Thread.__table__, ("reply_count", "first_post_id", "last_post_id", "last_post_at",
                            "first_response_at", "team_replied_at", "accepted_post_id"),
         threads)
    many(Board.__table__, ("thread_count", "post_count", "last_post_id"), boards)
    many(User.__table__, ("post_count", "thread_count"), users)


def _moderation(rng: random.Random, now: datetime, threads: list[dict], posts: int) -> None:
    """Sanctions, a report queue with open, claimed and closed items, and their log entries."""
    mods = [2, 3, 4, 5, 6]
    sanctions = []
    for i in range(40):
        kind = ("warning", "timeout", "suspension", "ban")[i % 4]
        start = now - timedelta(days=rng.randint(1, 300))
        ends = None if kind in ("ban", "warning") else start + timedelta(days=rng.randint(1, 30))
        sanctions.append({
            "id": i + 1, "user_id": rng.randint(50, USERS), "kind": kind,
            "reason": "Repeated off-topic posting after a warning.",
            "issuer_id": rng.choice(mods), "starts_at": start, "ends_at": ends,
        })
    _insert(Sanction.__table__, sanctions)

    items, reports, actions = [], [], []
    statuses = ["open"] * 6 + ["claimed"] * 2 + ["resolved"] + ["dismissed"]
    # Distinct posts: a target has at most one active item.
    for i, post_id in enumerate(rng.sample(range(1, posts + 1), min(300, posts // 2))):
        status = statuses[i % len(statuses)]
        first = now - timedelta(hours=rng.randint(1, 24 * 60))
        item = {
            "id": i + 1, "target_kind": "post", "post_id": post_id,
            "thread_id": None, "subject_id": None, "status": status,
            "open_key": f"post:{post_id}" if status in ("open", "claimed") else None,
            "first_reported_at": first, "last_reported_at": first, "auto_hidden": False,
        }
        if status == "claimed":
            item.update(claimed_by_id=rng.choice(mods), claimed_at=first + timedelta(hours=1))
        elif status in ("resolved", "dismissed"):
            actor = rng.choice(mods)
            item.update(resolved_by_id=actor, resolved_at=first + timedelta(hours=2),
                        resolution="Looked at it.")
            actions.append({
                "created_at": first + timedelta(hours=2), "actor_id": actor,
                "action": f"report.{'resolve' if status == 'resolved' else 'dismiss'}",
                "target_kind": "post", "target_id": post_id, "target_label": f"post {post_id}",
                "reason": "Looked at it.", "item_id": i + 1,
            })
        reporters = rng.sample(range(7, USERS + 1), rng.choice((1, 1, 1, 2, 3)))
        item["report_count"] = len(reporters)
        for reporter in reporters:
            reports.append({
                "item_id": i + 1, "reporter_id": reporter,
                "reason": rng.choice(("spam", "harassment", "off_topic", "other")),
                "note": "Please take a look.", "created_at": first,
                "status": "open" if status in ("open", "claimed") else status,
            })
        items.append(item)
    # One statement per shape: executemany wants every row to name the same columns.
    for shape in {tuple(sorted(row)) for row in items}:
        _insert(ReportItem.__table__, [r for r in items if tuple(sorted(r)) == shape])
    _insert(Report.__table__, reports)
    _insert(ModAction.__table__, actions)
    # The post's thread and author, as the report service records them.
    db.session.execute(
        update(ReportItem)
        .values(thread_id=select(Post.thread_id).where(Post.id == ReportItem.post_id)
                .scalar_subquery(),
                subject_id=select(Post.author_id).where(Post.id == ReportItem.post_id)
                .scalar_subquery())
        .execution_options(synchronize_session=False)
    )


def _events(rng: random.Random, now: datetime, threads: list[dict]) -> None:
    kinds = ("meetup", "qa", "livestream", "contest", "other")
    src = "Bring your **questions** and your projects; we start on time."
    html = markup.render(src)
    events, rsvps = [], []
    for i in range(60):
        start = now + timedelta(days=rng.randint(-120, 90), hours=rng.randint(0, 23))
        thread = threads[rng.randrange(len(threads))]
        capacity = rng.choice((None, 20, 50))
        going = rng.sample(range(1, USERS + 1), rng.randint(0, 30))
        if capacity is not None:
            going = going[:capacity]
        events.append({
            "id": i + 1, "title": f"{kinds[i % 5].capitalize()} on {rng.choice(_TOPIC)}",
            "description": src, "description_html": html, "kind": kinds[i % 5],
            "starts_at": start, "ends_at": start + timedelta(hours=2), "timezone": "UTC",
            "location": "Community hall" if i % 5 == 0 else None,
            "online_url": None if i % 5 == 0 else "https://example.com/live",
            "capacity": capacity, "board_id": thread["board_id"], "thread_id": thread["id"],
            "author_id": rng.choice((1, 2, 3)), "created_at": start - timedelta(days=20),
            "sequence": 0, "going_count": len(going), "maybe_count": 0, "declined_count": 0,
            "waitlist_count": 0,
        })
        rsvps += [{"event_id": i + 1, "user_id": u, "status": "going",
                   "created_at": start - timedelta(days=5), "updated_at": start - timedelta(days=5)}
                  for u in going]
    _insert(Event.__table__, events)
    _insert(EventRsvp.__table__, rsvps)
    note = "Benchmark data: **synthetic** members and posts."
    _insert(Announcement.__table__, [{
        "id": 1, "title": "Welcome to the benchmark forum", "body": note,
        "body_html": markup.render(note), "severity": "info", "audience": "everyone",
        "placement": "banner", "starts_at": now - timedelta(days=3), "ends_at": None,
        "is_dismissible": True, "author_id": 1, "created_at": now - timedelta(days=3),
    }])


def _fix_sequences() -> None:
    """PostgreSQL hands out ids from sequences; move them past the ids written here."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("categories", "boards", "users", "threads", "posts", "sanctions",
                  "report_items", "reports", "mod_actions", "events", "event_rsvps",
                  "announcements"):
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))


def build_index(progress: Progress) -> int:
    """Rebuild the search index from the database with two writer processes (Whoosh), or
    write every post's search vector (PostgreSQL's search), then refresh its statistics."""
    from whoosh import index as whoosh_index

    from ..services.search import backend, vectors

    if backend.name() == backend.POSTGRES:
        with progress(sync.post_total(), "Indexing") as bar:
            count = vectors.rebuild(bar.update, batch=5000)
        db.session.execute(text("ANALYZE post_search"))
        db.session.commit()
        return count
    state = sync.current_index()
    with progress(sync.post_total(), "Indexing") as bar:
        os.makedirs(state.path, exist_ok=True)
        ix = whoosh_index.create_in(state.path, index.SCHEMA)
        state._ix = ix
        writer = ix.writer(procs=2, multisegment=True, limitmb=96,
                           subargs={"compound": False, "limitmb": 96})
        count = 0
        try:
            for record in sync.iter_records(batch=5000):
                writer.add_document(**index.document(record))
                count += 1
                if count % 1000 == 0:
                    bar.update(1000)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        bar.update(count % 1000)
    return count


def seed(posts: int, *, progress: Progress | None = None, now: datetime | None = None,
         random_seed: int = 20_251_124, with_index: bool = True,
         threads: int = THREADS) -> BenchSummary:
    """Fill an empty forum with ``posts`` posts over ``threads`` threads (2,000; at most half
    the posts), 20 boards and 1,000 members.

    Refuses (``ForumNotEmpty``): a forum that already has members or categories.
    """
    progress = progress or quiet
    now = now or utcnow()
    rng = random.Random(random_seed)
    if db.session.scalar(select(func.count()).select_from(User)) or db.session.scalar(
            select(func.count()).select_from(Category)):
        raise ForumNotEmpty("The forum is not empty; bench-seed only fills an empty database.")
    started = time.perf_counter()
    if db.engine.dialect.name == "sqlite":
        # Scratch data: losing it to a power cut costs a re-run, so skip the fsyncs.
        db.session.execute(text("PRAGMA synchronous=OFF"))
    with sync.paused():
        boards = _categories_and_boards(now)
        users = _users(rng, now)
        seeder = _Seeder(posts, rng, now, progress, threads)
        threads = seeder.plan_threads(boards)
        # Parents before children (foreign keys are checked); counters follow the posts.
        _insert(User.__table__, users)
        _insert(Board.__table__, boards)
        _insert(Thread.__table__, threads)
        total = seeder.write_posts(threads, boards, users)
        _write_counters(threads, boards, users)
        # A board moderator: bench_mod5 looks after the first two boards only.
        _insert(BoardModerator.__table__, [{"user_id": BOARD_MODERATOR, "board_id": board_id}
                                           for board_id in MODERATED_BOARDS])
        db.session.execute(update(User).where(User.id == BOARD_MODERATOR)
                           .values(role_value=int(Role.MEMBER), is_board_moderator=True))
        _moderation(rng, now, threads, total)
        _events(rng, now, threads)
        _fix_sequences()
        db.session.commit()
        # Planner statistics for the new rows: without them PostgreSQL guesses one row per
        # table and a member's profile took a second (nested loops over every thread) until
        # autovacuum came round. SQLite keeps its own plans (no sqlite_stat1 written).
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE"))
            db.session.commit()
    seconds_db = time.perf_counter() - started
    started = time.perf_counter()
    if with_index:
        build_index(progress)
    seconds_index = time.perf_counter() - started
    longest = max(threads, key=lambda row: row["post_seq"])
    return BenchSummary(USERS, BOARDS, len(threads), total, longest["id"], longest["post_seq"],
                        seconds_db, seconds_index)

