"""What a poll may be: the checks shared by a new thread's poll, one added later and an
edit. Each refusal names the form field it belongs under (``poll_…``)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _

from ....errors import InvalidField
from ....models import ResultsShown

QUESTION_MAX = 300
OPTION_MAX = 200
OPTIONS_MIN = 2
OPTIONS_MAX = 20
# Ends lie at most a year ahead, like the forum's other timed things.
CLOSES_AHEAD_MAX = timedelta(days=365)


@dataclass(frozen=True)
class PollSpec:
    question: str
    options: tuple[str, ...]
    max_choices: int = 1
    results_shown: str = ResultsShown.ALWAYS.value
    is_public: bool = False
    is_changeable: bool = True
    closes_at: datetime | None = None


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def clean_question(text: str | None) -> str:
    question = _one_line(text)
    if not question:
        raise InvalidField("poll_question", _("A poll needs a question."))
    if len(question) > QUESTION_MAX:
        raise InvalidField("poll_question", _("A poll's question can be at most %(num)d "
                                              "characters.", num=QUESTION_MAX))
    return question


def split_options(text: str | None) -> tuple[str, ...]:
    """One option a line; empty lines don't count."""
    return tuple(line for line in (_one_line(raw) for raw in (text or "").splitlines()) if line)


def clean_options(text: str | None) -> tuple[str, ...]:
    options = split_options(text)
    if len(options) < OPTIONS_MIN or len(options) > OPTIONS_MAX:
        raise InvalidField("poll_options", _(
            "A poll has %(min)d to %(max)d options, one a line; this one has %(num)d.",
            min=OPTIONS_MIN, max=OPTIONS_MAX, num=len(options)))
    _check_labels(options)
    return options


def _check_labels(options: tuple[str, ...]) -> None:
    for option in options:
        if len(option) > OPTION_MAX:
            raise InvalidField("poll_options", _(
                "Each option can be at most %(num)d characters.", num=OPTION_MAX))
    folded = [option.casefold() for option in options]
    if len(set(folded)) != len(folded):
        raise InvalidField("poll_options", _("Each option can appear only once."))


def relabel(text: str | None, count: int) -> tuple[str, ...]:
    """New wording for a poll's existing options: one line for each, in their order."""
    options = split_options(text)
    if len(options) != count:
        raise InvalidField("poll_options", _(
            "Keep one line for each of the poll's %(num)d options, in their order.",
            num=count))
    _check_labels(options)
    return options


def clean_max_choices(multiple: bool, max_choices: int | None, option_count: int) -> int:
    if not multiple:
        return 1
    if max_choices is None:
        return option_count
    if max_choices < 1 or max_choices > option_count:
        raise InvalidField("poll_max_choices", _(
            "Choose a maximum between 1 and the number of options (%(num)d).",
            num=option_count))
    return max_choices


def clean_results_shown(value: str | None) -> str:
    if value not in {shown.value for shown in ResultsShown}:
        raise InvalidField("poll_results", _("Choose when the results are shown."))
    return value


def check_closing(closes_at: datetime | None, now: datetime) -> datetime | None:
    if closes_at is None:
        return None
    if closes_at <= now:
        raise InvalidField("poll_closes_at", _("Choose a closing time in the future."))
    if closes_at > now + CLOSES_AHEAD_MAX:
        raise InvalidField("poll_closes_at", _("A poll can close at most a year ahead."))
    return closes_at


def clean_spec(question: str | None, options: str | None, *, multiple: bool,
               max_choices: int | None, results_shown: str | None, is_public: bool,
               is_changeable: bool, closes_at: datetime | None, now: datetime) -> PollSpec:
    """A poll's parts as a form sends them, checked. Refuses (400, with the field): a missing
    or long question, fewer than 2 or more than 20 options (or repeated or long ones), a
    maximum outside 1…options, an unknown results setting, a closing time past or more than
    a year ahead."""
    cleaned = clean_options(options)
    return PollSpec(
        question=clean_question(question), options=cleaned,
        max_choices=clean_max_choices(multiple, max_choices, len(cleaned)),
        results_shown=clean_results_shown(results_shown), is_public=bool(is_public),
        is_changeable=bool(is_changeable), closes_at=check_closing(closes_at, now))
