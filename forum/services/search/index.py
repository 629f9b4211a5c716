"""The Whoosh side of search: schema, documents, the index on disk, queries and highlighting.

No Flask and no database here, so the benchmark drives exactly the code the app runs.

Languages. A post is written in its board's language, and its title and body are indexed in
that language's fields (``title_en``/``body_en``, ``title_de``/``body_de``), each stemmed by its
language's stemmer. A query is parsed once per language, against that language's fields with
that language's analyzer, and the parts are joined by OR: German posts are matched by German
stems, English posts by English ones, and a German word in an English board is stemmed as
English (it is still found by its exact form). Text is folded (umlauts, accents, ß) before
either side sees it (``folding``).
"""
from __future__ import annotations

import logging
import os
import random
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape
from whoosh import collectors, index, matching, qparser, query, scoring
from whoosh.analysis import (
    STOP_WORDS,
    Analyzer,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StemmingAnalyzer,
    StopFilter,
)
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.index import LockError
from whoosh.lang import porter, stemmer_for_language, stopwords
from whoosh.reading import MultiReader, SegmentReader
from whoosh.searching import Searcher

from ...common import markup
from ...common.ttlcache import TtlCache
from . import limits, rank
from .folding import collapse_digraphs, fold
from .limits import QuerySyntaxError

PER_PAGE = 20
QUERY_MAX = 200
SNIPPET = 240  # characters of body text shown under a result
TITLE_BOOST = 4.0
VISIBLE = "visible"
WITHHELD = "withheld"
SOLVED = "yes"
# The "solved" filter's choices: posts of threads with an accepted answer, or of questions
# (threads in a question board) still without one.
SOLVED_CHOICES = ("solved", "unsolved")

# Every language posts may be written in (the interface's languages; a test keeps the two
# lists equal). A board naming none of them is indexed in the forum's default language.
LANGUAGES = ("en", "de")
TEXT_FIELDS = ("title", "body")


def _german() -> Analyzer:
    # Whoosh's German stop words are spelt with umlauts; the text reaching the filter is folded.
    # English's short list too ("the", "and", "of" in quoted English say nothing in a German
    # post, and a query of only such words stays one to refuse), less "not", a German noun.
    stoplist = (frozenset(fold(word) for word in stopwords.stoplists["de"])
                | (STOP_WORDS - {"not"}))
    return (RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stoplist, minsize=2)
            | StemFilter(lang="de"))


# English as the forum always indexed it (Porter stemmer, Whoosh's short stop list); German with
# the Snowball stemmer. Only Whoosh's own parts: the schema is pickled into the index.
ANALYZERS: dict[str, Analyzer] = {"en": StemmingAnalyzer(), "de": _german()}
_STEMMERS = {"en": porter.stem, "de": stemmer_for_language("de")}


def field(kind: str, language: str) -> str:
    """The index field of a title or body in a language: ``field("body", "de")`` → "body_de"."""
    return f"{kind}_{language}"


# Each text field's language, for the scoring below.
FIELD_LANGUAGE = {field(kind, language): language
                  for language in LANGUAGES for kind in TEXT_FIELDS}

SCHEMA = Schema(
    id=ID(stored=True, unique=True),
    thread_id=ID(stored=True),
    board_id=ID(stored=True),
    author_id=ID(stored=True),
    author=KEYWORD(stored=True, lowercase=True),
    created=DATETIME(stored=True, sortable=True),
    # The language the title and body were indexed in.
    language=ID(stored=True),
    # "visible", or "withheld" and why: deleted, hidden, thread_deleted, thread_hidden.
    flags=KEYWORD(stored=True),
    # "yes" on every post of a thread with an accepted answer, for the "solved" filter: a
    # posting list the ranking intersects like the board filter's. Not stored: results show
    # the mark from the thread row they load anyway.
    solved=ID(),
    **{field("title", language): TEXT(analyzer=ANALYZERS[language], field_boost=TITLE_BOOST)
       for language in LANGUAGES},
    **{field("body", language): TEXT(analyzer=ANALYZERS[language]) for language in LANGUAGES},
)


def _parser_schema(language: str) -> Schema:
    """What members may name in a query ("title:word", "author:alice"), with the language's
    analyzer; the parsed query's "title" and "body" then become the language's fields. Filters
    are applied separately."""
    return Schema(
        title=TEXT(analyzer=ANALYZERS[language]),
        body=TEXT(analyzer=ANALYZERS[language]),
        author=KEYWORD(lowercase=True),
    )

# -- documents --------------------------------------------------------------------------------
@dataclass(frozen=True)
class PostRecord:
    """Everything a post's search document is made from."""

    post_id: int
    thread_id: int
    board_id: int
    author_id: int
    author_name: str
    position: int
    created_at: datetime
    title: str
    body_html: str
    post_deleted: bool = False
    post_hidden: bool = False
    thread_deleted: bool = False
    thread_hidden: bool = False
    language: str = "en"  # its board's (one of ``LANGUAGES``)
    solved: bool = False  # its thread has an accepted answer


def document(record: PostRecord) -> dict:
    flags = [name for name, on in (
        ("deleted", record.post_deleted),
        ("hidden", record.post_hidden),
        ("thread_deleted", record.thread_deleted),
        ("thread_hidden", record.thread_hidden),
    ) if on]
    language = record.language if record.language in LANGUAGES else LANGUAGES[0]
    doc = {
        "id": str(record.post_id),
        "thread_id": str(record.thread_id),
        "board_id": str(record.board_id),
        "author_id": str(record.author_id),
        "author": fold(record.author_name),  # "author:jurgen" finds Jürgen, as words do
        # Whoosh stores naive datetimes; ours are UTC.
        "created": record.created_at.astimezone(UTC).replace(tzinfo=None),
        "language": language,
        field("body", language): fold(markup.plain_text(record.body_html)),
        "flags": " ".join([WITHHELD, *flags]) if flags else VISIBLE,
    }
    if record.position == 1:
        doc[field("title", language)] = fold(record.title)
    if record.solved:
        doc["solved"] = SOLVED
    return doc


def _analyzer_signature(analyzer) -> tuple:
    # Each step of the chain and what it was built with: a new stemmer or stop list changes
    # the indexed words as surely as a new field does.
    steps = getattr(analyzer, "items", None) or [analyzer]
    return tuple(
        (type(step).__name__, getattr(step, "lang", None),
         getattr(getattr(step, "stemfn", None), "__qualname__", None),
         tuple(sorted(step.stops)) if isinstance(step, StopFilter) else None)
        for step in steps
    )


def _signature(schema: Schema) -> list[tuple]:
    # Schema equality compares column objects by identity, so it never holds after a reload.
    return sorted(
        (name, type(f).__name__, f.stored, f.unique, getattr(f, "field_boost", 1.0),
         type(f.format).__name__ if f.format else None,
         _analyzer_signature(f.analyzer) if getattr(f, "analyzer", None) else None)
        for name, f in schema.items()
    )


def outdated(schema: Schema) -> bool:
    """Whether an index was built with another schema (fields, analyzers) than this code's:
    its words no longer match the queries, and only a rebuild (``forum reindex``) helps."""
    return _signature(schema) != _signature(SCHEMA)


# -- scoring ----------------------------------------------------------------------------------
class LanguageBM25F(scoring.BM25F):
    """BM25F with each language's fields measured against that language's posts.

    Whoosh divides a field's total length by every document in the index, so in a forum of
    mostly English posts the German fields' average length would come out tiny and every
    German post would look many times longer than usual (and rank low). Here the average of a
    language's field counts only the documents of that language. The scorer stays Whoosh's
    own ``BM25FScorer``, so ``rank`` reads the same statistics.
    """

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf)
        language = FIELD_LANGUAGE.get(fieldname)
        if language is not None and isinstance(scorer, scoring.BM25FScorer):
            parent = searcher.get_parent()
            documents = parent.doc_frequency("language", language)
            if documents:
                scorer.avgfl = parent.field_length(fieldname) / documents or 1
                scorer.setup(searcher, fieldname, text)  # its best score uses the average
        return scorer


WEIGHTING = LanguageBM25F()


# -- the index on disk ------------------------------------------------------------------------
class SearchIndex:
    """An index directory shared by every process of the app; the FileIndex object is cheap and
    each searcher or writer reads the latest generation."""

    def __init__(self, path: str, lock_timeout: float) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.paused = 0
        self._ix: index.Index | None = None
        self._local = threading.local()
        self.cache = SearchCache()

    def open(self) -> index.Index:
        if self._ix is None:
            os.makedirs(self.path, exist_ok=True)
            if not index.exists_in(self.path):
                self._create()
            self._ix = index.open_dir(self.path)
            if outdated(self._ix.schema):
                logging.getLogger(__name__).warning(
                    "The search index at %s was built with other fields or analyzers; run "
                    "`flask --app wsgi forum reindex` to rebuild it.", self.path)
        return self._ix

    def _create(self) -> None:
        # Several workers may start at once; only one of them creates the index.
        from whoosh.filedb.filestore import FileStorage

        lock = FileStorage(self.path).lock("CREATE_LOCK")
        lock.acquire(blocking=True)
        try:
            if not index.exists_in(self.path):
                index.create_in(self.path, SCHEMA)
        finally:
            lock.release()

    def writer(self, **options):
        """A writer holding the index lock, retried with jittered backoff until the timeout."""
        ix = self.open()
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.01
        while True:
            try:
                # Plain files, not one compound file per segment: Whoosh copies a compound
                # segment's parts into memory on every open, which made each post's update
                # cost ~300 ms at 100k posts.
                return ix.writer(compound=False, **options)
            except LockError:
                if time.monotonic() >= deadline:
                    raise
                time.sleep(min(delay, max(deadline - time.monotonic(), 0)) * random.uniform(0.5, 1))
                delay = min(delay * 2, 0.5)

    def apply(self, docs: dict[int, dict | None], threads_gone: Iterable[int] = ()) -> None:
        writer = self.writer()
        try:
            for thread_id in threads_gone:
                writer.delete_by_term("thread_id", str(thread_id))
            for post_id, doc in docs.items():
                if doc is None:
                    writer.delete_by_term("id", str(post_id))
                else:
                    writer.update_document(**doc)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def replace_all(self, records: Iterable[PostRecord],
                    progress: Callable[[int], None] | None = None, every: int = 500) -> int:
        """Replace every document in one writer: readers keep the old index until the commit,
        then see the new one; writers from requests wait for the lock (or give up and log)."""
        from whoosh.writing import CLEAR

        if outdated(self.open().schema):
            # Built by an older version: start over with the current schema.
            self._ix = index.create_in(self.path, SCHEMA)
        count = done = 0
        writer = self.writer(limitmb=128)
        try:
            for record in records:
                writer.add_document(**document(record))
                count += 1
                done += 1
                if progress is not None and done >= every:
                    progress(done)
                    done = 0
        except BaseException:
            writer.cancel()
            raise
        writer.commit(mergetype=CLEAR)
        if progress is not None and done:
            progress(done)
        return count

    def searcher(self) -> Searcher:
        """A searcher for this thread, kept between searches: opening every segment costs more
        than many queries, so a change to the index reopens only the segments that changed."""
        ix = self.open()
        cached = getattr(self._local, "searcher", None)
        if cached is None or cached._ix is not ix or cached.is_closed:
            cached = ix.searcher(weighting=WEIGHTING)
        elif ix.latest_generation() != cached.reader().generation():
            cached = _refreshed(ix, cached)
        self._local.searcher = cached
        return cached


def _refreshed(ix: index.FileIndex, searcher: Searcher) -> Searcher:
    """A searcher for the index's latest generation that keeps the readers of the segments
    that did not change. Whoosh 2.7.4's ``refresh`` means to, but stores the reusable readers
    under their generation and looks them up under the segment id, so it reopened every
    segment on every change (≈ 0.5 ms each). A segment is unchanged when its id and its count
    of deleted documents are (deletions only ever grow; a merge makes a new segment)."""
    for _attempt in range(10):
        try:
            toc = ix._read_toc()
            break
        except OSError:  # a writer was replacing the table of contents; read it again
            time.sleep(0.01)
    else:
        return searcher.refresh()
    if not toc.segments:
        return searcher.refresh()  # an empty index: Whoosh's own empty reader
    previous = {leaf.segment().segment_id(): leaf
                for leaf, _base in searcher.reader().leaf_readers()
                if isinstance(leaf, SegmentReader)}  # not the empty index's reader
    readers = []
    for segment in toc.segments:
        leaf = previous.pop(segment.segment_id(), None)
        if leaf is not None and leaf.segment().deleted_count() == segment.deleted_count():
            readers.append(leaf)
            continue
        if leaf is not None:
            leaf.close()
        readers.append(SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation))
    for leaf in previous.values():  # merged into a new segment
        leaf.close()
    searcher.is_closed = True
    # A MultiReader even for one segment: it carries this generation, which a reused reader's
    # own does not, so the next search sees the index as unchanged.
    return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix,
                    weighting=searcher.weighting)


# -- querying ---------------------------------------------------------------------------------
class _Parser(qparser.QueryParser):
    """Whoosh's parser, except that a stemmed trailing wildcard keeps the letters typed before
    "*" (up to ``limits.MIN_PREFIX``): the stemmer cuts "bas*" to "ba*", which stands for many more
    words than were asked for, and would be refused as too short."""

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True,
                   removestops=True):
        made = super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        # Whoosh hands a trailing wildcard over as a Prefix of the letters before "*".
        if termclass is query.Prefix and isinstance(made, query.Prefix):
            typed = text.lower()
            if len(made.text) < min(len(typed), limits.MIN_PREFIX):
                made = query.Prefix(made.fieldname, typed, boost=made.boost)
        return made


class _GermanParser(_Parser):
    """Reads a word written with "ae", "oe" or "ue" both as typed and with umlauts: the folded
    "Loetstation" also finds "Lötstation" (indexed as "lotstation"), and "Feuer" still finds
    "Feuer". A word that is a stop word either way is dropped ("fuer" as "für")."""

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True,
                   removestops=True):
        typed = super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        collapsed = collapse_digraphs(text)
        if termclass is not query.Term or fieldname not in TEXT_FIELDS or collapsed == text:
            return typed
        other = super().term_query(fieldname, collapsed, termclass, boost, tokenize,
                                   removestops)
        if typed is None or other is None:
            return None
        return typed if other == typed else query.Or([typed, other])


def _parser(language: str) -> qparser.QueryParser:
    # What qparser.MultifieldParser builds, with the German class where it applies.
    kind = _GermanParser if language == "de" else _Parser
    parser = kind(None, _parser_schema(language), group=qparser.AndGroup)
    parser.add_plugin(qparser.MultifieldPlugin(list(TEXT_FIELDS)))
    return parser


_PARSERS = {language: _parser(language) for language in LANGUAGES}


def _in_language(parsed: query.Query, language: str) -> query.Query:
    """The parsed query with "title" and "body" renamed to the language's fields (in place:
    the parser made every node afresh)."""
    for leaf in parsed.leaves():
        if getattr(leaf, "fieldname", None) in TEXT_FIELDS:
            leaf.fieldname = field(leaf.fieldname, language)
    return parsed


def _balanced(text: str) -> str | None:
    depth, quoted = 0, False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return _("A closing bracket “)” has no opening “(”.")
    if quoted:
        return _("A quoted phrase is missing its closing quote.")
    if depth:
        return _("An opening bracket “(” has no closing “)”.")
    return None


@lru_cache(maxsize=512)
def parse_query(text: str) -> query.Query:
    """The member's words as a Whoosh query: in each language, the words analyzed as that
    language's posts were, against its fields. Raises ``QuerySyntaxError`` with a friendly
    message, also for what ``limits.check`` refuses (ranges, leading and inner wildcards)."""
    # "?" is punctuation to people ("how do I solder?"), a one-letter wildcard to Whoosh.
    text = " ".join(text.replace("?", " ").split())
    if len(text) > QUERY_MAX:
        raise QuerySyntaxError(_("Searches can be at most %(max)s characters long.",
                                 max=QUERY_MAX))
    problem = _balanced(text)
    if problem:
        raise QuerySyntaxError(problem)
    parts = []
    for language, parser in _PARSERS.items():
        try:
            parsed = parser.parse(fold(text))
        except Exception as error:  # Whoosh's parser is lenient; anything it raises is our 400
            raise QuerySyntaxError(_("We couldn't understand that search.")) from error
        if isinstance(parsed, query.Every) or any(isinstance(q, query.Every)
                                                  for q in parsed.leaves()):
            raise QuerySyntaxError(_("Add at least one word to search for."))
        limits.check(parsed)
        # Only stop words of this language ("the" in English): nothing to look for in its posts.
        if parsed is not query.NullQuery and any(True for _leaf in parsed.leaves()):
            parts.append(_in_language(parsed, language))
    if not parts:
        raise QuerySyntaxError(limits.nothing_to_search())
    limits.check_size(parts)
    return parts[0] if len(parts) == 1 else query.Or(parts).normalize()


class _RequireMatcher(matching.RequireMatcher):
    def skip_to_quality(self, minquality):
        # Whoosh's version re-syncs even when both sides already agree (or one is exhausted)
        # and trips an assertion.
        skipped = self.a.skip_to_quality(minquality)
        if self.a.is_active() and self.b.is_active() and self.a.id() != self.b.id():
            self.child._find_next()
        return skipped


class Require(query.Require):
    """Whoosh 2.7.4's Require builds an AndNotMatcher (it excludes instead of requiring); this
    one matches both and scores by the first, so filters never reorder relevance."""

    def matcher(self, searcher, context=None):
        return _RequireMatcher(
            self.a.matcher(searcher, context),
            self.b.matcher(searcher, searcher.boolean_context()),
        )


def _any_of(fieldname: str, values: Iterable[int]) -> query.Query:
    terms = [query.Term(fieldname, str(value)) for value in sorted(set(values))]
    if not terms:
        return query.NullQuery
    return terms[0] if len(terms) == 1 else query.Or(terms)


@dataclass(frozen=True)
class Scope:
    """What a viewer may find, as exclusions: the boards they may not read, and withheld
    (deleted or hidden) posts except on ``withheld_board_ids`` (None: shown on every board).

    Exclusions, not an allow-list, because both sets are small: Whoosh skips through a short
    posting list cheaply but reads a union of long ones (every readable board) in full.
    """

    unreadable_board_ids: frozenset[int] = frozenset()
    withheld_board_ids: frozenset[int] | None = frozenset()


@dataclass(frozen=True)
class Filters:
    board_id: int | None = None
    thread_id: int | None = None
    author_id: int | None = None
    after: datetime | None = None  # UTC, inclusive
    before: datetime | None = None  # UTC, exclusive
    solved: str | None = None  # one of ``SOLVED_CHOICES``
    # The question boards (the viewer's): "unsolved" means a thread in one of them.
    question_board_ids: frozenset[int] = frozenset()


def _solved(filters: Filters) -> query.Query:
    solved = query.Term("solved", SOLVED)
    if filters.solved == "solved":
        return solved
    return query.AndNot(_any_of("board_id", filters.question_board_ids), solved)


def narrow(user_query: query.Query, filters: Filters = Filters()) -> query.Query:
    """The chosen filters (board, thread, author, dates, solved or not), required without
    changing relevance scores."""
    required: list[query.Query] = []
    if filters.solved is not None:
        required.append(_solved(filters))
    if filters.board_id is not None:
        required.append(query.Term("board_id", str(filters.board_id)))
    if filters.thread_id is not None:
        required.append(query.Term("thread_id", str(filters.thread_id)))
    if filters.author_id is not None:
        required.append(query.Term("author_id", str(filters.author_id)))
    if filters.after or filters.before:
        def naive(moment):
            return moment.astimezone(UTC).replace(tzinfo=None) if moment else None

        required.append(query.DateRange(
            "created", naive(filters.after), naive(filters.before), endexcl=True
        ))
    if not required:
        return user_query
    return Require(user_query, required[0] if len(required) == 1 else query.And(required))


def exclusions(scope: Scope) -> query.Query | None:
    """What the viewer may not find (boards they may not read, withheld posts), or None."""
    excluded: list[query.Query] = []
    if scope.unreadable_board_ids:
        excluded.append(_any_of("board_id", scope.unreadable_board_ids))
    if scope.withheld_board_ids is not None:
        withheld = query.Term("flags", WITHHELD)
        if scope.withheld_board_ids:
            withheld = query.AndNot(withheld, _any_of("board_id", scope.withheld_board_ids))
        excluded.append(withheld)
    if not excluded:
        return None
    return excluded[0] if len(excluded) == 1 else query.Or(excluded)


@dataclass
class Page:
    post_ids: list[int]
    total: int
    page: int
    pages: int


class SearchCache:
    """Recent results, and the document sets of recent exclusions, each valid only while the
    searcher it came from is the current one: a change to the index (from any process) makes
    ``SearchIndex.searcher`` hand out a new searcher, and every entry of the old one misses.

    Why: a word in every sixth post has about 17,000 matches at 100,000 posts, and Whoosh
    scores them in Python (≈ 60 ms); the exclusion (unreadable boards, withheld posts) read
    as a query cost another ≈ 25 ms per search, as a kept set of document numbers nothing.
    """

    def __init__(self, max_entries: int = 512, seconds: float = 600) -> None:
        self._entries = TtlCache(max_entries)
        self._seconds = seconds

    def get(self, searcher: Searcher, key: tuple):
        found = self._entries.get(key)
        if found is None or found[0]() is not searcher:
            return None
        return found[1]

    def put(self, searcher: Searcher, key: tuple, value) -> None:
        self._entries.put(key, (weakref.ref(searcher), value), self._seconds)

    def clear(self) -> None:
        self._entries.clear()


def bounded(searcher: Searcher, user_query: query.Query) -> query.Query:
    """A parsed query made ready to run against this searcher's index: each trailing wildcard
    replaced by the words it stands for (``limits.expanded``). Raises ``TooBroad`` when it would
    read more postings than its budget."""
    reader = searcher.reader()
    ready = limits.expanded(reader, user_query)
    limits.within_budget(reader, ready, rank.supported(ready, _RANKED_FIELDS))
    return ready


def run(searcher: Searcher, whoosh_query: query.Query, *, sort: str = "relevance", page: int = 1,
        per_page: int = PER_PAGE, exclude: query.Query | None = None,
        cache: SearchCache | None = None, deadline: float | None = None) -> Page:
    """One page of results of ``whoosh_query`` less the documents ``exclude`` matches.
    Raises ``TooBroad`` when ranking is still going at ``deadline`` (``time.monotonic()``)."""
    key = ("page", whoosh_query, exclude, sort, page, per_page)
    found = cache.get(searcher, key) if cache is not None else None
    if found is not None:
        return found
    mask: set[int] = set()
    if exclude is not None:
        mask = cache.get(searcher, ("mask", exclude)) if cache is not None else None
        if mask is None:
            mask = rank.doc_set(searcher, exclude)  # never changed once made
            if cache is not None:
                cache.put(searcher, ("mask", exclude), mask)
    limit = min(page * per_page, max(searcher.doc_count_all(), 1))  # page=10**9 costs nothing
    try:
        ranked = _ranked(searcher, whoosh_query, sort, limit, mask, deadline)
        if ranked is None:
            ranked = _whoosh_ranked(searcher, whoosh_query, sort, limit, mask, deadline)
    except collectors.TimeLimit:
        # A partial page would be ranked and counted wrongly: better to say so.
        raise limits.TooBroad from None
    docnums, total = ranked
    pages = max(1, -(-total // per_page))
    found = Page([int(searcher.stored_fields(docnum)["id"])
                  for docnum in docnums[(page - 1) * per_page: page * per_page]],
                 total, page, pages)
    if cache is not None:
        cache.put(searcher, key, found)
    return found


_RANKED_FIELDS = frozenset(FIELD_LANGUAGE)


def _ranked(searcher: Searcher, whoosh_query: query.Query, sort: str, limit: int,
            mask: set[int], deadline: float | None = None) -> tuple[list[int], int] | None:
    """Words, ANDs and ORs of words, with any filters: ranked by ``search.rank`` (the same
    order and total as Whoosh, several times faster), or None for Whoosh to do."""
    user_query, required = whoosh_query, None
    if isinstance(whoosh_query, Require):
        user_query = whoosh_query.a
    if not rank.supported(user_query, _RANKED_FIELDS):
        return None
    if user_query is not whoosh_query:
        required = rank.doc_set(searcher, whoosh_query.b)
    if sort == "newest":
        return rank.newest(searcher, user_query, limit, "created",
                                 excluded=mask, required=required)
    return rank.rank(searcher, user_query, limit, excluded=mask, required=required,
                     deadline=deadline)


def _whoosh_ranked(searcher: Searcher, whoosh_query: query.Query, sort: str, limit: int,
                   mask: set[int], deadline: float | None = None) -> tuple[list[int], int]:
    if sort == "newest":
        collector = searcher.collector(limit=limit, sortedby="created", reverse=True,
                                       optimize=False)
    else:
        # replace=0: once its page is full, Whoosh swaps in matchers that drop the parts of the
        # query that cannot reach the top alone; across segments that loses documents that
        # would (and undercounts the total).
        collector = collectors.TopCollector(limit, usequality=False, replace=0)
    if deadline is not None:
        collector = limits.DeadlineCollector(collector, deadline)
    if mask:
        collector = collectors.FilterCollector(collector, None, mask)
    searcher.search_with_collector(whoosh_query, collector)
    results = collector.results()
    return [hit.docnum for hit in results], len(results)


_TOKEN = re.compile(r"\w+(?:\.?\w+)*")  # the analyzer's tokenizer
SCAN_LIMIT = 20_000  # characters of a long post searched for words to mark


@lru_cache(maxsize=50_000)
def _stem(token: str, language: str) -> str:
    # What the language's analyzer indexes for a token: folded, lower-cased, stemmed.
    return _STEMMERS[language](fold(token).lower())


def _mark(text: str, words: frozenset[str], language: str, start: int = 0,
          end: int | None = None) -> Markup:
    """Escape text[start:end], wrapping the words found in <mark>: the only markup we add."""
    end = len(text) if end is None else end
    out, pos = [], start
    for found in _TOKEN.finditer(text, start, end):
        if _stem(found.group(), language) in words:
            out += [escape(text[pos:found.start()]), Markup("<mark>"), escape(found.group()),
                    Markup("</mark>")]
            pos = found.end()
    out.append(escape(text[pos:end]))
    return Markup("").join(out)


class Highlighter:
    """Marks the query's words in a title or body; the words are worked out once per search.

    A token is marked when its stem, in the language of the post's board, is one the query
    matched in that language's fields, as the index saw it; this is several times faster than
    Whoosh's highlighter, which runs the full analyzer per hit.
    """

    def __init__(self, searcher: Searcher, whoosh_query: query.Query) -> None:
        reader = searcher.reader()
        found: dict[str, set[str]] = {name: set() for name in FIELD_LANGUAGE}
        # Leaf by leaf: Query.existing_terms reuses its ``fieldname`` argument as a loop variable
        # and so drops every field after the first one it meets.
        for leaf in whoosh_query.leaves():
            for fieldname, text in leaf.existing_terms(reader, phrases=True, expand=True):
                if fieldname in found:
                    found[fieldname].add(text.decode("utf-8") if isinstance(text, bytes) else text)
        self.words = {name: frozenset(words) for name, words in found.items()}

    def _words(self, kind: str, language: str) -> frozenset[str]:
        return self.words.get(field(kind, language), frozenset())

    def title(self, text: str, language: str = LANGUAGES[0]) -> Markup:
        words = self._words("title", language)
        return _mark(text, words, language) if words else escape(text)

    def snippet(self, text: str, language: str = LANGUAGES[0]) -> Markup:
        """Up to SNIPPET characters around the first marked word, cut at spaces."""
        words = self._words("body", language)
        if len(text) <= SNIPPET:
            return _mark(text, words, language)
        first = 0
        for found in _TOKEN.finditer(text, 0, SCAN_LIMIT):
            if _stem(found.group(), language) in words:
                first = found.start()
                break
        start = 0 if first < SNIPPET // 3 else text.rfind(" ", 0, first - SNIPPET // 4) + 1
        end = start + SNIPPET
        if end < len(text):
            cut = text.rfind(" ", start, end)
            end = cut if cut > first else end
        marked = _mark(text, words, language, start, end)
        return Markup("{}{}{}").format(
            "… " if start else "", marked, " …" if end < len(text) else ""
        )
