"""Profile service: finding members, visible activity, editing rules, the member list."""
from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from forum.errors import NotFound, Refused
from forum.extensions import db
from forum.models import Access
from forum.policy import Policy
from forum.services.accounts import profiles
from forum.services.accounts.profiles import ProfileData, ProfileInvalid
from forum.services.content import posting
from tests import factories

GUEST = AnonymousUserMixin()


def data(**fields) -> ProfileData:
    base = {"display_name": "", "bio": "", "location": "", "website": "", "timezone": "UTC"}
    base.update(fields)
    return ProfileData(**base)


# -- finding ------------------------------------------------------------------------------

def test_find_member_ignores_case(member):
    assert profiles.find_member("MEMBER").id == member.id
    assert profiles.find_member("member").id == member.id


@pytest.mark.parametrize("name", ["nobody", "x", "a" * 40, "bad name", "../etc", ""])
def test_find_member_unknown_is_not_found(app, name):
    with pytest.raises(NotFound):
        profiles.find_member(name)


# -- activity -----------------------------------------------------------------------------

@pytest.fixture
def boards(app):
    category = factories.make_category()
    return {
        access: factories.make_board(category, slug=f"b-{access}", access=access)
        for access in (Access.EVERYONE, Access.MEMBERS, Access.STAFF)
    }


def test_activity_respects_board_access(boards, member, other_member, moderator):
    for access, board in boards.items():
        # The opening post counts as one of the member's posts.
        factories.make_thread(board, author=member, title=f"In {access}")

    def titles(viewer):
        activity = profiles.recent_activity(Policy(viewer), member)
        return (
            {t.title for t in activity.threads},
            {p.thread.title for p in activity.posts},
        )

    assert titles(GUEST) == ({"In everyone"}, {"In everyone"})
    assert titles(other_member) == ({"In everyone", "In members"},) * 2
    assert titles(moderator) == ({"In everyone", "In members", "In staff"},) * 2


def test_board_moderator_sees_their_staff_board(boards, member, other_member):
    factories.make_thread(boards[Access.STAFF], author=member, title="Staff talk")
    factories.make_board_moderator(other_member, boards[Access.STAFF])
    activity = profiles.recent_activity(Policy(other_member), member)
    assert [t.title for t in activity.threads] == ["Staff talk"]


def test_activity_leaves_out_deleted_threads_and_posts(boards, member, moderator):
    board = boards[Access.EVERYONE]
    kept = factories.make_thread(board, author=member, title="Kept")
    gone = factories.make_thread(board, author=member, title="Gone")
    reply = factories.make_post(kept, author=member, body="deleted reply")
    posting.delete_post(member, reply)
    posting.delete_post(moderator, gone.first_post, "Spam")

    activity = profiles.recent_activity(Policy(moderator), member)
    assert [t.title for t in activity.threads] == ["Kept"]
    assert [p.id for p in activity.posts] == [kept.first_post_id]


def test_activity_is_newest_first_and_limited(boards, member):
    board = boards[Access.EVERYONE]
    threads = [factories.make_thread(board, author=member, title=f"T{n}") for n in range(7)]
    for n in range(8):
        factories.make_post(threads[0], author=member, body=f"reply {n}")

    activity = profiles.recent_activity(Policy(GUEST), member)
    assert [t.title for t in activity.threads] == ["T6", "T5", "T4", "T3", "T2"]
    assert len(activity.posts) == profiles.RECENT_POSTS
    assert activity.posts[0].body == "reply 7"
    # Boards and threads came with the rows: reading them costs nothing more.
    assert activity.posts[0].thread.board.slug == "b-everyone"


def test_moderated_boards_are_listed_when_visible(boards, member):
    factories.make_board_moderator(member, boards[Access.EVERYONE])
    factories.make_board_moderator(member, boards[Access.STAFF])
    guest_view = profiles.recent_activity(Policy(GUEST), member)
    assert [b.slug for b in guest_view.moderated_boards] == ["b-everyone"]
    own_view = profiles.recent_activity(Policy(member), member)
    assert {b.slug for b in own_view.moderated_boards} == {"b-everyone", "b-staff"}


# -- editing ------------------------------------------------------------------------------

def test_update_profile_saves_and_renders_bio(member):
    profiles.update_profile(member, member, data(
        display_name="  Mem   Ber ", bio="Hello **world**\r\n\r\nSecond", location="Lyon",
        website="https://example.org/me", timezone="Europe/Paris",
    ))
    db.session.expire_all()
    assert member.display_name == "Mem Ber"
    assert member.bio == "Hello **world**\n\nSecond"
    assert "<strong>world</strong>" in member.bio_html
    assert member.location == "Lyon"
    assert member.website == "https://example.org/me"
    assert member.timezone == "Europe/Paris"


def test_empty_fields_clear_the_profile(member):
    profiles.update_profile(member, member, data(display_name="X", bio="b", website="a.org"))
    profiles.update_profile(member, member, data())
    db.session.expire_all()
    assert (member.display_name, member.bio, member.bio_html, member.website, member.location) == (
        None, None, None, None, None
    )


def test_bio_markup_stays_inert(member):
    profiles.update_profile(member, member, data(
        bio="<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)>"
    ))
    html = member.bio_html
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<a" not in html and "href" not in html
    assert "<img" not in html


def test_bio_links_get_rel(member):
    profiles.update_profile(member, member, data(bio="[site](https://example.org)"))
    assert 'rel="nofollow ugc noopener"' in member.bio_html


@pytest.mark.parametrize("given, stored", [
    ("https://example.org", "https://example.org"),
    ("http://example.org/a?b=c#d", "http://example.org/a?b=c#d"),
    ("example.org", "https://example.org"),
    ("example.org:8080/x", "https://example.org:8080/x"),
    ("HTTPS://Example.org", "HTTPS://Example.org"),
    ("", None),
])
def test_website_accepted(member, given, stored):
    profiles.update_profile(member, member, data(website=given))
    assert member.website == stored


@pytest.mark.parametrize("website", [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<b>x</b>",
    "ftp://example.org",
    "mailto:me@example.org",
    "https://",
    "https://localhost",
    "https://user:pw@example.org",
    "https://exa mple.org",
    "https://example.org:99999",
    "//example.org",
    "https://" + "a" * 200 + ".org",
])
def test_website_refused(member, website):
    with pytest.raises(ProfileInvalid) as caught:
        profiles.update_profile(member, member, data(website=website))
    assert set(caught.value.errors) == {"website"}
    assert caught.value.status == 400


@pytest.mark.parametrize("field, limit", [
    ("display_name", profiles.DISPLAY_NAME_MAX),
    ("location", profiles.LOCATION_MAX),
    ("bio", profiles.BIO_MAX),
])
def test_length_limits(member, field, limit):
    profiles.update_profile(member, member, data(**{field: "x" * limit}))
    with pytest.raises(ProfileInvalid) as caught:
        profiles.update_profile(member, member, data(**{field: "y" * (limit + 1)}))
    assert field in caught.value.errors
    db.session.expire_all()
    assert getattr(member, field) == "x" * limit


def test_bio_limit_counts_newlines_once(member):
    bio = "ab\r\n" * (profiles.BIO_MAX // 3)
    profiles.update_profile(member, member, data(bio=bio))
    assert len(member.bio) <= profiles.BIO_MAX


@pytest.mark.parametrize("zone", ["Mars/Olympus", "", "utc", "../../etc/passwd", "EST5EDT"])
def test_unknown_time_zone_refused(member, zone):
    with pytest.raises(ProfileInvalid) as caught:
        profiles.update_profile(member, member, data(timezone=zone))
    assert caught.value.errors == {"timezone": "Choose a time zone from the list."}


@pytest.mark.parametrize("code", ["de", "en"])
def test_language_saved(member, code):
    profiles.update_profile(member, member, data(language=code))
    assert db.session.get(type(member), member.id).language == code
    # Left empty, the member follows their browser again.
    profiles.update_profile(member, member, data(language=""))
    assert db.session.get(type(member), member.id).language is None


@pytest.mark.parametrize("code", ["xx", "DE", "de-DE", "../de", "e" * 500])
def test_unknown_language_refused(member, code):
    profiles.update_profile(member, member, data(language="de", display_name="Before"))
    with pytest.raises(ProfileInvalid) as caught:
        profiles.update_profile(member, member, data(language=code, display_name="After"))
    assert caught.value.status == 400
    assert caught.value.errors == {"language": "Choose a language from the list."}
    db.session.expire_all()
    saved = db.session.get(type(member), member.id)
    assert saved.language == "de" and saved.display_name == "Before"


def test_control_characters_refused_in_bios_and_taken_out_of_display_names(member):
    with pytest.raises(ProfileInvalid) as caught:
        profiles.update_profile(member, member, data(display_name="bell\x07", bio="a\x1bb"))
    assert set(caught.value.errors) == {"bio"}
    profiles.update_profile(member, member, data(display_name="bell\x07"))
    assert member.display_name == "bell"


def test_invalid_input_saves_nothing(member):
    profiles.update_profile(member, member, data(display_name="Before", timezone="Asia/Tokyo"))
    with pytest.raises(ProfileInvalid) as caught:
        profiles.update_profile(member, member, data(
            display_name="After", website="javascript:alert(1)", timezone="Nowhere/Else",
        ))
    assert set(caught.value.errors) == {"website", "timezone"}
    db.session.rollback()
    db.session.expire_all()
    assert member.display_name == "Before"
    assert member.timezone == "Asia/Tokyo"


def test_cannot_edit_someone_else(member, other_member, admin):
    for actor in (other_member, admin):
        with pytest.raises(Refused) as caught:
            profiles.update_profile(actor, member, data(display_name="Hijacked"))
        assert caught.value.status == 403
    db.session.expire_all()
    assert member.display_name is None


def test_guest_must_log_in(member):
    with pytest.raises(Refused) as caught:
        profiles.update_profile(GUEST, member, data(display_name="Anon"))
    assert caught.value.login_required


# -- member list --------------------------------------------------------------------------

@pytest.fixture
def crowd(app):
    users = {
        "alice": factories.make_user("alice", display_name="Alice Liddell", post_count=3),
        "bob_smith": factories.make_user("bob_smith", post_count=10),
        "bobXsmith": factories.make_user("bobXsmith", post_count=1),
        "carol": factories.make_user("carol", display_name="100% Carol", post_count=5),
        "dave": factories.make_user("dave", display_name="Dave 100 percent", post_count=0),
        "back.slash": factories.make_user("back.slash", display_name="a\\b", post_count=2),
    }
    return users


def names(page) -> list[str]:
    return [u.username for u in page.members]


def test_list_default_sort_is_most_posts(crowd):
    page = profiles.list_members()
    assert names(page) == ["bob_smith", "carol", "alice", "back.slash", "bobXsmith", "dave"]
    assert (page.total, page.pages, page.page, page.sort) == (6, 1, 1, "posts")


def test_list_sorts(crowd):
    assert names(profiles.list_members(sort="name"))[:3] == ["alice", "back.slash", "bob_smith"]
    assert names(profiles.list_members(sort="joined"))[0] == "back.slash"


def test_search_is_case_insensitive_on_both_names(crowd):
    assert names(profiles.list_members("ALI")) == ["alice"]
    assert names(profiles.list_members("liddell")) == ["alice"]
    assert set(names(profiles.list_members("bob"))) == {"bob_smith", "bobXsmith"}


def test_search_wildcards_are_literal(crowd):
    # "_" would match any character ("bobXsmith") and "%" anything at all, were they not escaped.
    assert names(profiles.list_members("bob_")) == ["bob_smith"]
    assert names(profiles.list_members("100%")) == ["carol"]
    assert names(profiles.list_members("%")) == ["carol"]
    assert names(profiles.list_members("_")) == ["bob_smith"]
    assert names(profiles.list_members("a\\b")) == ["back.slash"]


def test_search_with_no_match_is_an_empty_first_page(crowd):
    page = profiles.list_members("zzz")
    assert (page.members, page.total, page.pages) == ([], 0, 1)


def test_pagination(crowd):
    first = profiles.list_members(sort="name", per_page=4)
    second = profiles.list_members(sort="name", page=2, per_page=4)
    assert (first.pages, len(first.members), len(second.members)) == (2, 4, 2)
    assert not set(names(first)) & set(names(second))
    with pytest.raises(NotFound):
        profiles.list_members(sort="name", page=3, per_page=4)


@pytest.mark.parametrize("kwargs", [{"page": 0}, {"page": -3}, {"sort": "email"},
                                    {"query": "q" * 65}])
def test_list_bad_input(crowd, kwargs):
    with pytest.raises(Refused) as caught:
        profiles.list_members(**kwargs)
    assert caught.value.status == 400
