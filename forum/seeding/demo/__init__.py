"""A living demo community: makers and home-lab tinkerers talking about their projects.

``seed()`` fills an empty forum through the ordinary services, so counters, positions and
"latest post" pointers are exactly what real use would produce. The threads are hand-written
Markdown files in ``threads/``, one a file (``library`` reads them and describes the format);
a fixed random seed picks the remaining authors and times. A last week of reports, sanctions
and notes (``moderation``) gives the moderators something to do.

The community exists in English (the default) and German: ``content`` holds a set of people,
boards, threads and scene texts for each, and the same machinery plays whichever is chosen.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import func, select

from ...common import markup
from ...common.progress import Progress, quiet
from ...extensions import db
from ...models import (
    Board,
    BoardModerator,
    Category,
    Post,
    PostRevision,
    Role,
    Thread,
    User,
    utcnow,
)
from ...services.accounts import account
from ...services.content import cooldowns, posting
from ...services.search import sync
from ...services.site import settings as site_settings
from ...stores import settings
from . import answering, calming, content, engaging, gatherings, moderation, polling, tidying
from .content import ContentSet
from .people import DEMO_LOGINS
from .plan import Planner, Step
from .script import CategorySpec, Person, ThreadScript

RANDOM_SEED = 20_240_611
RANDOM_PASSWORD_HASH = "pbkdf2:sha256:1000"
ROLES = {"member": Role.MEMBER, "moderator": Role.MODERATOR, "admin": Role.ADMIN}

Echo = Callable[[str], object]
@dataclass(frozen=True)
class SeedSummary:
    categories: int
    boards: int
    users: int
    threads: int
    posts: int
    revisions: int


def seed(echo: Echo = print, progress: Progress | None = None,
         now: datetime | None = None, lang: str = "en") -> SeedSummary | None:
    """Build the demo community in ``lang`` (a key of ``content.SETS``), or explain why not
    and change nothing.

    Only an empty forum is seeded: with any category present (the demo's or real ones), or a
    demo username already taken, it stops with a message. Returns what was created, or None.
    An unknown language is a ValueError.
    """
    now = now or utcnow()
    chosen = content.get(lang)
    refusal = _refusal(chosen)
    if refusal:
        echo(refusal)
        if _demo_present():
            _print_logins(echo)
        return None
    scripts = chosen.scripts()
    rng = random.Random(RANDOM_SEED)
    # One index rebuild at the end instead of an index commit after every post.
    # The demo writes a history dated over weeks, not live posts: no flood limits meanwhile.
    with sync.paused(), cooldowns.suspended():
        echo("Creating members…")
        users = _create_users(rng, now, chosen.people)
        boards = _create_boards(chosen.categories)
        _mark_language(chosen.language, users["admin"])
        _assign_board_moderators(users, boards, chosen.people)
        # Quotes are headed in the community's language ("schrieb:"), as its members'
        # reply forms would have written them.
        with force_locale(chosen.language):
            steps = Planner(rng, now, chosen.people, _board_specs(chosen.categories)).plan(
                list(scripts))
        _create_threads(steps, scripts, users, boards, progress or quiet)
        echo("Filling the moderation queue…")
        users.update(_create_users(rng, now, chosen.newcomers))
        queue = moderation.play(users, boards, now, chosen.week)
        calmed = calming.play(users, now, chosen.heated)
        tidying.play(users, now, chosen.tidied)
        echo("Planning events and announcements…")
        announced, planned = gatherings.play(users, boards, now, chosen.calendar)
        echo("Putting questions on the team's desk…")
        shared = answering.play(users, now, chosen.desk, chosen.week, chosen.calendar)
        echo("Opening a poll…")
        voted = polling.play(users, now, chosen.polled)
        echo("Collecting contest entries and questions for the expert…")
        # Entries and answers are headed in the community's language, as its members'
        # pages would have written them.
        with force_locale(chosen.language):
            entered, asked = engaging.play(users, boards, now, chosen.engaging)
        _settle_members(rng, users, now)
    echo("Indexing posts for search…")
    sync.rebuild()
    summary = _summary()
    echo(
        f"Seeded {summary.categories} categories, {summary.boards} boards, "
        f"{summary.users} members, {summary.threads} threads and {summary.posts} posts."
    )
    echo(
        f"Moderation: {queue.active} reports waiting, {queue.closed} handled, "
        f"{queue.sanctions} sanctions and {queue.notes} moderator notes; {calmed} heated "
        "threads calmed (slow mode, a lock for a day, a lock for good); a thread moved with "
        "a notice left behind and a repeated question merged."
    )
    echo(f"Community: {announced} announcements and {planned} upcoming events with answers; "
         f"a running poll with {voted} votes.")
    echo(f"Contest in its voting week with {entered} entries; {asked} questions waiting for "
         "the expert Q&A.")
    echo(f"Desk: questions solved and waiting, unanswered threads, an appeal; {shared} items "
         "given to a team member.")
    _print_logins(echo)
    return summary


# -- steps ----------------------------------------------------------------------------------
def _refusal(chosen: ContentSet) -> str | None:
    if db.session.scalar(select(func.count()).select_from(Category)):
        if _demo_present():
            return "The demo community is already seeded; nothing to do."
        return (
            "This forum already has categories, so seed-demo left it alone: "
            "it only fills an empty forum."
        )
    for person in (*chosen.people, *chosen.newcomers):
        if account.username_taken(person.username):
            return (
                f"A user named {person.username!r} already exists, so seed-demo left the "
                "forum alone: it only fills an empty forum."
            )
    return None


def _demo_present() -> bool:
    return all(account.username_taken(username) for username, _, _ in DEMO_LOGINS) and bool(
        db.session.scalar(select(func.count()).select_from(Board).where(
            Board.slug.in_([chosen.staff_board for chosen in content.SETS.values()])
        ))
    )


def _print_logins(echo: Echo) -> None:
    echo("Demo logins:")
    width = max(len(f"{name} / {password}") for name, password, _ in DEMO_LOGINS)
    for name, password, role in DEMO_LOGINS:
        echo(f"  {f'{name} / {password}':<{width}}  ({role})")


@contextmanager
def _hashing(method: str | None) -> Iterator[None]:
    config = current_app.config
    had, saved = "PASSWORD_HASH_METHOD" in config, config.get("PASSWORD_HASH_METHOD")
    if method:
        config["PASSWORD_HASH_METHOD"] = method
    try:
        yield
    finally:
        if had:
            config["PASSWORD_HASH_METHOD"] = saved
        else:
            config.pop("PASSWORD_HASH_METHOD", None)


def _create_users(rng: random.Random, now: datetime,
                  people: tuple[Person, ...]) -> dict[str, User]:
    passwords = {name: password for name, password, _ in DEMO_LOGINS}
    users: dict[str, User] = {}
    for person in people:
        joined = now - timedelta(days=person.joined_days_ago, hours=rng.uniform(0, 20))
        password = passwords.get(person.username)
        # Everyone without a published demo login gets a password nobody knows. A random
        # 192-bit password can't be guessed however fast the hash, so those skip the slow key
        # stretching that protects chosen passwords; it would be most of the seed's run time.
        with _hashing(None if password else RANDOM_PASSWORD_HASH):
            user = account.register(
                account.Registration(
                    username=person.username,
                    email=f"{person.username}@example.com",
                    password=password or secrets.token_urlsafe(24),
                ),
                role=ROLES[person.role],
                now=joined,
                confirmed=True,
            )
        _fill_profile(user, person)
        users[person.username] = user
    db.session.commit()
    return users


def _fill_profile(user: User, person: Person) -> None:
    user.display_name = person.display_name
    user.bio = person.bio
    user.bio_html = markup.render(person.bio)
    user.location = person.location
    user.website = person.website
    user.timezone = person.timezone


def _board_specs(categories: tuple[CategorySpec, ...]) -> dict:
    return {board.slug: board for category in categories for board in category.boards}


def _create_boards(categories: tuple[CategorySpec, ...]) -> dict[str, Board]:
    boards: dict[str, Board] = {}
    position = 0
    for category_position, spec in enumerate(categories, start=1):
        category = Category(title=spec.title, description=spec.description,
                            position=category_position)
        db.session.add(category)
        db.session.flush()
        for board_spec in spec.boards:
            position += 1
            board = Board(
                category_id=category.id,
                slug=board_spec.slug,
                title=board_spec.title,
                description=board_spec.description,
                position=position,
                access=board_spec.access,
                is_read_only=board_spec.is_read_only,
                is_questions=board_spec.is_questions,
                slow_mode_seconds=0,
                thread_count=0,
                post_count=0,
            )
            db.session.add(board)
            boards[board_spec.slug] = board
    db.session.commit()
    return boards


def _mark_language(lang: str, admin: User) -> None:
    """Make the community's language the forum's default: guests read the forum in it and
    the boards, which keep no language of their own, are searched in it.

    English is already the default, so the English demo changes nothing. The setting is
    changed the way an administrator would (and logged), an hour after the administrator
    joined: the forum was set up in this language from the start.
    """
    if lang != settings.get("default_language"):
        site_settings.update(admin, {"default_language": lang},
                             now=admin.created_at + timedelta(hours=1))


def _assign_board_moderators(users: dict[str, User], boards: dict[str, Board],
                             people: tuple[Person, ...]) -> None:
    for person in people:
        for slug in person.moderates:
            db.session.add(BoardModerator(user_id=users[person.username].id,
                                          board_id=boards[slug].id))
            users[person.username].is_board_moderator = True
    db.session.commit()


def _create_threads(steps: list[Step], scripts: tuple[ThreadScript, ...],
                    users: dict[str, User], boards: dict[str, Board],
                    progress: Progress) -> None:
    threads: dict[int, Thread] = {}
    post_ids: dict[tuple[int, int], int] = {}
    with progress(len(steps), "Writing threads") as bar:
        for step in steps:
            actor = users[step.actor]
            if step.kind == "create":
                script = scripts[step.thread]
                thread = posting.create_thread(actor, boards[script.board], step.title,
                                               step.body, now=step.at)
                if step.pinned:
                    thread.is_pinned = True
                    db.session.commit()
                threads[step.thread] = thread
                post_ids[(step.thread, 0)] = thread.first_post_id
            elif step.kind == "reply":
                post = posting.reply(actor, threads[step.thread], step.body, now=step.at)
                post_ids[(step.thread, step.post)] = post.id
            elif step.kind == "edit":
                post = db.session.get(Post, post_ids[(step.thread, step.post)])
                posting.edit_post(actor, post, step.body, now=step.at,
                                  reason=step.reason or None)
            elif step.kind == "delete":
                post = db.session.get(Post, post_ids[(step.thread, step.post)])
                posting.delete_post(actor, post, step.reason, now=step.at)
            elif step.kind == "lock":
                _lock(threads[step.thread], actor, step.reason, step.at)
            bar.update(1)


def _lock(thread: Thread, actor: User, reason: str, at: datetime) -> None:
    # Locked after its last reply: the policy would refuse replies to a locked thread.
    thread.is_locked = True
    thread.locked_reason = reason
    thread.locked_by_id = actor.id
    thread.locked_at = at
    db.session.commit()


def _settle_members(rng: random.Random, users: dict[str, User], now: datetime) -> None:
    """Join dates before each member's first post; last-seen after their latest one."""
    rows = db.session.execute(
        select(Post.author_id, func.min(Post.created_at), func.max(Post.created_at))
        .group_by(Post.author_id)
    ).all()
    activity = {author_id: (first, last) for author_id, first, last in rows}
    for user in users.values():
        first, last = activity.get(user.id, (None, None))
        if first is not None and user.created_at >= first - timedelta(hours=1):
            user.created_at = first - timedelta(hours=rng.uniform(1, 30))
        seen = (last or user.created_at) + timedelta(minutes=rng.uniform(5, 240))
        user.last_seen_at = min(seen, now)
    db.session.commit()


def _summary() -> SeedSummary:
    def count(model, *where) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where))

    return SeedSummary(
        categories=count(Category),
        boards=count(Board),
        users=count(User),
        threads=count(Thread, Thread.is_deleted.is_(False)),
        posts=count(Post, Post.is_deleted.is_(False)),
        revisions=count(PostRevision),
    )
