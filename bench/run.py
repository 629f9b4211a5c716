"""Page benchmark: Agora and the floor app under gunicorn, loaded with wrk on 127.0.0.1.

    python bench/run.py --posts 100000            # seed a scratch database if needed, then measure
    python bench/run.py --posts 100000 --only thread_p1,thread_deep --rounds 1

The scratch instance lives in --workdir (default /tmp/agora-bench/<posts>): its own SQLite
database, search index and secret key, never the repository's instance folder. Give
--database-url to measure PostgreSQL instead (the database must exist and be empty or seeded).

For every page it prints requests/s (median over interleaved rounds), p50/p99 latency and the
ratio to the floor's thread page measured in the same round; then the SQL statements each page
ran (the query budgets, counted in-process on the same data) and each worker's memory. A page
that does not answer 200 is reported as such and not loaded.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookiejar
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_BIN = Path(sys.executable).parent
PASSWORD = "bench-password"  # forum.seeding.bench.BENCH_PASSWORD


@dataclass
class Page:
    label: str
    path: str
    viewer: str  # guest, member, moderator, floor
    status: int = 0
    size: int = 0
    runs: list[dict] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    queries: int | None = None
    alone_ms: float = 0.0  # median latency of requests sent one at a time


# -- the scratch instance -------------------------------------------------------------------
def app_env(args) -> dict:
    env = dict(os.environ)
    workdir = Path(args.workdir)
    env.update({
        "DATABASE_URL": args.database_url or f"sqlite:///{workdir / 'forum.db'}",
        "FORUM_SEARCH_INDEX": str(workdir / "search"),
        "SECRET_KEY": "bench-secret-key",
        "PYTHONWARNINGS": "ignore",
    })
    return env


def flask(args, *command: str) -> None:
    subprocess.run([str(VENV_BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT,
                   env=app_env(args), check=True)


def prepare(args) -> float | None:
    """Migrate and seed unless the database already holds the data; returns seconds seeding."""
    Path(args.workdir).mkdir(parents=True, exist_ok=True)
    flask(args, "db", "upgrade")
    if seeded_posts(args):
        return None
    started = time.perf_counter()
    flask(args, "forum", "bench-seed", "--posts", str(args.posts))
    return time.perf_counter() - started


def _in_app(args, code: str) -> str:
    """Run a snippet inside the app (scratch environment) and return what it prints."""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=app_env(args),
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def seeded_posts(args) -> int:
    return int(_in_app(args, (
        "from forum import create_app\nfrom forum.extensions import db\n"
        "from sqlalchemy import text\napp = create_app()\nwith app.app_context():\n"
        "    print(db.session.execute(text('select count(*) from posts')).scalar())")))


PAGE_FINDER = r"""
import json, re
from sqlalchemy import func, select
from forum import create_app
from forum.extensions import db
from forum.models import Board, Post, Thread, User
app = create_app()
with app.app_context():
    longest = db.session.execute(
        select(Thread.id, Thread.post_seq).order_by(Thread.post_seq.desc()).limit(1)).one()
    board = db.session.scalar(select(Board.slug).where(Board.id == 1))
    busy = db.session.scalar(select(User.username).order_by(User.post_count.desc()).limit(1))
    # The thread of board 1 closest to 40 posts (two pages); at a million posts few are short.
    typical = db.session.scalar(
        select(Thread.id).where(Thread.board_id == 1)
        .order_by(func.abs(Thread.post_seq - 40), Thread.id).limit(1))
    from forum.seeding import bench as benchseed
    known = set(benchseed._COMMON) | set(benchseed._TOPIC)
    body = db.session.scalar(select(Post.body).where(Post.thread_id == longest[0],
                                                     Post.position == 1))
    # The made-up word in the opening post: a rare word, as most searches are.
    rare = next(w for w in re.findall(r"[a-z]+", body) if w not in known and len(w) > 3)
    print(json.dumps({"longest": list(longest), "board": board, "user": busy,
                      "typical": typical, "rare": rare}))
"""

COUNTER = r"""
import json, sys
from sqlalchemy import event
from forum import create_app
from forum.extensions import db
app = create_app({"SERVER_NAME": None})
pages = json.loads(sys.argv[1])
counts = {}
with app.app_context():
    engine = db.engine
statements = []
def record(conn, cursor, statement, *rest):
    if not statement.lstrip().upper().startswith(("PRAGMA", "SAVEPOINT", "RELEASE")):
        statements.append(statement)
event.listen(engine, "before_cursor_execute", record)
for viewer, cookie, label, path in pages:
    client = app.test_client()
    if cookie:
        client.set_cookie("session", cookie, domain="localhost")
    client.get(path)  # first request warms caches; the budget is for every request
    statements.clear()
    status = client.get(path).status_code
    counts[viewer + ":" + label] = [status, len(statements)]
print(json.dumps(counts))
"""


def page_list(args) -> list[tuple[str, str]]:
    found = json.loads(_in_app(args, PAGE_FINDER))
    thread_id, posts = found["longest"]
    pages = -(-posts // 20)
    deep = 500 if pages >= 500 else pages
    return [
        ("index", "/"),
        ("board", f"/b/{found['board']}"),
        ("thread_p1", f"/t/{thread_id}"),
        (f"thread_p{deep}", f"/t/{thread_id}?page={deep}"),
        ("thread_short", f"/t/{found['typical']}"),
        ("profile", f"/u/{found['user']}"),
        ("search", f"/search?q={found['rare']}"),
        ("search_common", "/search?q=firmware"),  # in one post of six
        ("events", "/events"),
        ("reports", "/mod/reports"),
    ]


# -- servers -------------------------------------------------------------------------------
class Server:
    def __init__(self, name: str, port: int, spec: str, cwd: Path, env: dict, workers: int):
        self.name, self.port = name, port
        self.log = open(Path(tempfile.gettempdir()) / f"agora-bench-{name}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
             str(workers), "--worker-class", "sync", "--timeout", "60", "--log-level",
             "warning", spec],
            cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 90
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/", timeout=5).read()  # noqa: S310
                break
            except Exception:  # noqa: BLE001 - not up yet
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise SystemExit(f"{name} did not start; see {self.log.name}") from None
                time.sleep(0.3)
        time.sleep(1)  # let every worker finish importing

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_rss_mib(self) -> list[float]:
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            pids += (task / "children").read_text().split()
        out = []
        for pid in pids:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def log_in(base: str, username: str) -> str:
    """The session cookie of a member logged in through the form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login", timeout=30).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    token = token or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', html)
    form = {"login": username, "password": PASSWORD}
    if token:
        form["csrf_token"] = token.group(1)
    opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=30).read()
    # One page more, as a browser would: the session then holds its CSRF token, and the
    # pages below answer without rewriting the cookie, as they do for a member who browses.
    opener.open(f"{base}/", timeout=30).read()
    cookie = next((c.value for c in jar if c.name == "session"), "")
    if not cookie:
        raise SystemExit(f"could not log in as {username}")
    return cookie


def fetch(base: str, path: str, cookie: str) -> tuple[int, int]:
    request = urllib.request.Request(base + path, headers={"Cookie": f"session={cookie}"}
                                     if cookie else {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        return error.code, 0


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


# -- load -----------------------------------------------------------------------------------
LUA = """
{header}
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", summary.requests, summary.duration,
    summary.errors.status + summary.errors.connect + summary.errors.read
      + summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def load(url: str, cookie: str, seconds: float, connections: int) -> dict:
    header = f'wrk.headers["Cookie"] = "session={cookie}"' if cookie else ""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA.format(header=header))
    try:
        out = subprocess.run(
            ["wrk", "-t", "1", "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
             "--timeout", "10s", "-s", script.name, url],
            capture_output=True, text=True, timeout=seconds + 60,
        ).stdout
    finally:
        os.unlink(script.name)
    match = re.search(r"^RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if not match:
        raise RuntimeError(f"wrk gave no result: {out[-500:]}")
    requests, micros, errors, p50, p99, worst = map(int, match.groups())
    return {"rps": requests / (micros / 1e6), "p50_ms": p50 / 1000, "p99_ms": p99 / 1000,
            "max_ms": worst / 1000, "errors": errors, "requests": requests}


def alone(url: str, cookie: str, count: int = 25) -> float:
    """Latency without queueing: under load, p50 is mostly the wait behind other requests
    (8 connections on 2 workers), so a page's own time is measured one request at a time."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    times = []
    try:
        for _ in range(count):
            started = time.perf_counter()
            connection.request("GET", target, headers=headers)
            connection.getresponse().read()
            times.append((time.perf_counter() - started) * 1000)
    finally:
        connection.close()
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--workdir", help="scratch instance (default /tmp/agora-bench/<posts>)")
    parser.add_argument("--database-url", default="", help="default: SQLite in --workdir")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per page per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per page, once")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8101, help="Agora; the floor gets port+1")
    parser.add_argument("--only", default="", help="comma list of page labels")
    parser.add_argument("--viewers", default="guest,member", help="guest,member")
    parser.add_argument("--json-out", default="")
    args = parser.parse_args(argv)
    args.workdir = args.workdir or f"/tmp/agora-bench/{args.posts}"
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    seed_seconds = prepare(args)
    if seed_seconds is not None:
        print(f"# seeded {args.posts} posts in {seed_seconds:.1f} s (including the index)")
    paths = page_list(args)
    only = {x for x in args.only.split(",") if x}
    if only:
        paths = [p for p in paths if p[0] in only]

    agora = Server("agora", args.port, "wsgi:app", ROOT, app_env(args), args.workers)
    servers = [agora]
    try:
        floor = Server("floor", args.port + 1, "app:app", HERE / "floor",
                       {**os.environ, "PYTHONWARNINGS": "ignore"}, args.workers)
        servers.append(floor)
        cookies = {"guest": "", "member": log_in(agora.base, "bench_member1"),
                   "moderator": log_in(agora.base, "bench_mod1")}
        pages = [Page("thread", "/t/3", "floor")]
        for viewer in args.viewers.split(","):
            pages += [Page(label, path, viewer) for label, path in paths
                      if label != "reports"]
        pages += [Page(label, path, "moderator") for label, path in paths if label == "reports"]

        counted = json.loads(subprocess.run(
            [sys.executable, "-c", COUNTER, json.dumps(
                [[p.viewer, cookies[p.viewer], p.label, p.path] for p in pages
                 if p.viewer != "floor"])],
            cwd=ROOT, env=app_env(args), capture_output=True, text=True, check=True,
        ).stdout.strip().splitlines()[-1])
        for page in pages:
            base = floor.base if page.viewer == "floor" else agora.base
            page.status, page.size = fetch(base, page.path, cookies.get(page.viewer, ""))
            if page.viewer != "floor":
                page.queries = counted[f"{page.viewer}:{page.label}"][1]
            note = "" if page.status == 200 else "   <-- not 200: reported, not loaded"
            print(f"  {page.viewer:<9} {page.label:<14} {page.status} {page.size:>7} B "
                  f"{page.path}{note}", flush=True)
        live = [p for p in pages if p.status == 200]

        def url(page: Page) -> str:
            return (floor.base if page.viewer == "floor" else agora.base) + page.path

        for page in live:
            load(url(page), cookies.get(page.viewer, ""), args.warmup, args.connections)
            page.alone_ms = alone(url(page), cookies.get(page.viewer, ""))
        for rnd in range(args.rounds):
            order = live if rnd % 2 == 0 else list(reversed(live))
            for page in order:
                result = load(url(page), cookies.get(page.viewer, ""), args.duration,
                              args.connections)
                result["round"] = rnd
                page.runs.append(result)
                print(f"  round {rnd + 1} {page.viewer:<9} {page.label:<14} "
                      f"{result['rps']:8.1f} req/s  p50 {result['p50_ms']:6.1f} ms  "
                      f"p99 {result['p99_ms']:6.1f} ms", flush=True)
            floor_rps = pages[0].runs[-1]["rps"]
            for page in order:
                page.ratios.append(page.runs[-1]["rps"] / floor_rps)
        rss = {server.name: server.worker_rss_mib() for server in servers}
    finally:
        for server in servers:
            server.stop()

    report(args, pages, rss, seed_seconds)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            [{**p.__dict__} for p in pages], indent=1, default=str))
    return 0


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, "
            f"load average {os.getloadavg()[0]:.2f}")


def report(args, pages: list[Page], rss: dict, seed_seconds: float | None) -> None:
    backend = args.database_url.split(":", 1)[0] if args.database_url else "sqlite"
    print(f"\n{dt.date.today().isoformat()} · {args.posts:,} posts · {backend} · gunicorn "
          f"{args.workers} sync workers · wrk {args.connections} connections · "
          f"{args.duration:g} s × {args.rounds} rounds · {machine()}")
    print("\n| viewer | page | req/s (min–max) | p50 ms | p99 ms | alone ms "
          "| ratio to floor thread | queries | status |")
    print("|---|---|---|---|---|---|---|---|---|")
    for page in pages:
        if not page.runs:
            print(f"| {page.viewer} | {page.label} | – | – | – | – | – | "
                  f"{page.queries if page.queries is not None else '–'} | {page.status} |")
            continue
        rps = [r["rps"] for r in page.runs]
        print(f"| {page.viewer} | {page.label} | {statistics.median(rps):.0f} "
              f"({min(rps):.0f}–{max(rps):.0f}) "
              f"| {statistics.median(r['p50_ms'] for r in page.runs):.1f} "
              f"| {statistics.median(r['p99_ms'] for r in page.runs):.1f} "
              f"| {page.alone_ms:.1f} "
              f"| {statistics.median(page.ratios):.3f} "
              f"| {page.queries if page.queries is not None else '–'} | {page.status} |")
    for name, values in rss.items():
        print(f"\nRSS after the run, {name} workers: "
              + ", ".join(f"{v:.0f} MiB" for v in values))
    if seed_seconds is not None:
        print(f"Seeding (database and search index): {seed_seconds:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
