"""Exact BM25F ranking of plain word queries, read a posting block at a time.

Whoosh ranks by walking a tree of matchers one document at a time, a handful of Python method
calls per match: a word in one post of six (17,000 matches at 100,000 posts) costs it ≈ 60 ms,
on every search after any change to the index. For the queries people type most (words, each
searched in title and body, all required), this module reads each word's postings a block at a
time, scores them with the searcher's own BM25F statistics and field-length table, and adds the
scores in the order Whoosh's matchers would: the same ranking and the same total, several
times faster. Anything else (phrases, wildcards, NOT, another weighting) returns None and the
caller lets Whoosh do it.

Reads Whoosh 2.7.4's posting blocks and length columns directly, about a dozen private
attributes: the version is pinned in pyproject.toml, ``WRITTEN_FOR`` names it, a test fails
loudly on any other, and on any other version ``supported`` says no, so every query goes to
Whoosh's own matchers (correct, only slower). If Whoosh ever has to go, this module goes with it:
the database's full-text search (PostgreSQL's ``tsvector`` with ``ts_rank``, or SQLite FTS5's
``bm25``) ranks inside the engine and needs nothing like it.
"""
from __future__ import annotations

import heapq
import sys
import time
from array import array
from collections.abc import Iterable
from typing import NamedTuple

import whoosh
from whoosh import query
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.collectors import TimeLimit
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from ...common.ttlcache import TtlCache

Scores = dict[int, float]

# The Whoosh release whose private posting and length formats this module reads.
WRITTEN_FOR = (2, 7, 4)
_READABLE = tuple(whoosh.__version__[:3]) == WRITTEN_FOR


def supported(q: query.Query, fields: frozenset[str]) -> bool:
    """Whether ``q`` is words and ANDs/ORs of words that ``rank`` scores exactly as Whoosh
    (never, under a Whoosh release other than ``WRITTEN_FOR``)."""
    if not _READABLE:
        return False
    if q.boost != 1.0:
        return False
    if type(q) is query.Term:
        return q.fieldname in fields
    if type(q) is query.Or:
        if q.scale or q.minmatch:
            return False
    elif type(q) is not query.And:
        return False
    return bool(q.subqueries) and all(supported(sub, fields) for sub in q.subqueries)


def rank(searcher: Searcher, q: query.Query, limit: int, *,
         excluded: Iterable[int] = (), required: set[int] | None = None,
         deadline: float | None = None) -> tuple[list[int], int] | None:
    """The top ``limit`` document numbers (best first, ties by document number) and the number
    of matching documents, leaving out ``excluded`` and, when given, anything not in
    ``required``; None when the query or the weighting is beyond this module. Raises Whoosh's
    ``TimeLimit`` when a word is done after ``deadline`` (``time.monotonic()``)."""
    weighting = searcher.weighting
    if weighting.use_final:
        return None
    try:
        scores = _evaluate(searcher, q, deadline)
    except _Unsupported:
        return None
    scores = _narrowed(searcher, scores, excluded, required)
    return _top(scores, limit), len(scores)


def _narrowed(searcher: Searcher, found: dict, excluded: Iterable[int],
              required: set[int] | None) -> dict:
    """``found`` (document number -> anything) less deleted and excluded documents and, when
    given, anything not in ``required``."""
    found = _without(found, _deleted(searcher))
    found = _without(found, excluded)
    if required is not None:
        found = {docnum: found[docnum] for docnum in required if docnum in found}
    return found


def _without(found: dict, dropped: Iterable[int]) -> dict:
    # Walk the smaller side: a rare word's handful of matches against a viewer's exclusions
    # (every post of the staff boards) or thousands of matches against a few deletions.
    if isinstance(dropped, set | frozenset) and len(found) < len(dropped):
        return {docnum: value for docnum, value in found.items() if docnum not in dropped}
    for docnum in dropped:
        found.pop(docnum, None)
    return found


def doc_set(searcher: Searcher, q: query.Query) -> set[int]:
    """The document numbers ``q`` matches, deleted ones included: for masks and filters, which
    only ever narrow a ranking that has already dropped them. Terms come from the kept
    postings, so after a change to the index only the new segment is read."""
    kind = type(q)
    if kind is query.Term:
        found: set[int] = set()
        for leaf, offset in searcher.reader().leaf_readers():
            if (q.fieldname, q.text) in leaf:
                ids = _postings(leaf, q.fieldname, q.text).ids
                found.update(map(offset.__add__, ids) if offset else ids)
        return found
    if kind is query.Or:
        return set().union(*(doc_set(searcher, sub) for sub in q.subqueries))
    if kind is query.And:
        return set.intersection(*(doc_set(searcher, sub) for sub in q.subqueries))
    if kind is query.AndNot:
        return doc_set(searcher, q.a) - doc_set(searcher, q.b)
    return set(searcher.docs_for_query(q))


def newest(searcher: Searcher, q: query.Query, limit: int, fieldname: str, *,
           excluded: Iterable[int] = (), required: set[int] | None = None
           ) -> tuple[list[int], int]:
    """Like ``rank``, newest first by the sortable field ``fieldname`` (ties: the higher
    document number first, as Whoosh's reversed sort gives them)."""
    matched = _narrowed(searcher, dict.fromkeys(doc_set(searcher, q)), excluded, required)
    bases = sorted(((offset, _column(leaf, fieldname))
                    for leaf, offset in searcher.reader().leaf_readers()), reverse=True)

    def value(docnum: int) -> int:
        for offset, column in bases:
            if docnum >= offset:
                return column[docnum - offset]
        raise IndexError(docnum)

    values = {docnum: value(docnum) for docnum in matched}
    # Newest first; equal times by the higher document number, as Whoosh's reversed sort.
    return _top(values, limit, newer_first=True), len(matched)


def _top(values: dict, limit: int, newer_first: bool = False) -> list[int]:
    """The ``limit`` document numbers of highest value, ties by the lower document number
    (by the higher with ``newer_first``). The limit-th value is found on the values alone (no
    key function per item) and only the documents reaching it are sorted."""
    if len(values) > limit:
        if limit <= 0:
            return []
        threshold = heapq.nlargest(limit, values.values())[-1]
        values = {docnum: value for docnum, value in values.items() if value >= threshold}
    if newer_first:
        ordered = sorted(values.items(), key=lambda item: (item[1], item[0]), reverse=True)
    else:
        ordered = sorted(values.items(), key=lambda item: (-item[1], item[0]))
    return [docnum for docnum, _ in ordered[:limit]]


def _deleted(searcher: Searcher) -> list[int]:
    """Documents replaced or removed since their segment was written (an edit is a delete
    and an add): still in the postings until Whoosh merges the segment."""
    found: list[int] = []
    for leaf, offset in searcher.reader().leaf_readers():
        if leaf.has_deletions():
            found.extend(offset + docnum for docnum in leaf._perdoc.deleted_docs())
    return found


class _Unsupported(Exception):
    pass


def _evaluate(searcher: Searcher, q: query.Query, deadline: float | None = None) -> Scores:
    if type(q) is query.Term:
        if deadline is not None and time.monotonic() > deadline:
            raise TimeLimit
        return _term_scores(searcher, q.fieldname, q.text)
    if type(q) is query.Or:
        return _tree(_union, [_evaluate(searcher, sub, deadline) for sub in q.subqueries])
    # The rarest part first: when it matches nothing, the common ones are never read.
    reader = searcher.reader()
    order = sorted(range(len(q.subqueries)), key=lambda i: q.subqueries[i].estimate_size(reader))
    subs: list[Scores] = [{}] * len(order)
    for i in order:
        subs[i] = _evaluate(searcher, q.subqueries[i], deadline)
        if not subs[i]:
            return {}
    return _tree(_intersection, subs)


def _tree(merge, parts: list[Scores]) -> Scores:
    # A Whoosh matcher's score is its left child's plus its right child's. With two parts (a
    # word in title and body, two words) the sums are bit-identical; with more, Whoosh groups
    # the parts by posting-list size and a sum may differ in its last bit, which could only
    # swap two documents whose scores agree to fifteen digits.
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return merge(_tree(merge, parts[:half]), _tree(merge, parts[half:]))


def _union(a: Scores, b: Scores) -> Scores:
    # Copy the longer and walk the shorter, adding as a + b either way.
    if len(a) >= len(b):
        merged = dict(a)
        for docnum, score in b.items():
            found = merged.get(docnum)
            merged[docnum] = score if found is None else found + score
    else:
        merged = dict(b)
        for docnum, score in a.items():
            found = merged.get(docnum)
            merged[docnum] = score if found is None else score + found
    return merged


def _intersection(a: Scores, b: Scores) -> Scores:
    if len(a) <= len(b):
        return {docnum: score + b[docnum] for docnum, score in a.items() if docnum in b}
    return {docnum: a[docnum] + score for docnum, score in b.items() if docnum in a}


def _term_scores(searcher: Searcher, fieldname: str, text: str) -> Scores:
    if (fieldname, text) not in searcher.reader():
        return {}
    scorer = searcher.weighting.scorer(searcher, fieldname, text)
    if type(scorer) is not BM25FScorer:
        raise _Unsupported
    idf, avgfl, b, k1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1
    # bm25() as Whoosh writes it, with the length part worked out once per length byte.
    norms = [k1 * ((1 - b) + b * byte_to_length(byte) / avgfl) for byte in range(256)]
    boost = k1 + 1
    scores: Scores = {}
    for leaf, offset in searcher.reader().leaf_readers():
        if (fieldname, text) not in leaf:
            continue
        ids, weights = _postings(leaf, fieldname, text)
        lengths = _field_lengths(leaf, fieldname)
        values = [idf * ((tf * boost) / (tf + norms[lengths[docnum]]))
                  for docnum, tf in zip(ids, weights, strict=True)]
        scores.update(zip(map(offset.__add__, ids) if offset else ids, values, strict=True))
    return scores


class _Postings(NamedTuple):
    ids: array  # document numbers in the segment, deleted ones included (the caller drops them)
    weights: array  # term frequency times the field's boost


# What was read from segments (postings, length bytes, columns), by segment id: a segment's
# files never change once written (its deletions are kept apart), so what was read stays right
# for as long as the segment exists. By id, not by reader object: readers come and go as the
# index changes. Within a budget of bytes; nothing expires by time.
_KEEP_AT_LEAST = 512  # postings; shorter lists are cheaper to read again than to keep
_FOREVER = float("inf")
_kept = TtlCache(max_entries=100_000, max_size=24 * 2**20)


def forget() -> None:
    """Drop everything read from segments (the benchmark's cold start)."""
    _kept.clear()


def _postings(leaf, fieldname: str, text: str) -> _Postings:
    key = (leaf.segment().segment_id(), "postings", fieldname, text)
    found = _kept.get(key)
    if found is None:
        found = _read_postings(leaf, fieldname, text)
        if len(found.ids) >= _KEEP_AT_LEAST:
            _kept.put(key, found, _FOREVER, size=8 * len(found.ids))
    return found


def _read_postings(leaf, fieldname: str, text: str) -> _Postings:
    matcher = leaf.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # the segment's deletions; the caller drops them
        matcher = matcher.child
    ids = array("I")
    weights = array("f")
    if type(matcher) is W3LeafMatcher:
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.extend(matcher._ids)
            weights.extend(matcher._weights)
            matcher._next_block()
    else:
        while matcher.is_active():  # a posting stored inline with its term
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return _Postings(ids, weights)


def _column(leaf, fieldname: str) -> array:
    """A sortable numeric column of one segment: every document's value."""
    key = (leaf.segment().segment_id(), "column", fieldname)
    found = _kept.get(key)
    if found is None:
        reader = leaf.column_reader(fieldname, translate=False)
        found = array(reader._typecode, reader._dbfile.get(reader._basepos,
                                                             reader._count * reader._fixedlen))
        if sys.byteorder == "little":
            found.byteswap()  # Whoosh writes columns big-endian
        found.extend([reader._default] * (leaf.doc_count_all() - len(found)))
        _kept.put(key, found, _FOREVER, size=found.itemsize * len(found))
    return found


def _field_lengths(leaf, fieldname: str) -> bytes:
    """Every document's length byte for the field in one segment."""
    key = (leaf.segment().segment_id(), "lengths", fieldname)
    found = _kept.get(key)
    if found is None:
        count = leaf.doc_count_all()
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:  # a field indexed without lengths: leave it to Whoosh
            raise _Unsupported
        stored = column._dbfile.get(column._basepos, min(column._count, count))
        # Documents after the last one with a length read the column's default, 0.
        found = bytes(stored) + bytes(count - len(stored))
        _kept.put(key, found, _FOREVER, size=count)
    return found
