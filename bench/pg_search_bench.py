"""Search latency in-process, through the search page's own service call, with either engine.

Times ``forum.services.search.query.search`` (the viewer's boards, the query, ranking, the page
of posts, the highlighted titles and snippets: everything the page asks of the database or the
index, less the template) against a database seeded with ``forum bench-seed``:

    python bench/pg_search_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/b100k
    python bench/pg_search_bench.py --database-url … --engine whoosh --index /tmp/b100k/search

Words: the made-up word of the longest thread's opening post (a rare word, a handful of
posts), "firmware" (about one post in six) and "problem" (about one in three: the common word
of the target), each searched as a guest and as ``bench_member1`` (who also reads the
members-only board), sorted by relevance and newest first. Each query runs ``--warm`` times
untimed, then ``--rounds`` times timed, interleaved so the machine's load falls on all alike.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Post, Thread, User  # noqa: E402
from forum.services.search import backend, query  # noqa: E402


def _rare_word() -> str:
    from forum.seeding import bench as benchseed

    known = set(benchseed._COMMON) | set(benchseed._TOPIC)
    longest = db.session.scalar(select(Thread.id).order_by(Thread.post_seq.desc()).limit(1))
    body = db.session.scalar(select(Post.body).where(Post.thread_id == longest,
                                                     Post.position == 1))
    return next(w for w in re.findall(r"\b[a-z]+\b", body) if w not in known and len(w) > 3)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--engine", choices=("auto", "whoosh", "postgres"), default="auto")
    parser.add_argument("--index", help="Whoosh's index folder (with --engine whoosh)")
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--warm", type=int, default=3)
    args = parser.parse_args()
    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database_url, "SERVER_NAME": None,
                      "SEARCH_BACKEND": args.engine, "FORUM_SEARCH_INDEXING": False,
                      **({"FORUM_SEARCH_INDEX": args.index} if args.index else {})})
    with app.test_request_context("/search"):
        member = db.session.scalar(select(User).where(User.username == "bench_member1"))
        posts = db.session.scalar(select(db.func.count()).select_from(Post))
        words = {"rare": _rare_word(), "firmware": "firmware", "problem": "problem"}
        cases = [(f"{viewer} {label} {sort}", actor, word, sort)
                 for label, word in words.items()
                 for viewer, actor in (("guest", None), ("member", member))
                 for sort in ("relevance", "newest")]
        times: dict[str, list[float]] = {name: [] for name, *_ in cases}
        totals: dict[str, str] = {}
        for round_ in range(args.warm + args.rounds):
            for name, actor, word, sort in (cases if round_ % 2 else reversed(cases)):
                started = time.perf_counter()
                outcome = query.search(actor, query.SearchParams(q=word, sort=sort))
                elapsed = (time.perf_counter() - started) * 1000
                db.session.rollback()  # a request ends its transaction
                assert outcome.error is None, outcome.error
                if round_ >= args.warm:
                    times[name].append(elapsed)
                totals[name] = f"{'≈' if outcome.estimated else ''}{outcome.total:,}"
        print(f"{backend.name()} · {posts:,} posts · rare word {words['rare']!r} · "
              f"{args.rounds} rounds")
        print("| query | matches | p50 ms | p99 ms |")
        print("|---|---|---|---|")
        for name, *_ in cases:
            values = times[name]
            print(f"| {name} | {totals[name]} | {statistics.median(values):.1f} | "
                  f"{_percentile(values, 0.99):.1f} |")


if __name__ == "__main__":
    main()
