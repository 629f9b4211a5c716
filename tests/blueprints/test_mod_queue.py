"""The report queue pages: listing and filters, the item page, claiming, resolving in one step,
dismissing, and what goes wrong (races, rank, bad input, CSRF)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from forum.extensions import db
from forum.models import ItemStatus, Notification, Post, ReportItem, Sanction, Thread, utcnow
from forum.services.moderation import modnotes, reports
from tests import factories
from tests.factories import said, text
from tests.services.moderation_kit import actions, reported_post

QUEUE_BUDGET = 8


@pytest.fixture
def item(app):
    _post, item = reported_post(reporters=2, body="Cheap <script>alert(1)</script> watches")
    return item


def _reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


# -- the list ----------------------------------------------------------------------------------
def test_queue_lists_active_items_by_priority(client, login, moderator):
    lone_post, lone = reported_post(reporters=1)
    busy_post, busy = reported_post(reporters=3)
    login(moderator)
    html = text(client.get("/mod/reports"))
    assert html.index(f"/mod/reports/{busy.id}") < html.index(f"/mod/reports/{lone.id}")
    assert "2 items" in html
    assert 'aria-label="3 members reported this"' in html


def test_queue_shows_reasons_and_escapes_content(client, login, moderator, item):
    login(moderator)
    html = text(client.get("/mod/reports"))
    assert "Spam ×2" in html
    assert "<script>alert(1)</script>" not in html


def test_queue_filters_by_status_board_and_reason(client, login, moderator, admin):
    spam_post, spam = reported_post(reason="spam")
    rude_post, rude = reported_post(reason="harassment")
    login(moderator)
    by_reason = text(client.get("/mod/reports?reason=harassment"))
    assert f"/mod/reports/{rude.id}" in by_reason and f"/mod/reports/{spam.id}" not in by_reason
    board = spam_post.thread.board_id
    by_board = text(client.get(f"/mod/reports?board={board}"))
    assert f"/mod/reports/{spam.id}" in by_board and f"/mod/reports/{rude.id}" not in by_board
    client.post(f"/mod/reports/{spam.id}/dismiss", data={"reason": "Fine"})
    dismissed = text(client.get("/mod/reports?status=dismissed"))
    assert f"/mod/reports/{spam.id}" in dismissed and "no action needed" in dismissed
    assert f"/mod/reports/{spam.id}" not in text(client.get("/mod/reports"))


@pytest.mark.parametrize("query", ["status=closed", "reason=rude", "board=abc", "page=0",
                                   "page=x"])
def test_queue_bad_filters_are_400(client, login, moderator, item, query):
    login(moderator)
    response = client.get(f"/mod/reports?{query}")
    assert response.status_code == 400


def test_queue_page_past_the_end_is_404(client, login, moderator, item):
    login(moderator)
    assert client.get("/mod/reports?page=3").status_code == 404


def test_queue_is_empty_and_says_so(client, login, moderator):
    login(moderator)
    assert "No reports are waiting" in text(client.get("/mod/reports"))


def test_board_moderator_sees_only_their_boards(client, login):
    mine, mine_item = reported_post()
    other, other_item = reported_post()
    helper = factories.make_board_moderator(factories.make_user(), mine.thread.board)
    login(helper)
    html = text(client.get("/mod/reports"))
    assert f"/mod/reports/{mine_item.id}" in html
    assert f"/mod/reports/{other_item.id}" not in html
    assert client.get(f"/mod/reports/{other_item.id}").status_code == 403


def test_menu_shows_the_open_count(client, login, moderator, member, item):
    login(moderator)
    html = text(client.get("/"))
    assert 'aria-label="1 open report"' in html
    login(member)
    assert "/mod/reports" not in text(client.get("/"))


@pytest.mark.parametrize("count", [3, 30])
def test_queue_query_budget(client, login, moderator, count_queries, count):
    board = factories.make_board()
    for _ in range(count):
        reported_post(reporters=2, board=board)
    login(moderator)
    client.get("/mod/reports")
    with count_queries() as queries:
        response = client.get("/mod/reports")
    assert response.status_code == 200
    assert len(queries) <= QUEUE_BUDGET, queries


# -- the item page ---------------------------------------------------------------------------
def test_item_page_shows_the_target_in_context(client, login, moderator):
    post, item = reported_post(reporters=1, body="The reported words")
    thread = post.thread
    factories.make_post(thread, body="A later reply")
    author = post.author
    db.session.add(Sanction(user_id=author.id, kind="warning", reason="Earlier rudeness",
                            issuer_id=moderator.id))
    db.session.commit()
    modnotes.add_note(moderator, author, "Keeps posting links to a shop")
    login(moderator)
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert "The reported words" in html and "A later reply" in html and "The opening post." in html
    assert "Earlier rudeness" in html
    assert "Keeps posting links to a shop" in html
    assert "Joined" in html and author.name in html


def test_item_page_404_for_unknown_item(client, login, moderator):
    login(moderator)
    assert client.get("/mod/reports/999").status_code == 404


# -- claiming --------------------------------------------------------------------------------
def test_claim_then_another_moderator_sees_who(client, login, moderator, item):
    login(moderator)
    assert client.post(f"/mod/reports/{item.id}/claim").status_code == 302
    assert _reload(ReportItem, item.id).status == ItemStatus.CLAIMED
    other = factories.make_user(role="moderator")
    login(other)
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert "Claimed by" in html and moderator.name in html
    response = client.post(f"/mod/reports/{item.id}/claim")
    assert response.status_code == 409
    assert f"{moderator.username} claimed this report" in text(response)


def test_release_by_another_moderator_is_refused(client, login, moderator, item):
    login(moderator)
    client.post(f"/mod/reports/{item.id}/claim")
    login(factories.make_user(role="moderator"))
    assert client.post(f"/mod/reports/{item.id}/release").status_code == 403
    login(moderator)
    assert client.post(f"/mod/reports/{item.id}/release").status_code == 302
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN


# -- resolving -------------------------------------------------------------------------------
def test_hide_and_warn_in_one_step(client, login, moderator, item):
    login(moderator)
    response = client.post(f"/mod/reports/{item.id}/resolve", data={
        "actions": ["hide_post"], "sanction": "warn", "reason": "Spam links",
        "message": "Please don't advertise here.",
    })
    assert response.status_code == 302
    resolved = _reload(ReportItem, item.id)
    assert resolved.status == ItemStatus.RESOLVED
    assert _reload(Post, item.post_id).is_hidden
    warning = db.session.scalar(select(Sanction).where(Sanction.user_id == item.subject_id))
    assert warning.kind == "warning" and warning.message == "Please don't advertise here."
    assert {entry.action for entry in actions(item=item)} >= {"post.hide", "user.warn"}
    assert all(entry.reason == "Spam links" for entry in actions(item=item)
               if entry.action in ("post.hide", "user.warn"))
    outcomes = db.session.scalars(select(Notification).where(Notification.kind == "report_outcome"))
    assert len(list(outcomes)) == 2
    assert "Report handled: hid the post, warned the author" in text(client.get("/mod/reports"))


def test_timeout_suspend_and_edit(client, login, moderator, admin):
    post, item = reported_post()
    login(moderator)
    response = client.post(f"/mod/reports/{item.id}/resolve", data={
        "actions": ["edit_post"], "body": "[removed link]", "sanction": "timeout",
        "timeout": "6h", "reason": "Link removed",
    })
    assert response.status_code == 302
    assert _reload(Post, post.id).body == "[removed link]"
    sanction = db.session.scalar(select(Sanction).where(Sanction.user_id == post.author_id))
    assert sanction.kind == "timeout"
    assert round((sanction.ends_at - sanction.starts_at).total_seconds()) == 6 * 3600


def test_suspend_until_a_local_time(client, login, moderator):
    post, item = reported_post()
    moderator.timezone = "Europe/Paris"
    db.session.commit()
    login(moderator)
    year = utcnow().year + 3
    response = client.post(f"/mod/reports/{item.id}/resolve", data={
        "sanction": "suspend", "until": f"{year}-01-10T18:00", "reason": "Repeated spam",
    })
    assert response.status_code == 302
    sanction = db.session.scalar(select(Sanction).where(Sanction.user_id == post.author_id))
    assert sanction.ends_at.isoformat() == f"{year}-01-10T17:00:00+00:00"


def test_move_and_lock_the_thread(client, login, moderator):
    post, item = reported_post()
    elsewhere = factories.make_board(title="Off-topic corner")
    login(moderator)
    page = text(client.get(f"/mod/reports/{item.id}"))
    assert "Off-topic corner" in page
    response = client.post(f"/mod/reports/{item.id}/resolve", data={
        "actions": ["move_thread", "lock_thread"], "destination": str(elsewhere.id),
        "reason": "Wrong place, and heated",
    })
    assert response.status_code == 302
    thread = _reload(Thread, post.thread_id)
    assert thread.board_id == elsewhere.id and thread.is_locked


@pytest.mark.parametrize("data, message", [
    ({"actions": ["hide_post"], "reason": ""}, "Please give a reason"),
    ({"reason": "Nothing chosen"}, "Choose at least one action"),
    ({"actions": ["hide_post", "delete_post"], "reason": "x"}, "choose one"),
    ({"actions": ["move_thread"], "reason": "x"}, "Choose the board"),
    ({"actions": ["move_thread"], "destination": "999", "reason": "x"}, "Choose the board"),
    ({"sanction": "timeout", "timeout": "99y", "reason": "x"}, "how long"),
    ({"sanction": "suspend", "reason": "x"}, "needs an end date"),
    ({"sanction": "suspend", "until": "tomorrow", "reason": "x"}, "Enter a date and time"),
    ({"sanction": "suspend", "until": "2001-01-01T10:00", "reason": "x"}, "in the future"),
    ({"actions": ["explode"], "reason": "x"}, "action moderators can take"),
    ({"actions": ["edit_post"], "body": "  ", "reason": "x"}, "new text"),
])
def test_bad_resolutions_are_400_and_change_nothing(client, login, moderator, item, data,
                                                    message):
    login(moderator)
    response = client.post(f"/mod/reports/{item.id}/resolve", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN
    assert not _reload(Post, item.post_id).is_hidden
    assert db.session.scalar(select(Sanction)) is None


def test_bad_input_keeps_what_was_typed(client, login, moderator, item):
    login(moderator)
    response = client.post(f"/mod/reports/{item.id}/resolve", data={
        "sanction": "suspend", "message": "Kept <b>words</b>", "reason": "My reason",
    })
    html = text(response)
    assert "Kept &lt;b&gt;words&lt;/b&gt;" in html
    assert 'value="My reason"' in html


def test_resolving_a_resolved_item_says_what_happened(client, login, moderator, item):
    login(moderator)
    client.post(f"/mod/reports/{item.id}/dismiss", data={"reason": "Looks fine"})
    login(factories.make_user(username="latecomer", role="moderator"))
    response = client.post(f"/mod/reports/{item.id}/resolve",
                           data={"actions": ["hide_post"], "reason": "Spam"})
    assert response.status_code == 409
    assert f"{moderator.username} already dismissed this report" in text(response)
    assert not _reload(Post, item.post_id).is_hidden


def test_moderator_cannot_sanction_another_moderator(client, login, moderator):
    colleague = factories.make_user(role="moderator")
    post, item = reported_post(author=colleague)
    login(moderator)
    page = text(client.get(f"/mod/reports/{item.id}"))
    assert "can&#39;t act on another moderator" in page or "can't act on another moderator" in page
    response = client.post(f"/mod/reports/{item.id}/resolve",
                           data={"sanction": "warn", "reason": "Rude"})
    assert response.status_code == 403
    # Opening the item claimed it; the refused step changed nothing.
    assert _reload(ReportItem, item.id).status == ItemStatus.CLAIMED


def test_canned_response_fills_the_message_and_keeps_the_rest(client, login, moderator, admin,
                                                              item):
    response_ = modnotes.create_canned(admin, "Be kind", "Hello {username}, about {thread}: "
                                       "please keep it friendly.")
    login(moderator)
    page = client.post(f"/mod/reports/{item.id}/resolve", data={
        "canned": str(response_.id), "use_canned": "1", "sanction": "warn",
        "reason": "Rude reply",
    })
    html = text(page)
    assert page.status_code == 200
    assert f"Hello {item.subject.username}, about Watches: please keep it friendly." in html
    assert 'value="Rude reply"' in html
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN
    missing = client.post(f"/mod/reports/{item.id}/resolve",
                          data={"canned": "999", "use_canned": "1"})
    assert missing.status_code == 404
    assert client.post(f"/mod/reports/{item.id}/resolve",
                       data={"canned": "x1", "use_canned": "1"}).status_code == 400
    assert client.post(f"/mod/reports/{item.id}/resolve",
                       data={"canned": "", "use_canned": "1"}).status_code == 400


def test_dismiss_needs_a_reason(client, login, moderator, item):
    login(moderator)
    response = client.post(f"/mod/reports/{item.id}/dismiss", data={"reason": ""})
    assert response.status_code == 400
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN


def test_dismiss_tells_reporters_no_action_was_needed(client, login, item):
    moderator = login(factories.make_user(username="zelda", role="moderator"))
    assert client.post(f"/mod/reports/{item.id}/dismiss",
                       data={"reason": "Within the rules"}).status_code == 302
    texts = [said(n) for n in db.session.scalars(select(Notification))]
    assert any("no action was needed" in t for t in texts)
    assert not any(moderator.username in t for t in texts)


def test_posts_without_csrf_are_refused(client, login, moderator, item, enable_csrf):
    login(moderator)
    for action, data in (("claim", {}), ("release", {}), ("dismiss", {"reason": "x"}),
                         ("resolve", {"actions": ["hide_post"], "reason": "x"})):
        response = client.post(f"/mod/reports/{item.id}/{action}", data=data)
        assert response.status_code == 400, action
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN


def test_members_and_guests_are_kept_out(client, login, member, item):
    response = client.get(f"/mod/reports/{item.id}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(member)
    assert client.get("/mod/reports").status_code == 403
    assert client.post(f"/mod/reports/{item.id}/resolve",
                       data={"actions": ["hide_post"], "reason": "x"}).status_code == 403
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN


def test_hidden_pending_review_post_is_shown_again_when_dismissed(client, login, moderator):
    post, item = reported_post(reporters=3)
    assert _reload(Post, post.id).is_hidden
    login(moderator)
    assert "Hidden pending review" in text(client.get("/mod/reports"))
    client.post(f"/mod/reports/{item.id}/dismiss", data={"reason": "It was fine"})
    assert not _reload(Post, post.id).is_hidden


def test_reports_on_threads_and_members_resolve_too(client, login, moderator, member):
    thread = factories.make_thread(factories.make_board(), author=member, title="Spammy")
    reporter = factories.make_user()
    thread_item = reports.file_report(reporter, thread, "spam").item
    member_item = reports.file_report(reporter, member, "harassment", "Sends rude messages").item
    login(moderator)
    assert "Spammy" in text(client.get(f"/mod/reports/{thread_item.id}"))
    assert client.post(f"/mod/reports/{thread_item.id}/resolve",
                       data={"actions": ["lock_thread"], "reason": "Spam"}).status_code == 302
    page = text(client.get(f"/mod/reports/{member_item.id}"))
    assert "Sends rude messages" in page and "Hide the post" not in page
    assert client.post(f"/mod/reports/{member_item.id}/resolve",
                       data={"actions": ["hide_post"], "reason": "x"}).status_code == 400
    assert client.post(f"/mod/reports/{member_item.id}/resolve",
                       data={"sanction": "warn", "reason": "Harassment"}).status_code == 302


def test_earlier_reports_are_only_those_the_viewer_may_handle(client, login):
    author = factories.make_user()
    mine, mine_item = reported_post(author=author, body="Here")
    _elsewhere_post, elsewhere_item = reported_post(author=author, body="Elsewhere")
    helper = factories.make_board_moderator(factories.make_user(), mine.thread.board)
    login(helper)
    html = text(client.get(f"/mod/reports/{mine_item.id}"))
    assert "Earlier reports (0)" in html
    assert f"/mod/reports/{elsewhere_item.id}" not in html
    login(factories.make_user(role="moderator"))
    html = text(client.get(f"/mod/reports/{mine_item.id}"))
    assert "Earlier reports (1)" in html
    assert f"/mod/reports/{elsewhere_item.id}" in html
