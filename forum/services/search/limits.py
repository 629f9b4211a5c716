"""How much work one search may ask for.

A query is refused before it runs when it asks for something whose cost has no bound: a
leading or inner wildcard (``*a*`` reads every word of the index), a range (``[a TO z]``), a
trailing wildcard on fewer than ``MIN_PREFIX`` letters, or more than ``MAX_WORDS`` words. What
is left is bounded three ways:

- a trailing wildcard (``solder*``) stands for at most ``MAX_EXPANSIONS`` words per field: the
  most frequent of the first ``SCAN_TERMS`` the index holds with that beginning, in each
  segment. It is then searched as those words joined by OR, so it is ranked like any word;
- the postings the query would read (one per post and word, and ``WORD_COST`` per word) are
  counted before it runs, and a query over the budget is refused as too broad; queries that
  ``rank`` cannot score (phrases, NOT, boosts, ``author:``) go through Whoosh's matchers,
  several times slower per posting, and get a smaller budget;
- the search itself stops at ``TIME_LIMIT`` seconds (a busy machine) and is refused as too
  broad rather than answered with a partial, misranked page.
"""
from __future__ import annotations

import heapq
import time

from flask_babel import gettext as _
from flask_babel import ngettext
from whoosh import collectors, query

from ...common.numfmt import number

MIN_PREFIX = 3  # letters before a trailing "*"
MAX_WORDS = 16
MAX_WILDCARDS = 3  # words ending in "*" in one search
MAX_EXPANSIONS = 20  # words a trailing wildcard stands for, per field
SCAN_TERMS = 500  # words looked at per field and segment to choose them
RANKED_BUDGET = 60_000  # postings a query ``rank`` scores may read
WHOOSH_BUDGET = 10_000  # postings a query left to Whoosh's matchers may read
# What looking up one word costs (its scorer, its statistics), counted as this many postings:
# three wildcards standing for 20 words in each of four fields are 240 words to look up.
WORD_COST = 150
TIME_LIMIT = 0.5  # seconds


class QuerySyntaxError(ValueError):
    """A query we cannot make sense of; the message is written for the person who typed it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TooBroad(QuerySyntaxError):
    """A query within the rules that would still cost too much to answer."""

    def __init__(self) -> None:
        super().__init__(_("This search is too broad to answer quickly. Try rarer words, fewer "
                           "alternatives with OR, or more letters before a “*”."))


def nothing_to_search() -> str:
    return _("There is nothing to search for: the words are too common or only operators. "
             "Try more specific words.")


def _wildcard_message() -> str:
    return _("A “*” can only end a word of at least %(min)s letters, as in “solder*”; it can't "
             "start a word or stand inside one.", min=number(MIN_PREFIX))


def check(parsed: query.Query) -> None:
    """Refuse what a parsed query asks for that has no bound on its cost."""
    for leaf in parsed.leaves():
        if isinstance(leaf, query.RangeMixin):
            raise QuerySyntaxError(_("Ranges such as “[a TO z]” can't be searched. To search "
                                     "by date, use the “From” and “To” fields."))
        if isinstance(leaf, query.Prefix):
            if len(leaf.text) < MIN_PREFIX:
                raise QuerySyntaxError(_wildcard_message())
        elif isinstance(leaf, query.PatternQuery):  # Wildcard, Regex
            raise QuerySyntaxError(_wildcard_message())


def words(parsed: query.Query) -> int:
    """The distinct words and phrases of a parsed query (a word searched in title and body
    counts once)."""
    return len({(type(leaf).__name__, tuple(getattr(leaf, "words", ())) or leaf.text)
                for leaf in parsed.leaves()})


def check_size(parts: list[query.Query]) -> None:
    """Refuse too many words, or too many wildcards; ``parts`` are the parsed query per
    language (a stop word in one language may be a word in the other)."""
    if min(words(part) for part in parts) > MAX_WORDS:
        raise QuerySyntaxError(ngettext("A search can have at most %(num)d word.",
                                        "A search can have at most %(num)d words.", MAX_WORDS))
    prefixes = min(len({leaf.text for leaf in part.leaves() if isinstance(leaf, query.Prefix)})
                   for part in parts)
    if prefixes > MAX_WILDCARDS:
        raise QuerySyntaxError(ngettext("A search can have at most %(num)d word ending in “*”.",
                                        "A search can have at most %(num)d words ending in “*”.",
                                        MAX_WILDCARDS))


# -- at search time, against the index ----------------------------------------------------------
def completions(reader, fieldname: str, prefix: str) -> list[str]:
    """The words (at most ``MAX_EXPANSIONS``, most frequent first) a trailing wildcard stands
    for. Segment by segment: Whoosh's merged view of the segments costs several times more per
    word."""
    frequency: dict[str, int] = {}
    for leaf, _offset in reader.leaf_readers():
        for n, (text, info) in enumerate(leaf.iter_prefix(fieldname, prefix)):
            if n >= SCAN_TERMS:
                break
            word = text.decode("utf-8") if isinstance(text, bytes) else text
            frequency[word] = frequency.get(word, 0) + info.doc_frequency()
    best = heapq.nsmallest(MAX_EXPANSIONS, frequency.items(), key=lambda item: (-item[1], item[0]))
    return [word for word, _count in best]


def expanded(reader, q: query.Query) -> query.Query:
    """``q`` with every trailing wildcard replaced by the words it stands for, joined by OR."""
    if isinstance(q, query.Prefix):
        found = completions(reader, q.fieldname, q.text)
        if not found:  # matches nothing, as a word nobody wrote
            return query.Term(q.fieldname, q.text, boost=q.boost)
        terms = [query.Term(q.fieldname, word) for word in found]
        return terms[0] if len(terms) == 1 else query.Or(terms, boost=q.boost)
    return q.apply(lambda sub: expanded(reader, sub))


def postings(reader, q: query.Query) -> int:
    """How many postings running ``q`` reads at most: each word's number of posts, summed,
    and ``WORD_COST`` for each word looked up."""
    total = 0
    for leaf in q.leaves():
        if isinstance(leaf, query.Term):
            total += WORD_COST + reader.doc_frequency(leaf.fieldname, leaf.text)
        elif isinstance(leaf, query.Phrase):
            total += sum(WORD_COST + reader.doc_frequency(leaf.fieldname, word)
                         for word in leaf.words)
        elif isinstance(leaf, query.MultiTerm | query.Every):
            raise TooBroad  # refused when parsing; never run one unbounded
    return total


def within_budget(reader, q: query.Query, ranked: bool) -> None:
    if postings(reader, q) > (RANKED_BUDGET if ranked else WHOOSH_BUDGET):
        raise TooBroad


def deadline(seconds: float = TIME_LIMIT) -> float:
    return time.monotonic() + seconds


class DeadlineCollector(collectors.WrappingCollector):
    """Stops a Whoosh search at ``deadline`` (``time.monotonic()``) with ``TimeLimit``. Checks
    the clock every 256 matches and before the first, in this thread: no timer thread and no
    signal, which only the main thread may take. Wrap it innermost (inside a
    ``FilterCollector``), since a wrapper's own filtering is done in its ``collect_matches``."""

    def __init__(self, child, deadline: float) -> None:
        self.child = child
        self.deadline = deadline

    def matches(self):
        for n, sub_docnum in enumerate(self.child.matches()):
            if not n & 255 and time.monotonic() > self.deadline:
                raise collectors.TimeLimit
            yield sub_docnum
