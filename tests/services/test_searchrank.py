"""Block-at-a-time ranking: the same order and totals as Whoosh's own search, on a real index of
several segments with deletions, titles and ties; anything else is left to Whoosh."""
from __future__ import annotations

import random
import shutil
from datetime import UTC, datetime, timedelta

import pytest
from whoosh import query

from forum.services.search import index as searchindex
from forum.services.search import rank as searchrank
from forum.services.search.index import PostRecord, Scope, document, exclusions, parse_query

FIELDS = searchindex._RANKED_FIELDS
WORDS = ["firmware", "battery", "update", "router", "kernel", "panic", "driver", "fan",
         "noise", "boot", "loop", "screen", "flicker", "wifi", "drop"]


def _record(post_id: int, rng: random.Random, *, thread_id: int | None = None,
            position: int = 1, **flags) -> PostRecord:
    # Repeated words and uneven lengths give the scorer different term frequencies and lengths.
    words = rng.choices(WORDS, k=rng.randint(2, 40))
    return PostRecord(
        post_id=post_id, thread_id=thread_id or post_id, board_id=post_id % 4 + 1,
        author_id=post_id % 7 + 1, author_name=f"user{post_id % 7}", position=position,
        created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=post_id),
        title=" ".join(rng.choices(WORDS, k=3)), body_html="<p>" + " ".join(words) + "</p>",
        # A third in German: each language's fields, scored by its own average length.
        language="de" if post_id % 3 == 0 else "en", **flags,
    )


@pytest.fixture(scope="module")
def _built_index(tmp_path_factory):
    """Three segments, a few replaced and removed documents, two exact twins (a tie)."""
    rng = random.Random(7)
    path = tmp_path_factory.mktemp("searchrank") / "search"
    ix = searchindex.SearchIndex(str(path), lock_timeout=5)
    ix.replace_all(_record(n, rng, position=1 if n % 5 == 0 else 2) for n in range(1, 301))
    ix.apply({n: document(_record(n, rng, position=2, post_hidden=n % 30 == 0))
              for n in range(301, 401)})
    twin = _record(401, rng, position=2)
    ix.apply({401: document(twin),
              402: document(PostRecord(**{**twin.__dict__, "post_id": 402})),
              # Edits: the old documents stay in their segment, marked deleted.
              7: document(_record(7, rng, position=2)),
              8: None, 9: None})
    return path


@pytest.fixture
def index(_built_index, tmp_path):
    """Each test gets its own copy of the module's index (built once: it takes a while), and
    starts with nothing kept from what earlier tests read (the copies share segment ids)."""
    shutil.copytree(_built_index, tmp_path / "search")
    searchrank.forget()
    return searchindex.SearchIndex(str(tmp_path / "search"), lock_timeout=5)


QUERIES = ["firmware", "firmware update", "firmware update battery", "kernel OR panic",
           "title:router", "body:fan noise", "(wifi OR drop) boot", "nosuchword",
           "firmware nosuchword"]


def _whoosh(searcher, q, limit, mask):
    # Every match scored: with a limit, Whoosh may lose documents of later segments (below).
    everything = searcher.search(q, limit=None, optimize=False, mask=mask or None)
    return [hit.docnum for hit in everything][:limit], len(everything)


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("limit", [1, 5, 20, 500])
def test_ranks_and_counts_as_whoosh_does(index, text, limit):
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) >= 2
    q = parse_query(text)
    assert searchrank.supported(q, FIELDS)
    mask = searchrank.doc_set(searcher, exclusions(Scope(frozenset({2}), frozenset())))
    assert searchrank.rank(searcher, q, limit, excluded=mask) == _whoosh(searcher, q, limit, mask)


def test_twins_tie_and_the_lower_document_number_comes_first(index):
    searcher = index.searcher()
    twins = sorted(searcher.document_number(id=str(n)) for n in (401, 402))
    q = parse_query(" OR ".join(WORDS))
    order, _ = searchrank.rank(searcher, q, 500)
    assert order.index(twins[0]) + 1 == order.index(twins[1])


def test_deleted_and_excluded_documents_are_never_found(index):
    searcher = index.searcher()
    assert searchrank._deleted(searcher)  # replaced documents still sit in their segment
    q = parse_query("firmware OR battery OR update OR router OR kernel OR panic OR driver")
    found, total = searchrank.rank(searcher, q, 10_000)
    stored = [searcher.stored_fields(d)["id"] for d in found]
    assert "8" not in stored and "9" not in stored
    assert len(set(stored)) == len(stored) == total  # an edited post is found once
    withheld = searchrank.doc_set(searcher, exclusions(Scope()))
    assert withheld
    shown, shown_total = searchrank.rank(searcher, q, 10_000, excluded=withheld)
    assert set(shown) == set(found) - withheld and shown_total == len(shown)


def test_required_documents_narrow_the_ranking_without_reordering_it(index):
    searcher = index.searcher()
    q = parse_query("firmware update")
    board = query.Term("board_id", "3")
    required = searchrank.doc_set(searcher, board)
    narrowed, total = searchrank.rank(searcher, q, 500, required=required)
    whole, _ = searchrank.rank(searcher, q, 500)
    assert narrowed == [d for d in whole if d in required]
    assert total == len(narrowed) > 0
    filtered = searchindex.narrow(q, searchindex.Filters(board_id=3))
    assert narrowed == [hit.docnum for hit in searcher.search(filtered, limit=None,
                                                               optimize=False)]


@pytest.mark.parametrize("text", ["firmware", "kernel OR panic", "(wifi OR drop) boot"])
def test_newest_first_as_whoosh_sorts(index, text):
    searcher = index.searcher()
    q = parse_query(text)
    mask = searchrank.doc_set(searcher, exclusions(Scope()))
    expected = searcher.search(q, limit=15, mask=mask, sortedby="created", reverse=True)
    found, total = searchrank.newest(searcher, q, 15, "created", excluded=mask)
    assert found == [hit.docnum for hit in expected]
    assert total == len(searcher.search(q, limit=None, mask=mask))


@pytest.mark.parametrize("text", ['"firmware update"', "firm*", "firmware NOT battery",
                                  "firmware^3", "author:user3"])
def test_other_queries_are_left_to_whoosh(index, text):
    assert not searchrank.supported(parse_query(text), FIELDS)


def test_run_takes_either_path_and_misses_no_match(index):
    """Whoosh's search with a limit drops parts of a query that can no longer reach the top
    alone, and across segments that loses documents that would, and undercounts; both paths of
    ``run`` give the first page and the total of scoring every match."""
    searcher = index.searcher()
    q = parse_query("(wifi OR drop) boot")
    limited = [hit.docnum for hit in searcher.search(q, limit=20, optimize=False)]
    assert limited != _whoosh(searcher, q, 20, set())[0]  # the fixture shows the loss
    for text in ["(wifi OR drop) boot", "firmware OR battery",
                 '("boot loop" OR wifi) boot', '"firmware firmware" OR battery']:
        q = parse_query(text)
        docnums, exact = _whoosh(searcher, q, 20, set())
        page = searchindex.run(searcher, q, per_page=20, cache=searchindex.SearchCache())
        assert (page.total, page.pages) == (exact, -(-exact // 20))
        assert page.post_ids == [int(searcher.stored_fields(d)["id"]) for d in docnums]


def test_a_new_segment_is_read_and_the_others_are_kept(index, monkeypatch):
    searchrank._kept.clear()
    monkeypatch.setattr(searchrank, "_KEEP_AT_LEAST", 1)
    reads = []
    real = searchrank._read_postings

    def counting(leaf, fieldname, text):
        reads.append((leaf.segment().segment_id(), fieldname, text))
        return real(leaf, fieldname, text)

    monkeypatch.setattr(searchrank, "_read_postings", counting)
    q = parse_query("firmware")
    before = searchrank.rank(index.searcher(), q, 20)
    old = {leaf.segment().segment_id() for leaf, _ in index.searcher().reader().leaf_readers()}
    assert {leaf for leaf, _, _ in reads} == old
    reads.clear()
    assert searchrank.rank(index.searcher(), q, 20) == before
    assert reads == []

    index.apply({500: document(_record(500, random.Random(1), position=2))})
    searcher = index.searcher()
    after = searchrank.rank(searcher, q, 20)
    new = {leaf for leaf, _, _ in reads}
    assert len(new) == 1 and not new & old  # only the new segment was read
    assert after == _whoosh(searcher, q, 20, set())


# -- refreshing the searcher ----------------------------------------------------------------------
def _segments(searcher) -> dict:
    return {leaf.segment().segment_id(): leaf for leaf, _ in searcher.reader().leaf_readers()}


def _ids(searcher, text: str) -> set[str]:
    return {hit["id"] for hit in searcher.search(parse_query(text), limit=None)}


def test_a_new_document_keeps_the_readers_of_the_other_segments(index):
    before = _segments(index.searcher())
    index.apply({600: document(_record(600, random.Random(3), position=2))})
    searcher = index.searcher()
    after = _segments(searcher)
    kept = set(before) & set(after)
    assert kept and all(after[segment] is before[segment] for segment in kept)
    assert "600" in _ids(searcher, " OR ".join(WORDS))
    assert index.searcher() is searcher  # unchanged since: the same searcher


def test_an_edit_reopens_the_segment_it_deleted_from(index):
    old = _segments(index.searcher())
    home = next(segment for segment, leaf in old.items()
                if any(fields["id"] == "20" for fields in leaf.all_stored_fields()))
    record = _record(20, random.Random(5), position=2)
    index.apply({20: document(PostRecord(**{**record.__dict__,
                                            "body_html": "<p>zanzibar</p>"}))})
    searcher = index.searcher()
    fresh = _segments(searcher)
    if home in fresh:  # not merged away: reopened with its new deletion
        assert fresh[home] is not old[home]
    assert _ids(searcher, "zanzibar") == {"20"}
    assert searchrank.rank(searcher, parse_query("zanzibar"), 5)[0] == [
        searcher.document_number(id="20")]
    assert sum(1 for leaf, _ in searcher.reader().leaf_readers()
               for fields in leaf.all_stored_fields() if fields["id"] == "20") == 1


def test_a_merge_into_one_segment_is_searched_right(index):
    words = " OR ".join(WORDS)
    expected = _ids(index.searcher(), words)
    writer = index.writer()
    writer.commit(optimize=True)
    searcher = index.searcher()
    assert len(searcher.reader().leaf_readers()) == 1
    assert _ids(searcher, words) == expected
    assert searchrank.rank(searcher, parse_query("firmware"), 20) == _whoosh(
        searcher, parse_query("firmware"), 20, set())


def test_a_table_of_contents_being_replaced_is_read_again(index, monkeypatch):
    before = _segments(index.searcher())
    index.apply({700: document(_record(700, random.Random(4), position=2))})
    ix = index.open()
    real, failures = ix._read_toc, []

    def replaced_meanwhile():
        if len(failures) < 3:  # a writer swapping generations under the reader
            failures.append(1)
            raise FileNotFoundError("a writer was replacing it")
        return real()

    monkeypatch.setattr(ix, "_read_toc", replaced_meanwhile)
    monkeypatch.setattr(searchindex.time, "sleep", lambda seconds: None)
    searcher = index.searcher()
    assert len(failures) == 3
    assert "700" in _ids(searcher, " OR ".join(WORDS))
    assert searcher.reader().generation() == ix.latest_generation()
    after = _segments(searcher)
    assert any(after[segment] is leaf for segment, leaf in before.items() if segment in after)


def test_newest_first_for_queries_left_to_whoosh_keeps_exclusions(index):
    searcher = index.searcher()
    q = parse_query('"firmware firmware" OR battery')
    assert not searchrank.supported(q, FIELDS)
    scope = exclusions(Scope(frozenset({2}), frozenset()))
    mask = searchrank.doc_set(searcher, scope)
    expected = searcher.search(q, limit=None, mask=mask, sortedby="created", reverse=True)
    page = searchindex.run(searcher, q, sort="newest", per_page=5, exclude=scope,
                           cache=searchindex.SearchCache())
    assert page.total == len(expected) > 5
    assert page.post_ids == [int(hit["id"]) for hit in expected[:5]]


def test_the_installed_whoosh_is_the_release_this_ranking_reads():
    import whoosh

    installed = tuple(whoosh.__version__[:3])
    assert installed == searchrank.WRITTEN_FOR, (
        f"search.rank reads Whoosh {searchrank.WRITTEN_FOR}'s private posting format, but "
        f"Whoosh {installed} is installed: check rank.py against it (the comparison tests "
        "here) and then change WRITTEN_FOR, or pin Whoosh back")


def test_another_whoosh_release_leaves_every_query_to_whoosh(monkeypatch):
    monkeypatch.setattr(searchrank, "_READABLE", False)
    assert not searchrank.supported(parse_query("firmware"), FIELDS)


def test_each_languages_fields_are_measured_against_its_own_posts(index):
    """Whoosh would divide the German bodies' length by every document, English ones too."""
    searcher = index.searcher()
    for language in ("de", "en"):
        fieldname = f"body_{language}"
        word = next(iter(searcher.reader().lexicon(fieldname))).decode()
        scorer = searcher.weighting.scorer(searcher, fieldname, word)
        documents = searcher.doc_frequency("language", language)
        assert 0 < documents < searcher.doc_count_all()
        assert scorer.avgfl == pytest.approx(searcher.field_length(fieldname) / documents)
