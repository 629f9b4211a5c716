"""Announcements over HTTP: the banner and board notices, dismissing, and the panels' pages."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Announcement, AnnouncementDismissal, ModAction, utcnow
from forum.services.community import announcements as service
from forum.services.community.announcements import Draft
from forum.services.content import posting
from forum.services.search import sync
from tests import factories
from tests.factories import text

XSS = '<script>alert("x")</script>'


def announce(actor, title="Hello", **fields) -> Announcement:
    return service.create_announcement(actor, Draft(title=title, **fields))


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def form(**fields) -> dict:
    data = {"title": "Maintenance", "body": "We'll be **back**.", "severity": "warning",
            "audience": "everyone", "placement": "banner", "board": "", "thread": "",
            "starts_at": "", "ends_at": "", "is_dismissible": "y"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def board(app):
    return factories.make_board(slug="here", title="Here")


@pytest.fixture
def keeper(board):
    return factories.make_board_moderator(factories.make_user(username="keeper"), board)


# -- the banner and board notices --------------------------------------------------------------
def test_banner_on_every_page_with_severity_and_role(client, admin, board):
    announce(admin, "Heads up", body="Read *this*", severity="critical")
    announce(admin, "Nice", severity="success")
    for url in ("/", "/b/here", "/login"):
        html = text(client.get(url))
        assert 'class="announcement announcement-critical" role="alert"' in html, url
        assert 'class="announcement announcement-success" role="status"' in html, url
        assert "<em>this</em>" in html


def test_audience_and_window_on_pages(client, login, admin, member):
    announce(admin, "For members", audience="members")
    announce(admin, "For staff", audience="moderators")
    announce(admin, "Later", starts_at=utcnow() + timedelta(days=1))
    assert "For members" not in text(client.get("/"))
    login(member)
    html = text(client.get("/"))
    assert "For members" in html and "For staff" not in html and "Later" not in html


def test_board_shows_its_own_and_all_boards_notices(client, admin, board):
    other = factories.make_board(slug="other")
    announce(admin, "Everywhere", placement="all_boards")
    announce(admin, "Here only", placement="board", board_id=board.id)
    announce(admin, "Other only", placement="board", board_id=other.id)
    html = text(client.get("/b/here"))
    assert 'aria-label="Board announcements"' in html
    assert "Everywhere" in html and "Here only" in html and "Other only" not in html
    assert "Here only" not in text(client.get("/"))


def test_title_and_body_are_inert(client, admin):
    announce(admin, XSS, body=XSS + " [x](javascript:alert(1))")
    html = text(client.get("/"))
    assert "<script>alert" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;" in html


def test_discussion_thread_is_linked(client, admin, board):
    thread = factories.make_thread(board, title="Talk")
    announce(admin, "Discuss me", thread_id=thread.id)
    assert f'href="/t/{thread.id}">Discuss this announcement' in text(client.get("/"))


# -- dismissing --------------------------------------------------------------------------------
def test_member_dismissal_persists_across_clients(app, client, login, admin, member):
    shown = announce(admin, "Closable")
    login(member)
    html = text(client.get("/b/x"))  # any page; even a 404 carries the banner
    assert 'aria-label="Dismiss the announcement “Closable”"' in html
    response = client.post(f"/announcements/{shown.id}/dismiss", data={"next": "/search"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/search")
    assert "Closable" not in text(client.get("/"))
    assert count(AnnouncementDismissal) == 1
    other = app.test_client()
    with other.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(member)
    assert "Closable" not in text(other.get("/"))


def test_guest_dismissal_lives_in_a_cookie(app, client, admin):
    shown = announce(admin, "Closable")
    response = client.post(f"/announcements/{shown.id}/dismiss", data={"next": "//evil.test"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert "agora_dismissed" in response.headers["Set-Cookie"]
    assert "Closable" not in text(client.get("/"))
    assert count(AnnouncementDismissal) == 0
    assert "Closable" in text(app.test_client().get("/"))


def test_dismissing_needs_a_token_from_members_only(app, client, login, admin, member,
                                                   enable_csrf):
    """A guest's form carries no token (their pages are the same for every guest and may be
    cached whole); a member's does, and is checked."""
    shown = announce(admin, "Closable")
    assert 'name="csrf_token"' not in text(client.get("/"))
    guest = client.post(f"/announcements/{shown.id}/dismiss", data={"next": "/"})
    assert guest.status_code == 302 and "agora_dismissed" in guest.headers["Set-Cookie"]
    login_client = app.test_client()
    with login_client.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(member)
    html = text(login_client.get("/"))
    assert 'name="csrf_token"' in html
    forged = login_client.post(f"/announcements/{shown.id}/dismiss", data={"next": "/"})
    assert forged.status_code == 400 and count(AnnouncementDismissal) == 0
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    sent = login_client.post(f"/announcements/{shown.id}/dismiss",
                             data={"next": "/", "csrf_token": token})
    assert sent.status_code == 302 and count(AnnouncementDismissal) == 1


def test_dismiss_refuses_links_off_the_site(client, admin):
    shown = announce(admin, "Closable")
    for target in ("/\t/evil.test", "/\\evil.test", "https://evil.test/", "//evil.test"):
        response = client.post(f"/announcements/{shown.id}/dismiss", data={"next": target})
        assert response.headers["Location"] == "/", target


def test_dismiss_as_json_answers_204(client, login, admin, member):
    shown = announce(admin, "Closable")
    login(member)
    response = client.post(f"/announcements/{shown.id}/dismiss", json={})
    assert response.status_code == 204
    assert count(AnnouncementDismissal) == 1


def test_not_dismissible_has_no_button_and_refuses(client, login, admin, member):
    fixed = announce(admin, "Fixed", is_dismissible=False)
    login(member)
    html = text(client.get("/"))
    assert "Fixed" in html and "Dismiss the announcement" not in html
    assert client.post(f"/announcements/{fixed.id}/dismiss").status_code == 403
    response = client.post(f"/announcements/{fixed.id}/dismiss", json={})
    assert response.status_code == 403 and response.is_json
    assert count(AnnouncementDismissal) == 0


def test_dismissing_unknown_or_unseen_is_404(client, admin):
    staff = announce(admin, "Staff", audience="moderators")
    assert client.post(f"/announcements/{staff.id}/dismiss").status_code == 404
    assert client.post("/announcements/9999/dismiss").status_code == 404


def test_a_guest_cookie_cannot_hide_a_fixed_announcement(client, admin):
    fixed = announce(admin, "Fixed", is_dismissible=False)
    client.set_cookie("agora_dismissed", f"{fixed.id}.junk.77")
    assert "Fixed" in text(client.get("/"))


# -- the panels --------------------------------------------------------------------------------
def test_admin_creates_a_banner(client, login, admin):
    login(admin)
    assert 'type="datetime-local"' in text(client.get("/admin/announcements/new"))
    response = client.post("/admin/announcements/new", data=form())
    assert response.status_code == 302
    made = db.session.scalar(select(Announcement))
    assert made.title == "Maintenance" and made.severity == "warning"
    assert "<strong>back</strong>" in made.body_html and made.is_dismissible
    assert count(ModAction, ModAction.action == "announcement.create") == 1
    html = text(client.get("/admin/announcements"))
    assert "Maintenance" in html and "Current" in html


def test_dates_are_read_in_the_authors_time_zone(client, login, admin):
    admin.timezone = "Europe/Paris"
    db.session.commit()
    login(admin)
    client.post("/admin/announcements/new",
                data=form(starts_at="2031-07-01T10:00", ends_at="2031-07-02T10:00"))
    made = db.session.scalar(select(Announcement))
    assert made.starts_at == datetime(2031, 7, 1, 8, 0, tzinfo=UTC)
    assert made.ends_at == datetime(2031, 7, 2, 8, 0, tzinfo=UTC)
    html = text(client.get(f"/admin/announcements/{made.id}/edit"))
    assert 'value="2031-07-01T10:00"' in html


def test_preview_shows_the_notice_and_saves_nothing(client, login, admin):
    login(admin)
    response = client.post("/admin/announcements/new",
                           data=form(title=XSS, body="*soft*", preview="1"))
    html = text(response)
    assert response.status_code == 200 and "<em>soft</em>" in html
    assert "<script>alert" not in html
    assert count(Announcement) == 0


@pytest.mark.parametrize(("fields", "message"), [
    ({"starts_at": "2031-01-02T10:00", "ends_at": "2031-01-01T10:00"},
     "The end must be after the start."),
    ({"severity": "loud"}, "Choose info, success, warning or critical."),
    ({"audience": "robots"}, "Choose everyone, members or moderators."),
    ({"placement": "sky"}, "Choose a banner, every board, or one board."),
    ({"placement": "board"}, "Choose the board to announce in."),
    ({"placement": "board", "board": "999999"}, "That board doesn't exist (any more)."),
    ({"title": "x" * 151}, "Keep the title to 150 characters or fewer."),
    ({"title": ""}, "Give the announcement a title."),
    ({"body": "x" * 10_001}, "Keep the message to 10,000 characters or fewer."),
    ({"starts_at": "tomorrow"}, "Enter a date and time such as"),
    ({"ends_at": "2031-02-30T10:00"}, "That date doesn't exist"),
    ({"thread": "a thread"}, "Give a thread number"),
    ({"thread": "/t/999999-gone"}, "There is no thread number 999999."),
    ({"ends_at": "9999-12-31T23:00"}, "That date is out of range."),
])
def test_bad_input_is_a_400_with_a_message(client, login, admin, fields, message):
    login(admin)
    response = client.post("/admin/announcements/new", data=form(**fields))
    assert response.status_code == 400
    assert message in text(response).replace("&#39;", "'")
    assert count(Announcement) == 0 and count(ModAction) == 0


def test_edit_and_end_now(client, login, admin):
    shown = announce(admin, "Old", severity="info")
    login(admin)
    assert 'value="Old"' in text(client.get(f"/admin/announcements/{shown.id}/edit"))
    response = client.post(f"/admin/announcements/{shown.id}/edit",
                           data=form(title="New", severity="critical"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Announcement, shown.id).title == "New"
    assert count(ModAction, ModAction.action == "announcement.edit") == 1
    preview = client.post(f"/admin/announcements/{shown.id}/edit",
                          data=form(title="Draft", preview="1"))
    assert preview.status_code == 200 and "Draft" in text(preview)
    bad = client.post(f"/admin/announcements/{shown.id}/edit", data=form(ends_at="nope"))
    assert bad.status_code == 400
    assert client.post(f"/admin/announcements/{shown.id}/end").status_code == 302
    assert count(ModAction, ModAction.action == "announcement.end") == 1
    assert "announcement-critical" not in text(client.get("/"))
    assert client.post(f"/admin/announcements/{shown.id}/end").status_code == 409
    assert client.get("/admin/announcements/9999/edit").status_code == 404


def test_moderator_panel_is_scoped_to_their_boards(client, login, admin, board, keeper):
    other = factories.make_board(slug="other", title="Other")
    announce(admin, "Banner for all")
    here = announce(admin, "Here notice", placement="board", board_id=board.id)
    there = announce(admin, "Other notice", placement="board", board_id=other.id)
    login(keeper)
    html = text(client.get("/mod/announcements"))
    assert "Here notice</h3>" in html
    assert "Other notice</h3>" not in html and "Banner for all</h3>" not in html
    new = text(client.get("/mod/announcements/new"))
    assert f'<option value="{board.id}">Here</option>' in new
    assert "Other</option>" not in new and 'value="banner"' not in new
    assert client.post("/mod/announcements/new", data=form(placement="banner")).status_code == 403
    assert client.post("/mod/announcements/new",
                       data=form(placement="board", board=str(other.id))).status_code == 403
    assert client.post("/mod/announcements/new",
                       data=form(placement="board", board=str(board.id))).status_code == 302
    assert client.get(f"/mod/announcements/{there.id}/edit").status_code == 403
    assert client.get(f"/mod/announcements/{here.id}/edit").status_code == 200
    assert client.get("/admin/announcements").status_code == 403


def test_admin_on_the_moderator_panel_is_sent_to_admin_for_site_wide(client, login, admin):
    banner = announce(admin, "Banner")
    login(admin)
    response = client.get(f"/mod/announcements/{banner.id}/edit")
    assert response.status_code == 403 and "administration panel" in text(response)


def test_navigation_links(client, login, admin, keeper):
    login(admin)
    assert 'href="/admin/announcements"' in text(client.get("/admin/"))
    login(keeper)
    assert 'href="/mod/announcements"' in text(client.get("/mod/reports"))


# -- query budgets -----------------------------------------------------------------------------
@pytest.mark.parametrize("viewer", ["guest", "member", "moderator"])
def test_pages_keep_their_query_budgets_with_announcements(client, login, admin, board,
                                                           count_queries, viewer):
    with sync.paused():
        thread = posting.create_thread(factories.make_user(), board, "A thread", "Hello")
        posting.reply(factories.make_user(), thread, "Reply")
    announce(admin, "Dismissible banner", audience="everyone")
    announce(admin, "Fixed banner", is_dismissible=False)
    announce(admin, "Pinned here", placement="board", board_id=board.id)
    announce(admin, "Everywhere", placement="all_boards", audience="members")
    if viewer != "guest":
        user = login(factories.make_user(role=viewer))
        db.session.add(AnnouncementDismissal(announcement_id=1, user_id=user.id))
        db.session.commit()
        client.get("/b/here")  # the visit that records last-seen
    budgets = {"/": 6, "/b/here": 6, thread.url: 7}
    for url, budget in budgets.items():
        for attempt in ("first", "later"):
            with count_queries() as queries:
                response = client.get(url)
            assert response.status_code == 200
            assert len(queries) <= budget, (url, attempt, viewer, len(queries))
    html = text(client.get("/b/here"))
    assert "Pinned here" in html and "Fixed banner" in html
    assert ("Dismissible banner" in html) == (viewer == "guest")
