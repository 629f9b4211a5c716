"""Outgoing mail: queue 10,000 notification mails and send them to a local SMTP server.

    python bench/mail_bench.py                      # SQLite in /tmp/agora-bench-mail
    python bench/mail_bench.py --messages 2000 --workers 2
    python bench/mail_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/agora_mail

Queuing renders each message (subject, text and HTML in the member's language) and adds its
outbox row, committing every 500 as a busy forum would in many requests; sending claims
batches and hands each message to an aiosmtpd server on 127.0.0.1 over one SMTP connection per
worker. Prints messages per second for both and checks each arrived exactly once.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiosmtpd.controller import Controller  # noqa: E402

from forum import create_app  # noqa: E402
from forum.extensions import db  # noqa: E402


class Counter:
    def __init__(self) -> None:
        self.ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        head = envelope.original_content.split(b"\r\n\r\n", 1)[0]
        message_id = next((line for line in head.split(b"\r\n")
                           if line.lower().startswith(b"message-id:")), b"")
        with self.lock:
            self.ids.append(message_id.decode())
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--workdir", default="/tmp/agora-bench-mail")
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    workdir = Path(args.workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    port = _free_port()
    counter = Counter()
    server = Controller(counter, hostname="127.0.0.1", port=port)
    server.start()
    app = create_app({
        "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir),
        "SQLALCHEMY_DATABASE_URI": args.database_url or f"sqlite:///{workdir / 'forum.db'}",
        "FORUM_SEARCH_INDEX": str(workdir / "search"), "FORUM_SEARCH_INDEXING": False,
        "SERVER_NAME": "forum.example", "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_SECURITY": "none",
        "MAIL_USERNAME": None, "MAIL_FROM": "forum@forum.example", "MAIL_BATCH": 100,
    })
    try:
        with app.app_context():
            _run(app, args, counter)
    finally:
        server.stop()


def _run(app, args, counter: Counter) -> None:
    from forum.models import User
    from forum.services import mail
    from forum.services.accounts import account

    db.drop_all()
    db.create_all()
    members = []
    for n in range(args.members):
        user = account.register(account.Registration(
            f"reader{n}", f"reader{n}@example.com", "bench-password-123"), confirmed=True)
        user.language = "de" if n % 2 else "en"
        members.append(user.id)
    db.session.commit()
    users = {user.id: user for user in db.session.query(User).all()}

    started = time.perf_counter()
    for n in range(args.messages):
        user = users[members[n % len(members)]]
        mail.queue(user, "notification", category="notification",
                   text=f"ann replied in “Soldering station #{n}”",
                   link=f"https://forum.example/t/{n}")
        if n % 500 == 499:
            db.session.commit()
    db.session.commit()
    queued = time.perf_counter() - started
    print(f"queued {args.messages} messages in {queued:.1f} s: "
          f"{args.messages / queued:,.0f} messages/s")

    started = time.perf_counter()
    results = []

    def work():
        with app.app_context():
            results.append(mail.send_due())
            db.session.remove()

    threads = [threading.Thread(target=work) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sent_seconds = time.perf_counter() - started
    sent = sum(run.sent for run in results)
    print(f"sent {sent} messages in {sent_seconds:.1f} s with {args.workers} worker(s): "
          f"{sent / sent_seconds:,.0f} messages/s")
    assert sent == args.messages == len(counter.ids) == len(set(counter.ids)), \
        (sent, len(counter.ids), len(set(counter.ids)))
    print("every message arrived exactly once")


if __name__ == "__main__":
    main()
