"""The desk's statements on a large forum: each kind's query plan (EXPLAIN) and its time, and
the whole desk as a moderator of every board opens it.

    python bench/desk_bench.py                       # SQLite in /tmp/agora-bench/desk
    python bench/desk_bench.py --revision d7e3f9a1c2b4   # the schema before the desk's indexes
    python bench/desk_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/desk

The first run migrates and seeds a scratch database (``bench-seed`` data: 50,000 threads,
200,000 posts, two question boards) and adds 40 members who joined this week and wrote their
first reply; later runs reuse it. ``--revision`` moves the schema to that migration first
(down or up), so one database measures before and after. Not a test: run by hand and record
the result in bench/README.md.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Thread, User, utcnow  # noqa: E402

NEWCOMERS = 40


def _app(url: str, workdir: Path):
    workdir.mkdir(parents=True, exist_ok=True)
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "desk-bench",
        "FORUM_SEARCH_INDEX": str(workdir / "search"), "FORUM_SEARCH_INDEXING": False,
    })


def _migrate(revision: str) -> None:
    from alembic.runtime.migration import MigrationContext
    from flask_migrate import downgrade, upgrade

    with db.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    if current is None or revision == "head":
        upgrade(revision=revision)
        return
    from alembic.script import ScriptDirectory
    from flask import current_app

    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    # Going down when the target is an ancestor of where the database is.
    ancestors = {rev.revision for rev in script.iterate_revisions(current, "base")}
    (downgrade if revision in ancestors and revision != current else upgrade)(revision=revision)


def _seed(threads: int, posts: int) -> None:
    from forum.seeding import bench
    from forum.services.accounts import account
    from forum.services.content import cooldowns, posting
    from forum.services.search import sync

    if not db.session.scalar(select(func.count()).select_from(User)):
        print(f"Seeding {threads:,} threads and {posts:,} posts…", flush=True)
        bench.seed(posts, threads=threads, with_index=False)
    if db.session.scalar(select(func.count()).select_from(User)
                         .where(User.username.like("desk_newcomer%"))):
        return
    # Members who joined this week, each with a first reply: the desk's "first post" kind.
    rng = random.Random(7)
    now = utcnow()
    open_threads = list(db.session.scalars(
        select(Thread).where(Thread.board_id < 18, Thread.is_locked.is_(False))
        .order_by(Thread.id).limit(2000)))
    with sync.paused(), cooldowns.suspended():
        for n in range(NEWCOMERS):
            joined = now - timedelta(days=6, hours=-4 * n)
            newcomer = account.register(account.Registration(
                username=f"desk_newcomer{n}", email=f"desk_newcomer{n}@example.com",
                password="desk-bench-password"), now=joined, confirmed=True)
            posting.reply(newcomer, rng.choice(open_threads), "Hello, first time here.",
                          now=joined + timedelta(hours=1))
    if db.engine.dialect.name == "postgresql":
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def _sent(statement) -> tuple[str, object]:
    """The SQL text and parameters the driver receives for ``statement`` (lists expanded)."""
    seen: list = []

    def record(conn, cursor, sql, parameters, context, executemany):
        seen.append((sql, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(statement).all()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen[-1]


def _plan(statement) -> list[str]:
    postgres = db.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) " if postgres else "EXPLAIN QUERY PLAN "
    sql, parameters = _sent(statement)
    rows = db.session.connection().exec_driver_sql(prefix + sql, parameters).fetchall()
    if postgres:
        return [row[0] for row in rows]
    return [f"{'  ' * _depth(rows, row)}{row[-1]}" for row in rows]


def _depth(rows, row) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth += 1
        parent = parents.get(parent, 0)
    return depth


def _median_ms(run, rounds: int) -> float:
    run()  # warm the caches once
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--workdir", default="/tmp/agora-bench/desk")
    parser.add_argument("--threads", type=int, default=50_000)
    parser.add_argument("--posts", type=int, default=200_000)
    parser.add_argument("--revision", default="head")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    url = args.database_url or f"sqlite:///{workdir / 'forum.db'}"
    app = _app(url, workdir)
    with app.app_context():
        _migrate(args.revision)
        _seed(args.threads, args.posts)
        from forum.policy import Policy
        from forum.services.desk import listing
        from forum.services.desk.kinds import KINDS, LIMIT, Scope

        threads = db.session.scalar(select(func.count()).select_from(Thread))
        print(f"{platform.processor() or platform.machine()}, Python "
              f"{platform.python_version()}, {db.engine.dialect.name}, {threads:,} threads, "
              f"schema at {args.revision}, {os.cpu_count()} CPUs")
        mod = db.session.scalar(select(User).where(User.username == "bench_mod1"))
        viewer = Policy(mod)
        now = utcnow()
        scope = Scope(tuple(listing.scope_boards(viewer)), now)
        for kind in KINDS.values():
            statement = kind.statement(scope)
            if statement is None:
                continue
            statement = statement.limit(LIMIT)
            found = len(db.session.execute(statement).all())
            took = _median_ms(lambda s=statement: db.session.execute(s).all(), args.rounds)
            print(f"\n== {kind.code}: {found} items, median {took:.1f} ms")
            for line in _plan(statement):
                print("   " + line)
        took = _median_ms(lambda: listing.desk(viewer, now=now), args.rounds)
        print(f"\n== the whole desk (every kind, hand states, team, queue counts): "
              f"median {took:.1f} ms")


if __name__ == "__main__":
    main()
