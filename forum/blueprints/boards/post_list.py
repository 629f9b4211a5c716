"""A thread's page of posts: each post's block kept, the page put together per request.

The page's posts are read on every request with their authors, in one query that leaves out
their HTML. What a post shows apart from its byline and buttons — its header, its body or the
placeholder that stands for it, the notices — is its block, kept per worker under the post's id
and version (the database raises the version on every update of a post, whoever writes it),
the viewer's time zone, whether the viewer moderates the board, whether the post is the
viewer's own hidden one, and for an edited post what its "edited" line shows. So a kept block
is never stale, and a new reply leaves the other posts' blocks alone. Only posts whose blocks
are not kept have their HTML read (one more query).

Bylines and buttons are rendered on every request from the posts themselves: names, roles and
post counts change without the post, and the buttons are the viewer's own (the policy is asked
per post).
"""
from __future__ import annotations

from flask import Flask, current_app, request
from markupsafe import Markup

from ...permissions import Policy
from ...services import threads
from ...services.threads import ThreadPage
from ...timefmt import relative
from ...ttlcache import TtlCache
from ...web import UrlPattern, viewer_tz

CACHE_KEY = "agora_post_blocks"
URLS_KEY = "agora_post_urls"
MAX_BLOCKS = 8192  # about 1.5 KB each
URL_SECONDS = 24 * 3600


def init_app(app: Flask) -> None:
    app.extensions[CACHE_KEY] = TtlCache(MAX_BLOCKS)
    app.extensions[URLS_KEY] = TtlCache(16)


def render(view: ThreadPage, viewer: Policy, reply_decision) -> Markup:
    thread = view.thread
    posts = threads.page_posts(thread, view.first_position, view.per_page, with_html=False)
    macros = current_app.jinja_env.get_template("boards/_post_list.html").module
    urls = _Urls(thread)
    seconds = current_app.config.get("POST_LIST_CACHE_SECONDS", 60)
    cache: TtlCache = current_app.extensions[CACHE_KEY]
    staff = viewer.moderates(thread.board)
    member = viewer.is_member
    shared = (request.script_root, viewer_tz(), staff)
    keys, blocks = [], []
    for post in posts:
        own = member and post.is_hidden and post.author_id == viewer.user.id
        edited = None
        if post.edited_at is not None:
            editor = (post.edited_by.name if post.edited_by_id
                      and post.edited_by_id != post.author_id else None)
            edited = (relative(post.edited_at), editor,
                      member and bool(viewer.can_view_revisions(post)))
        key = (post.id, post.version, own, edited, *shared)
        keys.append(key)
        blocks.append(cache.get(key) if seconds else None)
    missing = [post for post, block in zip(posts, blocks, strict=True) if block is None]
    if missing:
        threads.load_html(missing)
        for index, post in enumerate(posts):
            if blocks[index] is None:
                _, _, own, edited, *_ = keys[index]
                blocks[index] = macros.block(post, viewer.can_view_post(post), own,
                                             edited[2] if edited else False, urls.history)
                if seconds:
                    cache.put(keys[index], blocks[index], seconds)
    buttons = [_buttons(viewer, thread, post, bool(reply_decision)) if member else None
               for post in posts]
    return Markup(macros.page(posts, blocks, buttons, urls))


def _buttons(viewer: Policy, thread, post, may_quote: bool) -> tuple | None:
    """Which buttons go under the post, or None where its text is not shown."""
    if not viewer.can_view_post(post):
        return None
    return (may_quote,
            bool(viewer.can_edit_post(post)),
            bool(viewer.can_delete_post(post)),
            bool(post.revision_count and viewer.can_view_revisions(post)),
            bool(not post.is_deleted and not thread.is_deleted and viewer.can_report(post)))


class _Urls:
    """Each link kind routed once, completed per post; all but the quote link are the same
    for every thread, so those are kept per script root."""

    def __init__(self, thread) -> None:
        cache: TtlCache = current_app.extensions[URLS_KEY]
        shared = cache.get(request.script_root)
        if shared is None:
            shared = (UrlPattern("profiles.show", "username"),
                      UrlPattern("profiles.avatar", "username"),
                      UrlPattern("boards.edit_post", "post_id"),
                      UrlPattern("boards.delete_post", "post_id"),
                      UrlPattern("boards.post_history", "post_id"),
                      UrlPattern("reports.new", "target_id", kind="post"))
            cache.put(request.script_root, shared, URL_SECONDS)
        self.profile, self.avatar, self.edit, self.delete, self.history, self.report = shared
        self.quote = UrlPattern("boards.reply", "quote", thread_id=thread.id)
