"""A timeout stops everything a member changes for others to see: posting, editing and
deleting their posts, their public profile, reports and event answers. Reading stays."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import EventRsvp, Post, Report, User, utcnow
from forum.services.moderation import sanctions
from tests import factories
from tests.factories import text
from tests.services.event_kit import make_event

REASON = "Spamming old threads"


@pytest.fixture
def board(app):
    return factories.make_board(slug="general")


@pytest.fixture
def thread(board, other_member):
    return factories.make_thread(board, author=other_member, title="Hello world",
                                 body="The opening post.")


@pytest.fixture
def own_post(thread, member):
    return factories.make_post(thread, author=member, body="My honest reply")


@pytest.fixture
def timed_out(client, login, member, moderator, own_post):
    sanctions.timeout(moderator, member, REASON, timedelta(hours=24))
    login(member)
    return member


def refused(response) -> str:
    """The page of a refusal, which names the timeout and its reason."""
    assert response.status_code in (403, 429), response.status_code
    html = text(response)
    assert "timeout" in html and REASON in html
    return html


def test_editing_an_own_post_is_refused(client, timed_out, own_post):
    assert "/edit" not in text(client.get(own_post.thread.url)).split("My honest reply")[1]
    refused(client.get(f"/p/{own_post.id}/edit"))
    refused(client.post(f"/p/{own_post.id}/edit", data={"body": "Buy cheap watches"}))
    db.session.expire_all()
    assert db.session.get(Post, own_post.id).body == "My honest reply"


def test_deleting_an_own_post_is_refused(client, timed_out, own_post):
    # The posts stay as they are while the moderators look at them.
    refused(client.post(f"/p/{own_post.id}/delete"))
    db.session.expire_all()
    assert not db.session.get(Post, own_post.id).is_deleted


def test_the_public_profile_is_refused_but_own_settings_stay(client, timed_out):
    html = refused(client.post("/account/profile", data={
        "display_name": "Cheap Watches", "bio": "Visit my shop", "location": "",
        "website": "shop.example", "timezone": "UTC"}))
    assert "Cheap Watches" in html  # kept in the form
    db.session.expire_all()
    user = db.session.get(User, timed_out.id)
    assert (user.display_name, user.bio, user.website) == (None, None, None)

    # The time zone and language show nothing to anyone else.
    response = client.post("/account/profile", data={
        "display_name": "", "bio": "", "location": "", "website": "",
        "timezone": "Europe/Berlin", "language": "de"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, timed_out.id)
    assert (user.timezone, user.language) == ("Europe/Berlin", "de")


def test_reporting_is_refused(client, timed_out, thread, other_member):
    refused(client.post(f"/report/post/{thread.first_post_id}", data={"reason": "spam"}))
    refused(client.post(f"/report/user/{other_member.id}", data={"reason": "harassment"}))
    assert db.session.scalar(select(func.count(Report.id))) == 0


def test_answering_an_event_is_refused(client, timed_out, board):
    now = utcnow()
    event = make_event(board=board, start=now + timedelta(days=7), now=now)
    html = text(client.get(f"/events/{event.id}"))
    assert 'value="going"' not in html
    refused(client.post(f"/events/{event.id}/rsvp", data={"answer": "going"}))
    assert db.session.scalar(select(func.count(EventRsvp.id))) == 0


def test_reading_stays(client, timed_out, thread, own_post, board):
    assert client.get("/").status_code == 200
    assert client.get(f"/b/{board.slug}").status_code == 200
    html = text(client.get(thread.url))
    assert "The opening post." in html and "My honest reply" in html
    assert client.get(f"/u/{timed_out.username}").status_code == 200
    assert client.get("/account/profile").status_code == 200


def test_everything_is_allowed_again_once_the_timeout_is_lifted(client, timed_out, own_post,
                                                                moderator):
    [timeout] = sanctions.list_for_user(timed_out)
    sanctions.lift(moderator, timeout, "Apologised")
    response = client.post(f"/p/{own_post.id}/edit", data={"body": "Fixed a typo"})
    assert response.status_code == 302
    response = client.post("/account/profile", data={
        "display_name": "Honest Member", "bio": "", "location": "", "website": "",
        "timezone": "UTC"})
    assert response.status_code == 302
