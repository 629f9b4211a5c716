"""Contests after the entries: votes, disqualifying, and the winners.

A vote is three writes in one transaction, each carrying its rule: the member's ballot row
counts the votes used with ``votes_used < limit`` in its WHERE, the entry's ``vote_count``
rises with ``disqualified_at IS NULL`` in its WHERE, and the vote row meets a unique (entry,
member) index. Two votes at once can therefore neither exceed the limit nor count one member
twice; the counts stay equal to the rows.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ...common import timefmt
from ...database import commit
from ...errors import Conflict, InvalidField, Refused, require
from ...extensions import db
from ...models import (
    Challenge,
    ChallengeBallot,
    ChallengeEntry,
    ChallengeVote,
    Event,
    NotificationKind,
    Thread,
    User,
    utcnow,
)
from ...policy import Policy
from ...stores import settings
from .. import audit, data_export, notifications, text
from ..content import posting
from .challenges import entries, md_escape, require_challenge

PLACES = 3


def _insert_ballot(event_id: int, user_id: int) -> None:
    """The member's ballot row, if they have none yet (INSERT … ON CONFLICT DO NOTHING keeps
    the transaction usable on PostgreSQL when two first votes race)."""
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(ChallengeBallot).values(event_id=event_id, user_id=user_id,
                                                      votes_used=0)
                       .on_conflict_do_nothing(index_elements=["event_id", "user_id"]))


def may_vote(actor: User, challenge: Challenge, now: datetime) -> None:
    """Refuses a member who may not vote in this contest at all: outside the voting window
    (409) or an account younger than the setting allows (403)."""
    phase = challenge.phase(now)
    if phase in ("before", "entries"):
        when = timefmt.format_datetime(challenge.entries_close_at, actor.timezone)
        raise Refused(_("Voting opens when entries close, on %(time)s.", time=when), status=409)
    if phase == "closed":
        raise Conflict(_("Voting in this contest has closed."))
    days = settings.get("challenge_vote_min_account_days")
    if days and actor.created_at > now - timedelta(days=days):
        raise Refused(_("Accounts can vote in contests once they are %(days)d days old.",
                        days=days), status=403)


def vote(actor: User, event: Event, entry: ChallengeEntry,
         now: datetime | None = None) -> None:
    """Vote for an entry.

    Refuses: as ``Policy.can_take_part``; no contest (404); outside voting or an account too
    new (``may_vote``); one's own entry (403); a disqualified entry (409); a second vote for
    the same entry or one more than the contest allows (409), also when sent at once.
    """
    now = now or utcnow()
    require(Policy(actor, now).can_take_part(event))
    challenge = require_challenge(event)
    may_vote(actor, challenge, now)
    if entry.user_id == actor.id:
        raise Refused(_("You can't vote for your own entry."), status=403)
    if entry.is_disqualified:
        raise Conflict(_("This entry was disqualified; it can't get votes."))
    limit = challenge.votes_per_member
    _insert_ballot(event.id, actor.id)
    counted = db.session.execute(
        update(ChallengeBallot)
        .where(ChallengeBallot.event_id == event.id, ChallengeBallot.user_id == actor.id,
               ChallengeBallot.votes_used < limit)
        .values(votes_used=ChallengeBallot.votes_used + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not counted:
        db.session.rollback()
        raise Conflict(_("You've used all %(num)d of your votes in this contest.", num=limit))
    raised = db.session.execute(
        update(ChallengeEntry)
        .where(ChallengeEntry.id == entry.id, ChallengeEntry.disqualified_at.is_(None))
        .values(vote_count=ChallengeEntry.vote_count + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not raised:
        db.session.rollback()
        raise Conflict(_("This entry was disqualified; it can't get votes."))
    try:
        db.session.add(ChallengeVote(entry_id=entry.id, event_id=event.id, user_id=actor.id,
                                     created_at=now))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(_("You've already voted for this entry.")) from None
    commit()


def my_votes(actor: User | None, event: Event) -> set[int]:
    """The entries the member voted for in this contest."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return set()
    return set(db.session.scalars(select(ChallengeVote.entry_id).where(
        ChallengeVote.event_id == event.id, ChallengeVote.user_id == actor.id)))


def disqualify(actor: User, event: Event, entry: ChallengeEntry, reason: str,
               now: datetime | None = None) -> None:
    """Take an entry out of the running, with a reason: logged, and the entrant is told. Its
    votes stay recorded but no longer rank it.

    Refuses: as ``Policy.can_moderate_event``; an empty or oversized reason (400); an entry
    already disqualified (409); after the winners are announced (409).
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_event(event))
    challenge = require_challenge(event)
    reason = " ".join(text.clean_reason(
        reason, _("Please give a reason for disqualifying the entry.")).split())
    if challenge.winners_announced_at is not None:
        raise Conflict(_("The winners are announced; entries can't be disqualified now."))
    done = db.session.execute(
        update(ChallengeEntry)
        .where(ChallengeEntry.id == entry.id, ChallengeEntry.disqualified_at.is_(None))
        .values(disqualified_at=now, disqualified_by_id=actor.id, disqualify_reason=reason)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Conflict(_("This entry was already disqualified."))
    audit.record(actor, "challenge.disqualify", event, reason=reason,
                 after={"entry": entry.id, "title": entry.title, "entrant": entry.user_id},
                 now=now)
    notifications.notify(entry.user, NotificationKind.EVENT, "challenge.disqualified",
                         {"title": event.title, "entry": entry.title, "reason": reason},
                         f"{event.url}/entries", now=now)
    commit()
    db.session.refresh(entry)


def parse_places(raw: list[str], event: Event) -> list[ChallengeEntry]:
    """The winners in order from the form's first, second and third choice (the later two may
    be empty). Refuses (400): no first place, an unknown or disqualified entry, one entry
    twice."""
    chosen: list[ChallengeEntry] = []
    by_id = {entry.id: entry for entry in entries(event)}
    for index, value in enumerate(raw[:PLACES]):
        value = (value or "").strip()
        if not value:
            continue
        entry = by_id.get(int(value)) if value.isascii() and value.isdigit() else None
        if entry is None or entry.is_disqualified:
            raise InvalidField("place", _("Choose the winners from the entries in the running."))
        if entry in chosen:
            raise InvalidField("place", _("An entry can win only one place."))
        if index != len(chosen):
            raise InvalidField("place", _("Fill the places in order: first, then second, then "
                                          "third."))
        chosen.append(entry)
    if not chosen:
        raise InvalidField("place", _("Choose at least the winner."))
    return chosen


def _results_post(event: Event, winners: list[ChallengeEntry]) -> str:
    lines = [_("**The results of “%(title)s”**", title=md_escape(event.title)), ""]
    for place, entry in enumerate(winners, start=1):
        lines.append(_("%(place)d. [%(entry)s](/p/%(post)d) by @%(name)s",
                       place=place, entry=md_escape(entry.title), post=entry.post_id,
                       name=entry.user.username))
    lines += ["", "[{}]({}/results)".format(_("Full ranking"), event.url)]
    return "\n".join(lines)


def announce_winners(actor: User, event: Event, place_ids: list[str],
                     now: datetime | None = None) -> list[ChallengeEntry]:
    """Name up to three winners after voting closes: their places are kept for the event page,
    a post in the thread announces them, every entrant is told. Logged.

    Refuses: as ``Policy.can_moderate_event``; before voting closes (409); as
    ``parse_places`` (400); winners already announced (409), also by two moderators at once.
    """
    now = now or utcnow()
    require(Policy(actor, now).can_moderate_event(event))
    challenge = require_challenge(event)
    if challenge.phase(now) != "closed":
        raise Conflict(_("Winners can be announced once voting has closed."))
    winners = parse_places(place_ids, event)
    thread = db.session.get(Thread, event.thread_id) if event.thread_id else None
    if thread is None or thread.is_deleted:
        raise Conflict(_("This contest has no thread to announce the winners in."))
    done = db.session.execute(
        update(Challenge)
        .where(Challenge.event_id == event.id, Challenge.winners_announced_at.is_(None))
        .values(winners_announced_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise Conflict(_("The winners of this contest are already announced."))
    try:
        for place, entry in enumerate(winners, start=1):
            db.session.execute(update(ChallengeEntry).where(ChallengeEntry.id == entry.id)
                               .values(place=place).execution_options(synchronize_session=False))
        post = posting.reply_within(actor, thread, _results_post(event, winners), now,
                                    paced=False)
        db.session.execute(update(Challenge).where(Challenge.event_id == event.id)
                           .values(announcement_post_id=post.id)
                           .execution_options(synchronize_session=False))
        audit.record(actor, "challenge.winners", event,
                     after={"places": [entry.id for entry in winners]}, now=now)
        told: set[int] = set()
        for entry in entries(event):
            if entry.user_id in told:
                continue
            told.add(entry.user_id)
            notifications.notify(entry.user, NotificationKind.EVENT, "challenge.results",
                                 {"title": event.title}, f"{event.url}/results", actor=actor,
                                 now=now)
    except BaseException:
        db.session.rollback()
        raise
    commit()
    return winners


def podium(event: Event) -> list[ChallengeEntry]:
    """The announced winners by place (empty until announced)."""
    return [entry for entry in sorted(entries(event), key=lambda e: e.place or 0)
            if entry.place is not None]


@data_export.section("contest_entries")
def export_entries(user: User) -> list[dict]:
    """The member's contest entries with their votes and places: one query."""
    rows = db.session.execute(
        select(ChallengeEntry, Event.title).join(Event, Event.id == ChallengeEntry.event_id)
        .where(ChallengeEntry.user_id == user.id).order_by(ChallengeEntry.id))
    return [{"event_id": entry.event_id, "event_title": title, "title": entry.title,
             "post_id": entry.post_id, "entered_at": data_export.iso(entry.created_at),
             "votes": entry.vote_count, "place": entry.place,
             "disqualified_at": data_export.iso(entry.disqualified_at),
             "disqualify_reason": entry.disqualify_reason}
            for entry, title in rows]


@data_export.section("contest_votes")
def export_votes(user: User) -> list[dict]:
    """Which entries the member voted for: one query."""
    rows = db.session.execute(
        select(ChallengeVote.event_id, ChallengeEntry.title, ChallengeVote.created_at)
        .join(ChallengeEntry, ChallengeEntry.id == ChallengeVote.entry_id)
        .where(ChallengeVote.user_id == user.id).order_by(ChallengeVote.id))
    return [{"event_id": row.event_id, "entry": row.title,
             "voted_at": data_export.iso(row.created_at)} for row in rows]
