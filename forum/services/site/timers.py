"""Side effects that fall due with the clock, performed by ``forum run-timers``.

Pages judge timed state against the clock when they read it; this only sends what should be
sent, and deletes what is kept only for a while (members' addresses, expired rate counters).
Each item is claimed with a conditional UPDATE before anything is sent, so runs that overlap
(two cron hosts, a retry) never send one twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from ...database import commit
from ...extensions import db
from ...models import Event, EventRsvp, NotificationKind, RsvpStatus, User, utcnow
from ...policy import Policy
from ...stores import ratelimit, settings
from .. import mail, notification_mail, notifications, webhooks
from ..accounts import addresses, logins
from ..content import bookmarks
from ..notification_texts import moment
from ..uploads import cleanup as upload_cleanup


@dataclass(frozen=True)
class TimerRun:
    event_reminders: int
    logins_deleted: int = 0
    addresses_purged: int = 0
    mail: mail.DeliveryRun | None = None
    notification_mail: notification_mail.MailRun | None = None
    mail_purged: int = 0
    bookmark_reminders: int = 0
    webhooks: webhooks.HookRun | None = None
    webhooks_purged: int = 0
    uploads_removed: int = 0


def send_event_reminders(now: datetime | None = None) -> int:
    """Remind members going to an event that starts within ``event_reminder_minutes``; each
    answer once for the event's current start (rescheduling clears the claim). Returns how
    many were sent. A setting of 0 turns reminders off."""
    now = now or utcnow()
    minutes = settings.get("event_reminder_minutes")
    if not minutes:
        return 0
    due = db.session.execute(
        select(EventRsvp.id, EventRsvp.user_id, Event.id.label("event_id"), Event.title,
               Event.starts_at)
        .join(Event, Event.id == EventRsvp.event_id)
        .where(
            EventRsvp.status == RsvpStatus.GOING,
            EventRsvp.reminded_at.is_(None),
            Event.cancelled_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + timedelta(minutes=minutes),
        )
        .order_by(Event.starts_at, EventRsvp.id)
    ).all()
    sent = 0
    for row in due:
        recipient = db.session.get(User, row.user_id)
        # The board may have closed to them since they answered; left unclaimed, the reminder
        # still goes if it opens again before the start.
        if not Policy(recipient).can_view_event(db.session.get(Event, row.event_id)):
            continue
        claimed = db.session.execute(
            update(EventRsvp)
            .where(EventRsvp.id == row.id, EventRsvp.reminded_at.is_(None),
                   EventRsvp.status == RsvpStatus.GOING)
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not claimed:
            continue
        notifications.notify(
            recipient, NotificationKind.EVENT, "event.starting",
            {"title": row.title, "starts_at": moment(row.starts_at)},
            f"/events/{row.event_id}", now=now,
        )
        sent += 1
    commit()
    return sent


@dataclass(frozen=True)
class ClockRun:
    """What the clock made due besides the queues (``forum worker`` runs it every minute)."""

    event_reminders: int = 0
    logins_deleted: int = 0
    addresses_purged: int = 0
    bookmark_reminders: int = 0
    mail_purged: int = 0
    webhooks_purged: int = 0
    counters_purged: int = 0
    uploads_removed: int = 0

    @property
    def handled(self) -> int:
        return self.event_reminders + self.bookmark_reminders

    def summary(self) -> str:
        return (f"event reminders {self.event_reminders}, bookmark reminders "
                f"{self.bookmark_reminders}")


def run_clock(now: datetime | None = None) -> ClockRun:
    """Reminders due at ``now``, and what is kept only for a while deleted; each kind in a
    commit of its own, each item claimed, so workers that overlap never do one twice."""
    now = now or utcnow()
    from ..mail.delivery import purge_sent

    return ClockRun(event_reminders=send_event_reminders(now),
                    logins_deleted=logins.purge(now),
                    addresses_purged=addresses.purge(now),
                    bookmark_reminders=bookmarks.send_reminders(now),
                    mail_purged=purge_sent(now),
                    webhooks_purged=webhooks.purge_finished(now),
                    counters_purged=ratelimit.purge_expired(now),
                    uploads_removed=upload_cleanup.remove_unreferenced(now))


def run_timers(now: datetime | None = None) -> TimerRun:
    """Everything due at ``now``, one commit per kind of work. Mail goes last, so reminders
    queued as mail by this run leave with it."""
    now = now or utcnow()
    clock = run_clock(now)
    return TimerRun(event_reminders=clock.event_reminders,
                    logins_deleted=clock.logins_deleted,
                    addresses_purged=clock.addresses_purged,
                    bookmark_reminders=clock.bookmark_reminders,
                    notification_mail=notification_mail.queue_due(now),
                    mail=mail.send_due(now),
                    mail_purged=clock.mail_purged,
                    webhooks=webhooks.deliver_due(now),
                    webhooks_purged=clock.webhooks_purged,
                    uploads_removed=clock.uploads_removed)
