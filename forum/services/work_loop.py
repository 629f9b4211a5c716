"""The loop a background worker runs: a list of tasks, each done every round or every so many
seconds, until SIGTERM or Ctrl+C (the task under way finishes first) or a time limit.

A task that fails (the database restarting, a bug in one kind of work) is logged, its
transaction rolled back, and it waits before its next try, twice as long after each failure
in a row (``BACKOFF_FIRST`` up to ``BACKOFF_CAP`` seconds); the other tasks go on meanwhile.
Tasks claim their own work (``claims``), so any number of workers may run this loop at once.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ..extensions import db

log = logging.getLogger("forum.worker")

BACKOFF_FIRST = 5.0
BACKOFF_CAP = 300.0


@dataclass
class Task:
    """``run()`` does what is due and answers with something that has ``handled`` (how many
    things it did, which keeps the loop from waiting) and ``summary()``, or None."""

    name: str
    run: Callable[[], Any]
    every: float = 0.0  # seconds between runs; 0: every round
    due_at: float = 0.0  # monotonic time of the next run
    failures: int = 0  # in a row


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop`` while inside (only the main thread may handle signals);
    the handlers before are put back after."""
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


def _attempt(task: Task, clock: float, echo: Callable[[str], None]) -> bool:
    """Run ``task`` once; whether it did something."""
    try:
        result = task.run()
    except Exception:
        db.session.rollback()
        task.failures += 1
        wait = min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** (task.failures - 1))
        task.due_at = clock + wait
        log.exception("Background task %s failed (%d in a row); next try in %.0f s",
                      task.name, task.failures, wait)
        return False
    finally:
        db.session.remove()  # no loaded rows kept between rounds
    task.failures = 0
    task.due_at = clock + task.every
    handled = bool(result is not None and getattr(result, "handled", 0))
    if handled and hasattr(result, "summary"):
        echo(result.summary())
    return handled


def run(tasks: Sequence[Task], *, interval: float = 5.0, once: bool = False,
        max_seconds: float | None = None, echo: Callable[[str], None] = print,
        stop: threading.Event | None = None) -> None:
    """Round after round, every due task; waits ``interval`` seconds after a round in which
    nothing was done (or until the next task falls due, if sooner)."""
    stop = stop or threading.Event()
    started = time.monotonic()
    with stop_on_signals(stop):
        while not stop.is_set():
            busy = False
            for task in tasks:
                if stop.is_set():
                    break
                clock = time.monotonic()
                if task.due_at <= clock:
                    busy = _attempt(task, clock, echo) or busy
            if once:
                break
            clock = time.monotonic()
            left = None if max_seconds is None else max_seconds - (clock - started)
            if left is not None and left <= 0:
                break
            if not busy:
                wait = min([interval, *(max(0.0, t.due_at - clock) for t in tasks if t.every)])
                stop.wait(max(0.05, wait) if left is None else min(max(0.05, wait), left))
