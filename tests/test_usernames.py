"""The rules for usernames in any script: what may be one, the key that makes two spellings one
name, and the skeleton that makes two names look alike."""
from __future__ import annotations

import pytest

from forum.common import usernames
from forum.common.usernames import Problem


@pytest.mark.parametrize("name", [
    "jürgen.müller", "zoë", "Ærøskøbing", "José-María", "user_01",
    "Дмитрий", "Σωκράτης", "东京太郎", "ユーザー", "김민준", "हिन्दी", "محمد", "שרה",
    "x" * 32,
    "e\u0301" * 32,  # decomposed: 64 typed, 32 once normalised
    "Straße",
])
def test_names_in_any_script_are_accepted(name):
    assert usernames.problem(name) is None


@pytest.mark.parametrize(("name", "problem"), [
    ("abc\u202edef", Problem.INVISIBLE),  # right-to-left override
    ("abc\u200fdef", Problem.INVISIBLE),  # right-to-left mark
    ("\u2066abc\u2069", Problem.INVISIBLE),  # isolates
    ("ab\u200dcd", Problem.INVISIBLE),  # zero-width joiner
    ("ab\u200bcd", Problem.INVISIBLE),  # zero-width space
    ("ab\u00adcd", Problem.INVISIBLE),  # soft hyphen
    ("ab\ufeffcd", Problem.INVISIBLE),  # byte order mark
    ("abc\ufe0f", Problem.INVISIBLE),  # variation selector
    ("\u3164\u3164\u3164", Problem.INVISIBLE),  # Hangul fillers: letters that draw nothing
    ("ab\x07cd", Problem.INVISIBLE),
    ("two words", Problem.SPACE),
    ("two\u00a0words", Problem.SPACE),
    ("two\u3000words", Problem.SPACE),
    ("two\twords", Problem.SPACE),
    ("\u0301\u0308\u0302", Problem.LONE_MARK),  # accent marks only
    ("abc_\u0301", Problem.LONE_MARK),
    ("a" + "\u0301" * 6 + "bc", Problem.STACKED_MARKS),
    ("ab!", Problem.CHARACTER),
    ("a/b/c", Problem.CHARACTER),
    ("<script>", Problem.CHARACTER),
    ("smile😀", Problem.CHARACTER),
    ("\ue000abc", Problem.CHARACTER),  # private use
    ("ab", Problem.LENGTH),
    ("x" * 33, Problem.LENGTH),
    ("", Problem.LENGTH),
    ("ß" * 17, Problem.FOLDED_LENGTH),  # 17 characters, but 34 once folded
])
def test_refused_names_say_why(name, problem):
    assert usernames.problem(name) == problem


def test_what_is_stored_is_the_nfkc_form_of_what_was_typed():
    assert usernames.normalise("  Ju\u0308rgen ") == "Jürgen"
    assert usernames.normalise("ｊｕｅｒｇｅｎ") == "juergen"  # full-width letters
    assert usernames.normalise("Zoë") == "Zoë"


def test_one_key_for_every_case_and_normalisation():
    spellings = ["Jürgen", "JÜRGEN", "jürgen", "Ju\u0308rgen", "JU\u0308RGEN", "ｊüｒｇｅｎ"]
    assert {usernames.key(name) for name in spellings} == {"jürgen"}
    assert usernames.key("Straße") == usernames.key("STRASSE") == "strasse"
    assert usernames.key("ΣΩΚΡΆΤΗΣ") == usernames.key("σωκράτης")
    assert usernames.key("Jürgen") != usernames.key("Jurgen")


@pytest.mark.parametrize("lookalike", [
    "раураl",  # Cyrillic р, а, у
    "PAYPAL",
    "РАУРАL",  # Cyrillic capitals
    "paypaI",  # capital i for the l
    "paypa1",
    "ｐａｙｐａｌ",
])
def test_look_alikes_share_a_skeleton(lookalike):
    assert usernames.skeleton(lookalike) == usernames.skeleton("paypal")


def test_different_names_keep_different_skeletons():
    # TR39 keeps accented letters apart from plain ones: "jürgen" is not "jurgen".
    assert usernames.skeleton("jürgen") != usernames.skeleton("jurgen")
    assert usernames.skeleton("alice") != usernames.skeleton("alicia")
    assert usernames.skeleton("Дмитрий") != usernames.skeleton("Dmitri")


def test_skeletons_ignore_case_even_where_folding_finds_a_new_look_alike():
    # "m" looks like "rn"; "M" doesn't, but folds to "m".
    assert usernames.skeleton("Mike") == usernames.skeleton("mike") == usernames.skeleton("rnike")


def test_every_spelling_of_one_name_has_one_skeleton():
    assert len({usernames.skeleton(name) for name in ("Jürgen", "Ju\u0308rgen", "JÜRGEN")}) == 1


def test_skeletons_fit_their_column():
    # The longest prototype is seven characters: 32 of them still fit.
    assert usernames.skeleton("괚" * 32) and len(usernames.skeleton("괚" * 32)) <= 255
    assert usernames.problem("괚" * 32) is None
