"""Webhook benchmark: queue N events for H hooks and deliver them to a local HTTP server.

Migrates a scratch database, registers H hooks (to 127.0.0.1, allowed for the run) that chose
"new thread", queues N deliveries per hook the way ``payloads.thread_created`` does (one
``emit`` per event in its own transaction), then times delivery as ``forum worker`` runs it
(``webhooks.deliver_due``: claim a batch, resolve and check the address, sign, POST, record
each outcome in a commit of its own) with S senders racing for the queue. The server (the
standard library's, threaded) checks each signature and counts; the run fails unless every
delivery arrived exactly once, signed.

    python bench/webhook_bench.py                        # 2,000 events × 1 hook, SQLite
    python bench/webhook_bench.py --events 1000 --hooks 2 --senders 2
    python bench/webhook_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/agora_hook_bench
"""
from __future__ import annotations

import argparse
import json
import platform
import socket
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Role, User, WebhookEvent  # noqa: E402
from forum.services import webhooks  # noqa: E402
from forum.services.webhooks import hooks, queue, signing  # noqa: E402


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.secrets: set[str] = set()
        self.ids: list[str] = []
        self.unsigned = 0
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        header = self.headers.get(signing.HEADER, "")
        good = any(signing.verify(secret, header, body, time.time())
                   for secret in self.server.secrets)
        with self.server.lock:
            self.server.ids.append(f"{self.path}:{json.loads(body)['id']}")
            self.server.unsigned += not good
        self.send_response(204)
        self.end_headers()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _send(app, results: list) -> None:
    with app.app_context():
        results.append(webhooks.deliver_due())
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--hooks", type=int, default=1)
    parser.add_argument("--senders", type=int, default=1,
                        help="delivery threads racing for the queue, as several workers do")
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temp)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="agora-hook-bench-"))
    port = _free_port()
    server = Receiver(port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app = create_app({
        "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir / "instance"),
        "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{workdir / 'hooks.db'}",
        "FORUM_URL": "https://forum.example.org",
        "WEBHOOK_ALLOWED_NETWORKS": ("127.0.0.1/32",),
    })
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            admin = User(username="admin", username_key="admin", username_skeleton="admin",
                         email="admin@example.org", email_key="admin@example.org",
                         password_hash="x", role=Role.ADMIN)
            db.session.add(admin)
            db.session.commit()
            for n in range(args.hooks):
                hook = hooks.create(admin, hooks.HookData(
                    url=f"http://127.0.0.1:{port}/hook{n}", events=["thread.created"]))
                server.secrets.add(hook.secret)
            started = time.perf_counter()
            for i in range(args.events):
                data = {"thread": {"id": i, "title": f"Thread {i}", "excerpt": "x" * 300}}
                queue.emit(WebhookEvent.THREAD_CREATED, lambda data=data: (data, data))
                db.session.commit()
            queue_seconds = time.perf_counter() - started
            db.session.remove()

        results: list = []
        started = time.perf_counter()
        senders = [threading.Thread(target=_send, args=(app, results))
                   for _ in range(args.senders)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        send_seconds = time.perf_counter() - started
    finally:
        server.shutdown()

    total = args.events * args.hooks
    delivered = sum(run.delivered for run in results)
    engine = (args.database_url or "sqlite").split(":", 1)[0]
    print(f"Python {platform.python_version()}, {engine}, {args.events:,} events × "
          f"{args.hooks} hook{'s' if args.hooks != 1 else ''}, {args.senders} "
          f"sender{'s' if args.senders != 1 else ''}")
    print(f"queued    {total:>7,} deliveries in {queue_seconds:6.1f} s: "
          f"{total / queue_seconds:7.0f}/s (one transaction per event)")
    print(f"delivered {delivered:>7,} deliveries in {send_seconds:6.1f} s: "
          f"{delivered / send_seconds:7.0f}/s (HTTP to 127.0.0.1, signed, recorded)")
    print(f"the server received {len(server.ids):,}, {len(set(server.ids)):,} distinct, "
          f"{server.unsigned} with a bad signature")
    if delivered != total or len(server.ids) != total or len(set(server.ids)) != total \
            or server.unsigned:
        sys.exit("not every delivery arrived exactly once, signed")


if __name__ == "__main__":
    main()
