"""Helpers shared by the contest and expert Q&A tests: a contest on a fixed schedule, a Q&A
with an expert."""
from __future__ import annotations

from datetime import timedelta

from forum.services.community import challenges, expert_qa
from tests import factories
from tests.services.event_kit import T0, local_text, make_event

OPENS = T0 + timedelta(hours=1)
CLOSES = T0 + timedelta(days=2)
VOTING_CLOSES = T0 + timedelta(days=4)
DURING_ENTRIES = T0 + timedelta(days=1)
DURING_VOTING = T0 + timedelta(days=3)
AFTER = T0 + timedelta(days=5)


def schedule_data(votes: str = "2", one_each: bool = True, **overrides):
    fields = {"entries_open_at": local_text(OPENS), "entries_close_at": local_text(CLOSES),
              "voting_close_at": local_text(VOTING_CLOSES), "votes_per_member": votes,
              "one_entry_per_member": one_each}
    fields.update(overrides)
    return challenges.ChallengeData(**fields)


def make_contest(board=None, moderator=None, votes: str = "2", one_each: bool = True):
    moderator = moderator or factories.make_user(role="moderator")
    event = make_event(moderator, board, kind="contest", title="Photo challenge")
    challenges.schedule(moderator, event, schedule_data(votes, one_each), now=T0)
    return event


def make_qa(board=None, moderator=None, expert=None):
    """A Q&A starting a week after T0, lasting two hours, with ``expert`` (made if None)."""
    moderator = moderator or factories.make_user(role="moderator")
    event = make_event(moderator, board, kind="qa", title="Ask a luthier")
    expert = expert or factories.make_established_user()
    expert_qa.add_expert(moderator, event, expert.username, now=T0)
    return event, expert


def voter(**fields):
    """A member old enough to vote."""
    return factories.make_established_user(**fields)
