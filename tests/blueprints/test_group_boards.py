"""Boards limited to groups, seen from every page that decides which boards a viewer reads:
the index, the board and thread pages, permalinks, profiles, search, events, the report form,
reply notifications; and posting where only some groups may post."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Event, Notification, Post, utcnow
from forum.services.accounts import groups
from forum.services.content import posting
from forum.services.search import sync
from tests import factories
from tests.factories import text

from .test_thread_page import THREAD_BUDGET


@pytest.fixture
def scene(app, admin):
    """"Club room" read only by the Makers Club; "Open bench" posted in only by it."""
    insider, outsider = factories.make_user("insider"), factories.make_user("outsider")
    club = groups.create_group(admin, "Makers Club")
    groups.add_member(admin, club, insider.username)
    room = factories.make_board(slug="club-room", title="Club room")
    bench = factories.make_board(slug="open-bench", title="Open bench")
    factories.limit_board(room, read=[club])
    factories.limit_board(bench, post=[club])
    secret = posting.create_thread(insider, room, "Secret lathe plans", "Only for the club")
    public = posting.create_thread(insider, bench, "Bench talk", "Anyone may read this")
    return {"insider": insider, "outsider": outsider, "club": club, "room": room,
            "bench": bench, "secret": secret, "public": public}


def _as(client, login, who, scene):
    if who == "guest":
        return
    user = scene[who] if who in scene else factories.make_user(role=who)
    login(user)


@pytest.mark.parametrize(("who", "sees"), [
    ("guest", False), ("outsider", False), ("insider", True), ("moderator", True),
    ("admin", True),
])
def test_index_board_thread_and_permalink_follow_the_groups(client, login, scene, who, sees):
    _as(client, login, who, scene)
    index = text(client.get("/"))
    assert ("Club room" in index) is sees
    assert "Open bench" in index
    secret = scene["secret"]
    for url in ("/b/club-room", f"/t/{secret.id}"):
        response = client.get(url)
        if sees:
            assert response.status_code == 200, url
        elif who == "guest":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 403, url
            assert "open to members of certain groups only" in text(response)
    # A permalink into a board the viewer may not read is not found, as for staff boards.
    assert client.get(f"/p/{secret.first_post_id}").status_code == (302 if sees else 404)


def test_a_board_moderator_of_the_board_reads_and_posts_without_the_group(client, login, scene):
    login(factories.make_board_moderator(factories.make_user(), scene["room"]))
    assert client.get("/b/club-room").status_code == 200
    reply = client.post(f"/t/{scene['secret'].id}/reply", data={"body": "Noted."})
    assert reply.status_code == 302


def test_a_board_moderator_elsewhere_does_not_read_it(client, login, scene):
    login(factories.make_board_moderator(factories.make_user(), scene["bench"]))
    assert client.get("/b/club-room").status_code == 403
    assert "Club room" not in text(client.get("/"))


def test_post_groups_limit_replies_and_new_threads(client, login, scene):
    public = scene["public"]
    login(scene["outsider"])
    page = text(client.get(f"/t/{public.id}"))
    assert "Only members of certain groups can post in this board." in page
    assert f'action="/t/{public.id}/reply"' not in page
    before = db.session.scalar(select(func.count(Post.id)))
    refused = client.post(f"/t/{public.id}/reply", data={"body": "Me too"})
    assert refused.status_code == 403
    assert client.post("/b/open-bench/new",
                       data={"title": "Mine", "body": "Hello"}).status_code == 403
    assert db.session.scalar(select(func.count(Post.id))) == before
    login(scene["insider"])
    assert client.post(f"/t/{public.id}/reply", data={"body": "Welcome"}).status_code == 302


def test_a_group_change_shows_at_once(client, login, admin, scene):
    login(scene["outsider"])
    assert "Club room" not in text(client.get("/"))
    assert client.get("/b/club-room").status_code == 403
    groups.add_member(admin, scene["club"], "outsider")
    assert "Club room" in text(client.get("/"))
    assert client.get("/b/club-room").status_code == 200
    groups.remove_member(admin, scene["club"], scene["outsider"].id)
    assert "Club room" not in text(client.get("/"))
    groups.delete_group(admin, scene["club"])
    assert "Club room" in text(client.get("/"))


def test_a_guests_kept_page_follows_a_board_opening(client, app, admin, scene):
    app.config["GUEST_PAGE_CACHE_SECONDS"] = 60
    assert "Club room" not in text(client.get("/"))
    groups.delete_group(admin, scene["club"])
    assert "Club room" in text(client.get("/"))


def test_profiles_show_only_readable_posts(client, login, scene):
    _as(client, login, "outsider", scene)
    page = text(client.get("/u/insider"))
    assert "Bench talk" in page and "Secret lathe plans" not in page
    login(scene["insider"])
    assert "Secret lathe plans" in text(client.get("/u/insider"))


def test_the_report_form_follows_the_groups(client, login, admin, scene):
    post_id = scene["secret"].first_post_id
    # Not found, as for any post the member may not read.
    login(scene["outsider"])
    assert client.get(f"/report/post/{post_id}").status_code == 404
    assert client.post(f"/report/post/{post_id}", data={"reason": "spam"}).status_code == 404
    groups.add_member(admin, scene["club"], "outsider")
    assert client.get(f"/report/post/{post_id}").status_code == 200


def test_reply_notifications_only_reach_readers(app, admin, scene):
    secret, insider = scene["secret"], scene["insider"]
    groups.remove_member(admin, scene["club"], insider.id)
    posting.reply(factories.make_user(role="moderator"), secret, "A reply while they are out")
    assert not db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == insider.id, Notification.kind == "watched"))
    groups.add_member(admin, scene["club"], insider.username)
    posting.reply(factories.make_user(role="moderator"), secret, "A reply once they are back")
    assert db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == insider.id, Notification.kind == "watched")) == 1


def test_events_in_a_group_board_follow_it(client, login, scene):
    now = utcnow()
    event = Event(board_id=scene["room"].id, thread_id=scene["secret"].id,
                  author_id=scene["insider"].id, title="Club meetup", kind="meetup",
                  starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=2),
                  timezone="UTC")
    db.session.add(event)
    db.session.commit()
    assert "Club meetup" not in text(client.get("/events"))
    assert "Club meetup" not in text(client.get("/events.ics"))
    login(scene["outsider"])
    assert "Club meetup" not in text(client.get("/events"))
    assert client.get(f"/events/{event.id}").status_code == 403
    login(scene["insider"])
    assert "Club meetup" in text(client.get("/events"))
    assert client.get(f"/events/{event.id}").status_code == 200


@pytest.mark.search
def test_search_never_shows_a_group_boards_posts(client, login, scene):
    posting.reply(scene["insider"], scene["public"], "Lathe chatter in the open")
    login(scene["outsider"])
    page = text(client.get("/search?q=lathe"))
    assert "Secret <mark>lathe</mark> plans" not in page and "1 result for" in page
    assert ">Club room</option>" not in page
    refused = client.get(f"/search?q=lathe&board={scene['room'].id}")
    assert refused.status_code == 400 and "There is no such board." in text(refused)
    login(scene["insider"])
    page = text(client.get("/search?q=lathe"))
    assert "Secret <mark>lathe</mark> plans" in page and "2 results for" in page
    assert ">Club room</option>" in page


def test_the_index_marks_a_group_board(client, login, scene):
    login(scene["insider"])
    page = text(client.get("/"))
    assert '<span class="badge badge-member">Groups</span>' in page


@pytest.mark.parametrize("who", ["insider", "outsider"])
def test_a_thread_in_a_group_board_keeps_the_thread_page_budget(client, login, count_queries,
                                                                app, scene, who):
    """Read groups on the thread's board, post groups too: the reader (or the outsider refused
    the reply box) costs what anyone does on an open board."""
    secret = scene["secret"]
    authors = factories.quick_users(30)
    factories.limit_board(scene["room"], read=[factories.make_group(members=authors)])
    with sync.paused():
        for author in authors:
            posting.reply(author, secret, "A reply")
    factories.limit_board(scene["room"], post=[scene["club"]])
    if who == "outsider":
        groups_of_outsider = factories.make_group(members=[scene["outsider"]])
        factories.limit_board(scene["room"], read=[groups_of_outsider])
    login(scene[who])
    for attempt in ("first request", "later request"):
        with count_queries() as queries:
            response = client.get(f"/t/{secret.id}")
        assert response.status_code == 200, attempt
        assert len(queries) <= THREAD_BUDGET, (attempt, queries)
    page = text(response)
    assert (f'action="/t/{secret.id}/reply"' in page) is (who == "insider")
