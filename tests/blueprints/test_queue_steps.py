"""Moderation in fewer steps: the queue row's buttons (dismiss, macros, the board's favourite
resolutions), the bulk form, claiming by opening (and claims that lapse), the reason a
moderator starts from, and the next item after resolving."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ItemStatus, ModAction, Post, ReportItem, Sanction, utcnow
from forum.services.moderation import macros, modnotes, quick_actions, reports
from forum.services.moderation.resolution import Action, ActionKind, resolve
from forum.services.site import settings as site_settings
from tests import factories
from tests.factories import text
from tests.services.moderation_kit import actions, reported_post

# The queue's own budget (test_mod_queue), buttons and all: macros and favourites are one
# query each, whatever the number of items.
QUEUE_BUDGET = 8
SPAM = macros.Preset(actions=("hide_post",), sanction="warn", reason="Spam")


@pytest.fixture
def macro(admin):
    return modnotes.create_canned(admin, "Spam removed",
                                  "Hi {username}, we removed your advert.", preset=SPAM)


def _reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def _ticked(html: str, name: str, value: str) -> bool:
    """Whether the page's checkbox or radio button ``name``=``value`` is ticked."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return " checked" in tag
    raise AssertionError(f"no input {name}={value}")


def _act(client, item, choice, **extra):
    return client.post(f"/mod/reports/{item.id}/act", data={"choice": choice, **extra})


# -- the row's buttons -------------------------------------------------------------------------
def test_rows_offer_dismiss_macros_and_the_boards_favourites(client, login, moderator, macro):
    board = factories.make_board()
    for _ in range(2):
        _post, done = reported_post(board=board)
        resolve(moderator, done, [Action(ActionKind.LOCK_THREAD, "Heated")])
    _post, once = reported_post(board=board)
    resolve(moderator, once, [Action(ActionKind.HIDE_POST, "Spam"),
                              Action(ActionKind.WARN, "Spam")])
    _post, item = reported_post(board=board)
    login(moderator)
    html = text(client.get("/mod/reports"))
    row = html[html.index(f'id="item-{item.id}"'):]
    for key in ("dismiss", f"macro:{macro.id}", "do:lock_thread"):
        assert f'value="{key}"' in row
    # "Hide + Warn" is what the macro does already: one button for it, the macro's.
    assert 'value="do:hide_post+warn"' not in row
    assert ">Spam removed<" in row and ">Lock<" in row


def test_a_report_about_a_member_gets_no_post_buttons(client, login, moderator, macro, member):
    reports.file_report(factories.make_established_user(), member, "spam")
    login(moderator)
    html = text(client.get("/mod/reports"))
    row = html[html.index('class="queue-actions'):]
    assert 'value="dismiss"' in row and f'value="macro:{macro.id}"' not in row


@pytest.mark.parametrize("count", [3, 30])
def test_queue_budget_with_buttons(client, login, moderator, macro, count_queries, count):
    boards = [factories.make_board() for _ in range(3)]
    for n in range(count):
        reported_post(reporters=2, board=boards[n % 3])
    for board in boards:
        _post, done = reported_post(board=board)
        resolve(moderator, done, [Action(ActionKind.HIDE_POST, "Spam")])
    login(moderator)
    client.get("/mod/reports")
    with count_queries() as queries:
        response = client.get("/mod/reports")
    assert response.status_code == 200 and "Hide" in text(response)
    assert len(queries) <= QUEUE_BUDGET, queries


def test_favourites_are_one_query_per_page(app, moderator, count_queries):
    board = factories.make_board()
    _post, done = reported_post(board=board)
    resolve(moderator, done, [Action(ActionKind.HIDE_POST, "Spam"),
                              Action(ActionKind.WARN, "Spam")])
    _post, moved = reported_post(board=board)
    resolve(moderator, moved, [Action(ActionKind.MOVE_THREAD, "Elsewhere",
                                      board=factories.make_board())])
    ids = [board.id, board.id + 100]
    with count_queries() as queries:
        found = quick_actions.board_favourites(ids)
    assert len(queries) == 1
    # A move needs its destination: it isn't replayed with one click.
    assert found == {board.id: [(ActionKind.HIDE_POST, ActionKind.WARN)]}


# -- one click -----------------------------------------------------------------------------------
def test_macro_from_the_row_hides_warns_and_logs(client, login, moderator, macro):
    post, item = reported_post(reporters=2)
    login(moderator)
    response = _act(client, item, f"macro:{macro.id}", back="/mod/reports?reason=spam")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mod/reports?reason=spam")
    assert _reload(ReportItem, item.id).status == ItemStatus.RESOLVED
    assert _reload(Post, post.id).is_hidden
    warning = db.session.scalar(select(Sanction).where(Sanction.user_id == post.author_id))
    assert warning.kind == "warning" and warning.reason == "Spam"
    assert warning.message == f"Hi {post.author.username}, we removed your advert."
    logged = {entry.action: entry.reason for entry in actions(item=item)}
    assert logged["post.hide"] == "Spam" and logged["user.warn"] == "Spam"
    page = text(client.get("/mod/reports?reason=spam"))
    assert f"Report #{item.id} handled: hid the post, warned the author." in page


def test_dismiss_from_the_row_needs_no_typing(client, login, moderator):
    _post, item = reported_post()
    login(moderator)
    assert _act(client, item, "dismiss").status_code == 302
    assert _reload(ReportItem, item.id).status == ItemStatus.DISMISSED
    [entry] = actions("report.dismiss", item)
    assert entry.reason == "Dismissed from the queue: no action needed."
    login(factories.make_user(role="moderator", language="de"))
    assert "In der Meldungsliste abgewiesen" in text(client.get("/mod/log"))


def test_a_favourite_takes_the_most_common_report_reason(client, login, moderator):
    post, item = reported_post(reporters=1, reason="harassment")
    reports.file_report(factories.make_established_user(), post, "harassment")
    reports.file_report(factories.make_established_user(), post, "spam")
    login(moderator)
    assert _act(client, item, "do:hide_post").status_code == 302
    [entry] = actions("post.hide", item)
    assert entry.reason == "Harassment"


def test_destructive_buttons_ask_first(client, login, moderator):
    post, item = reported_post()
    login(moderator)
    response = _act(client, item, "do:delete_post")
    assert response.status_code == 200 and "Yes: Delete" in text(response)
    assert _reload(ReportItem, item.id).is_active and not _reload(Post, post.id).is_deleted
    assert _act(client, item, "do:delete_post", confirmed="yes").status_code == 302
    assert _reload(Post, post.id).is_deleted


@pytest.mark.parametrize("choice", ["", "do:", "do:edit_post", "do:move_thread", "macro:x",
                                    "macro:99999", "remove_spammer", "do:" + "hide_post+" * 500])
def test_bad_choices_are_400(client, login, moderator, choice):
    _post, item = reported_post()
    login(moderator)
    assert _act(client, item, choice).status_code == 400
    assert _reload(ReportItem, item.id).status == ItemStatus.OPEN


def test_a_canned_response_without_actions_is_no_button(client, login, moderator, admin):
    plain = modnotes.create_canned(admin, "Be kind", "Hi {username}")
    _post, item = reported_post()
    login(moderator)
    assert f'value="macro:{plain.id}"' not in text(client.get("/mod/reports"))
    assert _act(client, item, f"macro:{plain.id}").status_code == 400


def test_an_item_resolved_meanwhile_is_a_message_not_an_error(client, login, moderator):
    _post, item = reported_post()
    other = factories.make_user(role="moderator")
    resolve(other, item, [Action(ActionKind.HIDE_POST, "Spam")])
    login(moderator)
    response = _act(client, item, "dismiss")
    assert response.status_code == 302
    page = text(client.get("/mod/reports"))
    assert f"Report #{item.id} was not handled" in page
    assert f"{other.username} already resolved this report" in page


def test_back_never_leads_elsewhere(client, login, moderator):
    _post, item = reported_post()
    login(moderator)
    response = _act(client, item, "dismiss", back="//evil.example/mod/reports")
    assert response.headers["Location"].endswith("/mod/reports")


def test_rank_still_applies(client, login, moderator):
    colleague = factories.make_user(role="moderator")
    post, item = reported_post(author=colleague)
    login(moderator)
    response = _act(client, item, "do:hide_post+warn")
    assert response.status_code == 403 and "act on another moderator" in text(response)
    assert _reload(ReportItem, item.id).is_active and not _reload(Post, post.id).is_hidden


def test_board_moderators_act_in_their_boards_only(client, login):
    mine_post, mine = reported_post()
    _other_post, other = reported_post()
    helper = factories.make_board_moderator(factories.make_user(), mine_post.thread.board)
    login(helper)
    assert _act(client, other, "dismiss").status_code == 403
    assert _act(client, mine, "dismiss").status_code == 302
    assert _reload(ReportItem, other.id).is_active
    assert not _reload(ReportItem, mine.id).is_active


def test_two_moderators_clicking_at_once_one_wins(app, moderator):
    _post, item = reported_post()
    second = factories.make_user(role="moderator")
    users = [factories.login_cookie(moderator), factories.login_cookie(second)]
    db.session.commit()
    url = f"/mod/reports/{item.id}/act"
    clients = [app.test_client() for _ in users]
    for client, user_id in zip(clients, users, strict=True):
        with client.session_transaction() as stored:
            stored["_user_id"] = user_id
            stored["_fresh"] = True
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def send(client) -> None:
        barrier.wait(30)
        statuses.append(client.post(url, data={"choice": "do:hide_post+warn"}).status_code)

    workers = [threading.Thread(target=send, args=(client,)) for client in clients]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert statuses == [302, 302]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Sanction)) == 1
    assert db.session.scalar(select(func.count()).select_from(ModAction).where(
        ModAction.action == "post.hide")) == 1
    flashes = [text(client.get("/mod/reports")) for client in clients]
    assert sum("was not handled" in page for page in flashes) == 1


# -- bulk ------------------------------------------------------------------------------------------
def test_bulk_dismisses_each_and_logs_each(client, login, moderator):
    items = [reported_post()[1] for _ in range(3)]
    gone = items[2]
    resolve(factories.make_user(role="moderator"), gone, [Action(ActionKind.HIDE_POST, "Spam")])
    login(moderator)
    response = client.post("/mod/reports/bulk", data={
        "choice": "dismiss", "ids": [str(item.id) for item in items] + ["424242"]})
    assert response.status_code == 302
    for item in items[:2]:
        assert _reload(ReportItem, item.id).status == ItemStatus.DISMISSED
        assert len(actions("report.dismiss", item)) == 1
    page = text(client.get("/mod/reports"))
    assert f"Report #{items[0].id} handled" in page and f"Report #{items[1].id} handled" in page
    assert f"Report #{gone.id} was not handled" in page
    assert "Report #424242 was not handled: That report doesn" in page


def test_bulk_macro_is_checked_item_by_item(client, login, moderator, macro):
    post, item = reported_post()
    colleague_post, colleague_item = reported_post(author=factories.make_user(role="moderator"))
    login(moderator)
    client.post("/mod/reports/bulk", data={"choice": f"macro:{macro.id}",
                                           "ids": [str(item.id), str(colleague_item.id)]})
    assert _reload(Post, post.id).is_hidden and not _reload(Post, colleague_post.id).is_hidden
    assert _reload(ReportItem, colleague_item.id).is_active


def test_bulk_outside_ones_boards_handles_nothing(client, login):
    post, item = reported_post()
    helper = factories.make_board_moderator(factories.make_user(), factories.make_board())
    login(helper)
    assert client.post("/mod/reports/bulk", data={"choice": "dismiss",
                                                  "ids": [str(item.id)]}).status_code == 302
    assert _reload(ReportItem, item.id).is_active
    assert "You can only handle reports from boards you moderate" in text(
        client.get("/mod/reports"))


def test_bulk_bad_requests(client, login, moderator):
    _post, item = reported_post()
    login(moderator)
    assert client.post("/mod/reports/bulk", data={"choice": "dismiss"}).status_code == 302
    assert "Tick the reports" in text(client.get("/mod/reports"))
    assert client.post("/mod/reports/bulk", data={"choice": "dismiss",
                                                  "ids": ["x"]}).status_code == 400
    many = [str(n) for n in range(1, quick_actions.BULK_MAX + 2)]
    assert client.post("/mod/reports/bulk", data={"choice": "dismiss",
                                                  "ids": many}).status_code == 400
    assert client.post("/mod/reports/bulk", data={"choice": "nope",
                                                  "ids": [str(item.id)]}).status_code == 400
    assert _reload(ReportItem, item.id).is_active


def test_bulk_destructive_macro_asks_first(client, login, moderator, admin):
    remover = modnotes.create_canned(admin, "Gone", "Removed.",
                                     preset=macros.Preset(actions=("delete_post",)))
    posts_items = [reported_post() for _ in range(2)]
    login(moderator)
    data = {"choice": f"macro:{remover.id}",
            "ids": [str(i.id) for _p, i in posts_items] + ["424242"]}
    response = client.post("/mod/reports/bulk", data=data)
    assert response.status_code == 200 and "Yes: Gone" in text(response)
    assert text(response).count('name="ids"') == 3
    assert not any(_reload(Post, p.id).is_deleted for p, _i in posts_items)
    client.post("/mod/reports/bulk", data={**data, "confirmed": "yes"})
    assert all(_reload(Post, p.id).is_deleted for p, _i in posts_items)
    assert "Report #424242 was not handled" in text(client.get("/mod/reports"))


# -- opening, claiming, the next item --------------------------------------------------------------
def test_opening_an_item_claims_it_and_logs_it(client, login, moderator):
    _post, item = reported_post()
    login(moderator)
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert "Claimed by" in html
    stored = _reload(ReportItem, item.id)
    assert stored.status == ItemStatus.CLAIMED and stored.claimed_by_id == moderator.id
    assert len(actions("report.claim", item)) == 1
    client.get(f"/mod/reports/{item.id}")
    assert len(actions("report.claim", item)) == 1


def test_opening_leaves_a_live_claim_alone(client, login, moderator):
    _post, item = reported_post()
    other = factories.make_user(role="moderator")
    reports.claim(other, item)
    login(moderator)
    client.get(f"/mod/reports/{item.id}")
    assert _reload(ReportItem, item.id).claimed_by_id == other.id


def test_a_lapsed_claim_is_taken_over(client, login, moderator, admin):
    _post, item = reported_post()
    other = factories.make_user(role="moderator")
    reports.claim(other, item, now=utcnow() - timedelta(minutes=31))
    login(moderator)
    queue = text(client.get("/mod/reports"))
    assert f"{other.name}&#39;s claim lapsed" in queue or f"{other.name}'s claim lapsed" in queue
    client.get(f"/mod/reports/{item.id}")
    assert _reload(ReportItem, item.id).claimed_by_id == moderator.id
    entry = actions("report.claim", item)[-1]
    assert entry.actor_id == moderator.id and entry.before == {"claimed_by": other.username}


def test_claims_never_lapse_with_the_setting_at_zero(client, login, moderator, admin):
    site_settings.update(admin, {"claim_minutes": 0})
    _post, item = reported_post()
    other = factories.make_user(role="moderator")
    reports.claim(other, item, now=utcnow() - timedelta(days=3))
    login(moderator)
    client.get(f"/mod/reports/{item.id}")
    assert _reload(ReportItem, item.id).claimed_by_id == other.id


def test_the_reason_starts_as_the_most_common_report_reason(client, login, moderator):
    post, item = reported_post(reason="off_topic")
    reports.file_report(factories.make_established_user(), post, "off_topic")
    reports.file_report(factories.make_established_user(), post, "spam")
    login(moderator)
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert 'name="reason" type="text" value="Off-topic"' in html


def test_after_resolving_the_next_open_item_follows(client, login, moderator):
    _post, first = reported_post(reporters=3)
    _post, second = reported_post(reporters=2)
    _post, taken = reported_post(reporters=2)
    reports.claim(factories.make_user(role="moderator"), taken)
    login(moderator)
    response = client.post(f"/mod/reports/{first.id}/resolve",
                           data={"actions": ["hide_post"], "reason": "Spam"})
    assert response.headers["Location"].endswith(f"/mod/reports/{second.id}")
    response = client.post(f"/mod/reports/{second.id}/dismiss", data={"reason": "Fine"})
    # The last one is someone else's: back to the queue.
    assert response.headers["Location"].endswith("/mod/reports")


# -- the item page's form ------------------------------------------------------------------------
def test_use_this_response_without_script_fills_the_whole_form(client, login, moderator, macro):
    post, item = reported_post()
    login(moderator)
    html = text(client.post(f"/mod/reports/{item.id}/resolve",
                            data={"canned": str(macro.id), "use_canned": "1", "reason": ""}))
    assert _ticked(html, "actions", "hide_post") and _ticked(html, "sanction", "warn")
    assert f"Hi {post.author.username}, we removed your advert." in html
    assert 'value="Spam"' in html
    assert _reload(ReportItem, item.id).is_active


def test_the_item_page_carries_what_the_script_fills_in(client, login, moderator, macro):
    post, item = reported_post()
    factories.make_board(title="Somewhere else")
    login(moderator)
    html = text(client.get(f"/mod/reports/{item.id}"))
    assert 'src="/static/js/moderation.js' in html and 'id="canned-fills"' in html
    assert f"Hi {post.author.username}, we removed your advert." in html
    # Without the script both stay in view; the script hides them until their box is ticked.
    assert 'data-shown-by="edit_post"' in html and 'data-shown-by="move_thread"' in html
    assert "<details class=\"subfield\"" not in html
