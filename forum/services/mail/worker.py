"""Sending mail as it falls due, until stopped: the mail's part of ``forum worker``
(``services.site.worker`` adds the rest). SIGTERM or Ctrl+C lets the message being sent
finish, then the loop ends; ``once`` and ``max_seconds`` bound a run. ``jobs`` queue mail
before each round (notification mail, from a layer above this one); ``queues`` send other
work each round beside the mail (webhook deliveries): each returns a run with ``handled`` and
``summary()``."""
from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from ..work_loop import Task
from ..work_loop import run as run_tasks
from .delivery import DeliveryRun, send_due


class _Sent:
    """One round's mail, told as the worker's log line."""

    def __init__(self, done: DeliveryRun) -> None:
        self.done = done
        self.handled = done.handled or done.interrupted

    def summary(self) -> str:
        done = self.done
        return (f"sent {done.sent}, to retry {done.retrying}, failed {done.failed}"
                + (f", interrupted {done.interrupted}" if done.interrupted else ""))


def tasks(once: bool, total: DeliveryRun, jobs: Sequence[Callable[[], object]] = (),
          queues: Sequence[Callable[[], Any]] = ()) -> list[Task]:
    """The mail's tasks, adding what is sent to ``total``."""

    def mail() -> _Sent:
        done = send_due(limit=None if once else 500)
        total.add(done)
        return _Sent(done)

    return [*(Task(getattr(job, "__name__", "job"), job) for job in jobs),
            Task("mail", mail),
            *(Task(getattr(queue, "__name__", "queue"), queue) for queue in queues)]


def run(*, interval: float = 5.0, once: bool = False, max_seconds: float | None = None,
        echo: Callable[[str], None] = print, stop: threading.Event | None = None,
        jobs: Sequence[Callable[[], object]] = (),
        queues: Sequence[Callable[[], Any]] = ()) -> DeliveryRun:
    """Poll every ``interval`` seconds while nothing is due; returns what was sent."""
    total = DeliveryRun()
    run_tasks(tasks(once, total, jobs, queues), interval=interval, once=once,
              max_seconds=max_seconds, echo=echo, stop=stop)
    return total
