"""Profile pages over HTTP: the profile, the editor, the member list and avatars."""
from __future__ import annotations

import re

import pytest

from forum.errors import Refused
from forum.extensions import db
from forum.models import Access
from forum.services.accounts import profiles
from forum.services.accounts.profiles import ProfileData
from tests import factories

EDIT_BUTTON = 'class="button" href="/account/profile"'


def page(response) -> str:
    return response.get_data(as_text=True)


def set_profile(user, **fields):
    values = {"display_name": "", "bio": "", "location": "", "website": "", "timezone": "UTC"}
    values.update(fields)
    return profiles.update_profile(user, user, ProfileData(**values))


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General talk")


# -- the profile --------------------------------------------------------------------------

def test_profile_shows_the_member(client, member, board):
    set_profile(member, display_name="Mem Ber", bio="I like **bold** ideas.", location="Lyon",
                website="https://example.org/me")
    thread = factories.make_thread(board, author=member, title="My first thread")
    reply = factories.make_post(thread, author=member, body="A *considered* reply about trains.")

    response = client.get("/u/member")
    html = page(response)
    assert response.status_code == 200
    assert "<h1 id=\"profile-name\">Mem Ber</h1>" in html
    assert "@member" in html
    assert "<strong>bold</strong>" in html
    assert "Lyon" in html
    assert '<a href="https://example.org/me" rel="nofollow ugc noopener">example.org/me</a>' in html
    # The initials of the display name ride in the address ("Mem Ber": MB, not the username's M).
    assert 'src="/u/member/avatar.svg?i=MB"' in html
    assert "My first thread" in html
    assert f'href="{reply.url}"' in html
    assert "A considered reply about trains." in html
    assert "General talk" in html
    # Two posts (opening post and reply), one thread.
    assert re.search(r"<dt>Posts</dt><dd>2</dd>", html)
    assert re.search(r"<dt>Threads</dt><dd>1</dd>", html)
    assert "Joined" in html and "Last seen" in html
    assert EDIT_BUTTON not in html


def test_profile_of_a_quiet_member(client, member):
    html = page(client.get("/u/member"))
    assert "No posts to show yet." in html
    assert "No threads to show yet." in html
    assert "hasn't written anything" in html
    assert "Not yet" in html  # never seen


def test_unknown_member_is_404(client, member):
    assert client.get("/u/nobody").status_code == 404
    assert client.get("/u/x").status_code == 404


def test_username_case_redirects_to_the_canonical_address(client, app):
    factories.make_user("Alice_W")
    response = client.get("/u/alice_w")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/u/Alice_W")
    assert client.get("/u/Alice_W").status_code == 200


def test_a_unicode_name_has_a_percent_encoded_address(client, app):
    user = factories.make_user("Jürgen.Müller", email="juergen@example.com")
    response = client.get("/u/J%C3%BCrgen.M%C3%BCller")
    assert response.status_code == 200
    assert "Jürgen.Müller" in page(response)
    # Links to the member carry the encoded name.
    assert 'href="/u/J%C3%BCrgen.M%C3%BCller"' in page(client.get("/members"))
    assert user.url == "/u/J%C3%BCrgen.M%C3%BCller"
    assert client.get("/u/J%C3%BCrgen.M%C3%BCller/avatar.svg").status_code == 200


def test_a_unicode_authors_links_on_a_thread_page_are_encoded(client, board):
    author = factories.make_user("Дмитрий", email="dmitri@example.com")
    thread = factories.make_thread(board, author=author, title="Привет")
    html = page(client.get(thread.url))
    assert 'href="/u/%D0%94%D0%BC%D0%B8%D1%82%D1%80%D0%B8%D0%B9"' in html
    assert "/u/%D0%94%D0%BC%D0%B8%D1%82%D1%80%D0%B8%D0%B9/avatar.svg" in html


@pytest.mark.parametrize("typed", [
    "j%C3%BCrgen.m%C3%BCller",  # other case
    "JU%CC%88RGEN.MU%CC%88LLER",  # decomposed: U and a combining diaeresis
    "%EF%BD%8A%C3%BCrgen.m%C3%BCller",  # a full-width j
])
def test_other_spellings_of_a_unicode_name_redirect_to_the_canonical_one(client, app, typed):
    factories.make_user("Jürgen.Müller", email="juergen@example.com")
    response = client.get(f"/u/{typed}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/u/J%C3%BCrgen.M%C3%BCller")


def test_an_old_unicode_name_redirects_to_the_new_one(client, app, admin):
    from forum.services.accounts import management

    user = factories.make_user("Zoë", email="zoe@example.com")
    management.update_account(admin, user, management.AccountChange(
        username="Zoë.Ærø", email=user.email, display_name=""))
    response = client.get("/u/ZO%C3%8B")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/u/Zo%C3%AB.%C3%86r%C3%B8")


@pytest.mark.parametrize("typed", ["a%E2%80%8Bbc", "%E2%80%AEabc", "a%20b%20c"])
def test_names_that_could_never_be_usernames_are_404(client, member, typed):
    assert client.get(f"/u/{typed}").status_code == 404


@pytest.mark.parametrize("role, badge", [("admin", "Admin"), ("moderator", "Moderator")])
def test_role_badges(client, app, role, badge):
    factories.make_user("staffer", role=role)
    assert f">{badge}</span>" in page(client.get("/u/staffer"))


def test_board_moderator_badge_and_boards(client, member, board):
    factories.make_board_moderator(member, board)
    html = page(client.get("/u/member"))
    assert ">Board moderator</span>" in html
    assert "Moderates" in html and 'href="/b/general"' in html


def test_plain_member_has_no_badge(client, member):
    assert 'class="badge' not in page(client.get("/u/member"))


def test_profile_hides_what_the_viewer_cannot_see(client, login, member, other_member, board):
    secret = factories.make_board(slug="club", access=Access.MEMBERS)
    factories.make_thread(board, author=member, title="Public thread")
    factories.make_thread(secret, author=member, title="Members thread")

    html = page(client.get("/u/member"))
    assert "Public thread" in html and "Members thread" not in html
    login(other_member)
    html = page(client.get("/u/member"))
    assert "Public thread" in html and "Members thread" in html


def test_edit_button_only_on_own_profile(client, login, member, other_member):
    login(member)
    assert EDIT_BUTTON in page(client.get("/u/member"))
    assert EDIT_BUTTON not in page(client.get("/u/other"))


def test_bio_stays_inert_on_the_page(client, member):
    set_profile(member, bio="<script>alert(1)</script> [x](javascript:alert(1))")
    html = page(client.get("/u/member"))
    bio = html.split('class="profile-bio">', 1)[1].split("</div>", 1)[0]
    assert "&lt;script&gt;" in bio
    assert "<script" not in bio
    assert "<a" not in bio and "javascript:alert" not in bio.replace("(javascript:alert(1))", "")


def test_display_name_is_escaped(client, member):
    set_profile(member, display_name="<b>Bold</b> & co")
    html = page(client.get("/u/member"))
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html
    assert "<b>Bold</b>" not in html


@pytest.fixture
def busy_member(member, other_member, board):
    """40 posts by ``member`` across 8 threads in two boards (one members-only)."""
    club = factories.make_board(slug="club", access=Access.MEMBERS)
    for n in range(8):
        thread = factories.make_thread(board if n % 2 else club, author=member, title=f"T{n}")
        for m in range(4):
            factories.make_post(thread, author=member, body=f"Reply {m} in thread {n}")
    assert db.session.get(type(member), member.id).post_count == 40
    return member


@pytest.mark.parametrize("viewer", ["guest", "member", "other", "moderator"])
def test_profile_query_budget(client, login, count_queries, busy_member, other_member,
                              moderator, viewer):
    if viewer != "guest":
        login({"member": busy_member, "other": other_member, "moderator": moderator}[viewer])
    # The first request may record "last seen"; the budget is for an ordinary page view.
    assert client.get("/u/member").status_code == 200
    with count_queries() as queries:
        response = client.get("/u/member")
    assert response.status_code == 200
    # 10 posts and 5 threads; guests see only the 4 threads in the public board.
    assert page(response).count('class="thread-row"') == (14 if viewer == "guest" else 15)
    assert len(queries) <= 6, queries


def test_profile_query_budget_for_board_moderators(client, login, count_queries, busy_member,
                                                   other_member, board):
    # The costliest case: both the viewer's and the member's moderated boards are looked up.
    factories.make_board_moderator(busy_member, board)
    factories.make_board_moderator(other_member, board)
    login(other_member)
    assert client.get("/u/member").status_code == 200
    with count_queries() as queries:
        response = client.get("/u/member")
    assert ">Board moderator</span>" in page(response)
    assert len(queries) <= 6, queries


# -- editing ------------------------------------------------------------------------------

def form(**fields) -> dict:
    values = {"display_name": "", "bio": "", "location": "", "website": "", "timezone": "UTC"}
    values.update(fields)
    return values


def test_guest_is_sent_to_log_in(client, member):
    for response in (client.get("/account/profile"), client.post("/account/profile", data=form())):
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]
        assert "next=" in response.headers["Location"]


def test_edit_form_is_prefilled(client, login, member):
    set_profile(member, display_name="Mem", bio="Hi *there*", location="Lyon",
                website="https://example.org", timezone="Europe/Paris")
    login(member)
    response = client.get("/account/profile")
    html = page(response)
    assert response.status_code == 200
    assert 'value="Mem"' in html
    assert "Hi *there*</textarea>" in html
    assert 'value="https://example.org"' in html
    assert '<option selected value="Europe/Paris">Paris</option>' in html
    assert '<optgroup label="America">' in html
    assert 'name="display_name"' in html and '<label for="display_name">' in html


def test_save_profile(client, login, member):
    login(member)
    response = client.post("/account/profile", data=form(
        display_name="New Name", bio="Hello *world*", location="Oslo",
        website="example.org", timezone="Europe/Oslo",
    ))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/u/member")
    db.session.expire_all()
    assert member.display_name == "New Name"
    assert member.bio_html == "<p>Hello <em>world</em></p>"
    assert member.website == "https://example.org"
    assert member.timezone == "Europe/Oslo"
    assert "Your profile has been saved." in page(client.get("/u/member"))


@pytest.mark.parametrize("fields, field, message", [
    ({"website": "javascript:alert(1)"}, "website", "Only http:// and https://"),
    ({"website": "https://exa mple.org"}, "website", "spaces"),
    ({"display_name": "n" * 65}, "display_name", "at most 64 characters"),
    ({"location": "l" * 101}, "location", "at most 100 characters"),
    ({"bio": "b" * 5001}, "bio", "at most 5,000 characters"),
    ({"website": "https://e.org/" + "w" * 200}, "website", "at most 200 characters"),
    ({"timezone": "Mars/Olympus"}, "timezone", "Choose a time zone from the list."),
    ({"timezone": ""}, "timezone", "Choose a time zone from the list."),
])
def test_invalid_input_is_refused_and_nothing_saved(client, login, member, fields, field,
                                                    message):
    login(member)
    response = client.post("/account/profile", data=form(**{"display_name": "Changed", **fields}))
    html = page(response)
    assert response.status_code == 400
    assert message in html
    assert f'id="{field}-error"' in html
    assert 'aria-invalid="true"' in html
    assert "nothing was saved" in html
    db.session.expire_all()
    assert member.display_name is None


def test_missing_fields_do_not_crash(client, login, member):
    login(member)
    response = client.post("/account/profile", data={})
    assert response.status_code == 400
    assert "Choose a time zone" in page(response)


def test_edit_requires_csrf_token(client, login, member, enable_csrf):
    login(member)
    response = client.post("/account/profile", data=form(display_name="Forged"))
    assert response.status_code == 400
    db.session.expire_all()
    assert member.display_name is None


def test_edit_changes_only_the_logged_in_member(client, login, member, other_member):
    login(other_member)
    client.post("/account/profile", data=form(display_name="Other's name"))
    db.session.expire_all()
    assert other_member.display_name == "Other's name"
    assert member.display_name is None


def test_service_refuses_someone_elses_profile(member, other_member):
    with pytest.raises(Refused) as caught:
        profiles.update_profile(other_member, member, ProfileData(display_name="Hijack"))
    assert caught.value.status == 403


# -- the member list ----------------------------------------------------------------------

@pytest.fixture
def crowd(app):
    return [
        factories.make_user("alice", display_name="Alice Liddell", post_count=3),
        factories.make_user("bob_smith", post_count=10, role="moderator"),
        factories.make_user("bobXsmith", post_count=1),
        factories.make_user("carol", display_name="100% Carol", post_count=5, role="admin"),
    ]


def listed(response) -> list[str]:
    return re.findall(r'class="user-link" href="/u/([^"]+)"', page(response))


def test_members_default_to_most_posts(client, crowd):
    response = client.get("/members")
    assert response.status_code == 200
    assert listed(response) == ["bob_smith", "carol", "alice", "bobXsmith"]
    html = page(response)
    assert ">Admin</span>" in html and ">Moderator</span>" in html
    assert 'src="/u/alice/avatar.svg?i=AL"' in html
    assert "4 members" in html


@pytest.mark.parametrize("sort, first", [("name", "alice"), ("joined", "carol"),
                                         ("posts", "bob_smith")])
def test_members_sorting(client, crowd, sort, first):
    assert listed(client.get(f"/members?sort={sort}"))[0] == first


def test_members_search(client, crowd):
    assert listed(client.get("/members?q=LIDDELL")) == ["alice"]
    assert sorted(listed(client.get("/members?q=bob"))) == ["bobXsmith", "bob_smith"]


def test_members_search_wildcards_are_literal(client, crowd):
    assert listed(client.get("/members?q=bob_")) == ["bob_smith"]
    assert listed(client.get("/members?q=%25")) == ["carol"]
    assert listed(client.get("/members?q=_")) == ["bob_smith"]


def test_members_search_without_match(client, crowd):
    response = client.get("/members?q=%3Cscript%3Ezz")
    html = page(response)
    assert response.status_code == 200
    assert "No members match “&lt;script&gt;zz”." in html
    assert "<script>zz" not in html


@pytest.mark.parametrize("query", ["page=0", "page=-3", "page=abc", "page=1.5", "page=%EF%BC%92",
                                   "sort=email", "q=" + "x" * 65])
def test_members_bad_input_is_400(client, crowd, query):
    response = client.get(f"/members?{query}")
    assert response.status_code == 400
    assert re.search(r"Page must be|sorted by|at most 64", page(response))


def test_members_pagination(client, app, crowd):
    app.config["MEMBERS_PER_PAGE"] = 3
    first = client.get("/members?sort=name")
    assert listed(first) == ["alice", "bob_smith", "bobXsmith"]
    assert 'href="/members?sort=name&amp;page=2"' in page(first)
    assert listed(client.get("/members?sort=name&page=2")) == ["carol"]
    assert client.get("/members?page=3").status_code == 404
    assert client.get("/members?page=99999999999999999999").status_code == 404
    assert client.get("/members?q=zzz&page=2").status_code == 404
    assert client.get("/members?q=zzz&page=1").status_code == 200


@pytest.mark.parametrize("viewer", ["guest", "member"])
def test_members_query_budget(client, login, count_queries, crowd, member, viewer):
    for n in range(40):
        factories.make_user(f"extra{n}")
    if viewer == "member":
        login(member)
    assert client.get("/members").status_code == 200
    with count_queries() as queries:
        response = client.get("/members?q=e&sort=joined")
    assert response.status_code == 200
    assert len(listed(response)) == 30
    assert len(queries) <= 4, queries


# -- avatars ------------------------------------------------------------------------------

def test_avatar_is_cacheable_svg(client, count_queries):
    with count_queries() as queries:
        response = client.get("/u/Bob_Smith/avatar.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.cache_control.public
    assert response.cache_control.max_age >= 86400
    assert response.headers["ETag"]
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert ">BS</text>" in page(response)
    assert queries == []  # drawn from the name in the address alone


def test_avatar_is_deterministic_and_revalidates(client):
    first = client.get("/u/alice/avatar.svg")
    second = client.get("/u/alice/avatar.svg")
    assert first.get_data() == second.get_data()
    assert first.headers["ETag"] == second.headers["ETag"]
    again = client.get("/u/alice/avatar.svg", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/u/alicia/avatar.svg").headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("name", ["ab", "a" * 33, "bad%20name", "%3Cscript%3E", "a&b"])
def test_avatar_for_impossible_names_is_404(client, name):
    assert client.get(f"/u/{name}/avatar.svg").status_code == 404


def test_avatar_works_for_names_nobody_has(client, app):
    # Nothing is looked up, so unknown names still get a picture (and reveal nothing).
    assert client.get("/u/ghost.writer/avatar.svg").status_code == 200


# -- the interface language ------------------------------------------------------------------

def test_language_choice_offered_in_each_languages_own_name(client, login, member):
    login(member)
    html = page(client.get("/account/profile"))
    assert '<label for="language">Language</label>' in html
    assert '<option selected value="">Follow my browser</option>' in html
    assert '<option value="en">English</option>' in html
    assert '<option value="de">Deutsch</option>' in html


def test_language_choice_saved_and_used(client, login, member):
    login(member)
    response = client.post("/account/profile", data=form(language="de"))
    assert response.status_code == 302
    db.session.expire_all()
    assert member.language == "de"
    html = page(client.get("/account/profile", headers={"Accept-Language": "en"}))
    assert '<html lang="de">' in html and '<option selected value="de">Deutsch</option>' in html
    # Back to following the browser.
    assert client.post("/account/profile", data=form(language="")).status_code == 302
    db.session.expire_all()
    assert member.language is None
    assert '<html lang="en">' in page(client.get("/u/member", headers={"Accept-Language": "en"}))


def test_unknown_language_refused_with_a_message(client, login, member):
    set_profile(member, display_name="Before")
    login(member)
    response = client.post("/account/profile", data=form(display_name="After", language="xx"))
    assert response.status_code == 400
    assert "Choose a language from the list." in page(response)
    db.session.expire_all()
    saved = db.session.get(type(member), member.id)
    assert saved.display_name == "Before" and saved.language is None
