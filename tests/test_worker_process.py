"""``flask --app wsgi forum worker`` as a real process beside the test's database: it does the
queued work and what the clock made due, and SIGTERM stops it cleanly, after the job under way."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import Login, OutboxMessage, utcnow
from forum.services import mail
from tests import factories

ROOT = Path(__file__).resolve().parent.parent


def _url(app) -> str:
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    return url if isinstance(url, str) else url.render_as_string(hide_password=False)


def start_worker(app, folder: Path, smtp_server, *args: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _url(app), "FORUM_INSTANCE": str(folder),
           "SECRET_KEY": "worker-test", "MAIL_SERVER": "127.0.0.1",
           "MAIL_PORT": str(smtp_server.port), "MAIL_SECURITY": "none"}
    env.pop("REDIS_URL", None)
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "forum", "worker", "--interval", "0.2",
         *args],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wait_for(check, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            raise AssertionError("gave up waiting; the worker said:\n" + process.communicate()[0])
        time.sleep(0.05)


def _queue(n: int) -> None:
    user = factories.make_user()
    for i in range(n):
        mail.queue(user, "notification", category="notification", text=f"m{i}",
                   link="http://localhost/")
    db.session.commit()


def _statuses() -> list[str]:
    db.session.rollback()  # see what the worker committed
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def _errors():
    return list(db.session.scalars(select(OutboxMessage.last_error)))


def test_the_worker_sends_queued_mail_and_does_the_timers_then_stops_on_sigterm(
        app, tmp_path, smtp_server):
    old = utcnow() - timedelta(days=60)
    member = factories.make_user()
    db.session.add(Login(user_id=member.id, secret_hash="0" * 64, created_at=old,
                         last_seen_at=old, address="198.51.100.1"))
    _queue(2)
    worker = start_worker(app, tmp_path / "worker", smtp_server)
    try:
        wait_for(lambda: len(smtp_server.received) == 2, worker)
        # The clock's work ran at the start: a login record past its keeping time is gone.
        wait_for(lambda: db.session.rollback() or not db.session.scalars(select(Login)).all(),
                 worker)
        _queue(1)  # queued while it runs: sent in a later round
        wait_for(lambda: len(smtp_server.received) == 3, worker)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert "Worker stopped: sent 3 mail" in output
    assert _statuses() == ["sent"] * 3


def test_sigterm_lets_the_message_being_sent_finish(app, tmp_path, smtp_server):
    """Stopped while the server takes its time to answer (then refuses for now, 451): the
    attempt is seen through and recorded, not left claimed."""
    smtp_server.collector.stall_seconds = 1.5
    _queue(1)
    worker = start_worker(app, tmp_path / "worker", smtp_server)
    try:
        wait_for(lambda: _statuses() == ["sending"], worker)
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=15)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert "to retry 1" in output
    assert _statuses() == ["queued"] and _errors() == ["message refused: 451 Too slow"]


def test_a_failing_task_is_retried_later_and_the_others_go_on(app):
    from forum.services.work_loop import Task, run

    calls: list[str] = []

    class Done:
        handled = 0

    def broken():
        calls.append("broken")
        raise RuntimeError("the database went away")

    def fine():
        calls.append("fine")
        return Done()

    tasks = [Task("broken", broken), Task("fine", fine)]
    run(tasks, interval=0.05, max_seconds=0.5, echo=lambda line: None)
    # Backed off after its first failure (5 s), while the other ran every round.
    assert calls.count("broken") == 1
    assert calls.count("fine") >= 3
    assert tasks[0].failures == 1 and tasks[0].due_at > time.monotonic()


@pytest.mark.parametrize("failures, wait", [(1, 5.0), (2, 10.0), (7, 300.0)])
def test_backoff_doubles_up_to_its_cap(app, failures, wait):
    from forum.services import work_loop

    task = work_loop.Task("broken", lambda: 1 / 0, failures=failures - 1)
    work_loop._attempt(task, 100.0, lambda line: None)
    assert task.failures == failures and task.due_at == 100.0 + wait
