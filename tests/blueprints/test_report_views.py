"""Filing reports over HTTP, the Report links on threads and profiles, and what the author of a
post hidden pending review sees."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import Access, Report, ReportItem
from forum.services.content import posting
from forum.services.moderation import reports
from forum.services.site import settings
from tests import factories
from tests.factories import text

REASONS = ["spam", "harassment", "off_topic", "inappropriate", "illegal", "other"]


@pytest.fixture(autouse=True)
def _database_rate_limits(app):
    app.config["REDIS_URL"] = None


@pytest.fixture
def board(app):
    return factories.make_board(slug="general", title="General chat")


@pytest.fixture
def thread(board, other_member):
    return factories.make_thread(board, author=other_member, title="Lathe tips",
                                 body="Keep the **ways** oiled.")


@pytest.fixture
def post(thread, other_member):
    return factories.make_post(thread, author=other_member, body="Buy my *miracle* oil")


def report_count() -> int:
    return db.session.scalar(select(func.count(Report.id)))


def article(html: str, post_id: int) -> str:
    start = html.index(f'id="p{post_id}"')
    return html[start: html.index("</article>", start)]


def follow(client, response):
    assert response.status_code == 302
    return text(client.get(response.headers["Location"], follow_redirects=True))


# -- the form ----------------------------------------------------------------------------------
def test_form_for_a_post_shows_an_excerpt_and_every_reason(client, login, member, post):
    login(member)
    response = client.get(f"/report/post/{post.id}")
    assert response.status_code == 200
    html = text(response)
    assert "Report this post" in html
    assert "Buy my miracle oil" in html and "Lathe tips" in html
    for reason in REASONS:
        assert f'type="radio" value="{reason}"' in html
    assert html.count('type="radio"') == len(REASONS)
    assert "Off-topic" in html and "<legend>" in html
    assert 'name="note"' in html and 'maxlength="1000"' in html
    assert "at most 1,000 characters" in html
    assert f'action="/report/post/{post.id}"' in html


def test_form_for_a_thread_shows_its_title(client, login, member, thread):
    login(member)
    html = text(client.get(f"/report/thread/{thread.id}"))
    assert "Report this thread" in html and "Lathe tips" in html and "other" in html


def test_form_for_a_member_shows_who(client, login, member, other_member):
    other_member.display_name = "Olive Other"
    db.session.commit()
    login(member)
    html = text(client.get(f"/report/user/{other_member.id}"))
    assert "Report this member" in html and "Olive Other" in html and "@other" in html


def test_hostile_names_and_text_stay_escaped_on_the_form(client, login, member, board):
    villain = factories.make_user(username="villain", display_name="<img src=x onerror=alert(1)>")
    thread = factories.make_thread(board, author=villain, title="<script>alert(1)</script>",
                                   body="<script>alert(2)</script> hello")
    login(member)
    for url in (f"/report/post/{thread.first_post_id}", f"/report/thread/{thread.id}",
                f"/report/user/{villain.id}"):
        html = text(client.get(url))
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert" in html or "&lt;img src=x onerror=alert(1)&gt;" in html


# -- filing --------------------------------------------------------------------------------------
def test_report_a_post(client, login, member, post):
    login(member)
    response = client.post(f"/report/post/{post.id}",
                           data={"reason": "spam", "note": "  Selling oil\r\nagain  "})
    assert response.headers["Location"] == f"/p/{post.id}"
    report = db.session.scalar(select(Report))
    assert (report.reporter_id, report.reason, report.note) == (member.id, "spam",
                                                                "Selling oil\nagain")
    assert report.item.post_id == post.id
    assert "Thank you for letting us know" in follow(client, response)


def test_report_a_thread(client, login, member, thread):
    login(member)
    response = client.post(f"/report/thread/{thread.id}", data={"reason": "off_topic"})
    assert response.status_code == 302
    assert response.headers["Location"] == thread.url
    item = db.session.scalar(select(ReportItem))
    assert (item.target_kind, item.thread_id) == ("thread", thread.id)
    assert db.session.scalar(select(Report.note)) is None


def test_report_a_member(client, login, member, other_member):
    login(member)
    response = client.post(f"/report/user/{other_member.id}", data={"reason": "harassment"})
    assert response.headers["Location"] == "/u/other"
    item = db.session.scalar(select(ReportItem))
    assert (item.target_kind, item.subject_id) == ("user", other_member.id)


def test_note_of_exactly_the_limit_is_fine(client, login, member, post):
    login(member)
    response = client.post(f"/report/post/{post.id}", data={"reason": "other", "note": "n" * 1000})
    assert response.status_code == 302
    assert len(db.session.scalar(select(Report.note))) == 1000


def test_line_breaks_count_once(client, login, member, post):
    login(member)
    note = "ab\r\n" * 333  # 1,332 characters as sent, 998 once line breaks are counted as one
    response = client.post(f"/report/post/{post.id}", data={"reason": "other", "note": note})
    assert response.status_code == 302


def test_second_report_is_answered_kindly_with_409(client, login, member, post):
    login(member)
    client.post(f"/report/post/{post.id}", data={"reason": "spam"})
    response = client.post(f"/report/post/{post.id}", data={"reason": "other", "note": "again"})
    assert response.status_code == 409
    html = text(response)
    assert "You've already reported this post" in html
    assert "You have already reported this post. Thank you — a moderator will look at it." in html
    assert f'href="/p/{post.id}"' in html
    assert 'class="error-code"' not in html
    assert report_count() == 1


def test_second_report_as_json_is_a_409(client, login, member, other_member):
    login(member)
    client.post(f"/report/user/{other_member.id}", data={"reason": "spam"})
    response = client.post(f"/report/user/{other_member.id}", data={"reason": "spam"},
                           headers={"Accept": "application/json"})
    assert response.status_code == 409
    assert "already reported this member" in response.get_json()["message"]


def test_too_many_reports_is_429_with_retry_after(client, login, member, admin, board):
    settings.update(admin, {"report_limit_per_hour": 2})
    posts = [factories.make_thread(board, author=admin, title=f"T{n}").first_post
             for n in range(3)]
    login(member)
    for target in posts[:2]:
        assert client.post(f"/report/post/{target.id}", data={"reason": "spam"}).status_code == 302
    response = client.post(f"/report/post/{posts[2].id}", data={"reason": "spam"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "at most 2 reports an hour" in text(response)
    assert report_count() == 2


# -- bad input -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Please choose the reason that fits best."),
        ({"reason": ""}, "Please choose the reason that fits best."),
        ({"reason": "boredom"}, "Please choose a reason from the list."),
        ({"reason": "spam", "note": "x" * 1001}, "The note can be at most 1,000 characters."),
    ],
)
def test_bad_input_is_400_and_saves_nothing(client, login, member, post, data, message):
    login(member)
    response = client.post(f"/report/post/{post.id}", data=data)
    assert response.status_code == 400
    html = text(response)
    assert message in html and 'class="field-error"' in html
    assert report_count() == 0


def test_hostile_note_is_shown_back_inert(client, login, member, post):
    login(member)
    note = "</textarea><script>alert(1)</script>"
    response = client.post(f"/report/post/{post.id}", data={"reason": "nope", "note": note})
    assert response.status_code == 400
    html = text(response)
    assert "<script>alert(1)" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_chosen_reason_stays_checked_after_an_error(client, login, member, post):
    login(member)
    html = text(client.post(f"/report/post/{post.id}",
                            data={"reason": "illegal", "note": "x" * 1001}))
    assert re.search(r'<input checked[^>]*value="illegal"|value="illegal"[^>]*checked', html)


def test_missing_csrf_token_is_400(client, login, member, post, enable_csrf):
    login(member)
    response = client.post(f"/report/post/{post.id}", data={"reason": "spam"})
    assert response.status_code == 400
    assert "did not come from this site" in text(response)
    assert report_count() == 0


def test_with_the_forms_csrf_token_it_works(client, login, member, post, enable_csrf):
    login(member)
    html = text(client.get(f"/report/post/{post.id}"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    response = client.post(f"/report/post/{post.id}",
                           data={"reason": "spam", "csrf_token": token.group(1)})
    assert response.status_code == 302
    assert report_count() == 1


# -- refusals ------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["get", "post"])
def test_guests_are_sent_to_log_in(client, post, method):
    response = getattr(client, method)(f"/report/post/{post.id}", data={"reason": "spam"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert report_count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_own_content_and_self_are_403(client, login, other_member, post, thread, method):
    login(other_member)
    for url in (f"/report/post/{post.id}", f"/report/thread/{thread.id}",
                f"/report/user/{other_member.id}"):
        response = getattr(client, method)(url, data={"reason": "spam"})
        assert response.status_code == 403, url
    assert "You can&#39;t report your own post." in text(client.get(f"/report/post/{post.id}"))
    assert "You can&#39;t report yourself." in text(client.get(f"/report/user/{other_member.id}"))
    assert report_count() == 0


@pytest.mark.parametrize("method", ["get", "post"])
def test_missing_targets_are_404(client, login, member, method):
    login(member)
    for url in ("/report/post/424242", "/report/thread/424242", "/report/user/424242",
                "/report/board/1", "/report/posts/1", "/report/post/abc", "/report/post/-1",
                "/report/post/2147483647", "/report/thread/2147483648",
                "/report/user/99999999999999999999999999"):
        response = getattr(client, method)(url, data={"reason": "spam"})
        assert response.status_code == 404, url
    assert report_count() == 0


def test_deleted_post_and_thread_are_404(client, login, member, other_member, board, post):
    lonely = factories.make_thread(board, author=other_member, title="Soon gone")
    posting.delete_post(other_member, post)
    posting.delete_post(other_member, lonely.first_post)
    login(member)
    assert client.get(f"/report/post/{post.id}").status_code == 404
    assert client.get(f"/report/thread/{lonely.id}").status_code == 404
    assert client.post(f"/report/thread/{lonely.id}", data={"reason": "spam"}).status_code == 404
    assert report_count() == 0


def test_post_on_a_board_out_of_sight_is_404(client, login, member, moderator):
    staff = factories.make_board(slug="staff", access=Access.STAFF)
    secret = factories.make_thread(staff, author=moderator, title="Secret")
    login(member)
    assert client.get(f"/report/post/{secret.first_post_id}").status_code == 404
    assert client.get(f"/report/thread/{secret.id}").status_code == 404


# -- Report links --------------------------------------------------------------------------------
def test_thread_page_offers_report_links_to_members(client, login, member, thread, post):
    mine = factories.make_post(thread, author=member, body="my reply")
    login(member)
    html = text(client.get(thread.url))
    assert f'href="/report/post/{post.id}"' in article(html, post.id)
    assert f'href="/report/post/{thread.first_post_id}"' in article(html, thread.first_post_id)
    assert "/report/post/" not in article(html, mine.id)
    assert f'href="/report/thread/{thread.id}"' in html


def test_thread_author_gets_no_report_link_for_their_thread(client, login, other_member, thread):
    login(other_member)
    html = text(client.get(thread.url))
    assert "/report/" not in html


def test_guests_see_no_report_links(client, thread, post):
    assert "/report/" not in text(client.get(thread.url))
    assert "/report/" not in text(client.get("/u/other"))


def test_deleted_posts_have_no_report_link(client, login, moderator, thread, post, other_member):
    posting.delete_post(other_member, post)
    login(moderator)
    html = text(client.get(thread.url))
    assert "/report/post/" not in article(html, post.id)


def test_profile_links_by_role(client, login, member, other_member, moderator, admin):
    login(member)
    html = text(client.get("/u/other"))
    assert f'href="/report/user/{other_member.id}"' in html
    assert "/mod/members/" not in html and "/admin/users/" not in html
    assert "/report/user/" not in text(client.get("/u/member"))

    login(moderator)
    html = text(client.get("/u/other"))
    assert 'href="/mod/members/other"' in html and "Moderation record" in html
    assert "/admin/users/" not in html

    login(admin)
    html = text(client.get("/u/other"))
    assert 'href="/mod/members/other"' in html
    assert 'href="/admin/users/other"' in html and ">Roles<" in html


def test_board_moderators_see_the_record_link_of_members_of_their_boards(client, login, board,
                                                                         other_member):
    keeper = factories.make_board_moderator(factories.make_user(username="keeper"), board)
    login(keeper)
    # "other" hasn't posted in the keeper's board: their record is not the keeper's to read.
    assert "/mod/members/other" not in text(client.get("/u/other"))
    factories.make_thread(board, author=other_member)
    html = text(client.get("/u/other"))
    assert 'href="/mod/members/other"' in html and "/admin/users/" not in html


# -- hidden pending review -------------------------------------------------------------------------
def test_author_sees_their_post_is_hidden_pending_review(client, login, admin, member, moderator,
                                                         thread, post, other_member):
    settings.update(admin, {"auto_hide_threshold": 2})
    reports.file_report(factories.make_established_user(username="first"), post, "spam")
    reports.file_report(factories.make_established_user(username="second"), post, "spam")
    db.session.refresh(post)
    assert post.is_hidden and post.hidden_by_id is None

    login(other_member)
    part = article(text(client.get(thread.url)), post.id)
    assert "Hidden pending review" in part
    assert "Your post is hidden pending review." in part
    assert "Buy my <em>miracle</em> oil" in part

    login(member)
    part = article(text(client.get(thread.url)), post.id)
    assert "This post is hidden pending review by a moderator." in part
    assert "miracle" not in part and "Your post is hidden" not in part

    login(moderator)
    part = article(text(client.get(thread.url)), post.id)
    assert "Hidden pending review" in part and "miracle" in part
    assert "Your post is hidden" not in part
