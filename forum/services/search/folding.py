"""Folding text for search, in the application rather than in Whoosh's analyzers: documents and
queries go through the same plain function, so any other engine given the folded text (the
database's own full-text search, say) finds what this one finds.

``fold`` makes umlauts and accents their bare letter and ß "ss": "Lötstation" and "Lotstation"
are one word, "Straße" and "Strasse" too. People without a German keyboard also write umlauts
as "oe", "ae", "ue" ("Loetstation"); ``collapse_digraphs`` gives a query word's other reading,
which the German query tries beside the word as typed, never instead of it: "Queue" or "Feuer"
keep matching themselves.
"""
from __future__ import annotations

import re
import unicodedata

# Letters that carry no separable accent, so decomposing them leaves them as they are.
_LETTERS = str.maketrans({
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O",
    "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
})
# Only the marks Latin letters take (U+0300–U+036F): other scripts write vowels with
# combining marks that are part of the word.
_ACCENTS = re.compile("[\u0300-\u036f]+")
_DIGRAPH = re.compile(r"([aou])e", re.IGNORECASE)


def fold(text: str) -> str:
    """``text`` without umlauts and accents, ß as "ss". Case stays as it was: the analyzers
    lower it, and the query parser reads AND, OR and NOT in capitals."""
    text = text.translate(_LETTERS)
    if text.isascii():
        return text
    bare = _ACCENTS.sub("", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", bare)


def collapse_digraphs(word: str) -> str:
    """A folded word with "ae", "oe", "ue" read as umlauts ("Loetstation" → "Lotstation")."""
    return _DIGRAPH.sub(r"\1", word)


def fold_mapped(text: str, digraphs: bool = False) -> tuple[str, list[int] | None]:
    """``fold(text)`` (and with ``digraphs`` ``collapse_digraphs`` of it), with where in
    ``text`` each of its characters came from (None: each from the same place, as for plain
    ASCII without digraphs): a snippet found in the folded text is shown in the words as they
    were written. Char by char, so combining marks typed separately are dropped where they
    stand."""
    if text.isascii():
        if not digraphs or not _DIGRAPH.search(text):
            return text, None
        result, origin = text, list(range(len(text)))
    else:
        out: list[str] = []
        origin = []
        for at, char in enumerate(text):
            folded = char if char.isascii() else fold(char)
            out.append(folded)
            origin.extend([at] * len(folded))
        result = "".join(out)
        if not digraphs:
            return result, origin
    kept: list[str] = []
    kept_origin: list[int] = []
    last = 0
    for found in _DIGRAPH.finditer(result):
        end = found.end() - 1  # the "e" goes
        kept.append(result[last:end])
        kept_origin.extend(origin[last:end])
        last = found.end()
    kept.append(result[last:])
    kept_origin.extend(origin[last:])
    return "".join(kept), kept_origin
