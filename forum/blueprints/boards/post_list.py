"""A thread's page of posts: rendered once, kept, completed per request.

Rendering twenty posts is most of a thread page's cost, and nearly all of it is the same for
every viewer. So the page of posts is rendered for a *kind* of viewer — the board's moderators,
who see deleted and hidden posts, or everyone else — in one time zone, and kept in this
process under the page's stamp (``ThreadPage.stamp``: the thread's last position and the sum of
its posts' versions, which the database raises on every update of a post). A kept rendering
is therefore never stale about the posts themselves, whichever worker or statement changed
them; it is also dropped after ``POST_LIST_CACHE_SECONDS`` so "edited 5 minutes ago" and an
editor's renamed display name catch up.

What differs between viewers of one kind is left as marks in the kept HTML and filled per
request: each post's byline (read fresh: names, roles and post counts change without the
post), the "edited" link (only the author and moderators may open the history) and the buttons
under each post (quote, edit, delete, history, report). A member whose own post is hidden
sees it with a notice, unlike anyone else of their kind: such a page is rendered for them alone
and not kept.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import NamedTuple

from flask import Flask, current_app, render_template, request
from markupsafe import Markup

from ...common.ttlcache import TtlCache
from ...i18n import language
from ...policy import Policy
from ...services.content import reactions, reading, reading_state
from ...services.content.reading import ThreadPage
from ...web import UrlPattern, avatar_src, loads_remote_images, viewer_tz

CACHE_KEY = "agora_post_lists"
PIECES_KEY = "agora_post_pieces"
MAX_ENTRIES = 256  # about 30 KB each at 20 posts a page
MAX_PIECES = 4096  # bylines and button rows, half a KB each
URL_SECONDS = 24 * 3600

# The marks carry a per-process secret, so no text inside a post can pass for one.
_NONCE = secrets.token_hex(6)
_MARK = re.compile("\x00" + _NONCE + r"(byline|edited|reactions|actions):(\d+)\x00")
_EVERYONE = Policy(None)


def _slot(kind: str, index: int) -> Markup:
    return Markup(f"\x00{_NONCE}{kind}:{index}\x00")


class _Facts(NamedTuple):
    """What the per-viewer parts need to know of a post."""

    id: int
    author_id: int
    position: int
    is_deleted: bool
    is_hidden: bool
    hidden_by_id: int | None
    revision_count: int
    reaction_summary: str | None


class _PostView:
    """A kept post's facts with this request's thread and its author's fresh byline (their
    rank, which the policy weighs for a moderator's buttons): what the policy asks of a post."""

    __slots__ = (*_Facts._fields, "thread", "author")

    def __init__(self, facts: _Facts, thread, author) -> None:
        (self.id, self.author_id, self.position, self.is_deleted, self.is_hidden,
         self.hidden_by_id, self.revision_count, self.reaction_summary) = facts
        self.thread = thread
        self.author = author


@dataclass(frozen=True, slots=True)
class _Rendered:
    parts: tuple  # text, kind, post index, text, kind, post index, …, text
    facts: tuple[_Facts, ...]


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = TtlCache(MAX_ENTRIES)
    # The filled-in pieces repeat from request to request (the same authors, the same buttons
    # for most viewers), so they are kept too, under everything they are made from.
    app.extensions[PIECES_KEY] = TtlCache(MAX_PIECES)


def render(view: ThreadPage, viewer: Policy, reply_decision) -> Markup:
    thread = view.thread
    staff = viewer.moderates(thread.board)
    seconds = current_app.config.get("POST_LIST_CACHE_SECONDS", 60)
    cache: TtlCache = current_app.extensions[CACHE_KEY]
    key = (thread.id, view.page, view.per_page, view.stamp, viewer_tz(), language(), staff,
           loads_remote_images())
    viewer_id = viewer.user.id if viewer.is_member else None
    # Authors the viewer blocked and chose to fold away: such a page is theirs alone too.
    folded = viewer.folded_author_ids
    kept = cache.get(key) if seconds else None
    if (kept is not None and not _own_hidden(kept.facts, viewer_id)
            and not _folds(kept.facts, folded)):
        authors = reading.bylines(thread, view.first_position, view.per_page)
        return _fill(kept, thread, viewer, reply_decision, authors, seconds)
    posts = view.items
    own_hidden = _own_hidden(posts, viewer_id)
    folds = _folds(posts, folded)
    alone = own_hidden or folds
    rendered = _render(posts, viewer if staff or alone else _EVERYONE,
                       viewer_id if own_hidden else None, folded if folds else frozenset())
    if seconds and not alone:
        cache.put(key, rendered, seconds)
    return _fill(rendered, thread, viewer, reply_decision,
                 {post.author_id: post.author for post in posts}, seconds)


def _own_hidden(posts, viewer_id: int | None) -> bool:
    return viewer_id is not None and any(
        post.is_hidden and post.author_id == viewer_id for post in posts)


def _folds(posts, folded: frozenset[int]) -> bool:
    return bool(folded) and any(post.author_id in folded for post in posts)


def _render(posts, reader: Policy, own_hidden_for: int | None,
            folded: frozenset[int] = frozenset()) -> _Rendered:
    html = render_template("boards/_post_list.html", posts=posts, reader=reader,
                           own_hidden_for=own_hidden_for, slot=_slot, folded=folded)
    pieces = _MARK.split(html)
    parts = []
    for index, piece in enumerate(pieces):
        parts.append(int(piece) if index % 3 == 2 else piece)
    facts = tuple(_Facts(post.id, post.author_id, post.position, post.is_deleted,
                         post.is_hidden, post.hidden_by_id, post.revision_count,
                         post.reaction_summary)
                  for post in posts)
    return _Rendered(tuple(parts), facts)


def _byline_avatar(author) -> str:
    return avatar_src(author, 48)


class _Urls:
    """Each link kind routed once, completed per post; all but the quote link are the same
    for every thread, so those are kept per script root."""

    def __init__(self, thread) -> None:
        shared = current_app.extensions[PIECES_KEY].get(("urls", request.script_root))
        if shared is None:
            shared = (UrlPattern("profiles.show", "username"),
                      UrlPattern("profiles.avatar", "username"),
                      UrlPattern("boards.edit_post", "post_id"),
                      UrlPattern("boards.delete_post", "post_id"),
                      UrlPattern("boards.post_history", "post_id"),
                      UrlPattern("reports.new", "target_id", kind="post"),
                      UrlPattern("moderation.post_tools", "post_id"),
                      UrlPattern("boards.mark_answer", "post_id"),
                      UrlPattern("keepup.bookmark", "post_id"),
                      UrlPattern("keepup.react", "post_id"),
                      UrlPattern("keepup.who_reacted", "post_id"))
            current_app.extensions[PIECES_KEY].put(("urls", request.script_root), shared,
                                                   URL_SECONDS)
        (self.profile, self.avatar, self.edit, self.delete, self.history, self.report,
         self.moderate, self.answer, self.bookmark, self.react, self.who_reacted) = shared
        self.quote = UrlPattern("boards.reply", "quote", thread_id=thread.id)


class _Menu(NamedTuple):
    """What a post's moderator menu offers this viewer: each entry leads to the post's tools
    page (or the author's record), which asks for the reason."""

    hide: bool
    unhide: bool
    restore: bool
    sanction: bool

    def __bool__(self) -> bool:
        return any(self)


_NO_MENU = _Menu(False, False, False, False)


def _moderator_menu(viewer: Policy, post: _PostView) -> _Menu:
    board = post.thread.board
    if not viewer.moderates(board) or post.author is None:
        return _NO_MENU
    outranks = bool(viewer.can_act_on_user(post.author, board))
    return _Menu(
        hide=outranks and not post.is_deleted and not post.is_hidden,
        unhide=not post.is_deleted and post.is_hidden,
        restore=outranks and post.is_deleted,
        sanction=bool(viewer.can_act_on_user(post.author)),
    )


def _answer_state(thread, post: _PostView, may_mark: bool) -> str | None:
    """"accepted" on a question's answer, "mark" on a reply the viewer may make the answer."""
    if not thread.board.is_questions or post.id == thread.first_post_id:
        return None
    if post.id == thread.accepted_post_id:
        return "accepted"
    if may_mark and not post.is_deleted and not post.is_hidden:
        return "mark"
    return None


def _expert_ids(thread) -> frozenset[int]:
    """The experts of the expert Q&A this thread discusses (loaded with the thread)."""
    raw = getattr(thread, "expert_ids", None)
    if not raw:
        return frozenset()
    return frozenset(int(part) for part in raw.split(",") if part.isdigit())


def _fill(rendered: _Rendered, thread, viewer: Policy, reply_decision, authors: dict,
          seconds: float) -> Markup:
    slots = current_app.jinja_env.get_template("boards/_post_slots.html").module
    pieces: TtlCache = current_app.extensions[PIECES_KEY]
    urls = _Urls(thread)
    tz = viewer_tz()
    lang = language()

    def kept(key: tuple, make) -> str:
        key = (lang, *key)  # every piece holds words
        piece = pieces.get(key) if seconds else None
        if piece is None:
            piece = make()
            if seconds:
                pieces.put(key, piece, seconds)
        return piece

    experts = _expert_ids(thread)
    bylines = {
        author_id: kept(("byline", tz, author_id, author.username, author.display_name,
                         author.role_value, author.created_at, author.post_count,
                         author.avatar_keys, author_id in experts),
                        lambda author=author, author_id=author_id: slots.byline(
                            author, _byline_avatar, urls.profile, author_id in experts))
        for author_id, author in authors.items()
    }
    member = viewer.is_member
    may_quote = bool(reply_decision)
    may_mark = member and thread.board.is_questions and bool(viewer.can_mark_answer(thread))
    mine = reading_state.my_reactions(thread) if member else {}
    no_kinds: frozenset[str] = frozenset()
    # What the policy answers for one post it answers for every post of the same class (see
    # ``Policy.post_class``): asked once per class, not twenty times a page.
    answers: dict = {}

    def decided(post: _PostView) -> tuple:
        cls = viewer.post_class(post) if member else None
        found = answers.get(cls) if cls is not None else None
        if found is None:
            found = (bool(viewer.can_react(post)),
                     bool(viewer.can_edit_post(post)),
                     bool(viewer.can_delete_post(post)),
                     bool(post.revision_count and viewer.can_view_revisions(post)),
                     bool(not post.is_deleted and not thread.is_deleted
                          and viewer.can_report(post)),
                     member and bool(viewer.can_view_revisions(post)))
            if cls is not None:
                answers[cls] = found
        return found

    views = [_PostView(facts, thread, authors.get(facts.author_id)) for facts in rendered.facts]
    parts = rendered.parts
    out = []
    for start in range(0, len(parts) - 1, 3):
        out.append(parts[start])
        kind, post = parts[start + 1], views[parts[start + 2]]
        if kind == "byline":
            out.append(bylines.get(post.author_id, ""))
        elif kind == "reactions":
            may_react = member and decided(post)[0]
            if post.reaction_summary or may_react:
                own = mine.get(post.id, no_kinds)
                out.append(kept(
                    ("reactions", post.id, post.reaction_summary, own, may_react),
                    lambda post=post, own=own, may_react=may_react: slots.reactions(
                        post, reactions.parse_summary(post.reaction_summary), own, may_react,
                        urls.react, urls.who_reacted)))
        elif kind == "edited":
            out.append(slots.edited(post, member and decided(post)[5], urls.history))
        elif member:
            _react, edit, delete, history, report, _history = decided(post)
            can = (may_quote, edit, delete, history, report,
                   _moderator_menu(viewer, post),
                   _answer_state(thread, post, may_mark))
            author = authors.get(post.author_id)
            name = author.name if author is not None else ""
            username = author.username if author is not None else ""
            out.append(kept(
                ("actions", thread.id, post.id, post.position, name, username, can),
                lambda post=post, can=can, name=name, username=username: slots.actions(
                    post, name, username, urls, *can)))
    out.append(parts[-1])
    return Markup("".join(out))
