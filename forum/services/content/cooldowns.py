"""How fast a member may post: the site-wide flood interval (stricter for new members, who may
also add only a few links), and slow mode per thread and per board. Moderators of the board are
exempt from all of it.

Where the board and the thread both set a slow mode, the stricter (longer) interval applies: a
moderator slowing one heated thread can't loosen the board's rule by accident, and a board
default can't be undercut by a thread.

Two sides, one set of rules and messages (``policy.pace``): the policy's ``wait`` peeks at the
counters to tell a member on the page when they may post again; ``take`` here counts the post
atomically inside the posting transaction, so two replies sent at the same instant give exactly
one post. New members' link limit is checked here too.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import case, update

from ...database import joined
from ...errors import Refused
from ...extensions import db
from ...models import Board, Thread, User, utcnow
from ...policy import Policy
from ...policy.pace import flood_key, flood_message, pace, slow_key, slow_message
from ...stores import ratelimit

# Counted the way a reader sees links: autolinked addresses and Markdown links alike.
_LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>()\[\]]+|\]\([^)\s]+")


@contextmanager
def suspended():
    """Writing history rather than taking posts (the demo seed): no flood or new-member
    limits meanwhile. Slow mode still applies, as it is a moderator's explicit choice."""
    config = current_app.config
    saved = config["MEMBER_COOLDOWNS"]
    config["MEMBER_COOLDOWNS"] = False
    try:
        yield
    finally:
        config["MEMBER_COOLDOWNS"] = saved


def count_links(body: str) -> int:
    return len(_LINK.findall(body or ""))


def check_links(viewer: Policy, board: Board, body: str, now: datetime | None = None) -> None:
    """Refuses (400) a new member's post with more links than allowed."""
    limits = pace(viewer, board, None, now)
    if limits.max_links is None:
        return
    found = count_links(body)
    if found > limits.max_links:
        if limits.max_links == 0:
            message = _("New members can include no links in a post; this one has %(found)s. "
                        "The limit lifts after your first few posts.", found=found)
        else:
            message = ngettext(
                "New members can include at most %(num)d link in a post; this one has "
                "%(found)s. The limit lifts after your first few posts.",
                "New members can include at most %(num)d links in a post; this one has "
                "%(found)s. The limit lifts after your first few posts.",
                limits.max_links, found=found)
        raise Refused(message, status=400)


@dataclass
class Ticket:
    """The counters one post took, to give back if the post fails after all."""

    keys: list[str]

    def give_back(self, now: datetime | None = None) -> None:
        """Take the counts back within the open transaction."""
        with joined():
            for key in self.keys:
                ratelimit.refund(key, now)

    def cancel(self, now: datetime | None = None) -> None:
        """The post failed: roll its transaction back, and with it the counts; counters kept
        outside the database (Redis) are given back one by one."""
        db.session.rollback()
        if not ratelimit.in_transaction():
            self.give_back(now)


def take(viewer: Policy, board: Board, thread: Thread | None = None,
         now: datetime | None = None) -> Ticket:
    """Count one post against the limits, in the caller's transaction (no commit).

    Refuses (429 with ``retry_after``) when a limit is reached; the counters taken so far are
    given back first. Counting and checking are one atomic statement per counter, so of two
    simultaneous posts only one fits.
    """
    now = now or viewer.now or utcnow()
    limits = pace(viewer, board, thread, now)
    ticket = Ticket([])
    checks = []
    if limits.slow and thread is not None:
        checks.append((slow_key(viewer.user, thread), limits.slow, "slow"))
    if limits.flood:
        checks.append((flood_key(viewer.user), limits.flood, "flood"))
    for key, window, kind in checks:
        with joined():
            decision = ratelimit.hit(key, 1, window, now)
        if not decision:
            # This hit counted nothing useful: the window was full already.
            with joined():
                ratelimit.refund(key, now)
            ticket.give_back(now)
            retry = decision.retry_after or 1
            message = (slow_message(limits, retry) if kind == "slow"
                       else flood_message(limits, thread, retry))
            raise Refused(message, status=429, retry_after=retry)
        ticket.keys.append(key)
    if checks:
        # Never earlier than before: a counter taken under a longer interval may still run.
        until = now + timedelta(seconds=max(check[1] for check in checks))
        db.session.execute(
            update(User).where(User.id == viewer.user.id)
            .values(paced_until=case((User.paced_until > until, User.paced_until), else_=until))
            .execution_options(synchronize_session=False))
    return ticket
