"""Contests: an event of the contest kind takes entries in a window set by its organiser.

An entry is a reply in the event's thread, headed as an entry, with a row here that votes and
places hang on. Votes, disqualifying and winners live in ``challenge_votes``.

Races: an entry first takes its place with one conditional UPDATE of the challenge row whose
WHERE holds the entry window, so an entry racing the deadline is judged by the row as it is at
that moment; a member's second entry at the same moment meets the unique (event, member, slot)
index and is refused.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ...common import timefmt
from ...database import commit
from ...errors import Conflict, InvalidField, NotFound, Refused, require
from ...extensions import db
from ...models import Challenge, ChallengeEntry, Event, EventKind, Thread, User, utcnow
from ...policy import Policy
from .. import audit
from ..content import posting
from .events import HORIZON

ENTRY_TITLE_MAX = 120
_MD_SPECIALS = re.compile(r"([\\`*_\[\]<>#|~])")
VOTES_MAX = 20


@dataclass(frozen=True)
class ChallengeData:
    """The schedule and rules as a form sends them: times as local wall-clock text."""

    entries_open_at: str = ""
    entries_close_at: str = ""
    voting_close_at: str = ""
    votes_per_member: str = "3"
    one_entry_per_member: bool = True


def get_challenge(event: Event) -> Challenge | None:
    return db.session.get(Challenge, event.id)


def require_contest(event: Event) -> None:
    if event.kind != EventKind.CONTEST:
        raise NotFound(_("This event isn't a contest."))


def require_challenge(event: Event) -> Challenge:
    """The event's challenge, or 404 when it is no contest or nobody scheduled entries yet."""
    require_contest(event)
    challenge = get_challenge(event)
    if challenge is None:
        raise NotFound(_("This contest doesn't take entries yet."))
    return challenge


def _moment(raw: str, tz_name: str, field: str, label: str) -> datetime:
    try:
        return timefmt.parse_local(raw, tz_name)
    except ValueError as error:
        raise InvalidField(field, f"{label}: {error}") from None


def clean(data: ChallengeData, tz_name: str, now: datetime) -> dict:
    """Column values, or ``InvalidField`` (400) naming the field at fault.

    Refuses: malformed times; a closing time not after the opening, a voting end not after
    the entries close; anything more than ten years ahead; a vote count not 1–20.
    """
    opens = _moment(data.entries_open_at, tz_name, "entries_open_at", _("Entries open"))
    closes = _moment(data.entries_close_at, tz_name, "entries_close_at", _("Entries close"))
    voting = _moment(data.voting_close_at, tz_name, "voting_close_at", _("Voting closes"))
    if closes <= opens:
        raise InvalidField("entries_close_at", _("Entries must close after they open."))
    if voting <= closes:
        raise InvalidField("voting_close_at",
                           _("Voting must close after entries close (voting starts then)."))
    if voting > now + HORIZON:
        raise InvalidField("voting_close_at", _("Contests can be planned at most ten years "
                                                "ahead."))
    raw = (data.votes_per_member or "").strip()
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= VOTES_MAX:
        raise InvalidField("votes_per_member", _("Votes per member must be a whole number "
                                                 "from 1 to %(max)d.", max=VOTES_MAX))
    return {"entries_open_at": opens, "entries_close_at": closes, "voting_close_at": voting,
            "votes_per_member": int(raw), "one_entry_per_member": bool(data.one_entry_per_member)}


def _snapshot(values: dict) -> dict:
    return {key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in values.items()}


def schedule(actor: User, event: Event, data: ChallengeData,
             now: datetime | None = None) -> Challenge:
    """Set (or change) when a contest takes entries and votes, and its rules. Logged.

    Refuses: as ``Policy.can_edit_event`` (its author or the board's moderators, not once
    cancelled); an event that is no contest (404); as ``clean`` (400); changing the rules
    once winners are announced (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_edit_event(event))
    require_contest(event)
    values = clean(data, event.timezone, now)
    challenge = get_challenge(event)
    if challenge is None:
        challenge = Challenge(event_id=event.id, entry_count=0, **values)
        db.session.add(challenge)
        before = None
    else:
        if challenge.winners_announced_at is not None:
            raise Conflict(_("The winners are announced; the contest can't be changed now."))
        before = _snapshot({key: getattr(challenge, key) for key in values})
        for key, value in values.items():
            setattr(challenge, key, value)
    audit.record(actor, "challenge.schedule", event, before=before, after=_snapshot(values),
                 now=now)
    commit()
    return challenge


def _entry_post(event: Event, title: str, body: str) -> str:
    """The reply an entry is: headed so the thread shows it as one (in the entrant's
    language, like any post), linking the contest's entries."""
    head = _("**Contest entry: %(title)s**", title=md_escape(title))
    link = "[{}]({}/entries)".format(_("See all entries and vote"), event.url)
    return f"{head}\n\n{body}\n\n{link}"


def enter(actor: User, event: Event, title: str, body: str,
          now: datetime | None = None) -> ChallengeEntry:
    """Submit an entry: a reply in the event's thread marked as an entry.

    Refuses: as ``Policy.can_take_part`` (guest, sanctions, cancelled) and ``can_reply`` on
    the thread (locked…); no contest or no entries scheduled (404); before entries open or
    after they close (409); an empty or oversized title or text (400); a second entry when the
    contest takes one per member (409), also when both arrive at once.
    """
    now = now or utcnow()
    require(Policy(actor, now).can_take_part(event))
    challenge = require_challenge(event)
    thread = db.session.get(Thread, event.thread_id) if event.thread_id else None
    if thread is None or thread.is_deleted:
        raise Conflict(_("This contest has no thread to post entries in."))
    _require_window(challenge, actor, now)
    title = " ".join((title or "").split())
    if not title:
        raise InvalidField("title", _("Give your entry a title."))
    if len(title) > ENTRY_TITLE_MAX:
        raise InvalidField("title", _("Titles can be at most %(max)s characters.",
                                      max=ENTRY_TITLE_MAX))
    if not (body or "").strip():
        raise InvalidField("body", _("Describe your entry."))
    if challenge.one_entry_per_member:
        slot = 0
        if db.session.scalar(select(ChallengeEntry.id).where(
                ChallengeEntry.event_id == event.id, ChallengeEntry.user_id == actor.id)):
            raise Conflict(_("You've already entered this contest (one entry per member)."))
    else:
        slot = 1 + (db.session.scalar(select(func.max(ChallengeEntry.slot)).where(
            ChallengeEntry.event_id == event.id, ChallengeEntry.user_id == actor.id)) or 0)
    taken = db.session.execute(
        update(Challenge)
        .where(Challenge.event_id == event.id, Challenge.entries_open_at <= now,
               Challenge.entries_close_at > now)
        .values(entry_count=Challenge.entry_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        db.session.rollback()
        raise Conflict(_("Entries for this contest are closed."))
    try:
        post = posting.reply_within(actor, thread, _entry_post(event, title, body), now)
        entry = ChallengeEntry(event_id=event.id, user_id=actor.id, slot=slot, title=title,
                               post_id=post.id, created_at=now, vote_count=0)
        db.session.add(entry)
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You've already entered this contest (one entry per member).")) from None
    except BaseException:
        db.session.rollback()
        raise
    commit()
    return entry


def _require_window(challenge: Challenge, actor: User, now: datetime) -> None:
    phase = challenge.phase(now)
    if phase == "before":
        when = timefmt.format_datetime(challenge.entries_open_at, actor.timezone)
        raise Refused(_("Entries open on %(time)s.", time=when), status=409)
    if phase != "entries":
        raise Conflict(_("Entries for this contest are closed."))


def md_escape(value: str) -> str:
    """Plain text set into Markdown as itself (a title with ``*`` or ``[`` stays a title)."""
    return _MD_SPECIALS.sub(r"\\\1", value)


def entries(event: Event, ranked: bool = True) -> list[ChallengeEntry]:
    """Every entry with its author and post (disqualified last): best first when ``ranked``,
    else in the order they came in — while votes are secret, the order must not tell the
    standings either. One query."""
    from sqlalchemy.orm import joinedload

    order = (ChallengeEntry.vote_count.desc(),) if ranked else ()
    return list(db.session.scalars(
        select(ChallengeEntry).where(ChallengeEntry.event_id == event.id)
        .options(joinedload(ChallengeEntry.user), joinedload(ChallengeEntry.post))
        .order_by(ChallengeEntry.disqualified_at.is_not(None), *order,
                  ChallengeEntry.created_at, ChallengeEntry.id)
    ))


def get_entry(event: Event, entry_id: int) -> ChallengeEntry:
    entry = db.session.get(ChallengeEntry, entry_id)
    if entry is None or entry.event_id != event.id:
        raise NotFound(_("That entry doesn't exist."))
    return entry
