"""Serve a fresh Agora on 127.0.0.1 for browser journeys:
``python -m tests.e2e.server DIR [PORT] [--empty]`` (``--empty``: a forum started from nothing).

Runs in its own process so the browser talks to a real server over a real socket; the
test session ends it by PID. Without a PORT (or with 0) the OS picks a free one, so parallel
test workers never race for a port; the first line printed is ``ready PORT``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from werkzeug.serving import make_server


def build(instance: Path):
    from forum import create_app
    from forum.extensions import db
    from forum.models import Access
    from tests import factories

    app = create_app({
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'e2e.db'}",
        "FORUM_SEARCH_INDEX": str(instance / "search"),
        "SECRET_KEY": "e2e-secret",
    })
    app.config["MEMBER_COOLDOWNS"] = False  # the scene is built in a second, like history
    # A browser driven by a program fills the sign-up form faster than any person.
    app.config["REGISTRATION_MIN_SECONDS"] = 0
    with app.app_context():
        db.create_all()
        category = factories.make_category("Community")
        board = factories.make_board(category, slug="general", title="General discussion",
                                     description="Anything about the community")
        factories.make_board(category, slug="members", title="Members' corner",
                             access=Access.MEMBERS)
        admin = factories.make_user("admin", role="admin")
        factories.make_user("mod", role="moderator")
        factories.make_user("member")
        thread = factories.make_thread(board, admin, "Welcome to the forum",
                                       "Say hello and tell us what you are **building**.")
        for n in range(30):
            factories.make_post(thread, body=f"Hello from reply number {n + 1}, with a "
                                "long-enough sentence to wrap on a narrow phone screen.")
        _moderation_scene(board, admin)
        _community_scene(admin, board)
        # Two members past the new-member limits, for the conversation journey.
        factories.make_established_user("trader")
        factories.make_established_user("buyer")
        _desk_scene(admin, board)
    return app


def _desk_scene(admin, board) -> None:
    """A question nobody answered for two days and a canned response, for the desk journey."""
    from datetime import timedelta

    from forum.models import utcnow
    from forum.services.moderation import modnotes
    from tests import factories

    factories.make_thread(board, factories.make_user("asker"), "Which iron for SMD work?",
                          "My first kit arrives next week. Which iron should I get?",
                          created_at=utcnow() - timedelta(days=2))
    modnotes.create_canned(admin, "Thanks for asking",
                           "Thanks for asking, {username}! A temperature-controlled iron is "
                           "worth it.")


def _community_scene(admin, board) -> None:
    """A current banner and an upcoming event, so the accessibility checks see them; and a
    member for journey 4 to promote."""
    from datetime import timedelta

    from forum.models import utcnow
    from forum.services.community import announcements, events
    from tests import factories

    factories.make_user("host")
    announcements.create_announcement(admin, announcements.Draft(
        title="Forum maintenance on Sunday",
        body="The forum is read-only for an hour from **06:00 UTC**.",
        severity="warning", is_dismissible=False))
    starts = (utcnow() + timedelta(days=10)).replace(hour=17, minute=0, second=0, microsecond=0)
    events.create_event(admin, board, events.EventData(
        title="Repair café", description="Bring something broken; leave with it fixed.",
        kind="meetup", starts_at=starts.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(starts + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"), timezone="UTC",
        location="The makerspace", capacity="20"))


def _moderation_scene(board, admin) -> None:
    """A thread with a spammy reply (journey 2 reports it) and an item already in the queue
    (for the accessibility checks of the queue pages); another reported advert and the
    "Spam removed" macro, for handling it from the queue; threads to slow down and lock."""
    from forum.services.moderation import macros, modnotes, reports
    from tests import factories

    author = factories.make_user("seller")
    shop = factories.make_thread(board, factories.make_user("maker"), "Printer upgrades",
                                 "Which upgrades made the biggest difference for you?")
    factories.make_post(shop, author, "Buy cheap watches at spam.example, best prices!")
    queued = factories.make_post(shop, author, "Also selling filament below cost, DM me.")
    reports.file_report(factories.make_user("witness"), queued, "spam", "Advertising again")
    irons = factories.make_post(shop, author, "Cheap soldering irons at spam.example, today only!")
    reports.file_report(factories.make_user("lookout"), irons, "spam", "Another advert")
    modnotes.create_canned(
        admin, "Spam removed",
        "Hi {username}, we removed your post because it advertises a shop.",
        preset=macros.Preset(actions=("hide_post",), sanction="warn", reason="Spam"))
    factories.make_thread(board, factories.make_user("debater"), "Tabs or spaces?",
                          "Settle it once and for all.")
    factories.make_thread(board, factories.make_user("judge"), "Contest entries",
                          "Post your entries for the monthly contest here.")


def build_empty(instance: Path):
    """A forum started as an operator starts one: migrations, then ``forum init --no-demo``."""
    from flask_migrate import upgrade

    from forum import create_app

    app = create_app({
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance / 'empty.db'}",
        "FORUM_SEARCH_INDEX": str(instance / "search"),
        "SECRET_KEY": "e2e-secret",
    })
    app.config["MEMBER_COOLDOWNS"] = False
    # As an operator runs it, only quicker: the journey pauses over the sign-up form as a
    # person would, for this long.
    app.config["REGISTRATION_MIN_SECONDS"] = 1
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=[
        "forum", "init", "--no-demo", "--username", "founder", "--email",
        "founder@example.org", "--password", "correct horse battery"])
    if result.exit_code != 0:
        raise SystemExit(f"forum init failed: {result.output}")
    return app


def main() -> None:
    args = [arg for arg in sys.argv[1:] if arg != "--empty"]
    instance = Path(args[0])
    port = int(args[1]) if len(args) > 1 else 0
    instance.mkdir(parents=True, exist_ok=True)
    app = build_empty(instance) if "--empty" in sys.argv else build(instance)
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"ready {server.server_port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
