"""A member's moderation record under /mod/members: the page, direct sanctions, canned
responses, lifting early and moderator notes."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import ModAction, ModeratorNote, Sanction, SanctionKind, utcnow
from forum.services.moderation import modnotes, reports, sanctions
from forum.services.site import settings
from tests import factories
from tests.factories import text

XSS = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"


def sanction_count() -> int:
    return db.session.scalar(select(func.count(Sanction.id)))


def note_count() -> int:
    return db.session.scalar(select(func.count(ModeratorNote.id)))


def logged(action: str) -> list[ModAction]:
    return list(db.session.scalars(select(ModAction).where(ModAction.action == action)))


def form(**fields) -> dict:
    values = {"kind": "warning", "reason": "Please keep it civil", "message": "",
              "duration": "60", "minutes": "", "ends_at": ""}
    values.update(fields)
    return values


def local_input(moment: datetime) -> str:
    """What a datetime-local control sends for this moment, read in UTC."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def board_moderator(app):
    board = factories.make_board()
    return factories.make_board_moderator(factories.make_user("boardmod"), board)


@pytest.fixture
def reported(member):
    """A post by ``member`` reported once: returns its queue item."""
    thread = factories.make_thread(factories.make_board(), title="Cheap watches")
    post = factories.make_post(thread, author=member, body="Buy now!")
    return reports.file_report(factories.make_user(), post, "spam").item


# -- the page ----------------------------------------------------------------------------------
def test_moderator_sees_the_whole_record(client, login, moderator, member, admin, reported):
    sanctions.warn(moderator, member, f"Rude {XSS}", message=f"Read the rules {XSS}")
    timeout = sanctions.timeout(moderator, member, "Again", timedelta(hours=6))
    ended = sanctions.timeout(moderator, member, "Long ago", timedelta(hours=1),
                              now=utcnow() - timedelta(days=2))
    lifted = sanctions.suspend(moderator, member, "Mistake", utcnow() + timedelta(days=1))
    sanctions.lift(admin, lifted, f"Wrong member {XSS}")
    modnotes.add_note(moderator, member, f"Watch this one {XSS}\nsecond line")
    login(moderator)

    response = client.get("/mod/members/member")

    assert response.status_code == 200
    html = text(response)
    assert "<h1 id=\"member-name\">member</h1>" in html
    assert "/u/member/avatar.svg" in html and "Last seen" in html and "Joined" in html
    assert "<dt>Posts</dt><dd>1</dd>" in html and "<dt>Role</dt><dd>Member</dd>" in html
    # Sanctions: every state, and the member's words stay text.
    assert XSS not in html and html.count(ESCAPED) == 4
    assert "On the record" in html and "Ended" in html and "Permanent" not in html
    assert "Lifted <time" in html and ">admin</a>" in html
    assert f'action="/mod/sanctions/{timeout.id}/lift"' in html
    assert f'action="/mod/sanctions/{ended.id}/lift"' not in html
    assert f'action="/mod/sanctions/{lifted.id}/lift"' not in html
    assert "In force now:" in html
    # Earlier reports link to their queue item; notes and the forms are there.
    assert f'href="/mod/reports/{reported.id}"' in html
    assert "Post in “Cheap watches”" in html
    assert "Watch this one &lt;script&gt;" in html
    assert 'action="/mod/members/member/sanctions"' in html
    assert 'action="/mod/members/member/notes"' in html


def test_empty_record(client, login, moderator, member):
    login(moderator)
    html = text(client.get("/mod/members/member"))
    assert "has never been sanctioned" in html and "No notes yet" in html
    assert "No reports about member" in html


def test_name_in_another_case_redirects(client, login, moderator, member):
    login(moderator)
    response = client.get("/mod/members/MEMBER?canned=3")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/mod/members/member?canned=3")


def test_unknown_member_is_404(client, login, moderator):
    login(moderator)
    assert client.get("/mod/members/nobody").status_code == 404
    assert client.get("/mod/members/not%20a%20name").status_code == 404


def test_members_are_refused_and_guests_sent_to_log_in(client, login, member, other_member):
    response = client.get("/mod/members/member")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(other_member)
    response = client.get("/mod/members/member")
    assert response.status_code == 403
    assert "for the moderation team" in text(response)
    # Refused before the name is looked up, so members can't probe for accounts here.
    assert client.get("/mod/members/nobody").status_code == 403


def test_board_moderator_reads_the_record_but_gets_no_direct_form(
        client, login, board_moderator, member, reported):
    mine = board_moderator.moderated_boards[0]
    thread = factories.make_thread(mine, title="In my board")
    post = factories.make_post(thread, author=member)
    in_board = reports.file_report(factories.make_user(), post, "spam").item
    login(board_moderator)

    html = text(client.get("/mod/members/member"))

    assert "inside the boards you moderate" in html
    assert "Board moderators sanction members from a report" in html
    assert 'action="/mod/members/member/sanctions"' not in html
    # Reports from other boards aren't theirs to handle, so they aren't listed.
    assert f'href="/mod/reports/{in_board.id}"' in html
    assert f'href="/mod/reports/{reported.id}"' not in html
    assert 'action="/mod/members/member/notes"' in html


def test_moderator_viewing_another_moderator_gets_the_rank_rule(client, login, moderator):
    factories.make_user("othermod", role="moderator")
    login(moderator)
    html = text(client.get("/mod/members/othermod"))
    assert "act on another moderator" in html
    assert 'action="/mod/members/othermod/sanctions"' not in html


def test_page_query_budget_is_flat(client, login, count_queries, moderator, admin):
    # Twenty warnings would bring a sanction by themselves; here they only fill the record.
    settings.update(admin, {"warning_timeout_points": 0, "warning_suspension_points": 0})

    def build(prefix: str, n: int) -> None:
        target = factories.make_user(prefix)
        thread = factories.make_thread(factories.make_board(), title=f"{prefix} thread")
        reporters = factories.quick_users(n, prefix=f"{prefix}r")
        for i in range(n):
            sanctions.warn(moderator, target, f"warning {i}")
            modnotes.add_note(moderator, target, f"note {i}")
            post = factories.make_post(thread, author=target, body=f"post {i}")
            reports.file_report(reporters[i], post, "spam")
        timeout = sanctions.timeout(moderator, target, "t", timedelta(hours=1))
        sanctions.lift(admin, timeout, "sorry")

    build("few", 2)
    build("many", 20)
    modnotes.create_canned(admin, "Be kind", "Hi {username}")
    login(moderator)
    assert client.get("/mod/members/few").status_code == 200  # records "last seen"

    counts = []
    for name, items in (("few", 2), ("many", 20)):
        with count_queries() as queries:
            response = client.get(f"/mod/members/{name}")
        assert response.status_code == 200
        assert text(response).count('href="/mod/reports/') == items
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    # With the addresses the member used and their spam removals: one query each.
    assert counts[1] <= 9, counts


# -- canned responses --------------------------------------------------------------------------
def test_canned_response_fills_the_message(client, login, moderator, member, admin):
    kind = modnotes.create_canned(admin, "Be kind", "Hi {username}, please be kind {thread}.")
    modnotes.create_canned(admin, f"Spam {XSS}", "Removed.")
    login(moderator)

    html = text(client.get("/mod/members/member"))
    assert re.search(r'<select id="canned" name="canned">', html)
    assert f"Spam {ESCAPED}" in html and "Use this response" in html
    assert 'method="get" action="/mod/members/member#act"' in html

    html = text(client.get(f"/mod/members/member?canned={kind.id}"))
    assert re.search(r">\s*Hi member, please be kind \.</textarea>", html)
    assert f'<option value="{kind.id}" selected>' in html


def test_unknown_or_malformed_canned_id(client, login, moderator, member):
    login(moderator)
    assert client.get("/mod/members/member?canned=999").status_code == 404
    response = client.get("/mod/members/member?canned=abc")
    assert response.status_code == 400
    assert "must be a number" in text(response)


# -- issuing sanctions -------------------------------------------------------------------------
def test_warning_from_the_record(client, login, moderator, member):
    login(moderator)

    response = client.post("/mod/members/member/sanctions",
                           data=form(message="See rule 3, {username}."))

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mod/members/member#sanctions")
    [warning] = db.session.scalars(select(Sanction)).all()
    assert (warning.kind, warning.reason, warning.message, warning.issuer_id) == (
        "warning", "Please keep it civil", "See rule 3, {username}.", moderator.id)
    [entry] = logged("user.warn")
    assert entry.target_user_id == member.id
    assert "member has been warned." in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize(("duration", "minutes", "length"), [
    ("10", "", timedelta(minutes=10)),
    ("4320", "", timedelta(days=3)),
    ("10080", "", timedelta(days=7)),
    ("custom", "90", timedelta(minutes=90)),
])
def test_timeout_lengths(client, login, moderator, member, duration, minutes, length):
    login(moderator)
    before = utcnow()
    response = client.post("/mod/members/member/sanctions",
                           data=form(kind="timeout", duration=duration, minutes=minutes))
    assert response.status_code == 302
    timeout = db.session.scalar(select(Sanction))
    assert timeout.kind == "timeout"
    assert before + length <= timeout.ends_at <= utcnow() + length
    assert len(logged("user.timeout")) == 1


def test_suspension_end_is_read_in_the_moderators_time_zone(client, login, moderator, member):
    moderator.timezone = "America/New_York"
    db.session.commit()
    login(moderator)

    response = client.post("/mod/members/member/sanctions",
                           data=form(kind="suspension", ends_at="2031-01-15T09:30"))

    assert response.status_code == 302
    suspension = db.session.scalar(select(Sanction))
    assert suspension.ends_at == datetime(2031, 1, 15, 14, 30, tzinfo=UTC)
    assert logged("user.suspend")[0].after["ends_at"] == "2031-01-15T14:30:00+00:00"


def test_bans_permanent_or_until_a_date(client, login, moderator, member, other_member):
    login(moderator)
    assert client.post("/mod/members/member/sanctions",
                       data=form(kind="ban", reason="Spam bot")).status_code == 302
    end = utcnow() + timedelta(days=30)
    assert client.post("/mod/members/other/sanctions",
                       data=form(kind="ban", reason="Spam", ends_at=local_input(end)))\
        .status_code == 302
    permanent, dated = db.session.scalars(select(Sanction).order_by(Sanction.id)).all()
    assert permanent.ends_at is None
    assert dated.ends_at == end.replace(second=0, microsecond=0)
    html = text(client.get("/mod/members/member"))
    assert "Permanent" in html and "with no end" in html


@pytest.mark.parametrize(("fields", "message"), [
    ({"reason": "  "}, "Please give a reason."),
    ({"reason": "x" * 501}, "at most 500 characters"),
    ({"message": "x" * 5001}, "at most 5,000 characters"),
    ({"kind": "execution"}, "Choose a warning, timeout, suspension or ban."),
    ({"kind": ""}, "Choose a warning, timeout, suspension or ban."),
    ({"kind": "timeout", "duration": "99"}, "Choose how long the timeout lasts."),
    ({"kind": "timeout", "duration": ""}, "Choose how long the timeout lasts."),
    ({"kind": "timeout", "duration": "custom", "minutes": ""}, "whole minutes"),
    ({"kind": "timeout", "duration": "custom", "minutes": "1.5"}, "whole minutes"),
    ({"kind": "timeout", "duration": "custom", "minutes": "-20"}, "whole minutes"),
    ({"kind": "timeout", "duration": "custom", "minutes": "9" * 40}, "whole minutes"),
    ({"kind": "timeout", "duration": "custom", "minutes": "5"}, "from 10 minutes to 7 days"),
    ({"kind": "timeout", "duration": "custom", "minutes": "10081"},
     "from 10 minutes to 7 days"),
    ({"kind": "suspension", "ends_at": ""}, "A suspension needs an end date and time."),
    ({"kind": "suspension", "ends_at": "next tuesday"}, "Give the end as a date and time"),
    ({"kind": "suspension", "ends_at": "2031-01-15T09:30+02:00"},
     "Give the end as a date and time"),
    ({"kind": "suspension", "ends_at": "2031-02-30T09:30"}, "That date doesn't exist"),
    ({"kind": "suspension", "ends_at": "0000-01-01T00:00"}, "That date doesn't exist"),
    ({"kind": "suspension", "ends_at": "2020-01-01T00:00"},
     "The end of a suspension must be in the future."),
    ({"kind": "ban", "ends_at": "2020-01-01T00:00"}, "The end of a ban must be in the future."),
    ({"kind": "ban", "ends_at": "31/12/2031"}, "Give the end as a date and time"),
])
def test_bad_sanction_input_is_400_and_saves_nothing(client, login, moderator, member, fields,
                                                     message):
    login(moderator)
    response = client.post("/mod/members/member/sanctions", data=form(**fields))
    assert response.status_code == 400
    html = text(response)
    assert message in unescape(html)
    # The form comes back with what the moderator wrote.
    assert 'action="/mod/members/member/sanctions"' in html
    assert sanction_count() == 0 and logged("user.warn") == []


def test_date_out_of_range_in_the_moderators_zone_is_400(client, login, moderator, member):
    moderator.timezone = "Pacific/Honolulu"
    db.session.commit()
    login(moderator)
    response = client.post("/mod/members/member/sanctions",
                           data=form(kind="suspension", ends_at="9999-12-31T23:59"))
    assert response.status_code == 400
    assert "out of range" in text(response)
    assert sanction_count() == 0


def test_reason_xss_is_shown_as_text_when_the_form_returns(client, login, moderator, member):
    login(moderator)
    response = client.post("/mod/members/member/sanctions",
                           data=form(kind="timeout", duration="99", reason=XSS))
    assert response.status_code == 400
    assert XSS not in text(response) and ESCAPED in text(response)


@pytest.mark.parametrize("target_role", ["moderator", "admin"])
def test_moderator_cannot_sanction_staff(client, login, moderator, target_role):
    target = factories.make_user("target", role=target_role)
    login(moderator)
    response = client.post("/mod/members/target/sanctions", data=form())
    assert response.status_code == 403
    html = text(response)
    # Moderators neither act on an administrator nor read their record.
    assert ("Moderators can't act on" in unescape(html)
            or "Only administrators can read an administrator's" in unescape(html))
    assert 'action="/mod/members/target/sanctions"' not in html
    assert sanction_count() == 0
    assert target.id


def test_nobody_sanctions_themselves(client, login, moderator):
    login(moderator)
    response = client.post("/mod/members/moderator/sanctions", data=form())
    assert response.status_code == 403
    # Below an administrator, one's own record isn't even open to read.
    assert "Your own moderation record is for the administrators." in unescape(text(response))
    admin = factories.make_user("chief", role="admin")
    login(admin)
    response = client.post("/mod/members/chief/sanctions", data=form())
    assert response.status_code == 403
    assert "on yourself" in text(response)


def test_board_moderator_cannot_issue_a_direct_sanction(client, login, board_moderator,
                                                        member):
    # The member posted in the board: the board moderator reads their record, no more.
    factories.make_thread(board_moderator.moderated_boards[0], author=member)
    login(board_moderator)
    response = client.post("/mod/members/member/sanctions", data=form())
    assert response.status_code == 403
    assert "inside the boards you moderate" in text(response)
    assert sanction_count() == 0


def test_members_and_guests_cannot_sanction(client, login, member, other_member):
    response = client.post("/mod/members/other/sanctions", data=form())
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(member)
    assert client.post("/mod/members/other/sanctions", data=form()).status_code == 403
    assert sanction_count() == 0


def test_sanctioning_an_unknown_member_is_404(client, login, moderator):
    login(moderator)
    assert client.post("/mod/members/nobody/sanctions", data=form()).status_code == 404


def test_admins_may_sanction_moderators(client, login, admin, moderator):
    login(admin)
    response = client.post("/mod/members/moderator/sanctions", data=form(kind="timeout"))
    assert response.status_code == 302
    assert db.session.scalar(select(Sanction)).user_id == moderator.id


def test_last_admin_able_to_log_in_cannot_be_suspended(client, login, admin):
    second = factories.make_user("second", role="admin")
    sanctions.suspend(admin, second, "Compromised", utcnow() + timedelta(days=2))
    login(second)  # a session that was still open somewhere

    response = client.post("/mod/members/admin/sanctions",
                           data=form(kind="ban", reason="Retaliation"))

    assert response.status_code == 403
    assert "no administrator able to log in" in text(response)
    assert sanction_count() == 1 and logged("user.ban") == []


def test_sanction_without_csrf_is_refused(client, login, moderator, member, enable_csrf):
    login(moderator)
    response = client.post("/mod/members/member/sanctions", data=form())
    assert response.status_code == 400
    assert "did not come from this site" in text(response)
    assert sanction_count() == 0


def test_sanction_with_csrf_from_the_page_works(client, login, moderator, member, enable_csrf):
    login(moderator)
    page = text(client.get("/mod/members/member"))
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/mod/members/member/sanctions", data=form(csrf_token=token))
    assert response.status_code == 302 and sanction_count() == 1


# -- a suspension takes effect at once ---------------------------------------------------------
def test_suspended_member_is_logged_out_and_refused_at_login(app, client, login, moderator,
                                                            member):
    members_browser = app.test_client()
    with members_browser.session_transaction() as session:
        session["_user_id"] = factories.login_cookie(member)
        session["_fresh"] = True
    assert members_browser.get("/account/profile").status_code == 200
    login(moderator)

    response = client.post("/mod/members/member/sanctions",
                           data=form(kind="suspension", reason="Cooling off",
                                     ends_at="2031-01-15T09:30"))
    assert response.status_code == 302

    # Their next request finds the session gone.
    response = members_browser.get("/account/profile")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = members_browser.post("/login", data={"login": "member",
                                                    "password": factories.PASSWORD})
    assert response.status_code == 403
    assert ("Your account is suspended until 15 Jan 2031, 09:30 (UTC): Cooling off"
            in text(response))


# -- lifting -----------------------------------------------------------------------------------
def test_lift_early(client, login, moderator, member):
    timeout = sanctions.timeout(moderator, member, "x", timedelta(hours=5))
    other = factories.make_user("othermod", role="moderator")
    login(other)

    response = client.post(f"/mod/sanctions/{timeout.id}/lift",
                           data={f"lift-{timeout.id}-reason": "Apologised"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mod/members/member#sanctions")
    db.session.refresh(timeout)
    assert (timeout.lift_reason, timeout.lifted_by_id) == ("Apologised", other.id)
    [entry] = logged("sanction.lift")
    assert entry.target_user_id == member.id
    html = text(client.get(response.headers["Location"]))
    assert "The timeout of member was lifted." in html
    assert "Why: Apologised" in html


def test_lifting_twice_is_409_and_said_kindly(client, login, moderator, member):
    suspension = sanctions.suspend(moderator, member, "x", utcnow() + timedelta(days=1))
    login(moderator)
    data = {f"lift-{suspension.id}-reason": "Mistake"}
    assert client.post(f"/mod/sanctions/{suspension.id}/lift", data=data).status_code == 302

    response = client.post(f"/mod/sanctions/{suspension.id}/lift", data=data)

    assert response.status_code == 409
    html = text(response)
    assert "This sanction has already ended or been lifted." in html
    assert '<h1 id="member-name">member</h1>' in html
    assert len(logged("sanction.lift")) == 1


def test_lifting_an_ended_sanction_is_409(client, login, moderator, member):
    ended = sanctions.timeout(moderator, member, "x", timedelta(hours=1),
                              now=utcnow() - timedelta(days=1))
    login(moderator)
    response = client.post(f"/mod/sanctions/{ended.id}/lift",
                           data={f"lift-{ended.id}-reason": "late"})
    assert response.status_code == 409


def test_lifting_a_warning_is_400(client, login, moderator, member):
    warning = sanctions.warn(moderator, member, "x")
    login(moderator)
    response = client.post(f"/mod/sanctions/{warning.id}/lift",
                           data={f"lift-{warning.id}-reason": "why not"})
    assert response.status_code == 400
    assert "nothing to lift" in text(response)


def test_lift_needs_a_reason(client, login, moderator, member):
    timeout = sanctions.timeout(moderator, member, "x", timedelta(hours=5))
    login(moderator)
    response = client.post(f"/mod/sanctions/{timeout.id}/lift",
                           data={f"lift-{timeout.id}-reason": "   "})
    assert response.status_code == 400
    html = text(response)
    assert "Please give a reason for lifting it." in html
    assert '<details class="lift" open>' in html
    db.session.refresh(timeout)
    assert timeout.lifted_at is None


def test_lift_without_reason_on_an_ended_sanction_still_says_why(client, login, moderator,
                                                                  member):
    warning = sanctions.warn(moderator, member, "x")
    login(moderator)
    response = client.post(f"/mod/sanctions/{warning.id}/lift", data={})
    assert response.status_code == 400
    assert "Please give a reason for lifting it." in text(response)


def test_lift_refused_by_rank(client, login, admin, moderator):
    other = factories.make_user("othermod", role="moderator")
    timeout = sanctions.timeout(admin, other, "x", timedelta(hours=5))
    login(moderator)
    response = client.post(f"/mod/sanctions/{timeout.id}/lift",
                           data={f"lift-{timeout.id}-reason": "friend"})
    assert response.status_code == 403
    assert "act on another moderator" in text(response)
    db.session.refresh(timeout)
    assert timeout.lifted_at is None


def test_lift_refused_for_board_moderators_members_and_guests(client, login, moderator, member,
                                                              board_moderator, other_member):
    thread = factories.make_thread(factories.make_board(), author=member)
    timeout = sanctions.timeout(moderator, member, "x", timedelta(hours=5))
    data = {f"lift-{timeout.id}-reason": "ok"}
    url = f"/mod/sanctions/{timeout.id}/lift"
    response = client.post(url, data=data)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(other_member)
    assert client.post(url, data=data).status_code == 403
    login(board_moderator)
    response = client.post(url, data=data)
    assert response.status_code == 403
    assert "members who have posted in the boards you moderate" in text(response)
    thread.board_id = board_moderator.moderated_boards[0].id  # they posted in theirs
    db.session.commit()
    response = client.post(url, data=data)
    assert response.status_code == 403
    assert "inside the boards you moderate" in text(response)
    db.session.refresh(timeout)
    assert timeout.lifted_at is None


def test_lifting_an_unknown_sanction_is_404(client, login, moderator):
    login(moderator)
    assert client.post("/mod/sanctions/999/lift", data={"lift-999-reason": "x"})\
        .status_code == 404


def test_lift_without_csrf_is_refused(client, login, moderator, member, enable_csrf):
    timeout = sanctions.timeout(moderator, member, "x", timedelta(hours=5))
    login(moderator)
    response = client.post(f"/mod/sanctions/{timeout.id}/lift",
                           data={f"lift-{timeout.id}-reason": "ok"})
    assert response.status_code == 400
    db.session.refresh(timeout)
    assert timeout.lifted_at is None


# -- notes -------------------------------------------------------------------------------------
def test_add_a_note(client, login, moderator, member):
    login(moderator)

    response = client.post("/mod/members/member/notes", data={"body": f"Odd {XSS}"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/mod/members/member#notes")
    note = db.session.scalar(select(ModeratorNote))
    assert (note.user_id, note.author_id, note.body) == (member.id, moderator.id, f"Odd {XSS}")
    assert len(logged("note.add")) == 1
    html = text(client.get(response.headers["Location"]))
    assert "Your note was added." in html
    assert XSS not in html and f"Odd {ESCAPED}" in html


def test_board_moderators_add_notes_too(client, login, board_moderator, member):
    factories.make_thread(board_moderator.moderated_boards[0], author=member)
    login(board_moderator)
    assert client.post("/mod/members/member/notes", data={"body": "Seen"}).status_code == 302
    assert note_count() == 1


@pytest.mark.parametrize(("body", "message"), [
    ("   ", "The note can't be empty."),
    ("x" * 5001, "at most 5,000 characters"),
])
def test_bad_notes_are_400(client, login, moderator, member, body, message):
    login(moderator)
    response = client.post("/mod/members/member/notes", data={"body": body})
    assert response.status_code == 400
    assert message in unescape(text(response))
    assert note_count() == 0


def test_notes_refused_for_members_guests_and_unknown_names(client, login, member, moderator,
                                                            other_member):
    response = client.post("/mod/members/member/notes", data={"body": "x"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login(other_member)
    assert client.post("/mod/members/member/notes", data={"body": "x"}).status_code == 403
    login(moderator)
    assert client.post("/mod/members/nobody/notes", data={"body": "x"}).status_code == 404
    assert note_count() == 0


def test_note_without_csrf_is_refused(client, login, moderator, member, enable_csrf):
    login(moderator)
    assert client.post("/mod/members/member/notes", data={"body": "x"}).status_code == 400
    assert note_count() == 0


def test_pages_are_not_reachable_with_get_for_writes(client, login, moderator, member):
    login(moderator)
    assert client.get("/mod/members/member/notes").status_code == 405
    assert client.get("/mod/members/member/sanctions").status_code == 405
    assert client.get("/mod/sanctions/1/lift").status_code == 405


def test_sanction_kinds_all_have_a_flash(client, login, moderator):
    login(moderator)
    for kind in SanctionKind:
        factories.make_user(f"m{kind.value}")
    end = local_input(utcnow() + timedelta(days=2))
    for kind in SanctionKind:
        response = client.post(f"/mod/members/m{kind.value}/sanctions",
                               data=form(kind=kind.value, ends_at=end), follow_redirects=True)
        assert response.status_code == 200
        assert f"m{kind.value} is" in text(response) or "has been warned" in text(response)
    assert sanction_count() == 4
