"""Webhooks: JSON deliveries of chosen events to addresses administrators register, signed
with HMAC-SHA256, queued in the transaction of the change they tell of and sent by
``forum run-timers`` or ``forum worker``.

    from forum.services import webhooks
    webhooks.thread_created(thread)          # in the creating transaction; caller commits
    webhooks.deliver_due()                   # the worker's round

``payloads`` builds each event (private content only for staff-only hooks), ``queue`` adds
the rows, ``delivery`` sends them (claimed like mail, ``services.claims``), ``addresses``
and ``transport`` keep them to public destinations, ``signing`` signs, ``hooks`` is what
the admin pages call.
"""
from .delivery import HookRun, deliver_due, purge_finished
from .payloads import (
    announcement_published,
    event_changed,
    report_created,
    sanction_issued,
    sanction_lifted,
    thread_created,
)

__all__ = ["HookRun", "announcement_published", "deliver_due", "event_changed",
           "purge_finished", "report_created", "sanction_issued", "sanction_lifted",
           "thread_created"]
