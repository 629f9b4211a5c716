"""Searching with PostgreSQL's full-text search: the engine when the database is PostgreSQL.

Each post has a weighted ``tsvector`` in ``post_search`` (title A, body B), written in the
transaction that writes the post (``vectors``), in its board's language, from text folded by
the application as Whoosh's is (``folding``; for German also "oe" as "o", on both sides).

A member's query is read with ``websearch_to_tsquery`` ("quoted phrases", ``OR``, ``-word``),
once per language; what Whoosh's syntax offers beyond it is kept: ``NOT word`` is ``-word``,
``title:word`` a word in titles only (weight A), ``author:name`` the author filter, ``word*``
a prefix (at least ``limits.MIN_PREFIX`` letters, at most ``limits.MAX_WILDCARDS``, checked by
the same parser as Whoosh's).

Ranking is bounded: the matching posts the viewer may see are taken newest first up to
``CANDIDATES`` (the planner walks the primary key backwards for a common word and reads the
GIN index for a rare one), and only those are ranked with ``ts_rank_cd``. Fewer than that and
the total is exact; at the bound, it is estimated from the stretch of posts (by id) the
candidates came from: an exact count of a word in a third of a million posts costs more than
the search. Every statement runs under
``SET LOCAL statement_timeout``; one that is cancelled is a "too broad" search.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape
from sqlalchemy import (
    Text,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    not_,
    or_,
    select,
    text,
)
from sqlalchemy.exc import OperationalError

from ...common.usernames import key as username_key
from ...extensions import db
from ...models import Post, PostSearch, Thread, User
from . import limits, vectors
from .backend import Found, Page, Shown
from .folding import fold, fold_mapped
from .index import LANGUAGES, PER_PAGE, SCAN_LIMIT, SNIPPET, Filters, Scope
from .languages import TEXT_SEARCH_CONFIGS as CONFIGS

CANDIDATES = 1000  # matching posts ranked per search, newest first
# ts_rank_cd's weights for D, C, B, A: a word in the title counts ten times one in the body, so
# a thread named after the word comes before a post that repeats it.
WEIGHTS = "{0.1, 0.1, 0.1, 1.0}"
TIMEOUT_MS = int(limits.TIME_LIMIT * 1000)
# Marks ts_headline puts around a matched word: characters no text it reads holds (they are
# taken out first), found again to mark the words as written.
START, STOP = "\x02", "\x03"

_post, _thread, _search = Post.__table__, Thread.__table__, PostSearch.__table__


def _config(language: str):
    return literal_column(f"'{CONFIGS[language]}'::regconfig")


# -- reading the member's query -----------------------------------------------------------------
_TOKEN = re.compile(r'-?"[^"]*"|\S+')
_PREFIX = re.compile(r"^(\w+)\*$")
_FIELD = re.compile(r"^(title|body|author):(.+)$", re.IGNORECASE)


class Query:
    """The member's words, split into what ``websearch_to_tsquery`` reads and what it does not."""

    def __init__(self, typed: str) -> None:
        self.words: list[str] = []  # for websearch_to_tsquery
        self.prefixes: list[tuple[str, bool]] = []  # (letters, negated)
        self.titles: list[tuple[str, bool]] = []
        self.authors: list[str] = []
        negate = False
        for token in _TOKEN.findall(" ".join(typed.replace("?", " ").split())):
            if token.startswith('"') or token.startswith('-"'):
                self.words.append(("-" if negate else "") + token)
                negate = False
                continue
            token = token.strip("()")
            if token == "AND" or not token:
                continue
            if token == "NOT":
                negate = True
                continue
            if token == "OR":
                self.words.append("or")
                continue
            negated = negate or (token.startswith("-") and len(token) > 1)
            negate = False
            bare = token[1:] if token.startswith("-") else token
            named = _FIELD.match(bare)
            if named and named.group(1).lower() == "author":
                self.authors.append(named.group(2).strip('"'))
                continue
            if named:
                bare = named.group(2).strip('"()')
            prefix = _PREFIX.match(bare)
            if prefix:
                self.prefixes.append((prefix.group(1), negated))
            elif named and named.group(1).lower() == "title":
                self.titles.extend((word, negated) for word in re.findall(r"\w+", bare))
            else:
                self.words.append(("-" if negated else "") + bare)

    def tsquery(self, language: str):
        """This query in ``language``'s configuration, folded as its posts were."""
        german = language == "de"

        def folded(value: str) -> str:
            return fold_mapped(value, digraphs=german)[0] if german else fold(value)

        parts = []
        words = " ".join(self.words).strip()
        if words:
            parts.append(func.websearch_to_tsquery(_config(language), folded(words)))
        for letters, negated in self.prefixes:
            part = func.to_tsquery(literal_column("'simple'::regconfig"),
                                   literal(folded(letters).lower() + ":*"))
            parts.append(func.tsquery_not(part) if negated else part)
        for word, negated in self.titles:
            part = func.to_tsquery(_config(language), literal(folded(word) + ":A"))
            parts.append(func.tsquery_not(part) if negated else part)
        if not parts:
            return None
        combined = parts[0]
        for part in parts[1:]:
            combined = func.tsquery_and(combined, part)
        return combined


# -- the statement --------------------------------------------------------------------------------
def _scope(scope: Scope) -> list:
    conditions = []
    if scope.unreadable_board_ids:
        conditions.append(_thread.c.board_id.not_in(sorted(scope.unreadable_board_ids)))
    if scope.withheld_board_ids is not None:
        shown = not_(or_(_post.c.is_deleted, _post.c.is_hidden, _thread.c.is_deleted))
        if scope.withheld_board_ids:
            shown = or_(shown, _thread.c.board_id.in_(sorted(scope.withheld_board_ids)))
        conditions.append(shown)
    return conditions


def _filters(filters: Filters, authors: list[str]) -> list:
    conditions = []
    if filters.board_id is not None:
        conditions.append(_thread.c.board_id == filters.board_id)
    if filters.thread_id is not None:
        conditions.append(_post.c.thread_id == filters.thread_id)
    if filters.author_id is not None:
        conditions.append(_post.c.author_id == filters.author_id)
    for name in authors:
        conditions.append(_post.c.author_id.in_(
            select(User.id).where(User.username_key == username_key(name)).scalar_subquery()))
    if filters.after is not None:
        conditions.append(_post.c.created_at >= filters.after)
    if filters.before is not None:
        conditions.append(_post.c.created_at < filters.before)
    if filters.solved == "solved":
        conditions.append(_thread.c.accepted_post_id.is_not(None))
    elif filters.solved == "unsolved":
        questions = sorted(filters.question_board_ids)
        conditions.append(and_(_thread.c.board_id.in_(questions) if questions else false(),
                               _thread.c.accepted_post_id.is_(None)))
    return conditions


def _matching(tsqueries: dict, conditions: list):
    """The posts the query matches (all of them for "author:name" alone) and the viewer may
    find, as a join and its conditions."""
    if tsqueries:
        conditions = [or_(*(and_(_search.c.language == language,
                                 _search.c.vector.op("@@")(tsquery))
                            for language, tsquery in tsqueries.items())), *conditions]
    return (
        _search.join(_post, _post.c.id == _search.c.post_id)
        .join(_thread, _thread.c.id == _post.c.thread_id),
        conditions,
    )


_LIMITS = text(
    "SELECT set_config('statement_timeout', :timeout, true), "
    # A parallel worker takes longer to start (≈ 5 ms) than a bounded search takes to run.
    "set_config('max_parallel_workers_per_gather', '0', true)")


def limit_statements() -> None:
    """Bound every statement of the rest of this transaction (the search's): ``SET LOCAL``,
    both settings in one statement."""
    db.session.execute(_LIMITS, {"timeout": f"{TIMEOUT_MS}ms"})


class PostgresEngine:
    def find(self, typed: str, parsed, filters: Filters, scope: Scope, *, sort: str,
             page: int) -> Found:
        query = Query(typed)
        tsqueries = {language: query.tsquery(language) for language in LANGUAGES}
        tsqueries = {language: q for language, q in tsqueries.items() if q is not None}
        if not tsqueries and not query.authors:
            raise limits.QuerySyntaxError(limits.nothing_to_search())
        source, where = _matching(tsqueries, [*_scope(scope), *_filters(filters, query.authors)])
        newest = sort == "newest"
        # The newest matches by id (the order posts are written in, and an index to walk),
        # then ordered by rank or by the moment each was posted.
        candidates = (
            select(_search.c.post_id, _search.c.vector, _search.c.language,
                   _post.c.created_at)
            .select_from(source).where(*where).order_by(_search.c.post_id.desc())
            .limit(CANDIDATES).cte("candidates")
        )
        if newest or not tsqueries:
            ranking = [candidates.c.created_at.desc(), candidates.c.post_id.desc()]
        else:
            weighed = case(
                *((candidates.c.language == language, tsquery)
                  for language, tsquery in tsqueries.items()), else_=None)
            rank = func.ts_rank_cd(literal_column(f"'{WEIGHTS}'::float4[]"),
                                   candidates.c.vector, weighed)
            ranking = [rank.desc(), candidates.c.post_id.desc()]
        count = select(func.count()).select_from(candidates).scalar_subquery()
        # Where the candidates start among all posts by id: past the bound, the total is
        # estimated as the bound's share of that stretch of posts, over every post.
        oldest = select(func.min(candidates.c.post_id)).scalar_subquery()
        newest_id = select(func.max(_post.c.id)).scalar_subquery()
        # A page far past the end costs what the last one does (and never overflows).
        offset = min(max(page - 1, 0) * PER_PAGE, CANDIDATES)
        ranked = (select(candidates.c.post_id, count.label("total"))
                  .order_by(*ranking).limit(PER_PAGE).offset(offset)
                  .add_columns(func.row_number().over(order_by=ranking).label("place"))
                  .subquery("ranked"))
        # The page's posts, threads and authors in the same statement: the page needs them.
        languages = list(tsqueries)
        statement = (
            select(Post, Thread, User, ranked.c.total, oldest, newest_id,
                   *(cast(tsqueries[language], Text) for language in languages))
            .join_from(ranked, Post, Post.id == ranked.c.post_id)
            .join(Thread, Thread.id == Post.thread_id)
            .join(User, User.id == Post.author_id)
            .order_by(ranked.c.place)
        )
        try:
            limit_statements()
            rows = db.session.execute(statement).all()
            if rows:
                total, first, last = rows[0][3:6]
            else:
                total, first, last = db.session.execute(
                    select(count, oldest, newest_id)).one() if page > 1 else (0, 0, 0)
            estimated = total >= CANDIDATES
            if estimated:
                total = max(total, round(total * last / max(last - first + 1, 1)))
        except OperationalError as error:
            if "statement timeout" not in str(error.orig):
                raise
            db.session.rollback()  # the transaction is aborted; the page still renders
            raise limits.TooBroad from None
        reachable = min(total, CANDIDATES)
        pages = max(1, -(-reachable // PER_PAGE))
        found = Page([row[0].id for row in rows], total, page, pages, estimated, reachable)
        said = dict(zip(languages, rows[0][6:], strict=True)) if rows else {}
        return Found(found, Headlines(said), [tuple(row[:3]) for row in rows])

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        return vectors.rebuild(progress)


# -- snippets -----------------------------------------------------------------------------------
class Headlines:
    """Titles and snippets marked by ``ts_headline``, for a page of results in one statement.

    PostgreSQL reads the folded text (with ``<``, ``>`` and ``&`` as spaces, which it would
    otherwise take for markup and leave out) and marks every matched word in it; the marks are
    carried back to the words as they were written (``fold_mapped``), the snippet is cut around
    the first one as Whoosh's is, and everything else is escaped. The query comes as the text
    PostgreSQL made of it in the ranking statement."""

    OPTIONS = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"
    STATEMENT = text(
        "SELECT ts_headline(CAST(c AS regconfig), t, CAST(q AS tsquery), :options) "
        "FROM unnest(CAST(:configs AS text[]), CAST(:texts AS text[]), "
        "CAST(:queries AS text[])) WITH ORDINALITY AS x(c, t, q, n) ORDER BY n")

    def __init__(self, tsqueries: dict[str, str]) -> None:
        self.tsqueries = tsqueries  # language → the tsquery as text

    def mark(self, shown: Sequence[Shown]) -> list[tuple[Markup, Markup]]:
        if not shown:
            return []
        prepared, configs, texts, queries = [], [], [], []
        for item in shown:
            for value in (item.title, item.text[:SCAN_LIMIT]):
                folded, origin = fold_mapped(value, item.language == "de")
                prepared.append((value, origin))
                configs.append(CONFIGS[item.language])
                texts.append(_UNREAD.sub(" ", folded))
                queries.append(self.tsqueries.get(item.language, ""))
        marked = db.session.execute(self.STATEMENT, {
            "options": self.OPTIONS, "configs": configs, "texts": texts, "queries": queries,
        }).scalars().all()
        marks = [_marks(headline or "", origin, len(value))
                 for headline, (value, origin) in zip(marked, prepared, strict=True)]
        return [(_cut(item.title, 0, len(item.title), marks[2 * n]),
                 _snippet(item.text, marks[2 * n + 1]))
                for n, item in enumerate(shown)]


# Markup characters ts_headline would drop, and control characters (the marks among them).
_UNREAD = re.compile("[<>&\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")


def _marks(headline: str, origin: list[int] | None, length: int) -> list[tuple[int, int]]:
    """Where in the original text the words ``headline`` marks are (start, end)."""
    def source(at: int) -> int:
        if origin is None:
            return at
        return origin[at] if at < len(origin) else length

    found, position, opened = [], 0, None
    for piece in re.split(f"([{START}{STOP}])", headline):
        if piece == START:
            opened = position
        elif piece == STOP and opened is not None:
            found.append((source(opened), source(position)))
            opened = None
        else:
            position += len(piece)
    return found


def _snippet(text: str, marks: list[tuple[int, int]]) -> Markup:
    """Up to SNIPPET characters around the first marked word, cut at spaces (as Whoosh's)."""
    if len(text) <= SNIPPET:
        return _cut(text, 0, len(text), marks)
    first = marks[0][0] if marks else 0
    start = 0 if first < SNIPPET // 3 else text.rfind(" ", 0, first - SNIPPET // 4) + 1
    end = start + SNIPPET
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > first else end
    return Markup("{}{}{}").format("… " if start else "", _cut(text, start, end, marks),
                                   " …" if end < len(text) else "")


def _cut(text: str, start: int, end: int, marks: list[tuple[int, int]]) -> Markup:
    """text[start:end] escaped, with the marked words in <mark>: the only markup added."""
    out, position = [], start
    for mark_start, mark_end in marks:
        if mark_start < position or mark_end > end:
            continue
        out += [escape(text[position:mark_start]), Markup("<mark>"),
                escape(text[mark_start:mark_end]), Markup("</mark>")]
        position = mark_end
    out.append(escape(text[position:end]))
    return Markup("").join(out)
