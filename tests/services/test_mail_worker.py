"""The commands that send mail: ``forum run-timers`` and the long-running ``forum worker``."""
from __future__ import annotations

import os
import signal
import threading
import time

from forum.extensions import db
from forum.services import mail
from forum.services.mail import worker
from tests import factories


def _queue(n=1):
    user = factories.make_user()
    for i in range(n):
        mail.queue(user, "notification", category="notification", text=f"m{i}",
                   link="http://localhost/")
    db.session.commit()


def test_run_timers_sends_due_mail(app, runner, smtp_server):
    _queue(2)
    result = runner.invoke(args=["forum", "run-timers"])
    assert result.exit_code == 0, result.output
    assert "Mail: sent 2 to 127.0.0.1" in result.output
    assert len(smtp_server.received) == 2


def test_worker_once_sends_and_stops(app, runner, smtp_server):
    _queue(3)
    result = runner.invoke(args=["forum", "worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 3" in result.output and len(smtp_server.received) == 3


def test_worker_keeps_polling_until_its_time_is_up(app, smtp_server):
    started = time.monotonic()
    total = worker.run(interval=0.1, max_seconds=0.6, echo=lambda line: None)
    assert 0.5 <= time.monotonic() - started < 5
    assert total.sent == 0


def test_sigterm_stops_the_worker_cleanly(app, smtp_server):
    _queue(1)
    killer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    killer.start()
    previous = signal.getsignal(signal.SIGTERM)
    started = time.monotonic()
    total = worker.run(interval=0.1, echo=lambda line: None)
    killer.join()
    assert time.monotonic() - started < 5
    assert total.sent == 1 and len(smtp_server.received) == 1
    assert signal.getsignal(signal.SIGTERM) == previous
