"""Atom feeds: valid RFC 4287 documents (parsed back with a feed library and checked element
by element), only what a guest may read, validators and 304s, bad input, query budgets."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest

from forum.extensions import db
from forum.models import Access, Audience, Placement, utcnow
from forum.services.community import announcements
from forum.services.moderation import post_tools, thread_merging
from forum.stores import settings
from tests import factories

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def forum(app):
    """A public board with a thread of three posts (one hidden, one deleted) and a closed
    board of each kind, each with a thread."""
    admin = factories.make_user("chief", role="admin")
    public = factories.make_board(slug="open", title="Open bench",
                                  description="Tools & tips")
    thread = factories.make_thread(public, author=factories.make_user("ada"),
                                   title="Soldering <irons>", body="Which **iron** to buy?")
    factories.make_post(thread, author=factories.make_user("bob"), body="The *TS101* one.")
    hidden = factories.make_post(thread, body="Buy cheap watches")
    post_tools.hide_post(admin, hidden, "Spam")
    deleted = factories.make_post(thread, body="Oops, wrong thread")
    deleted.is_deleted = True
    db.session.commit()
    closed = {}
    for access in (Access.MEMBERS, Access.STAFF):
        board = factories.make_board(slug=f"closed-{access}", access=access)
        closed[access.value] = factories.make_thread(board, author=admin, title=f"In {access}")
    grouped = factories.limit_board(factories.make_board(slug="club"),
                                    read=[factories.make_group("Club")])
    closed["group"] = factories.make_thread(grouped, author=admin, title="Club secrets")
    return {"admin": admin, "public": public, "thread": thread, "hidden": hidden,
            "deleted": deleted, "closed": closed}


def _parse(response):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def _check_valid(response) -> feedparser.FeedParserDict:
    """What RFC 4287 requires of a feed and its entries, read by a feed library and, for what
    a lenient parser would forgive, from the XML itself."""
    parsed = _parse(response)
    feed = parsed.feed
    assert feed.id.startswith("tag:") and feed.title and feed.updated_parsed
    links = {link.rel: link for link in feed.links}
    assert links["self"].href.startswith("http://localhost/")
    assert links["self"].type == "application/atom+xml"
    assert links["alternate"].href.startswith("http://localhost/")
    assert feed.author_detail.name == settings.get("forum_name")
    root = ET.fromstring(response.data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, name
    ids = set()
    for entry, element in zip(parsed.entries, root.findall(f"{ATOM}entry"), strict=True):
        for name in ("id", "title", "updated"):
            assert len(element.findall(f"{ATOM}{name}")) == 1, name
        assert entry.id.startswith("tag:") and entry.id not in ids
        ids.add(entry.id)
        assert entry.title and entry.updated_parsed and entry.published_parsed
        assert entry.link.startswith("http://localhost/")
        assert entry.author_detail.name
        for content in entry.get("content", []):
            assert content.type == "text/html"
    return parsed


def test_a_threads_feed_holds_its_readable_posts(client, forum):
    thread = forum["thread"]
    parsed = _check_valid(client.get(f"/feeds/t/{thread.id}.atom"))
    assert parsed.feed.title == "Agora: Soldering <irons>"
    assert parsed.feed.link == "http://localhost/t/1-soldering-irons"
    bodies = [entry.content[0].value for entry in parsed.entries]
    # Newest first; the hidden and the deleted post are not there.
    assert bodies == ["<p>The <em>TS101</em> one.</p>",
                      "<p>Which <strong>iron</strong> to buy?</p>"]
    assert [entry.author for entry in parsed.entries] == ["bob", "ada"]
    assert parsed.entries[0].author_detail.href == "http://localhost/u/bob"
    assert parsed.entries[1].title == "Soldering <irons>"
    assert parsed.entries[0].title == "Soldering <irons> (post 2)"
    assert parsed.entries[0].link.endswith(f"/t/1-soldering-irons#p{thread.first_post_id + 1}")
    text = client.get(f"/feeds/t/{thread.id}.atom").get_data(as_text=True)
    assert "cheap watches" not in text and "wrong thread" not in text


def test_a_boards_feed_holds_its_new_threads(client, forum):
    newer = factories.make_thread(forum["public"], title="Flux", body="Rosin or not?")
    parsed = _check_valid(client.get("/feeds/b/open.atom"))
    assert parsed.feed.title == "Agora: New threads in Open bench"
    assert parsed.feed.subtitle == "Tools & tips"
    assert parsed.feed.link == "http://localhost/b/open"
    assert [entry.title for entry in parsed.entries] == ["Flux", "Soldering <irons>"]
    assert parsed.entries[0].id == f"tag:localhost,{newer.created_at:%Y-%m-%d}:thread:{newer.id}"
    assert parsed.entries[0].content[0].value == "<p>Rosin or not?</p>"


def test_the_latest_threads_come_from_public_boards_only(client, forum):
    gone = factories.make_thread(forum["public"], title="Deleted one")
    gone.is_deleted = True
    db.session.commit()
    parsed = _check_valid(client.get("/feeds/latest.atom"))
    assert [entry.title for entry in parsed.entries] == ["Soldering <irons>"]
    assert parsed.entries[0].tags[0].term == "Open bench"
    text = client.get("/feeds/latest.atom").get_data(as_text=True)
    for secret in ("In members", "In staff", "Club secrets", "Deleted one"):
        assert secret not in text


def test_an_opening_post_hidden_leaves_the_threads_entry_without_text(client, forum):
    thread = factories.make_thread(forum["public"], title="Cheap", body="Buy watches here")
    post_tools.hide_post(forum["admin"], thread.first_post, "Spam")
    parsed = _check_valid(client.get("/feeds/b/open.atom"))
    entry = parsed.entries[0]
    assert entry.title == "Cheap" and "content" not in entry
    assert "watches here" not in client.get("/feeds/latest.atom").get_data(as_text=True)


def test_announcements_for_everyone_that_have_started(client, forum):
    admin, now = forum["admin"], utcnow()

    def announce(title, **fields):
        return announcements.create_announcement(
            admin, announcements.Draft(title=title, body=f"About *{title}*", **fields))

    announce("Meetup on Friday", thread_id=forum["thread"].id)
    announce("Members only", audience=Audience.MEMBERS)
    announce("Team only", audience=Audience.MODERATORS)
    announce("Not yet", starts_at=now + timedelta(days=2))
    announce("Bench rules", placement=Placement.BOARD, board_id=forum["public"].id)
    closed = forum["closed"]["members"].board
    announce("Closed board news", placement=Placement.BOARD, board_id=closed.id)
    parsed = _check_valid(client.get("/feeds/announcements.atom"))
    assert sorted(entry.title for entry in parsed.entries) == ["Bench rules", "Meetup on Friday"]
    by_title = {entry.title: entry for entry in parsed.entries}
    assert by_title["Meetup on Friday"].link == "http://localhost/t/1-soldering-irons"
    assert by_title["Bench rules"].link == "http://localhost/b/open"
    assert by_title["Bench rules"].content[0].value == "<p>About <em>Bench rules</em></p>"
    assert by_title["Meetup on Friday"].author == "chief"


def test_an_empty_feed_is_still_valid(client, app):
    parsed = _check_valid(client.get("/feeds/announcements.atom"))
    assert parsed.entries == [] and parsed.feed.updated == "1970-01-01T00:00:00Z"
    factories.make_board(slug="quiet")
    assert _check_valid(client.get("/feeds/b/quiet.atom")).entries == []


@pytest.mark.parametrize("viewer", ["guest", "member", "admin"])
def test_closed_boards_have_no_feeds_for_anyone(client, login, forum, viewer):
    """A feed reader logs in nowhere: the feed of a members-only, staff or group board is
    unknown (404) to everyone, its members and the team included, as is its threads'."""
    if viewer != "guest":
        login(factories.make_user(role=viewer))
    for thread in forum["closed"].values():
        assert client.get(f"/feeds/b/{thread.board.slug}.atom").status_code == 404
        assert client.get(f"/feeds/t/{thread.id}.atom").status_code == 404
    assert client.get("/feeds/b/open.atom").status_code == 200


def test_unknown_and_deleted_things_are_not_found(client, forum):
    thread = forum["thread"]
    thread.is_deleted = True
    db.session.commit()
    for url in (f"/feeds/t/{thread.id}.atom", "/feeds/t/999.atom", "/feeds/t/99999999999.atom",
                "/feeds/b/nowhere.atom", "/feeds/t/abc.atom", "/feeds/b/.atom"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in response.get_data(as_text=True)


def test_a_renamed_board_and_a_merged_thread_lead_to_their_feeds(client, forum):
    from forum.models import BoardSlug

    db.session.add(BoardSlug(board_id=forum["public"].id, slug="bench"))
    db.session.commit()
    moved = client.get("/feeds/b/bench.atom")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/feeds/b/open.atom")
    assert client.get("/feeds/b/OPEN.atom").headers["Location"].endswith("/feeds/b/open.atom")
    other = factories.make_thread(forum["public"], title="Irons again")
    thread_merging.merge_threads(forum["admin"], other, forum["thread"], "Same question")
    merged = client.get(f"/feeds/t/{other.id}.atom")
    assert merged.status_code == 301
    assert merged.headers["Location"].endswith(f"/feeds/t/{forum['thread'].id}.atom")
    # A closed board's old address tells nothing either.
    db.session.add(BoardSlug(board_id=forum["closed"]["members"].board_id, slug="secret-old"))
    db.session.commit()
    assert client.get("/feeds/b/secret-old.atom").status_code == 404


def test_validators_answer_304_and_change_with_the_feed(client, forum):
    url = f"/feeds/t/{forum['thread'].id}.atom"
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert first.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
                      ).status_code == 200
    # A malformed date is ignored (the whole feed), never an error.
    for bad in ("yesterday", "Mon, 99 Foo 2026 25:61:61 GMT", "\x7f", "0" * 500):
        assert client.get(url, headers={"If-Modified-Since": bad}).status_code == 200, bad
    assert client.get(url, headers={"If-None-Match": '"nope"'}).status_code == 200
    # A hidden post changes the bytes, so the ETag, even when no date moved forward.
    post_tools.hide_post(forum["admin"], forum["thread"].first_post, "Spam")
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    factories.make_post(forum["thread"], body="Later")
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 200


def test_characters_xml_forbids_are_left_out(client, forum):
    thread = factories.make_thread(forum["public"], title="Bell \x07 title",
                                   body="Form\x0cfeed and \x1b escape")
    parsed = _check_valid(client.get(f"/feeds/t/{thread.id}.atom"))
    assert parsed.entries[0].title == "Bell  title"


def test_feeds_cost_the_same_whatever_their_length(client, forum, count_queries):
    urls = ["/feeds/latest.atom", "/feeds/b/open.atom", f"/feeds/t/{forum['thread'].id}.atom",
            "/feeds/announcements.atom"]

    def measure() -> list[int]:
        counts = []
        for url in urls:
            with count_queries() as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    small = measure()
    authors = factories.quick_users(12)
    for n, author in enumerate(authors):
        thread = factories.make_thread(forum["public"], author=author, title=f"Thread {n}")
        factories.make_post(forum["thread"], author=author, body=f"Reply {n}")
        announcements.create_announcement(forum["admin"], announcements.Draft(
            title=f"News {n}", thread_id=thread.id))
    assert measure() == small
    assert small == [1, 2, 2, 1]


def test_a_member_reading_a_feed_gets_the_guests_feed(client, login, forum):
    public = client.get("/feeds/latest.atom").data
    login(forum["admin"])
    assert client.get("/feeds/latest.atom").data == public


def test_a_post_waiting_for_approval_is_not_in_any_feed(client, forum):
    from forum.services.content import posting

    writer = factories.make_user("newbie")
    writer.always_review = True
    db.session.commit()
    posting.reply(writer, forum["thread"], "Waiting words")
    posting.create_thread(writer, forum["public"], "Waiting thread", "Waiting start")
    for url in (f"/feeds/t/{forum['thread'].id}.atom", "/feeds/b/open.atom",
                "/feeds/latest.atom"):
        body = _check_valid(client.get(url))
        assert all(entry.author != "newbie" for entry in body.entries), url


def test_an_entry_links_the_page_that_holds_the_post(client, forum):
    thread = forum["thread"]
    posts = [factories.make_post(thread, body=f"Reply {n}") for n in range(20)]
    parsed = _check_valid(client.get(f"/feeds/t/{thread.id}.atom"))
    assert len(parsed.entries) == 20  # the newest 20 of 22 readable posts
    assert parsed.entries[0].link == (
        f"http://localhost/t/{thread.id}-soldering-irons?page=2#p{posts[-1].id}")
    head = client.head(f"/feeds/t/{thread.id}.atom")
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"]
