"""``forum worker``: send mail as it falls due, until stopped. SIGTERM or Ctrl+C lets the
message being sent finish, then the loop ends; ``once`` and ``max_seconds`` bound a run.
``jobs`` queue mail before each round (notification mail, from a layer above this one);
``queues`` send other work each round beside the mail (webhook deliveries): each returns a
run with ``handled`` and ``summary()``."""
from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import Any

from ...extensions import db
from .delivery import DeliveryRun, send_due


@contextmanager
def _stop_on_signals(stop: threading.Event):
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def _handler(signum, _frame):
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        previous[signum] = signal.signal(signum, _handler)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def run(*, interval: float = 5.0, once: bool = False, max_seconds: float | None = None,
        echo: Callable[[str], None] = print, stop: threading.Event | None = None,
        jobs: Sequence[Callable[[], object]] = (),
        queues: Sequence[Callable[[], Any]] = ()) -> DeliveryRun:
    """Poll every ``interval`` seconds while nothing is due; returns what was done."""
    stop = stop or threading.Event()
    total = DeliveryRun()
    started = time.monotonic()
    with _stop_on_signals(stop):
        while not stop.is_set():
            for job in jobs:
                job()
            done = send_due(limit=None if once else 500)
            db.session.remove()  # no loaded rows kept between rounds
            total.add(done)
            if done.handled or done.interrupted:
                echo(f"sent {done.sent}, to retry {done.retrying}, failed {done.failed}"
                     + (f", interrupted {done.interrupted}" if done.interrupted else ""))
            busy = done.handled
            for other in queues:
                result = other()
                db.session.remove()
                if result.handled:
                    echo(result.summary())
                busy = busy or result.handled
            if once:
                break
            left = None if max_seconds is None else max_seconds - (time.monotonic() - started)
            if left is not None and left <= 0:
                break
            if not busy:
                stop.wait(interval if left is None else min(interval, left))
    return total
