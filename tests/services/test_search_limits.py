"""Search limits: a query whose cost has no bound is refused before it runs, and every query's
work is bounded (wildcard expansions, postings read, time)."""
from __future__ import annotations

import string
import time

import pytest

from forum.services.search import limits, query, sync
from forum.services.search.index import parse_query, run

from .. import factories

pytestmark = [pytest.mark.search, pytest.mark.engines]

# 40 infix wildcards within the 200-character limit: the query that took seconds.
INFIXES = " ".join(f"*{string.ascii_lowercase[n % 26]}{n // 26}*" for n in range(40))


def find(actor, q, **params):
    return query.search(actor, query.SearchParams(q=q, **params))


def ids(outcome):
    assert outcome.error is None, outcome.error
    return [hit.post.id for hit in outcome.hits]


@pytest.fixture
def board(app):
    return factories.make_board(slug="workshop", title="Workshop")


@pytest.fixture
def thread(board, member):
    return factories.make_thread(board, member, title="Soldering station",
                                 body="My soldering iron needs a new tip.")


def test_forty_infix_wildcards_are_refused(thread):
    assert INFIXES.count("*") == 80 and len(INFIXES) <= 200
    outcome = find(None, INFIXES)
    assert outcome.hits is None
    assert "can only end a word of at least 3 letters" in outcome.error


@pytest.mark.parametrize("text", ["*der", "sol*ing", "*old*", "title:*ing", "author:*em*",
                                  "so*", "ab*", "iron so*"])
def test_leading_inner_and_short_wildcards_are_refused(thread, text):
    outcome = find(None, text)
    assert outcome.hits is None and "can only end a word" in outcome.error


def test_a_stemmer_never_shortens_a_wildcard_below_what_was_typed(thread):
    assert "title_en:bas*" in str(parse_query("bas*"))
    assert find(None, "bas*").error is None


@pytest.mark.parametrize("text", ["[a TO z]", "{a TO z}", "[a TO]", "iron [b TO y]",
                                  "author:[a TO z]", "created:[2020 TO 2021]"])
def test_ranges_are_refused(thread, text):
    outcome = find(None, text)
    assert outcome.hits is None and "Ranges such as" in outcome.error


def test_a_trailing_wildcard_still_finds_and_marks(thread):
    outcome = find(None, "solder*")
    assert ids(outcome) == [thread.first_post_id]
    assert "<mark>soldering</mark>" in str(outcome.hits[0].snippet)
    assert ids(find(None, "title:stat*")) == [thread.first_post_id]


def test_a_question_mark_is_punctuation(thread):
    assert ids(find(None, "new tip?")) == [thread.first_post_id]


def test_too_many_words_or_wildcards_are_refused(thread):
    sixteen = " OR ".join(f"word{n}x" for n in range(limits.MAX_WORDS))
    assert find(None, sixteen).error is None
    outcome = find(None, sixteen + " OR iron")
    assert outcome.error == f"A search can have at most {limits.MAX_WORDS} words."
    three = "solder* stat* iro*"
    assert ids(find(None, three)) == [thread.first_post_id]
    outcome = find(None, three + " tip*")
    assert outcome.error == "A search can have at most 3 words ending in “*”."


@pytest.mark.whoosh
def test_a_wildcard_stands_for_its_most_frequent_words_only(board, member):
    many = " ".join(f"zorb{n:02d}x" for n in range(limits.MAX_EXPANSIONS + 10))
    crowded = factories.make_thread(board, member, title="Words", body=many)
    favourites = [factories.make_thread(board, member, title=f"Favourite {n}",
                                        body="zorbzzz again") for n in range(2)]
    searcher = sync.current_index().searcher()
    expanded = limits.expanded(searcher.reader(), parse_query("zorb*"))
    body_terms = [leaf.text for leaf in expanded.leaves() if leaf.fieldname == "body_en"]
    assert len(body_terms) == limits.MAX_EXPANSIONS
    # The word in two posts comes first, though it sorts last.
    assert body_terms[0] == "zorbzzz"
    found = ids(find(None, "zorb*"))
    assert set(found) == {crowded.first_post_id, *(t.first_post_id for t in favourites)}


@pytest.mark.whoosh
def test_a_query_over_its_postings_budget_is_too_broad(thread, monkeypatch):
    assert find(None, "soldering OR iron").error is None
    monkeypatch.setattr(limits, "RANKED_BUDGET", 1)
    outcome = find(None, "soldering OR iron")
    assert outcome.hits is None and "too broad" in outcome.error
    # Phrases go through Whoosh's matchers and have a budget of their own.
    assert find(None, '"soldering iron"').error is None
    monkeypatch.setattr(limits, "WHOOSH_BUDGET", 1)
    assert "too broad" in find(None, '"soldering iron"').error


@pytest.mark.whoosh
@pytest.mark.parametrize("text", ["soldering", '"soldering iron"', "iron NOT copper"])
def test_a_search_past_its_time_limit_is_too_broad(thread, text):
    searcher = sync.current_index().searcher()
    ready = limits.expanded(searcher.reader(), parse_query(text))
    assert run(searcher, ready, deadline=time.monotonic() + 60).total == 1
    with pytest.raises(limits.TooBroad):
        run(searcher, ready, deadline=time.monotonic() - 1)
