"""Turning thread scripts into a timeline of dated actions.

Everything is decided here, before anything is written, so the seed can replay the whole
community in date order: boards' and threads' "latest post" pointers then come out right
through the ordinary posting services.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ...common import markup
from ...models import Access
from .script import BoardSpec, Person, ThreadScript

# The demo covers about two months; nothing lands in the last few minutes before "now".
SPAN_DAYS = 58
MARGIN = timedelta(minutes=5)


@dataclass
class Step:
    """One dated action. ``kind`` is create, reply, edit, delete or lock."""

    at: datetime
    kind: str
    thread: int  # index into the script list
    post: int = 0  # index within the thread; 0 is the opening post
    actor: str = ""
    title: str = ""
    body: str = ""
    reason: str = ""
    pinned: bool = False


def _natural_gap(rng: random.Random) -> float:
    """Hours between two posts: mostly within the evening, sometimes the next day or later."""
    roll = rng.random()
    if roll < 0.55:
        return rng.uniform(0.15, 3)
    if roll < 0.85:
        return rng.uniform(3, 14)
    if roll < 0.97:
        return rng.uniform(14, 40)
    return rng.uniform(48, 96)


def _first_paragraph(body: str) -> str:
    return body.strip().split("\n\n", 1)[0]


class Planner:
    def __init__(self, rng: random.Random, now: datetime, people: tuple[Person, ...],
                 boards: dict[str, BoardSpec]) -> None:
        self.rng = rng
        self.now = now
        self.people = {person.username: person for person in people}
        self.boards = boards
        self.staff = [p.username for p in people if p.role in {"moderator", "admin"}]
        self.members = [p for p in people if p.role == "member"]

    # -- who writes an unattributed reply ---------------------------------------------------
    def _pick_author(self, board: BoardSpec, at: datetime, avoid: set[str]) -> str:
        if board.access == Access.STAFF or board.is_read_only:
            choices = [name for name in self.staff if name not in avoid] or self.staff
            return self.rng.choice(choices)
        # Only people who had joined by then, so nobody's first post predates their arrival.
        joined = [
            p for p in self.members
            if p.username not in avoid and self.now - timedelta(days=p.joined_days_ago) < at
        ]
        weights = [p.chattiness for p in joined]
        return self.rng.choices(joined, weights=weights)[0].username

    # -- when things happen -----------------------------------------------------------------
    def _times(self, script: ThreadScript) -> list[datetime]:
        rng = self.rng
        day = script.day if script.day is not None else rng.uniform(2, SPAN_DAYS)
        start = self.now - timedelta(days=day, hours=rng.uniform(-3, 3))
        count = len(script.replies)
        gaps = []
        for reply in script.replies:
            if reply.after is not None:
                gaps.append(reply.after)
            elif script.span_days:
                gaps.append(rng.uniform(0.3, 1.7) * script.span_days * 24 / count)
            else:
                gaps.append(_natural_gap(rng))
        room = (self.now - MARGIN - start).total_seconds() / 3600
        total = sum(gaps)
        if total > room * 0.95:
            # Squeeze a conversation that would otherwise run into the future.
            gaps = [gap * room * 0.9 / total for gap in gaps]
        times = [start]
        for gap in gaps:
            times.append(times[-1] + timedelta(hours=gap))
        return times

    def _later(self, at: datetime, low: float, high: float,
               hours: float | None = None) -> datetime:
        hours = self.rng.uniform(low, high) if hours is None else hours
        return min(at + timedelta(hours=hours), self.now - MARGIN / 2)

    # -- the plan -----------------------------------------------------------------------------
    def plan(self, scripts: list[ThreadScript]) -> list[Step]:
        steps: list[Step] = []
        for index, script in enumerate(scripts):
            steps.extend(self._plan_thread(index, script))
        steps.sort(key=lambda step: step.at)
        return steps

    def _plan_thread(self, index: int, script: ThreadScript) -> list[Step]:
        board = self.boards[script.board]
        times = self._times(script)
        authors = [script.author]
        sources = [script.body]
        steps = [Step(times[0], "create", index, 0, script.author, script.title, script.body,
                      pinned=script.pinned)]
        later: list[Step] = []
        if script.edit:
            later.append(Step(self._later(times[0], 0.5, 8, script.edit_after), "edit", index,
                              0, script.author, body=f"{script.body}\n\n{script.edit}"))
        for number, reply in enumerate(script.replies, start=1):
            at = times[number]
            author = reply.author or self._pick_author(board, at, {authors[-1], script.author})
            body = reply.body
            if reply.quote is not None:
                quoted = reply.quote_text or _first_paragraph(sources[reply.quote])
                name = self.people[authors[reply.quote]].display_name
                body = markup.quote(name, quoted) + body
            authors.append(author)
            sources.append(reply.body)
            steps.append(Step(at, "reply", index, number, author, body=body))
            if reply.edit or reply.replace:
                new_body = body
                if reply.replace:
                    old, new = reply.replace
                    if old not in new_body:
                        # A silent no-op would leave the demo without the edit it promises.
                        raise ValueError(f"{script.title!r}: no {old!r} to replace")
                    new_body = new_body.replace(old, new)
                if reply.edit:
                    new_body = f"{new_body}\n\n{reply.edit}"
                later.append(Step(self._later(at, 0.1, 6, reply.edit_after), "edit", index, number,
                                  reply.edited_by or author, body=new_body,
                                  reason=reply.edit_reason or ""))
            if reply.deleted:
                later.append(Step(self._later(at, 0.2, 5), "delete", index, number,
                                  reply.deleted_by or author, reason=reply.deleted))
        steps.extend(later)
        if script.locked:
            last = max(step.at for step in steps)
            steps.append(Step(self._later(last, 1, 10), "lock", index, actor="mod",
                              reason=script.locked))
        return steps
