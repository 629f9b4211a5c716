"""Outgoing mail: queued in an outbox in the causing transaction, sent by ``forum run-timers``
or ``forum worker``.

    from forum.services import mail
    mail.queue(user, "password_reset", link=…)                      # account mail
    mail.queue(user, "reply", category="notification", thread=…)    # may be unsubscribed
    with mail.together():                                            # several, one INSERT
        mail.queue(…); mail.queue(…)

Templates live in ``templates/mail/<name>.html`` (see ``_layout.html``); one template gives
the subject, the plain text and the HTML part.
"""
from .delivery import DeliveryRun, send_due
from .outbox import init_app, queue, together
from .unsubscribe import NOTIFICATION, Scope

__all__ = ["DeliveryRun", "NOTIFICATION", "Scope", "init_app", "queue", "send_due", "together"]
