"""Being found and shared: ``robots.txt``, the sitemap (an index of parts, each also served
gzip-compressed), and what every page's head says to search engines and link previews (its
canonical address, ``noindex`` where a page is not for the public, Open Graph and Twitter
card tags, the feeds it offers)."""
from __future__ import annotations

import gzip
from functools import lru_cache
from urllib.parse import quote

from flask import Blueprint, Response, current_app, render_template, request

from ..common.markup import excerpt
from ..errors import NotFound
from ..models import Board
from ..services.syndication import feeds, sitemap
from .machine_readable import absolute_url, clean_xml, xml_answer

bp = Blueprint("seo", __name__)

SITEMAP = "application/xml"
# Areas whose pages are nobody's business but their readers': never worth indexing.
PRIVATE_PREFIXES = ("/mod", "/admin", "/desk", "/account", "/messages", "/notifications",
                    "/search", "/new", "/unread", "/bookmarks", "/waiting", "/report",
                    "/login", "/register", "/accept", "/mail", "/language", "/api")
# Forms and a member's own views inside public areas.
PRIVATE_ENDPOINTS = frozenset({
    "boards.new_thread", "boards.reply", "boards.edit_post", "boards.delete_post",
    "boards.quote_post", "boards.post_history", "events.new", "events.edit", "events.cancel",
    "keepup.bookmark", "keepup.who_reacted",
})
# What robots are asked to leave alone. ``Disallow`` matches by prefix ("/new" would match
# "/news" too), so "$" ends a path where it must and "*" stands for an id or a slug.
DISALLOWED = ("/mod", "/admin", "/desk", "/account", "/messages", "/notifications",
              "/search", "/new$", "/unread$", "/bookmarks", "/waiting", "/report/",
              "/login", "/register", "/accept", "/mail/", "/language/", "/api/",
              "/b/*/new", "/t/*/reply", "/t/*/unread", "/p/*/", "/events/new",
              "/events/*/edit", "/events/*/cancel")
# Open Graph descriptions: a sentence or two of the opening post.
DESCRIPTION_LENGTH = 200


# -- robots and the sitemap ----------------------------------------------------------------------
@bp.get("/robots.txt")
def robots():
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED), "",
             f"Sitemap: {absolute_url('seo.sitemap_index')}", ""]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.headers["Content-Type"] = "text/plain; charset=utf-8"
    return response


def _per_part() -> int:
    return max(1, int(current_app.config.get("SITEMAP_URLS_PER_PART")
                      or sitemap.URLS_PER_PART))


@bp.get("/sitemap.xml")
def sitemap_index():
    """The parts: the public boards (with the index page), then the threads in parts of at
    most ``SITEMAP_URLS_PER_PART`` (50,000) addresses; the compressed form of each."""
    parts = sitemap.thread_parts(_per_part())
    body = render_template("seo/sitemap_index.xml", parts=parts)
    return xml_answer(body, SITEMAP, max((part.lastmod for part in parts if part.lastmod),
                                         default=None), localized=False)


def _part(name: str, compressed: bool):
    if name == "boards":
        boards = sitemap.public_boards()
        body = render_template("seo/sitemap_boards.xml", boards=boards)
    else:
        number = name.removeprefix("threads-")
        if not (name.startswith("threads-") and number.isascii() and number.isdigit()
                and len(number) <= 9 and int(number) > 0):
            raise NotFound()
        threads = sitemap.threads_of_part(int(number), _per_part())
        if not threads:
            raise NotFound()
        body = render_template("seo/sitemap_threads.xml", threads=_thread_locations(threads))
    if not compressed:
        return xml_answer(body, SITEMAP, localized=False)
    # mtime=0: the same part compresses to the same bytes, so its ETag holds.
    return xml_answer(gzip.compress(clean_xml(body).encode("utf-8"), mtime=0),
                      "application/gzip", localized=False)


def _thread_locations(threads: list[sitemap.ThreadUrl]) -> list[tuple[str, object]]:
    """Each thread's canonical address with its last activity. The address is routed once and
    completed per thread: a part holds up to 50,000."""
    slot = 2**31 - 1
    head, _, tail = absolute_url("boards.thread", thread_id=slot).partition(str(slot))
    return [(f"{head}{thread.id}-{quote(thread.slug, safe='')}{tail}" if thread.slug
             else f"{head}{thread.id}{tail}", thread.lastmod) for thread in threads]


@bp.get("/sitemaps/<name>.xml")
def sitemap_part(name: str):
    return _part(name, False)


@bp.get("/sitemaps/<name>.xml.gz")
def sitemap_part_gz(name: str):
    return _part(name, True)


# -- what every page's head says ------------------------------------------------------------------
@bp.app_template_global()
def public_board(board: Board) -> bool:
    """Whether a guest may read the board (and so search engines and feeds see it); the
    board's row holds all the policy needs, so asking costs no query."""
    return bool(feeds.guest().can_view_board(board))


@bp.app_template_global()
def private_page() -> bool:
    """Pages of a member's own, the team's areas and search results: ``noindex``."""
    return (request.endpoint is None or request.endpoint in PRIVATE_ENDPOINTS
            or request.path.startswith(PRIVATE_PREFIXES))


@bp.app_template_global()
def canonical(endpoint: str, **values) -> str:
    return absolute_url(endpoint, **values)


@bp.app_template_global()
def description(html: str | None, fallback: str | None = None) -> str:
    """A page's description for link previews: the text of ``html`` (the start of the
    opening post), trimmed to a sentence or two, else ``fallback``."""
    return (_preview_text(html) if html else "") or (fallback or "")


@lru_cache(maxsize=512)
def _preview_text(html: str) -> str:
    # The HTML may have been cut inside a tag: what follows its last "<" is left out.
    if html.rfind("<") > html.rfind(">"):
        html = html[:html.rfind("<")]
    return excerpt(html, DESCRIPTION_LENGTH)


@bp.app_template_global()
def canonical_here() -> str:
    """The address of the page being shown, for pages without one of their own: its route
    and path values, and of the query only what names another page (``page`` past the
    first, an events ``month``)."""
    values = dict(request.view_args or {})
    page = request.args.get("page", "")
    if page.isascii() and page.isdigit() and int(page) > 1:
        values["page"] = int(page)
    month = request.args.get("month")
    if month and request.endpoint == "events.index":
        values["month"] = month
    return absolute_url(request.endpoint, **values)
