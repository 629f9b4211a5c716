"""Page benchmark: Agora and the floor app under gunicorn, loaded with wrk on 127.0.0.1.

    python bench/run.py --posts 100000            # seed a scratch database if needed, then measure
    python bench/run.py --posts 100000 --only thread_p1,thread_deep --rounds 1
    python bench/run.py --posts 100000 --mixed    # members' reads with and without replies

The scratch instance lives in --workdir (default /tmp/agora-bench/<posts>): its own SQLite
database, search index and secret key, never the repository's instance folder. Give
--database-url to measure PostgreSQL instead (the database must exist and be empty or seeded).

For every page it prints requests/s (median over interleaved rounds), p50/p99 latency and the
ratio to the floor's thread page measured in the same round; then the SQL statements each page
ran (the query budgets, counted in-process on the same data) and each worker's memory. A page
that does not answer 200 is reported as such and not loaded.

With --mixed it measures members' index, board and thread pages twice a round, once alone and
once while other members post replies through the reply form (--write-rate a second, spread
over --write-threads threads, the measured ones among them), on a copy of the scratch instance
so the seeded data stays as seeded; it prints both ratios side by side.

With --compare DIR it also serves Agora from DIR (a checkout of another revision) on the same
scratch instance and loads each of its pages right after the same page of this one, in the
same rounds, so two designs are compared under the same conditions. Give --compare-python the
interpreter of DIR's own environment (e.g. DIR/.venv/bin/python, with DIR installed in it):
this environment's editable install would hand DIR's code any forum module DIR lacks from
this checkout. Before loading, the script checks that every forum module the app of DIR
imports comes from DIR, and stops if one does not.
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
import threading
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
    server: str = "agora"  # or "compare": the same page served from --compare
    status: int = 0
    size: int = 0
    runs: list[dict] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)
    queries: int | None = None
    alone_ms: float = 0.0  # median latency of requests sent one at a time
    write_runs: list[dict] = field(default_factory=list)  # --mixed: loaded while members post
    write_ratios: list[float] = field(default_factory=list)


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
        unlimited_searches(args)
        return None
    started = time.perf_counter()
    flask(args, "forum", "bench-seed", "--posts", str(args.posts))
    unlimited_searches(args)
    return time.perf_counter() - started


def unlimited_searches(args) -> None:
    # wrk asks for the same search thousands of times a minute from one address.
    _in_app(args, (
        "from forum import create_app\nfrom forum.extensions import db\n"
        "from forum.models import Setting\napp = create_app()\nwith app.app_context():\n"
        "    db.session.merge(Setting(name='searches_per_minute', value=0))\n"
        "    db.session.commit()"))


def _in_app(args, code: str, *argv: str) -> str:
    """Run a snippet inside the app (scratch environment) and return what it prints."""
    out = subprocess.run([sys.executable, "-c", code, *argv], cwd=ROOT, env=app_env(args),
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
        # "session=…" plus any other cookies the viewer sends ("lang=de").
        session, *others = cookie.split("; ")
        client.set_cookie("session", session, domain="localhost")
        for other in others:
            name, _, value = other.partition("=")
            client.set_cookie(name, value, domain="localhost")
    client.get(path)  # first request warms caches; the budget is for every request
    statements.clear()
    status = client.get(path).status_code
    counts[viewer + ":" + label] = [status, len(statements)]
print(json.dumps(counts))
"""


SOURCES = r"""
import json, sys
import forum
forum.create_app()
print(json.dumps(sorted({name: getattr(module, "__file__", None) or ""
                         for name, module in sys.modules.items()
                         if name == "forum" or name.startswith("forum.")}.items())))
"""


def check_sources(python: str, root: Path, env: dict) -> str:
    """The forum package the app served from ``root`` by ``python`` imports; stops the run if
    any forum module it loads (on creating the app) comes from outside ``root``."""
    out = subprocess.run([python, "-c", SOURCES], cwd=root, env=env, capture_output=True,
                         text=True, check=True).stdout.strip().splitlines()[-1]
    modules = dict(json.loads(out))
    outside = sorted(name for name, path in modules.items()
                     if not Path(path).resolve().is_relative_to(root))
    if outside:
        raise SystemExit(f"{python} serving {root} imports {', '.join(outside[:5])} from "
                         f"{modules[outside[0]]}, outside {root}; give --compare-python the "
                         f"interpreter of {root}'s own environment")
    return modules["forum"]


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


WRITE_FINDER = r"""
import json, sys
from sqlalchemy import select
from forum import create_app
from forum.extensions import db
from forum.models import Board, Sanction, Thread, User
from forum.models.boards import Access
from forum.models.users import Role
from forum.stores import settings
app = create_app()
want = json.loads(sys.argv[1])
with app.app_context():
    # Open threads on boards members may write in, the pages being measured first, then the
    # most recently active ones, as on a live forum.
    open_threads = (select(Thread.id).join(Board, Board.id == Thread.board_id)
                    .where(Thread.is_deleted.is_(False), Thread.is_locked.is_(False),
                           Thread.slow_mode_seconds == 0, Board.is_read_only.is_(False),
                           Board.slow_mode_seconds == 0, Board.access != str(Access.STAFF)))
    chosen = [t for t in want["threads"] if t in set(db.session.scalars(
        open_threads.where(Thread.id.in_(want["threads"]))))]
    chosen += [t for t in db.session.scalars(
        open_threads.where(Thread.id.not_in(chosen or [0]))
        .order_by(Thread.last_post_at.desc()).limit(want["count"])) if t not in chosen]
    # Members past the new members' limits, never sanctioned, other than the reader.
    writers = db.session.scalars(
        select(User.username).where(
            User.role_value == int(Role.MEMBER), User.is_board_moderator.is_(False),
            User.username != want["reader"],
            User.post_count >= settings.get("new_member_posts"),
            User.id.not_in(select(Sanction.user_id)))
        .order_by(User.id).limit(want["writers"])).all()
    print(json.dumps({"threads": chosen[:want["count"]], "writers": writers,
                      "flood": settings.get("flood_interval_seconds")}))
"""

_WORDS = tuple(str.split(
    "the printer firmware update broke my bed levelling again so I rolled back and measured "
    "the nozzle offset twice before the next print which came out fine"))


class Writers:
    """Members replying through the reply form at a steady rate, each reply to the next
    thread in turn by the next member in turn, from a few client threads (and to the next
    server in turn, with --compare, so both take their share of the writing).

    Replies are due at fixed times (open loop): a slow answer does not lower the rate, the
    next reply goes as soon as a client thread is free. Each member's replies are
    ``len(members) / rate`` seconds apart, longer than the flood interval.
    """

    def __init__(self, targets: list[str], members: list[tuple[str, str]],
                 thread_ids: list[int], rate: float, clients: int = 3) -> None:
        self.targets = [(urllib.parse.urlsplit(base).hostname, urllib.parse.urlsplit(base).port)
                        for base in targets]
        self.members, self.thread_ids, self.rate = members, thread_ids, rate
        self.clients = clients
        self.sent = 0  # replies handed out so far, over every start()
        self.results: list[tuple[int, float]] = []  # (status, ms) of this start()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._pool: list[threading.Thread] = []

    def start(self) -> None:
        self.results = []
        self._stop.clear()
        self._started = time.monotonic()
        self._first = self.sent
        self._pool = [threading.Thread(target=self._run, daemon=True)
                      for _ in range(self.clients)]
        for thread in self._pool:
            thread.start()

    def stop(self) -> dict:
        self._stop.set()
        for thread in self._pool:
            thread.join(90)
        seconds = time.monotonic() - self._started
        done = [ms for status, ms in self.results if status in (302, 303)]
        statuses: dict[int, int] = {}
        for status, _ in self.results:
            statuses[status] = statuses.get(status, 0) + 1
        return {"seconds": seconds, "posted": len(done), "rate": len(done) / seconds,
                "statuses": statuses,
                "p50_ms": statistics.median(done) if done else 0.0,
                "p99_ms": sorted(done)[int(len(done) * 0.99)] if done else 0.0}

    def _run(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                number = self.sent
                self.sent += 1
            due = self._started + (number - self._first) / self.rate
            if self._stop.wait(max(0.0, due - time.monotonic())):
                return
            status, ms = self._reply(number)
            with self._lock:
                self.results.append((status, ms))

    def _reply(self, number: int) -> tuple[int, float]:
        cookie, token = self.members[number % len(self.members)]
        thread_id = self.thread_ids[number % len(self.thread_ids)]
        words = " ".join(_WORDS[(number + i) % len(_WORDS)] for i in range(40))
        body = urllib.parse.urlencode({"body": f"Reply {number}: {words}.",
                                       "csrf_token": token})
        host, port = self.targets[number % len(self.targets)]
        connection = http.client.HTTPConnection(host, port, timeout=60)
        started = time.perf_counter()
        try:
            connection.request("POST", f"/t/{thread_id}/reply", body=body, headers={
                "Cookie": f"session={cookie}",
                "Content-Type": "application/x-www-form-urlencoded"})
            response = connection.getresponse()
            response.read()
            status = response.status
        except OSError:
            status = 0
        finally:
            connection.close()
        return status, (time.perf_counter() - started) * 1000


# -- servers -------------------------------------------------------------------------------
class Server:
    def __init__(self, name: str, port: int, spec: str, cwd: Path, env: dict, workers: int,
                 bin_dir: Path = VENV_BIN):
        self.name, self.port = name, port
        self.log = open(Path(tempfile.gettempdir()) / f"agora-bench-{name}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers",
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
    return sign_in(base, username)[0]


def sign_in(base: str, username: str) -> tuple[str, str]:
    """A member logged in through the form: the session cookie and the CSRF token its forms
    carry (the reply form's, for the writers of --mixed)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    html = opener.open(f"{base}/login", timeout=30).read().decode()
    form = {"login": username, "password": PASSWORD}
    if token := _csrf_token(html):
        form["csrf_token"] = token
    opener.open(f"{base}/login", data=urllib.parse.urlencode(form).encode(), timeout=30).read()
    # One page more, as a browser would: the session then holds its CSRF token, and the
    # pages below answer without rewriting the cookie, as they do for a member who browses.
    html = opener.open(f"{base}/", timeout=30).read().decode()
    cookie = next((c.value for c in jar if c.name == "session"), "")
    if not cookie:
        raise SystemExit(f"could not log in as {username}")
    return cookie, _csrf_token(html)


def _csrf_token(html: str) -> str:
    field = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    value = re.search(r'value="([^"]+)"', field.group(0)) if field else None
    return value.group(1) if value else ""


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
    parser.add_argument("--viewers", default="guest,member",
                        help="comma list of guest, member, member-de (a member reading German)")
    parser.add_argument("--json-out", default="")
    parser.add_argument("--mixed", action="store_true",
                        help="members' reads alone and while members post replies")
    parser.add_argument("--write-rate", type=float, default=5.0, help="--mixed: replies/s")
    parser.add_argument("--write-threads", type=int, default=50,
                        help="--mixed: threads the replies go to")
    parser.add_argument("--writers", type=int, default=120,
                        help="--mixed: members who post, in turn")
    parser.add_argument("--compare", default="",
                        help="another checkout of Agora, served and measured beside this one")
    parser.add_argument("--compare-python", default=sys.executable,
                        help="the Python of --compare's environment, which serves it "
                             "(its gunicorn beside it); default: this one")
    args = parser.parse_args(argv)
    args.workdir = args.workdir or f"/tmp/agora-bench/{args.posts}"
    if args.mixed:
        args.viewers = "member" if args.viewers == "guest,member" else args.viewers
        args.only = args.only or "index,board,thread_p1,thread_p500,thread_short"
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")

    seed_seconds = prepare(args)
    if seed_seconds is not None:
        print(f"# seeded {args.posts} posts in {seed_seconds:.1f} s (including the index)")
    paths = page_list(args)
    only = {x for x in args.only.split(",") if x}
    if only:
        paths = [p for p in paths if p[0] in only]
    seeded_workdir = args.workdir
    if args.mixed:
        # Replies are written into a copy, so every run starts from the same seeded data.
        args.workdir = f"{seeded_workdir}-mixed"
        shutil.rmtree(args.workdir, ignore_errors=True)
        shutil.copytree(seeded_workdir, args.workdir)

    agora = Server("agora", args.port, "wsgi:app", ROOT, app_env(args), args.workers)
    servers = [agora]
    try:
        floor = Server("floor", args.port + 1, "app:app", HERE / "floor",
                       {**os.environ, "PYTHONWARNINGS": "ignore"}, args.workers)
        servers.append(floor)
        roots = {"agora": ROOT}
        pythons = {"agora": sys.executable}
        if args.compare:
            roots["compare"] = Path(args.compare).resolve()
            pythons["compare"] = args.compare_python
            for name, root in roots.items():
                print(f"  {name}: forum from {check_sources(pythons[name], root, app_env(args))}"
                      f" (Python {pythons[name]})", flush=True)
            servers.append(Server("compare", args.port + 2, "wsgi:app", roots["compare"],
                                  app_env(args), args.workers,
                                  Path(args.compare_python).parent))
        bases = {server.name: server.base for server in servers}
        # Sessions are signed with the scratch instance's key, so they hold on both servers.
        cookies = {"guest": "", "member": log_in(agora.base, "bench_member1"),
                   "moderator": log_in(agora.base, "bench_mod1")}
        # The same member reading in German (the language cookie, as the footer switch sets
        # it; the member has no language setting of their own).
        cookies["member-de"] = cookies["member"] + "; lang=de"
        pages = [Page("thread", "/t/3", "floor", "floor")]
        shown = [(label, path, viewer) for viewer in args.viewers.split(",")
                 for label, path in paths if label != "reports"]
        shown += [(label, path, "moderator") for label, path in paths if label == "reports"]
        for label, path, viewer in shown:
            pages.append(Page(label, path, viewer))
            if args.compare:
                pages.append(Page(f"{label} (compare)", path, viewer, "compare"))

        counted = {}
        for server, root in roots.items():
            counted.update(json.loads(subprocess.run(
                [pythons[server], "-c", COUNTER, json.dumps(
                    [[p.viewer, cookies[p.viewer], p.label, p.path] for p in pages
                     if p.server == server])],
                cwd=root, env=app_env(args), capture_output=True, text=True, check=True,
            ).stdout.strip().splitlines()[-1]))
        for page in pages:
            base = bases[page.server]
            page.status, page.size = fetch(base, page.path, cookies.get(page.viewer, ""))
            if page.viewer != "floor":
                page.queries = counted[f"{page.viewer}:{page.label}"][1]
            note = "" if page.status == 200 else "   <-- not 200: reported, not loaded"
            print(f"  {page.viewer:<9} {page.label:<14} {page.status} {page.size:>7} B "
                  f"{page.path}{note}", flush=True)
        live = [p for p in pages if p.status == 200]

        def url(page: Page) -> str:
            return bases[page.server] + page.path

        writers = None
        if args.mixed:
            writers = start_writers(args, [bases[name] for name in roots], paths)
        for page in live:
            load(url(page), cookies.get(page.viewer, ""), args.warmup, args.connections)
            page.alone_ms = alone(url(page), cookies.get(page.viewer, ""))
        if writers is not None:
            write_stats = mixed_rounds(args, live, url, cookies, writers)
        for rnd in range(0 if args.mixed else args.rounds):
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
        if args.mixed:
            shutil.rmtree(args.workdir, ignore_errors=True)
            args.workdir = seeded_workdir

    if args.mixed:
        report_mixed(args, pages, write_stats, rss)
    else:
        report(args, pages, rss, seed_seconds)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(
            [{**p.__dict__} for p in pages], indent=1, default=str))
    return 0


def start_writers(args, targets: list[str], paths: list[tuple[str, str]]) -> Writers:
    """Log the posting members in and choose their threads (the measured ones first)."""
    measured = sorted({int(re.match(r"/t/(\d+)", path).group(1)) for _, path in paths
                       if path.startswith("/t/")})
    found = json.loads(_in_app(args, WRITE_FINDER, json.dumps({
        "threads": measured, "count": args.write_threads, "reader": "bench_member1",
        "writers": args.writers})))
    spacing = len(found["writers"]) / args.write_rate
    if spacing <= found["flood"]:
        raise SystemExit(f"{len(found['writers'])} writers at {args.write_rate:g}/s post every "
                         f"{spacing:.0f} s, within the {found['flood']} s flood interval")
    from concurrent.futures import ThreadPoolExecutor
    with ThreadPoolExecutor(4) as pool:
        members = list(pool.map(lambda name: sign_in(targets[0], name), found["writers"]))
    print(f"  writers: {len(members)} members, {len(found['threads'])} threads "
          f"(measured {measured}), {args.write_rate:g} replies/s, each member every "
          f"{spacing:.0f} s (flood interval {found['flood']} s)", flush=True)
    return Writers(targets, members, found["threads"], args.write_rate)


def mixed_rounds(args, live: list[Page], url, cookies: dict, writers: Writers) -> list[dict]:
    """Each round loads every page once alone and once with the writers posting; which of the
    two comes first, and the order of the pages, alternate from round to round."""
    stats = []
    for rnd in range(args.rounds):
        for half, writing in enumerate((False, True) if rnd % 2 == 0 else (True, False)):
            order = live if (rnd + half) % 2 == 0 else list(reversed(live))
            if writing:
                writers.start()
                time.sleep(2)  # past the first replies' index writes
            for page in order:
                result = load(url(page), cookies.get(page.viewer, ""), args.duration,
                              args.connections)
                result["round"] = rnd
                (page.write_runs if writing else page.runs).append(result)
                print(f"  round {rnd + 1} {'writes' if writing else 'reads ':<6} "
                      f"{page.viewer:<9} {page.label:<14} {result['rps']:8.1f} req/s  "
                      f"p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms",
                      flush=True)
            if writing:
                done = writers.stop()
                done["round"] = rnd
                stats.append(done)
                print(f"  round {rnd + 1} replies: {done['posted']} in {done['seconds']:.0f} s "
                      f"({done['rate']:.2f}/s), p50 {done['p50_ms']:.0f} ms, p99 "
                      f"{done['p99_ms']:.0f} ms, statuses {done['statuses']}", flush=True)
            runs = "write_runs" if writing else "runs"
            floor_rps = getattr(live[0], runs)[-1]["rps"]
            for page in order:
                (page.write_ratios if writing else page.ratios).append(
                    getattr(page, runs)[-1]["rps"] / floor_rps)
    return stats


def report_mixed(args, pages: list[Page], stats: list[dict], rss: dict) -> None:
    backend = args.database_url.split(":", 1)[0] if args.database_url else "sqlite"
    print(f"\n{dt.date.today().isoformat()} · {args.posts:,} posts · {backend} · gunicorn "
          f"{args.workers} sync workers · wrk {args.connections} connections · "
          f"{args.duration:g} s × {args.rounds} rounds, each page alone and with replies · "
          f"{machine()}")
    posted = sum(s["posted"] for s in stats)
    seconds = sum(s["seconds"] for s in stats)
    print(f"Replies: {posted} in {seconds:.0f} s ({posted / seconds:.2f}/s) over "
          f"{args.write_threads} threads; answered p50 "
          f"{statistics.median(s['p50_ms'] for s in stats):.0f} ms, p99 "
          f"{max(s['p99_ms'] for s in stats):.0f} ms; statuses "
          + ", ".join(f"{k}: {sum(s['statuses'].get(k, 0) for s in stats)}"
                      for k in sorted({k for s in stats for k in s['statuses']})))
    print("\n| viewer | page | ratio, reads only | ratio, with replies | change "
          "| req/s reads only | req/s with replies |")
    print("|---|---|---|---|---|---|---|")
    for page in pages:
        if not page.runs or not page.write_runs:
            continue
        quiet, busy = statistics.median(page.ratios), statistics.median(page.write_ratios)
        print(f"| {page.viewer} | {page.label} | {quiet:.3f} | {busy:.3f} "
              f"| {(busy / quiet - 1) * 100:+.0f} % "
              f"| {statistics.median(r['rps'] for r in page.runs):.0f} "
              f"| {statistics.median(r['rps'] for r in page.write_runs):.0f} |")
    for name, values in rss.items():
        print(f"\nRSS after the run, {name} workers: "
              + ", ".join(f"{v:.0f} MiB" for v in values))


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
