"""Watched words match whole words in any script and case, ``*`` inside a word only; what an
administrator typed is never a regular expression."""
from __future__ import annotations

import pytest

from forum.common.watchlist import (
    Entry,
    Watchlist,
    link_hosts,
    normalize_domain,
    normalize_pattern,
    pattern_problem,
)


def listing(*patterns: str, action: str = "review") -> Watchlist:
    return Watchlist([Entry(index, normalize_pattern(pattern), action, None, False)
                      for index, pattern in enumerate(patterns)])


def found(watch: Watchlist, text: str) -> list[str]:
    return [entry.pattern for entry in watch.find(text)]


@pytest.mark.parametrize("pattern, text", [
    ("ass", "Our class passed the assessment."),
    ("cunt", "We drove through Scunthorpe."),
    ("müll", "Herr Müller kommt morgen."),
    ("spam", "spammer"),
    ("hell", "Hello, shell user"),
    ("buy now", "buy nowhere"),
    ("a.b", "axb"),  # the dot is a dot, not "any character"
    ("c++", "c"),
])
def test_no_false_hits(pattern, text):
    assert found(listing(pattern), text) == []


@pytest.mark.parametrize("pattern, text", [
    ("ass", "What an ass!"),
    ("müll", "So ein MÜLL."),
    ("spam*", "The spammer came back"),
    ("sp*m", "spaaam and spm"),
    ("buy now", "Please BUY   now, friends"),
    ("jürgen", "jürgen!"),
    ("a.b", "see a.b here"),
    ("дурак", "Ты ДУРАК."),
])
def test_whole_words_phrases_wildcards_and_case(pattern, text):
    assert found(listing(pattern), text) == [normalize_pattern(pattern)]


def test_wildcard_stays_inside_a_word():
    assert found(listing("spam*"), "spam filter") == ["spam*"]
    assert found(listing("spam*"), "a spa") == []


def test_regex_characters_are_literal():
    watch = listing("(a|b)*")
    assert found(watch, "a b aaa") == []


def test_replace_censors_only_replace_entries():
    watch = Watchlist([Entry(1, "darn", "replace", None, False),
                       Entry(2, "heck", "replace", "h**k", False),
                       Entry(3, "spam", "flag", None, False)])
    assert watch.replace("Darn it, what the heck, spam") == "*** it, what the h**k, spam"


def test_pattern_problems():
    assert pattern_problem(normalize_pattern("*")) == "too_wild"
    assert pattern_problem(normalize_pattern("a*")) == "too_wild"
    assert pattern_problem(normalize_pattern("")) == "empty"
    assert pattern_problem(normalize_pattern("fo[o]")) == "characters"
    assert pattern_problem(normalize_pattern("Spam*  Bot")) is None
    assert normalize_pattern("Spam**  Bot") == "spam* bot"


def test_domains_match_the_host_and_its_subdomains_only():
    watch = Watchlist([Entry(1, "spam.example", "block", None, True)])
    hits = lambda text, html="": [e.pattern for e in watch.find_domains(text, html)]  # noqa: E731
    assert hits("see https://spam.example/x") == ["spam.example"]
    assert hits("see http://www.SPAM.example:8080/") == ["spam.example"]
    assert hits("see www.spam.example today") == ["spam.example"]
    assert hits("", '<a href="https://a.b.spam.example/">x</a>') == ["spam.example"]
    assert hits("see https://notspam.example/ and https://spam.example.org/") == []
    assert hits("spam.example without a link") == []


def test_normalize_domain():
    assert normalize_domain("https://Spam.Example/path") == "spam.example"
    assert normalize_domain("*.spam.example") == "spam.example"
    assert normalize_domain("bücher.example") == "xn--bcher-kva.example"
    assert link_hosts("[x](https://bücher.example/)") == {"xn--bcher-kva.example"}
