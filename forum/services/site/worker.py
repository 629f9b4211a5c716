"""``forum worker``: all the background work in one loop, for any number of processes on any
number of hosts. Each round: notification mail is queued, the outbox sent, webhook deliveries
made (each row claimed by one worker: ``claims``); every ``timers_every`` seconds also what
the clock made due (``timers.run_clock``: reminders, deleting what is kept only for a while).
``forum run-timers`` from cron does the same once, for a single machine without a worker.
"""
from __future__ import annotations

import threading
from collections.abc import Callable

from .. import notification_mail, webhooks
from ..mail import DeliveryRun
from ..mail import worker as mail_worker
from ..work_loop import Task
from ..work_loop import run as run_tasks
from . import timers


class _Queued:
    def __init__(self, done: notification_mail.MailRun) -> None:
        self.done = done
        self.handled = done.at_once + done.digests

    def summary(self) -> str:
        return f"queued notification mail: {self.done.at_once} at once, {self.done.digests} digests"


def run(*, interval: float = 5.0, once: bool = False, max_seconds: float | None = None,
        echo: Callable[[str], None] = print, stop: threading.Event | None = None,
        timers_every: float = 60.0) -> DeliveryRun:
    """Until stopped (SIGTERM, Ctrl+C, ``stop``, ``max_seconds``), or one round (``once``);
    returns the mail sent."""
    total = DeliveryRun()

    def notification_mail_due() -> _Queued:
        return _Queued(notification_mail.queue_due())

    def webhooks_due() -> webhooks.HookRun:
        return webhooks.deliver_due(limit=None if once else 500)

    tasks = [Task("clock", timers.run_clock, every=timers_every),
             *mail_worker.tasks(once, total, jobs=(notification_mail_due,),
                                queues=(webhooks_due,))]
    run_tasks(tasks, interval=interval, once=once, max_seconds=max_seconds, echo=echo,
              stop=stop)
    return total
