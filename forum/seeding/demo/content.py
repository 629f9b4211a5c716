"""The demo's content sets, one a language: the people, boards, thread files and the words
of the moderation week, the calmed and tidied threads, the calendar and the desk.

The machinery (the planner, the seed, the scenes' order and timing) is the same for every
set; the language only picks which words and which cast it plays.
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable

from ...models import Access
from .. import DEMO_LANGUAGES
from . import (
    answering,
    calming,
    de,
    engaging,
    gatherings,
    library,
    moderation,
    people,
    polling,
    tidying,
)
from .script import CategorySpec, Person, ThreadScript


@dataclass(frozen=True)
class ContentSet:
    language: str
    categories: tuple[CategorySpec, ...]
    people: tuple[Person, ...]
    threads: Traversable  # the folder of thread files, one subfolder a board
    week: moderation.Week
    heated: calming.Heated
    tidied: tidying.Tidied
    calendar: gatherings.Calendar
    desk: answering.Answering
    polled: polling.Polled
    engaging: engaging.Engaging

    @property
    def cast(self) -> library.Cast:
        return library.Cast.of(self.categories, self.people)

    @property
    def newcomers(self) -> tuple[Person, ...]:
        return self.week.newcomers

    @property
    def staff_board(self) -> str:
        return next(board.slug for category in self.categories for board in category.boards
                    if board.access == Access.STAFF)

    def scripts(self) -> tuple[ThreadScript, ...]:
        return library.load(self.threads, self.cast)


SETS = {
    "en": ContentSet("en", people.CATEGORIES, people.PEOPLE, library.THREADS_DIR,
                     moderation.ENGLISH, calming.ENGLISH, tidying.ENGLISH, gatherings.ENGLISH,
                     answering.ENGLISH, polling.ENGLISH, engaging.ENGLISH),
    "de": ContentSet("de", de.CATEGORIES, de.PEOPLE, de.THREADS_DIR,
                     de.WEEK, de.HEATED, de.TIDIED, de.CALENDAR, de.DESK, de.POLLED,
                     de.ENGAGING),
}
if tuple(SETS) != DEMO_LANGUAGES:  # pragma: no cover - a set added in one place only
    raise RuntimeError(f"demo content sets {tuple(SETS)} differ from {DEMO_LANGUAGES}")


def get(language: str) -> ContentSet:
    try:
        return SETS[language]
    except KeyError:
        raise ValueError(f"No demo community in {language!r}; there is one in "
                         f"{', '.join(SETS)}.") from None
