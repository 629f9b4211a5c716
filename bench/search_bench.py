"""Search benchmark: index build rate and query latency over synthetic posts.

Runs the app's own indexing and query code (forum.services.search.index: the same schema,
documents, writer, query parser, visibility filter, paging and highlighting the search page uses);
only the database is left out, so the numbers are Whoosh's share of a search request.

    python bench/search_bench.py --posts 100000
    python bench/search_bench.py --posts 100000 --index-dir /tmp/agora-bench --reuse
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

warnings.filterwarnings("ignore", category=SyntaxWarning)  # Whoosh 2.7 on Python 3.12+
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from whoosh.analysis import STOP_WORDS  # noqa: E402

from forum.services.search import rank as searchrank  # noqa: E402
from forum.services.search.index import (  # noqa: E402
    PER_PAGE,
    Filters,
    Highlighter,
    PostRecord,
    Scope,
    SearchIndex,
    document,
    exclusions,
    narrow,
    parse_query,
    run,
)


def _words(text: str) -> list[str]:
    return text.split()


# Everyday forum English, most common first: the Zipf-weighted sample looks like real posts.
COMMON = _words("""
the to and a of i it is that in you for this with on have be but not my was so if are
just can do at as what or they about like one all there would get will an me from your
up out think know my no more some time when use which people had has then been also how
did any because them its now only well than very same even still here really good much
make new other over into could these work thing first way need try going back see look
sure got should want problem why two day something thanks setup issue again help yes
both while each after without most never before around own down those few
""")

TOPICS = _words("""
server network router switch firewall vlan dns dhcp proxy nginx docker container image
kubernetes cluster node pod volume backup restore raid disk drive ssd nvme zfs pool
snapshot replication power supply fan noise temperature rack cable ethernet fiber wifi
access point mesh latency bandwidth throughput ping packet port forward certificate tls
letsencrypt domain subdomain grafana prometheus metrics alert dashboard logs syslog
raspberry pi homeassistant automation sensor zigbee thermostat camera nvr storage nas
media plex jellyfin transcode gpu cpu ram memory upgrade firmware bios kernel driver
ubuntu debian proxmox vm hypervisor passthrough ansible terraform script cron systemd
service unit restart reboot crash error warning timeout permission user group ssh key
vpn wireguard tailscale tunnel gateway subnet mask ipv6 mtu bridge bond lacp uplink
solder iron flux wire resistor capacitor led arduino esp32 breadboard voltage current
battery charger multimeter oscilloscope pcb enclosure printer filament nozzle bed
sourdough starter flour dough oven bake crust hydration knead proof yeast rye wheat
garden tomato soil compost seed watering pest harvest greenhouse pruning mulch
""")

RARE = [f"{stem}{n}" for stem in ("model", "rev", "sku", "err", "ticket") for n in range(400)]

_ONSETS = _words("b c d f g h j k l m n p r s t v w z br cr dr fl gr pl pr st tr sh ch th")
_NUCLEI = _words("a e i o u ai ea io ou")
_CODAS = ["", "", "n", "r", "s", "t", "l", "m", "ck", "nd", "st", "rt"]


def pseudo_words(count: int, seed: int) -> list[str]:
    """Pronounceable made-up words: a real forum's long tail of names, jargon and typos."""
    rng = random.Random(seed)
    seen: set[str] = set()
    while len(seen) < count:
        syllables = rng.choice((2, 2, 3, 3, 4))
        seen.add("".join(rng.choice(_ONSETS) + rng.choice(_NUCLEI) + rng.choice(_CODAS)
                         for _ in range(syllables)))
    words = sorted(seen)  # set order changes with every process's hash seed
    rng.shuffle(words)
    return words


LONG_TAIL = pseudo_words(20_000, seed=1)


def vocabulary() -> tuple[list[str], list[float]]:
    """About 22,000 words with Zipf weights (rank ** -1): stop words dominate, topic words sit in
    the middle, the long tail and codes are rare, as in real text."""
    words = COMMON + TOPICS + LONG_TAIL + RARE
    weights, total = [], 0.0
    for rank, _ in enumerate(words, start=1):
        total += 1.0 / rank
        weights.append(total)
    return words, weights


def sentence(rng: random.Random, words, cum, n: int) -> str:
    chosen = rng.choices(words, cum_weights=cum, k=n)
    return chosen[0].capitalize() + " " + " ".join(chosen[1:]) + "."


def synthetic_posts(count: int, boards: int, seed: int):
    """Threads of 1–40 posts over two years, in id order like a database scan."""
    rng = random.Random(seed)
    words, cum = vocabulary()
    start = datetime(2023, 1, 1, tzinfo=UTC)
    post_id = thread_id = 0
    texts: dict[int, str] = {}
    records: list[PostRecord] = []
    while post_id < count:
        thread_id += 1
        board_id = rng.randint(1, boards)
        title = sentence(rng, TOPICS, None, rng.randint(3, 8)).rstrip(".")
        length = min(int(rng.lognormvariate(1.6, 0.9)) + 1, 40, count - post_id)
        when = start + timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        for position in range(1, length + 1):
            post_id += 1
            paragraphs = [
                " ".join(sentence(rng, words, cum, rng.randint(5, 18))
                         for _ in range(rng.randint(1, 4)))
                for _ in range(rng.randint(1, 3))
            ]
            body_html = "".join(f"<p>{p}</p>" for p in paragraphs)
            texts[post_id] = " ".join(paragraphs)
            records.append(PostRecord(
                post_id=post_id, thread_id=thread_id, board_id=board_id,
                author_id=rng.randint(1, 2000), author_name=f"user{rng.randint(1, 2000)}",
                position=position, created_at=when, title=title, body_html=body_html,
                post_deleted=rng.random() < 0.01, post_hidden=rng.random() < 0.005,
            ))
            when += timedelta(minutes=rng.randint(1, 600))
    return records, texts, words


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def queries(rng: random.Random, texts: dict[int, str], boards: int, n: int):
    # What people type: topic words and the less common words of the long tail.
    mid = TOPICS + LONG_TAIL[:2000]
    post_ids = list(texts)
    kinds = []
    for i in range(n):
        kind = ("one word", "two words", "phrase", "board filter", "newest first")[i % 5]
        if kind == "phrase":
            # Two neighbouring words that are not stop words, as people quote them.
            pairs = []
            while not pairs:
                tokens = [t.strip(".").lower() for t in texts[rng.choice(post_ids)].split()]
                pairs = [(x, y) for x, y in zip(tokens, tokens[1:], strict=False)
                         if x not in STOP_WORDS and y not in STOP_WORDS]
            first, second = rng.choice(pairs)
            text = f'"{first} {second}"'
        elif kind == "two words":
            text = f"{rng.choice(TOPICS)} {rng.choice(mid)}"
        else:
            text = rng.choice(mid)
        board = rng.randint(1, boards) if kind == "board filter" else None
        kinds.append((kind, text, board))
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--boards", type=int, default=12)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--index-dir", default=None, help="default: a temporary directory")
    parser.add_argument("--reuse", action="store_true", help="query an index built earlier")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    index_dir = args.index_dir or tempfile.mkdtemp(prefix="agora-search-bench-")
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    print(f"Generating {args.posts:,} posts …", flush=True)
    records, texts, _ = synthetic_posts(args.posts, args.boards, args.seed)

    state = SearchIndex(index_dir, lock_timeout=30)
    if not args.reuse:
        shutil.rmtree(index_dir, ignore_errors=True)
        started, cpu = time.perf_counter(), time.process_time()
        count = state.replace_all(records)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = sum(f.stat().st_size for f in Path(index_dir).iterdir()) / 1e6
        print(f"Build: {count:,} posts in {elapsed:.1f} s = {count / elapsed:,.0f} posts/s "
              f"({count / cpu:,.0f} posts per CPU second); index {size:.0f} MB")

        # What a request pays after its commit: one small writer per post.
        rng = random.Random(args.seed + 1)
        writes = []
        for record in rng.sample(records, 50):
            doc_started = time.perf_counter()
            state.apply({record.post_id: document(record)})
            writes.append((time.perf_counter() - doc_started) * 1000)
        print(f"Per-commit update (50 writes): p50 {percentile(writes, 50):.1f} ms, "
              f"p95 {percentile(writes, 95):.1f} ms")

    # A guest: two staff boards out of sight, deleted and hidden posts filtered out.
    scope = Scope(frozenset({args.boards - 1, args.boards}), frozenset())
    rng = random.Random(args.seed + 2)
    plan = queries(rng, texts, args.boards, args.queries)
    timings: dict[str, list[float]] = {}
    cpu_times: list[float] = []
    found = []

    def one(kind: str, text: str, board: int | None) -> float:
        started, cpu = time.perf_counter(), time.process_time()
        searcher = state.searcher()
        user_query = parse_query(text)
        # The search page's own path: filters required, the scope as a kept mask.
        page = run(searcher, narrow(user_query, Filters(board_id=board)),
                   exclude=exclusions(scope), cache=state.cache,
                   sort="newest" if kind == "newest first" else "relevance")
        marker = Highlighter(searcher, user_query)
        for post_id in page.post_ids:
            marker.snippet(texts[post_id])
        found.append(page.total)
        cpu_times.append((time.process_time() - cpu) * 1000)
        return (time.perf_counter() - started) * 1000

    for warm in plan[:3]:  # first-touch costs (page cache, lazy imports) are not a query's
        one(*warm)

    def timed(title: str, before_each=None) -> None:
        found.clear()
        cpu_times.clear()
        timings.clear()
        for kind, text, board in plan:
            if before_each is not None:
                before_each()
            timings.setdefault(kind, []).append(one(kind, text, board))
        everything = [t for values in timings.values() for t in values]
        segments = len(state.searcher().reader().leaf_readers())
        print(f"{title}, over {segments} segments ({len(plan)} queries, {PER_PAGE} highlighted "
              f"hits each, median {statistics.median(found):,.0f} matches), wall clock:")
        for kind, values in [*timings.items(), ("all", everything)]:
            print(f"  {kind:<13} n={len(values):<4} p50 {percentile(values, 50):6.1f} ms   "
                  f"p95 {percentile(values, 95):6.1f} ms   p99 {percentile(values, 99):6.1f} ms")
        print(f"  CPU time per query: p50 {percentile(cpu_times, 50):.1f} ms, "
              f"p95 {percentile(cpu_times, 95):.1f} ms")

    # Cold: nothing kept, neither results nor anything read from the segments.
    state.cache.clear()
    searchrank.forget()
    timed("Cold (first search of each word in this process)")

    # A busy forum: a post is written before every search, so no kept result is ever valid and
    # every search gets a new searcher; what was read from unchanged segments stays.
    writer_rng = random.Random(args.seed + 3)

    def write_one() -> None:
        record = writer_rng.choice(records)
        state.apply({record.post_id: document(record)})

    timed("After a write before every search", write_one)
    if not args.index_dir:
        shutil.rmtree(index_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
