"""What an event page shows of its contest or expert Q&A: the schedule and podium, the
experts. Nothing for other kinds, so their pages cost no query more."""
from __future__ import annotations

from ...models import Event, EventKind
from . import challenge_votes, challenges, expert_qa


def panel(event: Event) -> dict:
    if event.kind == EventKind.CONTEST:
        challenge = challenges.get_challenge(event)
        announced = challenge is not None and challenge.winners_announced_at is not None
        return {"challenge": challenge,
                "podium": challenge_votes.podium(event) if announced else []}
    if event.kind == EventKind.QA:
        return {"experts": expert_qa.experts(event)}
    return {}
