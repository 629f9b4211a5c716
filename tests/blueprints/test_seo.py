"""Found by search engines and shared well: robots.txt, the sitemap and its parts, canonical
addresses, noindex where a page is not for the public, link previews, and the address the
absolute links are built on."""
from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET

import pytest

from forum.extensions import db
from forum.models import Access
from forum.services.moderation import post_tools
from tests import factories
from tests.factories import text

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def _head(response) -> str:
    html = text(response)
    return html[html.index("<head>"):html.index("</head>")]


def _meta(head: str, key: str) -> str | None:
    found = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', head)
    return found.group(1) if found else None


def _canonical(head: str) -> str | None:
    found = re.search(r'<link rel="canonical" href="([^"]*)">', head)
    return found.group(1) if found else None


NOINDEX = '<meta name="robots" content="noindex">'


@pytest.fixture
def site(app):
    admin = factories.make_user("chief", role="admin")
    public = factories.make_board(slug="open", title="Open bench", description="Tools & tips")
    thread = factories.make_thread(public, author=factories.make_user("ada"),
                                   title="Which iron?", body="I need a **good** iron. " * 40)
    closed = {}
    for access in (Access.MEMBERS, Access.STAFF):
        board = factories.make_board(slug=f"closed-{access}", access=access)
        closed[access.value] = factories.make_thread(board, author=admin, title=f"In {access}")
    grouped = factories.limit_board(factories.make_board(slug="club"),
                                    read=[factories.make_group("Club", members=[admin])])
    closed["group"] = factories.make_thread(grouped, author=admin, title="Club secrets")
    return {"admin": admin, "public": public, "thread": thread, "closed": closed}


# -- robots.txt and the sitemap ------------------------------------------------------------------
def test_robots_keep_out_of_private_areas_and_name_the_sitemap(client, app):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = text(response).splitlines()
    assert lines[0] == "User-agent: *"
    for path in ("/mod", "/admin", "/desk", "/account", "/messages", "/search"):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    assert "Disallow: /" not in lines and "Disallow: /b/" not in lines


def _locations(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    return [loc.text for loc in root.iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_public_boards_and_threads(client, site):
    gone = factories.make_thread(site["public"], title="Deleted one")
    gone.is_deleted = True
    db.session.commit()
    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index.mimetype == "application/xml"
    root = ET.fromstring(index.data)
    assert root.tag == f"{SITEMAP}sitemapindex"
    parts = _locations(index.data)
    assert parts == ["http://localhost/sitemaps/boards.xml.gz",
                     "http://localhost/sitemaps/threads-1.xml.gz"]
    boards = client.get("/sitemaps/boards.xml")
    assert _locations(boards.data) == ["http://localhost/", "http://localhost/b/open"]
    threads = client.get("/sitemaps/threads-1.xml")
    assert _locations(threads.data) == [f"http://localhost/t/{site['thread'].id}-which-iron"]
    lastmod = ET.fromstring(threads.data).find(f"{SITEMAP}url/{SITEMAP}lastmod").text
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", lastmod)
    for url in ("/sitemaps/boards", "/sitemaps/threads-1"):
        compressed = client.get(f"{url}.xml.gz")
        assert compressed.mimetype == "application/gzip"
        assert gzip.decompress(compressed.data) == client.get(f"{url}.xml").data


def test_the_sitemap_splits_into_parts(client, app, site):
    """Past ``SITEMAP_URLS_PER_PART`` addresses (50,000 in production) the threads come in
    parts, each listed in the index with its latest activity; a part whose threads are all
    gone is not listed, and asking for it is a 404."""
    app.config["SITEMAP_URLS_PER_PART"] = 2
    more = [factories.make_thread(site["public"], title=f"Thread {n}") for n in range(5)]
    # Ids 1-4 went to the fixture's threads (three of them closed); 5-9 are these.
    more[2].is_deleted = more[3].is_deleted = True  # ids 7 and 8: part 4 is empty
    db.session.commit()
    parts = _locations(client.get("/sitemap.xml").data)
    assert parts[1:] == [f"http://localhost/sitemaps/threads-{n}.xml.gz" for n in (1, 3, 5)]
    seen = []
    for n in (1, 3, 5):
        part = _locations(client.get(f"/sitemaps/threads-{n}.xml").data)
        assert 0 < len(part) <= 2
        seen += part
    assert [url.rsplit("/", 1)[1].split("-")[0] for url in seen] == ["1", "5", "6", "9"]
    assert client.get("/sitemaps/threads-4.xml").status_code == 404
    assert client.get("/sitemaps/threads-4.xml.gz").status_code == 404


@pytest.mark.parametrize("name", ["threads-0", "threads-", "threads-x", "threads-999999999999",
                                  "threads-999999999",
                                  "users", "threads--1", "threads-١"])
def test_a_part_that_cannot_exist_is_not_found(client, site, name):
    assert client.get(f"/sitemaps/{name}.xml").status_code == 404
    assert client.get(f"/sitemaps/{name}.xml.gz").status_code == 404


def test_each_sitemap_part_costs_one_statement(client, app, site, count_queries):
    app.config["SITEMAP_URLS_PER_PART"] = 3

    def measure() -> list[int]:
        counts = []
        for url in ("/sitemap.xml", "/sitemaps/boards.xml", "/sitemaps/threads-1.xml.gz"):
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    before = measure()
    for n in range(8):
        factories.make_board(slug=f"more-{n}")
        factories.make_thread(site["public"], title=f"More {n}")
    assert measure() == before == [1, 1, 1]


def test_sitemap_answers_conditional_requests(client, site):
    first = client.get("/sitemaps/threads-1.xml.gz")
    assert client.get("/sitemaps/threads-1.xml.gz",
                      headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


# -- canonical addresses, noindex, link previews ------------------------------------------------
def test_a_thread_page_has_one_canonical_address(client, app, site):
    thread = site["thread"]
    for n in range(25):
        factories.make_post(thread, body=f"Reply {n}")
    url = f"http://localhost/t/{thread.id}-which-iron"
    assert _canonical(_head(client.get(f"/t/{thread.id}"))) == url
    assert _canonical(_head(client.get(f"/t/{thread.id}-which-iron?page=1"))) == url
    assert _canonical(_head(client.get(f"/t/{thread.id}?page=2"))) == f"{url}?page=2"
    assert client.get(f"/t/{thread.id}-wrong-slug").status_code == 301


def test_board_and_index_canonicals(client, app, site):
    for n in range(30):
        factories.make_thread(site["public"], title=f"Thread {n}")
    assert _canonical(_head(client.get("/b/open"))) == "http://localhost/b/open"
    assert _canonical(_head(client.get("/b/open?page=1"))) == "http://localhost/b/open"
    assert _canonical(_head(client.get("/b/open?page=2"))) == "http://localhost/b/open?page=2"
    assert _canonical(_head(client.get("/"))) == "http://localhost/"
    assert _canonical(_head(client.get("/events?month=2026-01"))) == (
        "http://localhost/events?month=2026-01")
    assert _canonical(_head(client.get("/members?q=ada&page=1"))) == "http://localhost/members"


def test_link_previews_of_a_thread(client, app, site):
    from forum.services.site import settings as site_settings

    site_settings.update(site["admin"], {"forum_name": "Makers' Corner"})
    head = _head(client.get(f"/t/{site['thread'].id}"))
    url = f"http://localhost/t/{site['thread'].id}-which-iron"
    assert _meta(head, "og:title") == "Which iron?"
    assert _meta(head, "og:site_name") == "Makers&#39; Corner"
    assert _meta(head, "og:type") == "article"
    assert _meta(head, "og:url") == url == _canonical(head)
    assert _meta(head, "twitter:card") == "summary"
    described = _meta(head, "og:description")
    assert described.startswith("I need a good iron. I need a good iron.")
    assert described.endswith("…") and len(described) <= 200
    assert _meta(head, "description") == described
    assert NOINDEX not in head
    assert ('<link rel="alternate" type="application/atom+xml" title="Posts in this thread '
            f'(Atom)" href="/feeds/t/{site["thread"].id}.atom">') in head


def test_a_hidden_opening_post_is_not_quoted(client, site):
    post_tools.hide_post(site["admin"], site["thread"].first_post, "Spam")
    head = _head(client.get(f"/t/{site['thread'].id}"))
    assert _meta(head, "og:description") == "Tools &amp; tips"  # the board's words instead
    assert "good iron" not in head


def test_link_previews_of_a_board_and_the_index(client, site):
    head = _head(client.get("/b/open"))
    assert _meta(head, "og:title") == "Open bench" and _meta(head, "og:type") == "website"
    assert _meta(head, "og:description") == "Tools &amp; tips"
    assert _meta(head, "og:url") == "http://localhost/b/open"
    assert 'href="/feeds/b/open.atom"' in head
    head = _head(client.get("/"))
    assert _meta(head, "og:title") == "Agora" and _meta(head, "og:url") == "http://localhost/"
    assert 'href="/feeds/latest.atom"' in head and 'href="/feeds/announcements.atom"' in head


@pytest.mark.parametrize("kind", ["members", "staff", "group"])
def test_closed_boards_and_their_threads_are_not_indexed(client, login, site, kind):
    thread = site["closed"][kind]
    login(site["admin"])
    for url in (f"/b/{thread.board.slug}", f"/t/{thread.id}"):
        head = _head(client.get(url))
        assert NOINDEX in head, url
        assert _meta(head, "og:title") is None and "application/atom+xml" not in head
        assert _canonical(head) is not None


@pytest.mark.parametrize("url", ["/search?q=iron", "/account/profile", "/mod/reports",
                                 "/admin/", "/notifications", "/messages", "/login", "/nowhere",
                                 "/b/open/new", "/t/{thread}/reply", "/desk/"])
def test_private_pages_are_not_indexed(client, login, site, url):
    if url != "/login":
        login(site["admin"])
    response = client.get(url.format(thread=site["thread"].id))
    assert response.status_code in (200, 400, 404), url
    head = _head(response)
    assert NOINDEX in head, url
    assert _canonical(head) is None


def test_public_pages_are_indexed(client, site):
    for url in ("/", "/b/open", f"/t/{site['thread'].id}", "/events", "/rules", "/members"):
        head = _head(client.get(url))
        assert NOINDEX not in head, url


# -- the address absolute links are built on ------------------------------------------------------
def test_without_a_configured_name_the_requests_host_is_used(client, app, site):
    app.config["SERVER_NAME"] = None
    head = _head(client.get("/b/open", base_url="https://forum.example:8443"))
    assert _canonical(head) == "https://forum.example:8443/b/open"
    robots = text(client.get("/robots.txt", base_url="http://other.example"))
    assert "Sitemap: http://other.example/sitemap.xml" in robots


def test_forum_url_wins(client, app, site):
    app.config["FORUM_URL"] = "https://makers.example.org"
    head = _head(client.get(f"/t/{site['thread'].id}", base_url="http://10.0.0.5"))
    assert _canonical(head) == f"https://makers.example.org/t/{site['thread'].id}-which-iron"
    feed = client.get("/feeds/latest.atom").get_data(as_text=True)
    assert "tag:makers.example.org,2000:feed:latest" in feed
    assert 'href="https://makers.example.org/feeds/latest.atom"' in feed


def test_the_guest_page_cache_keeps_each_hosts_own_head(client, app, site, count_queries):
    app.config["SERVER_NAME"] = None
    first = client.get("/b/open", base_url="http://one.example")
    with count_queries() as queries:
        again = client.get("/b/open", base_url="http://one.example")
    assert queries == [] and again.data == first.data
    other = client.get("/b/open", base_url="http://two.example")
    assert _canonical(_head(other)) == "http://two.example/b/open"
    assert _canonical(_head(again)) == "http://one.example/b/open"


def test_an_events_page_follows_its_board(client, login, site):
    from forum.models import utcnow
    from tests.services.event_kit import make_event

    now = utcnow()
    public = make_event(author=site["admin"], board=site["public"], now=now)
    closed = make_event(author=site["admin"], board=site["closed"]["members"].board, now=now)
    head = _head(client.get(f"/events/{public.id}"))
    assert NOINDEX not in head and _canonical(head) == f"http://localhost/events/{public.id}"
    login(site["admin"])
    assert NOINDEX in _head(client.get(f"/events/{closed.id}"))
