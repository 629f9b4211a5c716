"""Notification mail benchmark: queue and send N notification mails to a local SMTP server.

Seeds a scratch database with N members who each chose "email at once" for replies and have
one unread reply notification older than the delay, starts an SMTP server on 127.0.0.1
(aiosmtpd, accepting and counting every message), then times the two halves the worker runs:
the at-once scan (claiming the notifications, rendering each mail in the member's language
and zone, one outbox row each) and delivery (claiming outbox rows, SMTP, recording each).

    python bench/mail_bench.py                       # 10,000 mails, SQLite in a temp folder
    python bench/mail_bench.py --mails 2000 --senders 2
    python bench/mail_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/agora_mail_bench
"""
from __future__ import annotations

import argparse
import platform
import socket
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from aiosmtpd.controller import Controller  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from forum import create_app  # noqa: E402
from forum.common import usernames  # noqa: E402
from forum.extensions import db  # noqa: E402
from forum.models import Notification, User  # noqa: E402
from forum.services import mail  # noqa: E402
from forum.services.accounts import account  # noqa: E402
from forum.services.notification_mail import at_once  # noqa: E402

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo")


class Counter:
    """Takes every message and counts it, as a relay that queues and answers at once would."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _seed(count: int, now: datetime) -> None:
    password_hash = account.hash_password("bench-password")
    users, notes = [], []
    for i in range(1, count + 1):
        name = f"reader{i}"
        users.append({
            "id": i, "username": name, "username_key": usernames.key(name),
            "username_skeleton": usernames.skeleton(name),
            "email": f"{name}@example.com", "email_key": f"{name}@example.com",
            "password_hash": password_hash, "role": 1, "display_name": f"Reader {i}",
            "timezone": ZONES[i % len(ZONES)], "language": "de" if i % 3 == 0 else None,
            "created_at": now - timedelta(days=30), "post_count": 0, "thread_count": 0,
            "is_board_moderator": False, "always_review": False,
            "mail_preferences": {"topics": {"replies": "now"}},
            "digest_due_at": now + timedelta(hours=12), "rules_version": 0,
            "privacy_version": 0,
        })
        notes.append({
            "recipient_id": i, "kind": "reply", "key": "post.reply",
            "params": {"name": "Ann Writer", "title": f"Soldering question {i}"},
            "text": "", "link": f"/p/{i}", "created_at": now - timedelta(minutes=20),
        })
    for start in range(0, count, 5000):
        db.session.execute(insert(User.__table__), users[start:start + 5000])
        db.session.execute(insert(Notification.__table__), notes[start:start + 5000])
    db.session.commit()


def _send(app, now: datetime, results: list) -> None:
    with app.app_context():
        results.append(mail.send_due(now))
        db.session.remove()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mails", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=1,
                        help="delivery threads racing for the outbox, as several workers do")
    parser.add_argument("--database-url", help="an empty database (default: SQLite, temp)")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="agora-mail-bench-"))
    port = _free_port()
    counter = Counter()
    server = Controller(counter, hostname="127.0.0.1", port=port)
    app = create_app({
        "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir / "instance"),
        "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{workdir / 'mail.db'}",
        "FORUM_URL": "https://forum.example.org",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SECURITY": "none",
        "MAIL_FROM": "forum@example.org",
    })
    server.start()
    try:
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            now = datetime.now(UTC)
            _seed(args.mails, now)
            db.session.remove()

            started = time.perf_counter()
            queued = at_once.send_due(now)
            queue_seconds = time.perf_counter() - started
            db.session.remove()

        results: list = []
        started = time.perf_counter()
        senders = [threading.Thread(target=_send, args=(app, now, results))
                   for _ in range(args.senders)]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
        send_seconds = time.perf_counter() - started
    finally:
        server.stop()

    sent = sum(run.sent for run in results)
    engine = (args.database_url or "sqlite").split(":", 1)[0]
    print(f"Python {platform.python_version()}, {engine}, {args.mails:,} members with one "
          f"unread reply each, {args.senders} sender{'s' if args.senders != 1 else ''}")
    print(f"queued  {queued:>7,} mails in {queue_seconds:6.1f} s: "
          f"{queued / queue_seconds:7.0f} messages/s (scan, render, outbox)")
    print(f"sent    {sent:>7,} mails in {send_seconds:6.1f} s: "
          f"{sent / send_seconds:7.0f} messages/s (SMTP to 127.0.0.1)")
    total = queue_seconds + send_seconds
    print(f"overall {sent:>7,} mails in {total:6.1f} s: {sent / total:7.0f} messages/s; "
          f"the server received {counter.count:,}")
    if counter.count != args.mails or sent != args.mails or queued != args.mails:
        sys.exit("not every mail arrived exactly once")


if __name__ == "__main__":
    main()
