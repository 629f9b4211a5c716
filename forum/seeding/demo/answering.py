"""The demo's desk: what waits for the team's answer when the demo moderator logs in.

The threads already hold most of it: a question board with questions, a few threads nobody
answered (of different ages), a new member's first post. This scene adds what only happens
on the site: two askers' questions marked solved (one by the asker, one by a moderator), the
hothead's appeal of his timeout, a member's question under the challenge starting tomorrow,
and two items the team shared out on the desk (each assignee told).

Played after the calendar and dated in its last minutes, in order, through the ordinary
services, so the moderation log keeps reading as a story.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...models import Event, Post, Thread, User
from ...policy import Policy, standing
from ...services.content import answers, posting
from ...services.desk import actions, listing
from ...services.moderation import appeals
from .gatherings import Calendar, Clock
from .moderation import Week


@dataclass(frozen=True)
class Answering:
    """The scene's words and targets in one language. Threads are named by title; an answer
    by the number of its reply in the thread file (1 is the first reply)."""

    solved_by_asker: tuple[str, int]
    solved_by_team: tuple[str, int]
    unsolved: str  # a question with replies but no answer yet: given to the moderator
    unanswered: str  # a thread with no reply: the moderator gives it to the administrator
    appeal: str  # the hothead's appeal of his timeout
    event_question: tuple[str, str]  # (author, text) under the challenge starting tomorrow


ENGLISH = Answering(
    solved_by_asker=("Which flux for SMD rework: paste, gel or a flux pen?", 2),
    solved_by_team=("How do I pass a USB Zigbee stick through to an LXC container?", 1),
    unsolved="Why does my multimeter show 0.3 V on a wire that isn't connected?",
    unanswered="Shutting down Proxmox cleanly when the UPS battery runs low",
    appeal=(
        "I accept the warning, but three days for one blunt reply is a lot. I've been "
        "helping in the printing threads for weeks. Could the timeout be shortened to a day? "
        "I'll keep it technical."),
    event_question=("gus", "Can a project I started last month still be entered, if I "
                           "finish it during the challenge?"),
)


def _thread(title: str) -> Thread:
    return db.session.scalar(select(Thread).where(Thread.title == title))


def _reply(title: str, number: int) -> Post:
    thread = _thread(title)
    return db.session.scalar(select(Post).where(Post.thread_id == thread.id,
                                                Post.position == number + 1))


def _assign(actor: User, code: str, thread: Thread, to: User, at: datetime) -> None:
    item = listing.get_item(Policy(actor, at), code, thread.id, now=at)
    actions.assign(actor, item, item.version, to, now=at)


def play(users: dict[str, User], now: datetime, scene: Answering, week: Week,
         calendar: Calendar) -> int:
    """Write the scene; returns how many desk items were shared out."""
    clock = Clock(now, 7)
    mod, admin = users["mod"], users["admin"]

    title, number = scene.solved_by_asker
    answer = _reply(title, number)
    answers.mark_answer(answer.thread.author, answer, now=clock.tick())
    title, number = scene.solved_by_team
    answers.mark_answer(mod, _reply(title, number), now=clock.tick())

    hothead = users[week.hothead]
    at = clock.tick()
    [timeout] = standing.active_sanctions(hothead, at)
    appeals.submit(hothead, timeout, scene.appeal, now=at)

    contest = db.session.scalar(select(Event).where(Event.title == calendar.contest.title))
    author, text = scene.event_question
    posting.reply(users[author], contest.thread, text, now=clock.tick())

    _assign(admin, "question", _thread(scene.unsolved), mod, clock.tick())
    _assign(mod, "unanswered", _thread(scene.unanswered), admin, clock.tick())
    return 2
