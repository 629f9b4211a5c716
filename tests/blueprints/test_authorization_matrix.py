"""Every /mod and /admin route × every kind of viewer: each gets exactly what it should.

Guests are sent to log in; members get 403; board moderators may handle reports from their
boards only and see the queue, and the records of members who posted in their boards, but not
the log or the admin panel;
moderators do everything in /mod except exporting the log; administrators do everything.
A route added to those areas without a line here fails ``test_every_route_has_an_entry``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from forum.extensions import db
from forum.models import (
    Access,
    Appeal,
    CannedResponse,
    Conversation,
    ModAction,
    Notification,
    ReportItem,
    Sanction,
    ThreadMoveNotice,
    User,
    utcnow,
)
from forum.services.accounts import invitations
from forum.services.content import posting, watched_words
from forum.services.moderation import modnotes, reports, sanctions
from tests import factories

ROLES = ("guest", "member", "board moderator elsewhere", "board moderator here", "moderator",
         "admin")
TEAM = frozenset(ROLES[2:])
BOARD_TEAM = frozenset(ROLES[3:])
MODERATORS = frozenset(ROLES[4:])
ADMINS = frozenset({"admin"})


@dataclass
class World:
    """What the requests act on: a reported post in "here", its author, a sanction on them."""

    here: object
    elsewhere: object
    author: User
    item: ReportItem
    sanction: Sanction
    canned: CannedResponse
    thread: object = None
    viewer: User | None = None
    announcement: object = None
    post: object = None  # the reported post, by ``author``
    spare: object = None
    group: object = None  # with ``author`` in it


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    data: Callable[[World], dict] = field(default=lambda w: {})
    # Runs as the viewer before the request, for routes that need a state first.
    setup: Callable[[World], None] | None = None


def _claim_for_viewer(world: World) -> None:
    """Claimed by the viewer when they are a moderator, else by another moderator."""
    viewer = world.viewer
    claimer = viewer if viewer is not None and viewer.is_moderator else (
        factories.make_user(role="moderator"))
    reports.claim(claimer, world.item)


def _appeal(world: World) -> None:
    """An open appeal against the world's timeout (issued by "chief", never the viewer)."""
    from forum.services.moderation import appeals

    world.spare = appeals.submit(world.author, world.sanction, "I was not spamming.")


def _two_factor(world: World) -> None:
    from forum.extensions import db as database
    from forum.models import TwoFactor, utcnow

    database.session.add(TwoFactor(user_id=world.author.id, secret="v1:unused",
                                   enabled_at=utcnow()))
    database.session.commit()


def _waiting(world: World) -> None:
    """A reply in "here" waiting for approval (its author's posts are all reviewed)."""
    writer = factories.make_user()
    writer.always_review = True
    db.session.commit()
    world.spare = posting.reply(writer, world.thread, "Zzz 123")


def _word(world: World) -> None:
    world.spare = watched_words.add(factories.make_user(role="admin"), "casino", "review")


def _failed_mail(world: World) -> None:
    from forum.models import MailStatus
    from forum.services import mail

    world.spare = mail.queue(world.author, "notification", text="Hello", link="http://x/")
    world.spare.status = MailStatus.FAILED.value
    world.spare.last_error = "550 no such user"
    db.session.commit()


def _lock(world: World) -> None:
    world.thread.is_locked = True
    db.session.commit()


def _slow(world: World) -> None:
    world.thread.slow_mode_seconds = 60
    db.session.commit()


def _pin(world: World) -> None:
    world.thread.is_pinned = True
    db.session.commit()


def _spare_thread(world: World) -> None:
    world.spare = factories.make_thread(world.here, author=factories.make_user(), title="Clocks")


def _move_notice(world: World) -> None:
    moved = factories.make_thread(world.elsewhere, author=factories.make_user(), title="Gone")
    world.spare = ThreadMoveNotice(board_id=world.here.id, thread_id=moved.id)
    db.session.add(world.spare)
    db.session.commit()


def _delete_thread(world: World) -> None:
    posting.delete_post(factories.make_user(role="admin"), world.thread.first_post, "Spam")


def _hide_post(world: World) -> None:
    from forum.services.moderation import post_tools

    post_tools.hide_post(factories.make_user(role="admin"), world.post, "Spam")


def _delete_post(world: World) -> None:
    posting.delete_post(factories.make_user(role="admin"), world.post, "Spam")


def _announce(world: World) -> None:
    """An announcement pinned in "here", for the pages that edit or end one."""
    from forum.services.community import announcements

    world.announcement = announcements.create_announcement(
        factories.make_user(role="admin"),
        announcements.Draft(title="Workshop", placement="board", board_id=world.here.id),
    )


def _announcement_form(world: World) -> dict:
    return {"title": "Workshop", "severity": "info", "audience": "everyone",
            "placement": "board", "board": str(world.here.id), "is_dismissible": "y"}


def _spare_board(world: World) -> None:
    """A second board in "here"'s category, to move up or delete."""
    world.spare = factories.make_board(world.here.category, slug="spare")


def _spare_category(world: World) -> None:
    world.spare = factories.make_category("Spare")


def _archive(world: World) -> None:
    world.here.is_archived = world.here.is_read_only = True
    db.session.commit()


def _group(world: World) -> None:
    world.group = factories.make_group("Makers Club", members=[world.author])


def _board_form(world: World) -> dict:
    return {"title": "Here and now", "slug": "", "category": str(world.here.category_id),
            "access": "everyone", "thread_access": "members", "slow_mode_seconds": "0"}


def _applicant(world: World) -> None:
    """A new account waiting for approval."""
    world.spare = factories.make_user(approval_state="waiting")


def _invitation(world: World) -> None:
    """An open invitation made by another administrator."""
    world.spare, _ = invitations.create(factories.make_user(role="admin"), 3)


def _removed(world: World) -> None:
    """The author removed as a spammer by a moderator, for undoing."""
    from forum.services.moderation import spammers

    world.spare = spammers.remove(factories.make_user(role="moderator"), world.author, "Spam")


def _ban_entry(world: World) -> None:
    from forum.services.accounts import bans

    world.spare = bans.add(factories.make_user(role="admin"),
                           bans.NewEntry("domain", "spam.example"))


def _webhook(world: World) -> None:
    """A hook made by another administrator, to 127.0.0.1 (allowed for the test), with a failed
    delivery in its log."""
    from flask import current_app

    from forum.models import WebhookDelivery
    from forum.services.webhooks import hooks

    current_app.config["WEBHOOK_ALLOWED_NETWORKS"] = ("127.0.0.1/32",)
    world.spare = hooks.create(factories.make_user(role="admin"), hooks.HookData(
        url="http://127.0.0.1:9/hook", events=["thread.created"]))
    world.group = WebhookDelivery(webhook_id=world.spare.id, event="ping", event_id="e1",
                                  body="{}", status="failed", attempts=1, next_attempt_at=utcnow())
    db.session.add(world.group)
    db.session.commit()


def _webhook_form(world: World) -> dict:
    return {"url": "http://127.0.0.1:9/other", "events": ["report.created"]}


def _stopped_webhook(world: World) -> None:
    from forum.services.webhooks import hooks

    _webhook(world)
    hooks.set_active(factories.make_user(role="admin"), world.spare, False)


MATRIX: dict[str, Case] = {
    # -- webhooks ----------------------------------------------------------------------------
    "admin.webhooks": Case("GET", lambda w: "/admin/webhooks", ADMINS, setup=_webhook),
    "admin.new_webhook:GET": Case("GET", lambda w: "/admin/webhooks/new", ADMINS),
    "admin.new_webhook:POST": Case("POST", lambda w: "/admin/webhooks/new", ADMINS,
                                   data=_webhook_form, setup=_webhook),
    "admin.webhook": Case("GET", lambda w: f"/admin/webhooks/{w.spare.id}", ADMINS,
                          setup=_webhook),
    "admin.edit_webhook:GET": Case("GET", lambda w: f"/admin/webhooks/{w.spare.id}/edit",
                                   ADMINS, setup=_webhook),
    "admin.edit_webhook:POST": Case("POST", lambda w: f"/admin/webhooks/{w.spare.id}/edit",
                                    ADMINS, data=_webhook_form, setup=_webhook),
    "admin.disable_webhook": Case("POST", lambda w: f"/admin/webhooks/{w.spare.id}/disable",
                                  ADMINS, setup=_webhook),
    "admin.enable_webhook": Case("POST", lambda w: f"/admin/webhooks/{w.spare.id}/enable",
                                 ADMINS, setup=_stopped_webhook),
    "admin.test_webhook": Case("POST", lambda w: f"/admin/webhooks/{w.spare.id}/test",
                               ADMINS, setup=_webhook),
    "admin.rotate_webhook_secret": Case(
        "POST", lambda w: f"/admin/webhooks/{w.spare.id}/secret", ADMINS, setup=_webhook),
    "admin.reveal_webhook_secret": Case(
        "POST", lambda w: f"/admin/webhooks/{w.spare.id}/reveal", ADMINS, setup=_webhook),
    "admin.delete_webhook:GET": Case("GET", lambda w: f"/admin/webhooks/{w.spare.id}/delete",
                                     ADMINS, setup=_webhook),
    "admin.delete_webhook:POST": Case("POST", lambda w: f"/admin/webhooks/{w.spare.id}/delete",
                                      ADMINS, setup=_webhook),
    "admin.redeliver_webhook": Case(
        "POST", lambda w: f"/admin/webhooks/{w.spare.id}/deliveries/{w.group.id}/redeliver",
        ADMINS, setup=_webhook),
    # -- the moderator panel ---------------------------------------------------------------
    "admin.outbox": Case("GET", lambda w: "/admin/outbox?status=failed", ADMINS,
                         setup=_failed_mail),
    "admin.retry_mail": Case("POST", lambda w: f"/admin/outbox/{w.spare.id}/retry", ADMINS,
                             setup=_failed_mail),
    "moderation.home": Case("GET", lambda w: "/mod/", TEAM),
    "moderation.queue": Case("GET", lambda w: "/mod/reports", TEAM),
    "moderation.item": Case("GET", lambda w: f"/mod/reports/{w.item.id}", BOARD_TEAM),
    "moderation.claim": Case("POST", lambda w: f"/mod/reports/{w.item.id}/claim", BOARD_TEAM),
    "moderation.release": Case("POST", lambda w: f"/mod/reports/{w.item.id}/release",
                               MODERATORS, setup=_claim_for_viewer),
    "moderation.dismiss": Case("POST", lambda w: f"/mod/reports/{w.item.id}/dismiss",
                               BOARD_TEAM, data=lambda w: {"reason": "Within the rules"}),
    "moderation.resolve": Case("POST", lambda w: f"/mod/reports/{w.item.id}/resolve",
                               BOARD_TEAM,
                               data=lambda w: {"actions": ["hide_post"], "reason": "Spam"}),
    # The queue row's one-click buttons and the bulk form. A board moderator elsewhere is
    # answered with the queue and a message per item; nothing of "here" is handled.
    "moderation.act": Case("POST", lambda w: f"/mod/reports/{w.item.id}/act", BOARD_TEAM,
                           data=lambda w: {"choice": "do:hide_post+warn"}),
    "moderation.act_on_many": Case("POST", lambda w: "/mod/reports/bulk", TEAM,
                                   data=lambda w: {"choice": "dismiss",
                                                   "ids": [str(w.item.id)]}),
    "moderation.log": Case("GET", lambda w: "/mod/log", MODERATORS),
    # -- posts waiting for approval: board moderators decide in their boards only ----------
    "moderation.approvals": Case("GET", lambda w: "/mod/approvals", TEAM, setup=_waiting),
    "moderation.approve": Case("POST", lambda w: f"/mod/approvals/{w.spare.id}/approve",
                               BOARD_TEAM, setup=_waiting),
    "moderation.reject": Case("POST", lambda w: f"/mod/approvals/{w.spare.id}/reject",
                              BOARD_TEAM, data=lambda w: {"reason": "Off-topic"},
                              setup=_waiting),
    # A board moderator elsewhere is answered with the list; nothing of "here" is approved.
    "moderation.approve_many": Case("POST", lambda w: "/mod/approvals/bulk", TEAM,
                                    data=lambda w: {"ids": [str(w.spare.id)]},
                                    setup=_waiting),
    "moderation.review": Case("POST", lambda w: f"/mod/members/{w.author.username}/review",
                              MODERATORS, data=lambda w: {"review": "on"}),
    "moderation.log_csv": Case("GET", lambda w: "/mod/log.csv", ADMINS),
    # The author posted in "here" only: a board moderator elsewhere doesn't read their record.
    "moderation.member": Case("GET", lambda w: f"/mod/members/{w.author.username}",
                              BOARD_TEAM),
    "moderation.add_note": Case("POST", lambda w: f"/mod/members/{w.author.username}/notes",
                                BOARD_TEAM, data=lambda w: {"body": "Seen this before"}),
    "moderation.sanction": Case("POST",
                                lambda w: f"/mod/members/{w.author.username}/sanctions",
                                MODERATORS,
                                data=lambda w: {"kind": "warning", "reason": "Be kind"}),
    "moderation.lift": Case("POST", lambda w: f"/mod/sanctions/{w.sanction.id}/lift",
                            MODERATORS,
                            data=lambda w: {f"lift-{w.sanction.id}-reason": "Apologised"}),
    # Removing a spammer reaches the whole forum: moderators of the whole forum only.
    # Writing to a member for the team: whoever reads their record (the author posted in
    # "here" only), from a report or the record (``test_team_conversation_scope``).
    "moderation.message_member:GET": Case(
        "GET", lambda w: f"/mod/members/{w.author.username}/message?item={w.item.id}",
        BOARD_TEAM),
    "moderation.message_member:POST": Case(
        "POST", lambda w: f"/mod/members/{w.author.username}/message", BOARD_TEAM,
        data=lambda w: {"subject": "Your last post", "body": "Can we talk about it?"}),
    "moderation.remove_spammer:GET": Case(
        "GET", lambda w: f"/mod/members/{w.author.username}/remove-spammer", MODERATORS),
    "moderation.remove_spammer:POST": Case(
        "POST", lambda w: f"/mod/members/{w.author.username}/remove-spammer", MODERATORS,
        data=lambda w: {"reason": "Spam only"}),
    "moderation.remove_spammer_item:GET": Case(
        "GET", lambda w: f"/mod/reports/{w.item.id}/remove-spammer", MODERATORS),
    "moderation.remove_spammer_item:POST": Case(
        "POST", lambda w: f"/mod/reports/{w.item.id}/remove-spammer", MODERATORS,
        data=lambda w: {"reason": "Spam only"}),
    "moderation.undo_spam_removal": Case(
        "POST", lambda w: f"/mod/spam-removals/{w.spare.id}/undo", ADMINS,
        data=lambda w: {"reason": "A real person"}, setup=_removed),
    "moderation.thread_tools": Case("GET", lambda w: f"/mod/threads/{w.thread.id}",
                                    BOARD_TEAM),
    "moderation.lock_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/lock",
                                   BOARD_TEAM, data=lambda w: {"mode": "for", "length": "1h",
                                                               "reason": "Heated"}),
    "moderation.unlock_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/unlock",
                                     BOARD_TEAM, data=lambda w: {"reason": "Calm"},
                                     setup=lambda w: _lock(w)),
    "moderation.slow_mode": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/slow-mode",
                                 BOARD_TEAM, data=lambda w: {"interval": "60", "reason": "Fast"}),
    "moderation.slow_mode_off": Case("POST",
                                     lambda w: f"/mod/threads/{w.thread.id}/slow-mode/off",
                                     BOARD_TEAM, data=lambda w: {"reason": "Calm"},
                                     setup=lambda w: _slow(w)),
    "moderation.cool_down": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/cool-down",
                                 BOARD_TEAM, data=lambda w: {"slow": "600", "slow_for": "1h",
                                                             "lock_for": "", "reason": "Heat"}),
    "moderation.pin_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/pin",
                                  BOARD_TEAM, data=lambda w: {"reason": "Useful"}),
    "moderation.unpin_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/unpin",
                                    BOARD_TEAM, data=lambda w: {"reason": "Done"}, setup=_pin),
    "moderation.rename_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/rename",
                                     BOARD_TEAM, data=lambda w: {"title": "Watches for sale",
                                                                 "reason": "Clearer"}),
    # Moving needs both boards: "elsewhere" is not the board moderator here's.
    "moderation.move_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/move",
                                   MODERATORS, data=lambda w: {"board": w.elsewhere.slug,
                                                               "reason": "Wrong board"}),
    "moderation.merge_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/merge",
                                    BOARD_TEAM, data=lambda w: {"target": str(w.spare.id),
                                                                "reason": "Same topic"},
                                    setup=_spare_thread),
    "moderation.split_thread:GET": Case("GET", lambda w: f"/mod/threads/{w.thread.id}/split",
                                        BOARD_TEAM),
    "moderation.split_thread:POST": Case(
        "POST", lambda w: f"/mod/threads/{w.thread.id}/split", BOARD_TEAM,
        data=lambda w: {"post": str(w.post.id), "mode": "new", "title": "Watches, continued",
                        "board": w.here.slug, "reason": "Its own topic"}),
    "moderation.remove_move_notice": Case(
        "POST", lambda w: f"/mod/move-notices/{w.spare.id}/remove", BOARD_TEAM,
        data=lambda w: {"reason": "Everyone found it"}, setup=_move_notice),
    "moderation.restore_thread": Case("POST", lambda w: f"/mod/threads/{w.thread.id}/restore",
                                      BOARD_TEAM, data=lambda w: {"reason": "Not spam"},
                                      setup=_delete_thread),
    "moderation.post_tools": Case("GET", lambda w: f"/mod/posts/{w.post.id}", BOARD_TEAM),
    # Sanctions are the site team's, as on the member's record: a board's own moderators get
    # the page's reason (403).
    "moderation.sanction_author": Case(
        "POST", lambda w: f"/mod/posts/{w.post.id}/sanction", MODERATORS,
        data=lambda w: {"kind": "warning", "reason": "Mind the rules"}),
    "moderation.hide_post": Case("POST", lambda w: f"/mod/posts/{w.post.id}/hide", BOARD_TEAM,
                                 data=lambda w: {"reason": "Spam"}),
    "moderation.unhide_post": Case("POST", lambda w: f"/mod/posts/{w.post.id}/unhide",
                                   BOARD_TEAM, data=lambda w: {"reason": "Fine"},
                                   setup=_hide_post),
    "moderation.restore_post": Case("POST", lambda w: f"/mod/posts/{w.post.id}/restore",
                                    BOARD_TEAM, data=lambda w: {"reason": "Fine"},
                                    setup=_delete_post),
    "moderation.board_pace:GET": Case("GET", lambda w: f"/mod/boards/{w.here.slug}",
                                      BOARD_TEAM),
    "moderation.board_pace:POST": Case("POST", lambda w: f"/mod/boards/{w.here.slug}",
                                       BOARD_TEAM, data=lambda w: {"slow": "60",
                                                                   "reason": "Busy"}),
    # -- the administrator panel -----------------------------------------------------------
    "admin.home": Case("GET", lambda w: "/admin/", ADMINS),
    "admin.responsiveness_csv": Case("GET", lambda w: "/admin/responsiveness.csv", ADMINS),
    "admin.users": Case("GET", lambda w: "/admin/users", ADMINS),
    "admin.user": Case("GET", lambda w: f"/admin/users/{w.author.username}", ADMINS),
    "admin.set_role": Case("POST", lambda w: f"/admin/users/{w.author.username}/role", ADMINS,
                           data=lambda w: {"role": "moderator"}),
    "admin.set_boards": Case("POST", lambda w: f"/admin/users/{w.author.username}/boards",
                             ADMINS, data=lambda w: {"boards": [str(w.here.id)]}),
    "admin.update_account": Case(
        "POST", lambda w: f"/admin/users/{w.author.username}/account", ADMINS,
        data=lambda w: {"username": "author2", "email": w.author.email, "display_name": ""}),
    "admin.password_reset_link": Case(
        "POST", lambda w: f"/admin/users/{w.author.username}/password-reset", ADMINS),
    "admin.mail_reset_link": Case(
        "POST", lambda w: f"/admin/users/{w.author.username}/password-reset-mail", ADMINS),
    "admin.end_sessions": Case("POST", lambda w: f"/admin/users/{w.author.username}/sessions",
                               ADMINS),
    "admin.delete_user:GET": Case("GET", lambda w: f"/admin/users/{w.author.username}/delete",
                                  ADMINS),
    "admin.delete_user:POST": Case(
        "POST", lambda w: f"/admin/users/{w.author.username}/delete", ADMINS,
        data=lambda w: {"posts": "delete", "confirm": w.author.username}),
    "admin.canned": Case("GET", lambda w: "/admin/canned", ADMINS),
    "admin.create_canned": Case("POST", lambda w: "/admin/canned", ADMINS,
                                data=lambda w: {"title": "Thanks", "body": "Thanks {username}"}),
    "admin.edit_canned:GET": Case("GET", lambda w: f"/admin/canned/{w.canned.id}/edit",
                                  ADMINS),
    "admin.edit_canned:POST": Case("POST", lambda w: f"/admin/canned/{w.canned.id}/edit",
                                   ADMINS, data=lambda w: {"title": "Kind", "body": "Be kind"}),
    "admin.delete_canned:GET": Case("GET", lambda w: f"/admin/canned/{w.canned.id}/delete",
                                    ADMINS),
    "admin.delete_canned:POST": Case("POST", lambda w: f"/admin/canned/{w.canned.id}/delete",
                                     ADMINS),
    # -- announcements, in both panels ----------------------------------------------------
    "admin.announcements": Case("GET", lambda w: "/admin/announcements", ADMINS),
    "admin.new_announcement:GET": Case("GET", lambda w: "/admin/announcements/new", ADMINS),
    "admin.new_announcement:POST": Case("POST", lambda w: "/admin/announcements/new", ADMINS,
                                        data=_announcement_form),
    "admin.edit_announcement:GET": Case(
        "GET", lambda w: f"/admin/announcements/{w.announcement.id}/edit", ADMINS,
        setup=_announce),
    "admin.edit_announcement:POST": Case(
        "POST", lambda w: f"/admin/announcements/{w.announcement.id}/edit", ADMINS,
        data=_announcement_form, setup=_announce),
    "admin.end_announcement": Case(
        "POST", lambda w: f"/admin/announcements/{w.announcement.id}/end", ADMINS,
        setup=_announce),
    "moderation.announcements": Case("GET", lambda w: "/mod/announcements", TEAM),
    "moderation.new_announcement:GET": Case("GET", lambda w: "/mod/announcements/new", TEAM),
    "moderation.new_announcement:POST": Case("POST", lambda w: "/mod/announcements/new",
                                             BOARD_TEAM, data=_announcement_form),
    "moderation.edit_announcement:GET": Case(
        "GET", lambda w: f"/mod/announcements/{w.announcement.id}/edit", BOARD_TEAM,
        setup=_announce),
    "moderation.edit_announcement:POST": Case(
        "POST", lambda w: f"/mod/announcements/{w.announcement.id}/edit", BOARD_TEAM,
        data=_announcement_form, setup=_announce),
    "moderation.end_announcement": Case(
        "POST", lambda w: f"/mod/announcements/{w.announcement.id}/end", BOARD_TEAM,
        setup=_announce),
    # -- categories and boards ------------------------------------------------------------
    "admin.structure": Case("GET", lambda w: "/admin/structure", ADMINS),
    "admin.create_category": Case("POST", lambda w: "/admin/structure/categories", ADMINS,
                                  data=lambda w: {"title": "Games"}),
    "admin.edit_category:GET": Case(
        "GET", lambda w: f"/admin/structure/categories/{w.here.category_id}/edit", ADMINS),
    "admin.edit_category:POST": Case(
        "POST", lambda w: f"/admin/structure/categories/{w.here.category_id}/edit", ADMINS,
        data=lambda w: {"title": "Renamed"}),
    "admin.move_category": Case(
        "POST", lambda w: f"/admin/structure/categories/{w.elsewhere.category_id}/move",
        ADMINS, data=lambda w: {"direction": "up"}),
    "admin.delete_category:GET": Case(
        "GET", lambda w: f"/admin/structure/categories/{w.spare.id}/delete", ADMINS,
        setup=_spare_category),
    "admin.delete_category:POST": Case(
        "POST", lambda w: f"/admin/structure/categories/{w.spare.id}/delete", ADMINS,
        setup=_spare_category),
    "admin.new_board:GET": Case("GET", lambda w: "/admin/structure/boards/new", ADMINS),
    "admin.new_board:POST": Case("POST", lambda w: "/admin/structure/boards/new", ADMINS,
                                 data=_board_form),
    "admin.edit_board:GET": Case("GET", lambda w: f"/admin/structure/boards/{w.here.id}/edit",
                                 ADMINS),
    "admin.edit_board:POST": Case(
        "POST", lambda w: f"/admin/structure/boards/{w.here.id}/edit", ADMINS,
        data=_board_form),
    "admin.move_board": Case("POST", lambda w: f"/admin/structure/boards/{w.spare.id}/move",
                             ADMINS, data=lambda w: {"direction": "up"}, setup=_spare_board),
    "admin.archive_board": Case("POST",
                                lambda w: f"/admin/structure/boards/{w.here.id}/archive",
                                ADMINS),
    "admin.unarchive_board": Case("POST",
                                  lambda w: f"/admin/structure/boards/{w.here.id}/unarchive",
                                  ADMINS, setup=_archive),
    "admin.delete_board:GET": Case(
        "GET", lambda w: f"/admin/structure/boards/{w.here.id}/delete", ADMINS),
    "admin.delete_board:POST": Case(
        "POST", lambda w: f"/admin/structure/boards/{w.here.id}/delete", ADMINS,
        data=lambda w: {"destination": str(w.elsewhere.id)}),
    # -- the rules and privacy notice, invitations -------------------------------------------
    "admin.documents": Case("GET", lambda w: "/admin/pages", ADMINS),
    "admin.edit_document:GET": Case("GET", lambda w: "/admin/pages/rules", ADMINS),
    "admin.edit_document:POST": Case("POST", lambda w: "/admin/pages/privacy", ADMINS,
                                     data=lambda w: {"body": "We keep little."}),
    "admin.invitations": Case("GET", lambda w: "/admin/invitations", ADMINS),
    "admin.create_invitation": Case("POST", lambda w: "/admin/invitations", ADMINS,
                                    data=lambda w: {"days": "3", "note": "For Sam"}),
    "admin.revoke_invitation": Case("POST",
                                    lambda w: f"/admin/invitations/{w.spare.id}/revoke",
                                    ADMINS, setup=_invitation),
    # -- new accounts waiting for approval ---------------------------------------------------
    "admin.approvals_list": Case("GET", lambda w: "/admin/approvals", ADMINS, setup=_applicant),
    "admin.approve_account": Case("POST", lambda w: f"/admin/approvals/{w.spare.id}/approve",
                                  ADMINS, setup=_applicant),
    "admin.reject_account": Case("POST", lambda w: f"/admin/approvals/{w.spare.id}/reject",
                                 ADMINS, data=lambda w: {"reason": "Not for us"},
                                 setup=_applicant),
    "admin.approve_accounts": Case("POST", lambda w: "/admin/approvals/approve", ADMINS,
                                   data=lambda w: {"user_id": str(w.spare.id)},
                                   setup=_applicant),
    # -- groups -----------------------------------------------------------------------------
    "admin.groups_list": Case("GET", lambda w: "/admin/groups", ADMINS),
    "admin.create_group": Case("POST", lambda w: "/admin/groups", ADMINS,
                               data=lambda w: {"name": "Beta testers"}),
    "admin.group:GET": Case("GET", lambda w: f"/admin/groups/{w.group.id}", ADMINS,
                            setup=_group),
    "admin.group:POST": Case("POST", lambda w: f"/admin/groups/{w.group.id}", ADMINS,
                             data=lambda w: {"name": "Makers Guild"}, setup=_group),
    "admin.add_group_member": Case("POST", lambda w: f"/admin/groups/{w.group.id}/members",
                                   ADMINS, data=lambda w: {"username": "chief"},
                                   setup=_group),
    "admin.remove_group_member": Case(
        "POST", lambda w: f"/admin/groups/{w.group.id}/members/{w.author.id}/remove", ADMINS,
        setup=_group),
    "admin.delete_group:GET": Case("GET", lambda w: f"/admin/groups/{w.group.id}/delete",
                                   ADMINS, setup=_group),
    "admin.delete_group:POST": Case("POST", lambda w: f"/admin/groups/{w.group.id}/delete",
                                    ADMINS, setup=_group),
    # -- appeals and two-step login -----------------------------------------------------------
    "moderation.appeal_list": Case("GET", lambda w: "/mod/appeals", MODERATORS),
    "moderation.decide_appeal": Case(
        "POST", lambda w: f"/mod/appeals/{w.spare.id}/decide", MODERATORS, setup=_appeal,
        data=lambda w: {f"decide-{w.spare.id}-outcome": "upheld",
                        f"decide-{w.spare.id}-message": "It stays."}),
    "admin.two_factor_off": Case(
        "POST", lambda w: f"/admin/users/{w.author.username}/two-factor/off", ADMINS,
        setup=_two_factor, data=lambda w: {"reason": "Lost their phone"}),
    "admin.words": Case("GET", lambda w: "/admin/words", ADMINS, setup=_word),
    "admin.add_word": Case("POST", lambda w: "/admin/words", ADMINS,
                           data=lambda w: {"pattern": "spam*", "action": "block"}),
    "admin.update_word": Case("POST", lambda w: f"/admin/words/{w.spare.id}", ADMINS,
                              data=lambda w: {f"e{w.spare.id}-action": "flag"}, setup=_word),
    "admin.delete_word": Case("POST", lambda w: f"/admin/words/{w.spare.id}/delete", ADMINS,
                              setup=_word),
    "admin.bans_list": Case("GET", lambda w: "/admin/bans", ADMINS),
    "admin.add_ban": Case("POST", lambda w: "/admin/bans", ADMINS,
                          data=lambda w: {"kind": "network", "value": "198.51.100.0/24"}),
    "admin.remove_ban": Case("POST", lambda w: f"/admin/bans/{w.spare.id}/remove", ADMINS,
                             setup=_ban_entry),
    "admin.settings:GET": Case("GET", lambda w: "/admin/settings", ADMINS),
    "admin.settings:POST": Case("POST", lambda w: "/admin/settings", ADMINS,
                                data=lambda w: {"report_limit_per_hour": "12",
                                                "auto_hide_threshold": "3"}),
}


def _desk_thread(world: World) -> None:
    """An unanswered thread in "here", a day old: an item of the desk."""
    old = utcnow() - timedelta(days=2)
    world.spare = factories.make_thread(world.here, author=factories.make_user(),
                                        title="Soldering fumes", created_at=old)


def _desk_item(world: World) -> str:
    return f"/desk/unanswered/{world.spare.id}"


# The desk: the team of the item's board; a board moderator elsewhere has a desk of their own
# boards but can't open (or act on) an item from "here" (404: not on their desk).
DESK_MATRIX: dict[str, Case] = {
    "desk.index": Case("GET", lambda w: "/desk/", TEAM, setup=_desk_thread),
    "desk.item": Case("GET", _desk_item, BOARD_TEAM, setup=_desk_thread),
    "desk.done": Case("POST", lambda w: _desk_item(w) + "/done", BOARD_TEAM,
                      data=lambda w: {"version": "0"}, setup=_desk_thread),
    "desk.reopen": Case("POST", lambda w: _desk_item(w) + "/reopen", BOARD_TEAM,
                        data=lambda w: {"version": "0"}, setup=_desk_thread),
    "desk.snooze": Case("POST", lambda w: _desk_item(w) + "/snooze", BOARD_TEAM,
                        data=lambda w: {"version": "0", "length": "4h"}, setup=_desk_thread),
    "desk.assign": Case("POST", lambda w: _desk_item(w) + "/assign", BOARD_TEAM,
                        data=lambda w: {"version": "0", "assignee": ""}, setup=_desk_thread),
    "desk.reply": Case("POST", lambda w: _desk_item(w) + "/reply", BOARD_TEAM,
                       data=lambda w: {"version": "0", "body": "Use a fan."},
                       setup=_desk_thread),
}


def _key(rule, method: str) -> str:
    methods = rule.methods - {"HEAD", "OPTIONS"}
    return rule.endpoint if len(methods) == 1 else f"{rule.endpoint}:{method}"


def _routes_of(app, *blueprints: str) -> set[str]:
    """The keys (``_key``) of every route of these blueprints: what a matrix must name."""
    return {_key(rule, method) for rule in app.url_map.iter_rules()
            if rule.endpoint.split(".")[0] in blueprints
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_every_route_has_an_entry(app):
    routes = _routes_of(app, "moderation", "admin")
    missing = routes - set(MATRIX)
    assert not missing, f"add these routes to the authorization matrix: {sorted(missing)}"
    assert not set(MATRIX) - routes, "the matrix names routes that no longer exist"


def test_every_desk_route_has_an_entry(app):
    routes = _routes_of(app, "desk")
    assert routes == set(DESK_MATRIX)


@pytest.fixture
def world(app):
    here = factories.make_board(title="Here")
    elsewhere = factories.make_board(title="Elsewhere")
    author = factories.make_user(username="author")
    thread = factories.make_thread(here, author=factories.make_user(), title="Watches")
    post = factories.make_post(thread, author=author, body="Buy cheap watches")
    item = reports.file_report(factories.make_user(), post, "spam").item
    issuer = factories.make_user(username="chief", role="admin")
    sanction = sanctions.timeout(issuer, author, "Spam", timedelta(hours=6))
    canned = modnotes.create_canned(issuer, "Be kind", "Hello {username}")
    return World(here=here, elsewhere=elsewhere, author=author, item=item, sanction=sanction,
                 canned=canned, thread=thread, post=post)


def _viewer(role: str, world: World) -> User | None:
    if role == "guest":
        return None
    if role == "board moderator elsewhere":
        return factories.make_board_moderator(factories.make_user(), world.elsewhere)
    if role == "board moderator here":
        return factories.make_board_moderator(factories.make_user(), world.here)
    return factories.make_user(role=role)


def _visit(client, login, world: World, case, role: str):
    """Set the case's world up for a viewer of ``role``, log them in and send the request:
    the response and where it redirects to."""
    world.viewer = _viewer(role, world)
    if case.setup is not None:
        case.setup(world)
    if world.viewer is not None:
        login(world.viewer)
    db.session.expire_all()
    url = case.url(world)
    response = (client.post(url, data=case.data(world)) if case.method == "POST"
                else client.get(url))
    return response, response.headers.get("Location", "")


def _answered_as_expected(response, location: str, case, key: str, role: str,
                          allowed=(200, 302)) -> None:
    """Allowed viewers get the page (or are sent on, not to log in); guests are asked to log
    in; everyone else gets 403."""
    if role in case.allowed:
        assert response.status_code in allowed, (key, role, response.status_code)
        assert "/login" not in location, (key, role)
    elif role == "guest":
        assert response.status_code == 302 and "/login" in location, (key, response.status_code)
    else:
        assert response.status_code == 403, (key, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_matrix(client, login, world, key, role):
    assert "guest" not in MATRIX[key].allowed  # nothing in /mod or /admin is for guests
    response, location = _visit(client, login, world, MATRIX[key], role)
    _answered_as_expected(response, location, MATRIX[key], key, role, (200, 301, 302))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(DESK_MATRIX))
def test_desk_matrix(client, login, world, key, role):
    case = DESK_MATRIX[key]
    response, location = _visit(client, login, world, case, role)
    if role == "guest":
        assert response.status_code == 302 and "/login" in location, (key, response.status_code)
    elif role in case.allowed:
        assert response.status_code in (200, 302), (key, role, response.status_code)
        assert "/login" not in location, (key, role)
    elif role == "board moderator elsewhere":
        assert response.status_code == 404, (key, role, response.status_code)
    else:
        assert response.status_code == 403, (key, role, response.status_code)


# -- whose moderation record each rank reads (``Policy.can_view_member_record``) --------------
TARGETS = ("member who posted here", "member who never posted", "board moderator",
           "moderator", "admin", "self")
_RECORD_READERS = {
    # target: the viewers (beside administrators, who read every record) allowed
    "member who posted here": {"board moderator here", "moderator"},
    "member who never posted": {"moderator"},
    "board moderator": {"moderator"},
    "moderator": {"moderator"},
    "admin": set(),
    "self": set(),
}
RECORD_MATRIX = {(target, role): role == "admin" or role in _RECORD_READERS[target]
                 for target in TARGETS for role in ROLES[2:]}


def _target(kind: str, world: World) -> User:
    if kind == "member who posted here":
        return world.author
    if kind == "member who never posted":
        return factories.make_user()
    if kind == "board moderator":
        # Moderates "elsewhere" and posted "here": rank, not activity, keeps them out.
        user = factories.make_board_moderator(factories.make_user(), world.elsewhere)
        factories.make_post(world.thread, author=user)
        return user
    if kind == "self":
        return world.viewer
    user = factories.make_user(role=kind)
    factories.make_post(world.thread, author=user)
    return user


@pytest.mark.parametrize("role", ROLES[2:])
@pytest.mark.parametrize("target", TARGETS)
def test_record_scope(client, login, world, target, role):
    """The member page, its notes and sanction history, by the rank of the member it is about:
    board moderators read plain members who posted in their boards; moderators everyone but
    administrators; administrators everyone; nobody below an administrator their own."""
    world.viewer = _viewer(role, world)
    user = _target(target, world)
    sanctions.warn(factories.make_user(role="admin"), user, "Watch the tone")
    modnotes.add_note(factories.make_user(role="admin"), user, "Private: said sorry")
    login(world.viewer)
    response = client.get(f"/mod/members/{user.username}")
    note = client.post(f"/mod/members/{user.username}/notes", data={"body": "Seen"})
    if RECORD_MATRIX[target, role]:
        assert response.status_code == 200, (target, role)
        html = response.get_data(as_text=True)
        assert "Private: said sorry" in html and "Watch the tone" in html
        assert note.status_code == 302
    else:
        assert response.status_code == 403, (target, role)
        html = response.get_data(as_text=True)
        assert "Private: said sorry" not in html and "Watch the tone" not in html
        assert note.status_code == 403


# Writing to a member for the team (``Policy.can_start_team_conversation``): moderators of the
# whole forum and administrators to anyone but themselves, board moderators to the members
# whose record they read.
TEAM_WRITERS = {
    target: (_RECORD_READERS[target] | {"admin"} | ({"moderator"} if target == "admin"
                                                    else set()))
    if target != "self" else set()
    for target in TARGETS
}


@pytest.mark.parametrize("role", ROLES[2:])
@pytest.mark.parametrize("target", TARGETS)
def test_team_conversation_scope(client, login, world, target, role):
    world.viewer = _viewer(role, world)
    user = _target(target, world)
    login(world.viewer)
    page = client.get(f"/mod/members/{user.username}/message")
    sent = client.post(f"/mod/members/{user.username}/message",
                       data={"subject": "Your last post", "body": "Can we talk about it?"})
    started = db.session.scalar(select(func.count()).select_from(Conversation))
    logged = db.session.scalar(select(func.count()).select_from(ModAction).where(
        ModAction.action == "conversation.team_start"))
    if role in TEAM_WRITERS[target]:
        assert (page.status_code, sent.status_code) == (200, 302), (target, role)
        assert started == logged == 1
    else:
        assert (page.status_code, sent.status_code) == (403, 403), (target, role)
        assert started == logged == 0
    # The buttons show exactly where the form opens.
    record = client.get(f"/mod/members/{user.username}")
    if record.status_code == 200:
        link = f"/mod/members/{user.username}/message"
        assert (link in record.get_data(as_text=True)) == (role in TEAM_WRITERS[target])


@pytest.mark.parametrize("role", ["board moderator here", "moderator"])
def test_team_conversation_from_a_report(client, login, world, role):
    """From a report in their board, the way to talk is on the item page; the conversation's
    log entry names the report. A report about someone else, or one the writer may not
    handle, starts nothing."""
    world.viewer = _viewer(role, world)
    login(world.viewer)
    link = f"/mod/members/{world.author.username}/message?item={world.item.id}"
    assert link in client.get(f"/mod/reports/{world.item.id}").get_data(as_text=True)
    bystander = factories.make_user(username="bystander")
    factories.make_post(world.thread, author=bystander, body="Me too")
    wrong = f"/mod/members/bystander/message?item={world.item.id}"
    data = {"subject": "Your post", "body": "Can we talk first?"}
    assert client.get(wrong).status_code == 400
    assert client.post(wrong, data=data).status_code == 400
    stranger = factories.make_user(username="stranger")
    other = reports.file_report(
        factories.make_user(),
        factories.make_thread(world.elsewhere, author=stranger).first_post, "spam").item
    outside = f"/mod/members/stranger/message?item={other.id}"
    expected = 200 if role == "moderator" else 403
    assert client.get(outside).status_code == expected
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0
    assert client.post(link, data=data).status_code == 302
    (conversation,) = db.session.scalars(select(Conversation))
    assert conversation.is_team and conversation.starter_id == world.viewer.id
    entry = db.session.scalar(select(ModAction).where(
        ModAction.action == "conversation.team_start"))
    assert entry.item_id == world.item.id and entry.target_user_id == world.author.id
    # The member's answer reaches the board moderator who wrote.
    from forum.services.conversations import writing

    writing.reply(world.author, conversation, "Sorry, I'll stop.")
    assert db.session.scalar(select(func.count()).select_from(Notification).where(
        Notification.recipient_id == world.viewer.id, Notification.kind == "message")) == 1


def test_the_report_page_leaves_out_an_administrators_record(client, login, world):
    """A moderator handles a report on an administrator's post without reading their notes."""
    chief = factories.make_user(role="admin")
    post = factories.make_post(world.thread, author=chief, body="Sale ends today")
    modnotes.add_note(factories.make_user(role="admin"), chief, "Private: on leave")
    item = reports.file_report(factories.make_user(), post, "spam").item
    login(factories.make_user(role="moderator"))
    html = client.get(f"/mod/reports/{item.id}").get_data(as_text=True)
    assert "Sale ends today" in html
    assert "Private: on leave" not in html
    assert "administrator&#39;s moderation record" in html or \
        "administrator's moderation record" in html


# -- the forum's own pages outside /mod and /admin -------------------------------------------------
EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset(ROLES[1:])
SITE_MATRIX: dict[str, Case] = {
    "site.rules": Case("GET", lambda w: "/rules", EVERYONE),
    "site.team": Case("GET", lambda w: "/team", EVERYONE),
    "site.privacy": Case("GET", lambda w: "/privacy", EVERYONE),
    "site.accept:GET": Case("GET", lambda w: "/accept", SIGNED_IN),
    "site.accept:POST": Case("POST", lambda w: "/accept", SIGNED_IN),
    "site.my_invitations": Case("GET", lambda w: "/account/invitations", SIGNED_IN),
    # Members may invite only when a setting allows it (off by default) and they are past
    # the new-member limits; the viewers here are new.
    "site.create_my_invitation": Case("POST", lambda w: "/account/invitations", ADMINS,
                                      data=lambda w: {"days": "3"}),
    "site.revoke_my_invitation": Case(
        "POST", lambda w: f"/account/invitations/{w.spare.id}/revoke", ADMINS,
        setup=_invitation),
}


def test_every_site_route_has_an_entry(app):
    routes = _routes_of(app, "site")
    assert routes == set(SITE_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(SITE_MATRIX))
def test_site_matrix(client, login, world, key, role):
    response, location = _visit(client, login, world, SITE_MATRIX[key], role)
    _answered_as_expected(response, location, SITE_MATRIX[key], key, role)


# -- keeping up: watching, reading state, reactions, bookmarks -----------------------------------

def _own_bookmark(world: World) -> None:
    """A bookmark of the viewer's own (the author's when the viewer is a guest)."""
    from forum.services.content import bookmarks

    world.spare = bookmarks.save(world.viewer or world.author, world.post, "later", None)


KEEPUP_MATRIX: dict[str, Case] = {
    "keepup.new": Case("GET", lambda w: "/new", SIGNED_IN),
    "keepup.unread": Case("GET", lambda w: "/unread", SIGNED_IN),
    "keepup.first_unread": Case("GET", lambda w: f"/t/{w.thread.id}/unread", EVERYONE),
    "keepup.mark_everything_read": Case("POST", lambda w: "/read-all", SIGNED_IN),
    "keepup.mark_board_read": Case("POST", lambda w: f"/b/{w.here.slug}/read", SIGNED_IN),
    "keepup.watch_board": Case("POST", lambda w: f"/b/{w.here.slug}/watch", SIGNED_IN,
                               data=lambda w: {"level": "watching"}),
    "keepup.watch_thread": Case("POST", lambda w: f"/t/{w.thread.id}/watch", SIGNED_IN,
                                data=lambda w: {"level": "tracking"}),
    "keepup.defaults:GET": Case("GET", lambda w: "/account/watching", SIGNED_IN),
    "keepup.defaults:POST": Case("POST", lambda w: "/account/watching", SIGNED_IN,
                                 data=lambda w: {"watch_started": "y"}),
    "keepup.react": Case("POST", lambda w: f"/p/{w.post.id}/react", SIGNED_IN,
                         data=lambda w: {"react": "thanks:add"}),
    "keepup.who_reacted": Case("GET", lambda w: f"/p/{w.post.id}/reactions", EVERYONE),
    "keepup.bookmark:GET": Case("GET", lambda w: f"/p/{w.post.id}/bookmark", SIGNED_IN),
    "keepup.bookmark:POST": Case("POST", lambda w: f"/p/{w.post.id}/bookmark", SIGNED_IN,
                                 data=lambda w: {"note": "Read again"}),
    "keepup.bookmark_list": Case("GET", lambda w: "/bookmarks", SIGNED_IN, setup=_own_bookmark),
    "keepup.delete_bookmark": Case("POST", lambda w: f"/bookmarks/{w.spare.id}/delete",
                                   SIGNED_IN, setup=_own_bookmark),
}


def test_every_keepup_route_has_an_entry(app):
    routes = _routes_of(app, "keepup")
    assert routes == set(KEEPUP_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(KEEPUP_MATRIX))
def test_keepup_matrix(client, login, world, key, role):
    case = KEEPUP_MATRIX[key]
    response, location = _visit(client, login, world, case, role)
    if role in case.allowed:
        assert response.status_code in (200, 302), (key, role, response.status_code)
        assert "/login" not in location, (key, role)
    else:
        assert response.status_code == 302 and "/login" in location, (key, response.status_code)


@pytest.mark.parametrize("key", ["keepup.bookmark_list", "keepup.delete_bookmark"])
def test_another_members_bookmark_is_not_found(client, login, world, key):
    """A bookmark is its member's alone: someone else's is neither listed nor deletable."""
    from forum.services.content import bookmarks

    theirs = bookmarks.save(world.author, world.post, "Private note", None)
    login(factories.make_user())
    if key == "keepup.bookmark_list":
        assert "Private note" not in client.get("/bookmarks").get_data(as_text=True)
    else:
        assert client.post(f"/bookmarks/{theirs.id}/delete").status_code == 404


# -- a member's own account: every member, for themself only ----------------------------------

def _reset_token(world: World) -> str:
    from forum.services.accounts import password_reset

    return password_reset.create_reset_link(factories.make_user(role="admin"), world.author)


ACCOUNT_ROUTES: dict[str, Case] = {
    "auth.two_factor_page": Case("GET", lambda w: "/account/two-factor", frozenset(ROLES[1:])),
    # Without a code, each form comes back with its message (400), nothing changes.
    "auth.two_factor_setup": Case("POST", lambda w: "/account/two-factor/setup",
                                  frozenset(ROLES[1:])),
    "auth.two_factor_codes": Case("POST", lambda w: "/account/two-factor/codes",
                                  frozenset(ROLES[1:])),
    "auth.two_factor_off": Case("POST", lambda w: "/account/two-factor/off",
                                frozenset(ROLES[1:])),
    "auth.own_sanctions": Case("GET", lambda w: "/account/sanctions", frozenset(ROLES[1:])),
    "auth.export_data": Case("GET", lambda w: "/account/export", frozenset(ROLES[1:])),
    "auth.my_logins": Case("GET", lambda w: "/account/logins", frozenset(ROLES[1:])),
    "auth.my_tokens": Case("GET", lambda w: "/account/tokens", frozenset(ROLES[1:])),
    # No name: the form comes back with its message (400), no token is made.
    "auth.create_token": Case("POST", lambda w: "/account/tokens", frozenset(ROLES[1:]),
                              data=lambda w: {"scopes": "read", "lifetime": "30"}),
    "auth.delete_account:GET": Case("GET", lambda w: "/account/delete", frozenset(ROLES[1:])),
    "auth.change_email:GET": Case("GET", lambda w: "/account/email", frozenset(ROLES[1:])),
    # No password: the form comes back with its message (400), nothing is queued.
    "auth.change_email:POST": Case("POST", lambda w: "/account/email", frozenset(ROLES[1:]),
                                   data=lambda w: {"email": "new@example.org"}),
    # Each member's own choices (the page names nobody); a choice that isn't one: 400.
    "auth.mail_choices:GET": Case("GET", lambda w: "/account/mail", frozenset(ROLES[1:])),
    "auth.mail_choices:POST": Case("POST", lambda w: "/account/mail", frozenset(ROLES[1:]),
                                   data=lambda w: {"digest": "hourly"}),
    # A wrong password: the form comes back with its message (400), nothing is deleted.
    "auth.delete_account:POST": Case("POST", lambda w: "/account/delete", frozenset(ROLES[1:]),
                                     data=lambda w: {"posts": "keep", "password": "wrong"}),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(ACCOUNT_ROUTES))
def test_account_routes(client, login, world, key, role):
    case = ACCOUNT_ROUTES[key]
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    url = case.url(world)
    response = (client.post(url, data=case.data(world)) if case.method == "POST"
                else client.get(url))
    if role == "guest":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == (400 if case.method == "POST" else 200), (key, role)
        assert world.viewer.deleted_at is None


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/account/logins/{id}/end", "/account/logins/end-all"])
def test_ending_logins_is_each_members_own(client, login, world, role, path):
    from forum.services.accounts import logins

    author_login = logins.start(world.author, False, None, None)
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    response = client.post(path.format(id=author_login.id))
    if role == "guest":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    elif "{id}" in path:
        assert response.status_code == 404  # someone else's login: not theirs to end
    else:
        assert response.status_code == 302  # their own logins, all of them
    db.session.expire_all()
    assert db.session.get(type(author_login), author_login.id).revoked_at is None


@pytest.mark.parametrize("role", ROLES)
def test_a_reset_link_works_for_whoever_holds_it(client, login, world, role):
    token = _reset_token(world)
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    assert client.get(f"/account/reset/{token}").status_code == 200
    assert client.get("/account/reset/not-a-token").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_appeal_routes_for_every_role(client, login, world, role):
    """An appeal from the account concerns the viewer's own sanction: another member's is not
    found; the login refusal's form needs its token, whoever sends it; the code step of the
    login needs a right password first."""
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    response = client.post(f"/account/sanctions/{world.sanction.id}/appeal",
                           data={f"appeal-{world.sanction.id}-body": "Please look again."})
    if role == "guest":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 404, role
    assert client.post("/login/appeal", data={"token": "forged", "body": "Hi"}).status_code == 400
    code_step = client.get("/login/code")
    assert code_step.status_code == 302
    if role == "guest":
        assert code_step.headers["Location"].endswith("/login")
    else:
        assert "/login" not in code_step.headers["Location"]
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0


@pytest.mark.parametrize("role", ROLES)
def test_revoking_a_token_is_each_members_own(client, login, world, role):
    from forum.models import ApiToken
    from forum.services.accounts import tokens

    theirs = tokens.create(world.author, "Their tool", ["read"], "30").token
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    response = client.post(f"/account/tokens/{theirs.id}/revoke")
    if role == "guest":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 404  # someone else's token: not theirs to revoke
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


# -- the API: every /api/v1 route × every kind of token ---------------------------------------
API_ROLES = ("no token", "member read", "member write", "moderator", "admin", "revoked",
             "expired")
API_EVERYONE = frozenset(API_ROLES[:5])
API_WRITERS = frozenset({"member write", "moderator", "admin"})
API_MEMBERS = frozenset({"member read", "member write", "moderator", "admin"})
API_TEAM = frozenset({"moderator", "admin"})


@dataclass(frozen=True)
class ApiCase:
    method: str
    url: Callable[[World], str]
    allowed: frozenset[str]
    body: Callable[[World], dict] | None = None
    ok: int = 200
    setup: Callable[[World], None] | None = None


def _event(world: World) -> None:
    from forum.services.community import events as event_service
    from forum.services.community.events import EventData

    start = utcnow() + timedelta(days=3)
    world.spare = event_service.create_event(
        factories.make_user(role="admin"), world.here, EventData(
            title="Meetup", kind="meetup", starts_at=start.strftime("%Y-%m-%dT%H:%M"),
            ends_at=(start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"), timezone="UTC"))


API_MATRIX: dict[str, ApiCase] = {
    "api.openapi_json": ApiCase("GET", lambda w: "/openapi.json", API_EVERYONE),
    "api.docs": ApiCase("GET", lambda w: "/docs", API_EVERYONE),
    "api.me": ApiCase("GET", lambda w: "/me", API_EVERYONE),
    "api.boards": ApiCase("GET", lambda w: "/boards", API_EVERYONE),
    "api.board_threads": ApiCase("GET", lambda w: f"/boards/{w.here.slug}/threads",
                                 API_EVERYONE),
    "api.thread_posts": ApiCase("GET", lambda w: f"/threads/{w.thread.id}/posts",
                                API_EVERYONE),
    "api.get_post": ApiCase("GET", lambda w: f"/posts/{w.post.id}", API_EVERYONE),
    "api.member": ApiCase("GET", lambda w: f"/members/{w.author.username}", API_EVERYONE),
    "api.events": ApiCase("GET", lambda w: "/events", API_EVERYONE),
    "api.event": ApiCase("GET", lambda w: f"/events/{w.spare.id}", API_EVERYONE,
                         setup=_event),
    "api.search": ApiCase("GET", lambda w: "/search?q=watches", API_EVERYONE),
    "api.notification_list": ApiCase("GET", lambda w: "/notifications", API_MEMBERS),
    "api.new_thread": ApiCase("POST", lambda w: f"/boards/{w.here.slug}/threads", API_WRITERS,
                              body=lambda w: {"title": "Hello", "body": "First words"},
                              ok=201),
    "api.reply": ApiCase("POST", lambda w: f"/threads/{w.thread.id}/posts", API_WRITERS,
                         body=lambda w: {"body": "Thanks"}, ok=201),
    # Someone else's post: only a moderator's edit, with a reason.
    "api.edit_post": ApiCase("PATCH", lambda w: f"/posts/{w.post.id}", API_TEAM,
                             body=lambda w: {"body": "Watches (link removed)",
                                             "reason": "Spam link"}),
    "api.react": ApiCase("POST", lambda w: f"/posts/{w.post.id}/reactions", API_WRITERS,
                         body=lambda w: {"kind": "thanks"}),
    "api.unreact": ApiCase("DELETE", lambda w: f"/posts/{w.post.id}/reactions/thanks",
                           API_WRITERS),
    "api.file_report": ApiCase("POST", lambda w: "/reports", API_WRITERS,
                               body=lambda w: {"target": "post", "id": w.post.id,
                                               "reason": "spam"}, ok=201),
    "api.rsvp": ApiCase("PUT", lambda w: f"/events/{w.spare.id}/rsvp", API_WRITERS,
                        body=lambda w: {"answer": "going"}, setup=_event),
    "api.mark_read": ApiCase("POST", lambda w: "/notifications/read", API_WRITERS,
                             body=lambda w: {"all": True}),
    "api.queue": ApiCase("GET", lambda w: "/reports", API_TEAM),
    "api.resolve": ApiCase("POST", lambda w: f"/reports/{w.item.id}/resolve", API_TEAM,
                           body=lambda w: {"actions": ["dismiss"], "reason": "Fine"}),
}


def _api_token(role: str, world: World) -> str | None:
    from forum.services.accounts import tokens

    if role == "no token":
        return None
    if role in ("member read", "member write", "revoked", "expired"):
        user = factories.make_user()
        world.viewer = user
        scopes = ["read"] if role == "member read" else ["read", "write"]
        issued = tokens.create(user, "tool", scopes, "30",
                               now=utcnow() - timedelta(days=31) if role == "expired" else None)
        if role == "revoked":
            tokens.revoke(user, issued.token.id)
        return issued.text
    user = factories.make_user(role=role)
    world.viewer = user
    return tokens.create(user, "tool", ["read", "write", "moderate"], "30").text


def test_every_api_route_has_an_entry(app):
    routes = _routes_of(app, "api")
    missing = routes - set(API_MATRIX)
    assert not missing, f"add these routes to the API matrix: {sorted(missing)}"
    assert not set(API_MATRIX) - routes, "the API matrix names routes that no longer exist"


@pytest.mark.parametrize("role", API_ROLES)
@pytest.mark.parametrize("key", sorted(API_MATRIX))
def test_api_matrix(client, world, key, role):
    case = API_MATRIX[key]
    text = _api_token(role, world)
    if case.setup is not None:
        case.setup(world)
    db.session.expire_all()
    url = "/api/v1" + case.url(world)
    headers = {"Authorization": f"Bearer {text}"} if text else {}
    body = case.body(world) if case.body is not None else None
    response = client.open(url, method=case.method, headers=headers, json=body)
    if role in case.allowed:
        assert response.status_code == case.ok, (key, role, response.status_code,
                                                 response.get_data(as_text=True)[:300])
        return
    expected = 401 if role in ("no token", "revoked", "expired") else 403
    assert response.status_code == expected, (key, role, response.status_code,
                                              response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/problem+json"
# -- feeds, robots.txt and the sitemap: the same for everyone --------------------------------------
# Read as a guest whoever asks: every viewer gets the public document, and nobody (the team
# included) a closed board's feed, which is unknown (404) rather than refused.
NOBODY: frozenset[str] = frozenset()


def _closed_thread(world: World) -> None:
    closed = factories.make_board(access=Access.MEMBERS)
    world.spare = factories.make_thread(closed, author=factories.make_user(), title="Members talk")


FEEDS_MATRIX: dict[str, Case] = {
    "feeds.latest": Case("GET", lambda w: "/feeds/latest.atom", EVERYONE),
    "feeds.announcements": Case("GET", lambda w: "/feeds/announcements.atom", EVERYONE),
    "feeds.board": Case("GET", lambda w: f"/feeds/b/{w.here.slug}.atom", EVERYONE),
    "feeds.thread": Case("GET", lambda w: f"/feeds/t/{w.thread.id}.atom", EVERYONE),
    "seo.robots": Case("GET", lambda w: "/robots.txt", EVERYONE),
    "seo.sitemap_index": Case("GET", lambda w: "/sitemap.xml", EVERYONE),
    "seo.sitemap_part": Case("GET", lambda w: "/sitemaps/threads-1.xml", EVERYONE),
    "seo.sitemap_part_gz": Case("GET", lambda w: "/sitemaps/boards.xml.gz", EVERYONE),
}
# The same routes on what is not public: 404 for every viewer.
CLOSED_FEEDS: dict[str, Case] = {
    "feeds.board": Case("GET", lambda w: f"/feeds/b/{w.spare.board.slug}.atom", NOBODY,
                        setup=_closed_thread),
    "feeds.thread": Case("GET", lambda w: f"/feeds/t/{w.spare.id}.atom", NOBODY,
                         setup=_closed_thread),
    "seo.sitemap_part": Case("GET", lambda w: f"/sitemaps/threads-{w.spare.id}.xml", NOBODY,
                             setup=_closed_thread),
}


def test_every_feeds_and_seo_route_has_an_entry(app):
    routes = _routes_of(app, "feeds", "seo")
    assert routes == set(FEEDS_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(FEEDS_MATRIX))
def test_feeds_matrix(client, login, world, key, role):
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    for case in (FEEDS_MATRIX[key], CLOSED_FEEDS.get(key)):
        if case is None:
            continue
        if case.setup is not None:
            case.setup(world)
        db.session.expire_all()
        response = client.get(case.url(world))
        expected = 200 if role in case.allowed else 404
        assert response.status_code == expected, (key, role, response.status_code)


# -- polls: voting and who voted for everyone who reads the thread; adding and managing a poll
# for the thread's author and the board's team (the viewers here never wrote the thread) -------

def _poll(world: World) -> None:
    """A public poll on the thread "here", made by the thread's author."""
    from forum.services.community.polls import making, specs

    thread = world.thread
    db.session.refresh(thread)
    world.spare = making.add_poll(thread.author, thread, specs.PollSpec(
        question="Which watch?", options=("Steel", "Gold"), is_public=True))


def _poll_form(world: World) -> dict:
    return {"poll_question": "Which watch?", "poll_options": "Steel\nGold",
            "poll_multiple": "single", "poll_results": "always", "poll_public": "public",
            "poll_changeable": "y"}


def _choice(world: World) -> dict:
    return {"choice": str(world.spare.options[0].id)}


POLLS_MATRIX: dict[str, Case] = {
    "polls.add:GET": Case("GET", lambda w: f"/t/{w.thread.id}/poll/new", BOARD_TEAM),
    "polls.add:POST": Case("POST", lambda w: f"/t/{w.thread.id}/poll/new", BOARD_TEAM,
                           data=_poll_form),
    "polls.vote": Case("POST", lambda w: f"/polls/{w.spare.id}/vote", SIGNED_IN, data=_choice,
                       setup=_poll),
    "polls.withdraw": Case("POST", lambda w: f"/polls/{w.spare.id}/withdraw", SIGNED_IN,
                           setup=_poll),
    "polls.voters": Case("GET", lambda w: f"/polls/{w.spare.id}/voters", EVERYONE,
                         setup=_poll),
    "polls.manage": Case("GET", lambda w: f"/polls/{w.spare.id}/manage", BOARD_TEAM,
                         setup=_poll),
    "polls.edit": Case("POST", lambda w: f"/polls/{w.spare.id}/edit", BOARD_TEAM,
                       data=lambda w: {"poll_question": "Which one?",
                                       "poll_options": "Steel\nGold", "reason": "Clearer"},
                       setup=_poll),
    "polls.close": Case("POST", lambda w: f"/polls/{w.spare.id}/close", BOARD_TEAM,
                        data=lambda w: {"close_reason": "Decided"}, setup=_poll),
    "polls.delete": Case("POST", lambda w: f"/polls/{w.spare.id}/delete", BOARD_TEAM,
                         data=lambda w: {"delete_reason": "Off topic"}, setup=_poll),
}


def test_every_polls_route_has_an_entry(app):
    routes = _routes_of(app, "polls")
    assert routes == set(POLLS_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(POLLS_MATRIX))
def test_polls_matrix(client, login, world, key, role):
    case = POLLS_MATRIX[key]
    response, location = _visit(client, login, world, case, role)
    _answered_as_expected(response, location, case, key, role)
    if key in ("polls.edit", "polls.close", "polls.delete") and role in case.allowed:
        # Every viewer allowed here acts on someone else's poll: a moderator's act, logged.
        action = key.split(".")[1]
        assert db.session.scalar(select(func.count()).select_from(ModAction)
                                 .where(ModAction.action == f"poll.{action}")) == 1


@pytest.mark.parametrize("key", ["polls.vote", "polls.voters", "polls.add:GET", "polls.manage"])
def test_polls_in_a_board_a_member_cannot_read(client, login, world, key):
    """A poll in a staff board: members get 403 (a guest is asked to log in), nothing saved."""
    from forum.models import Access, PollBallot

    _poll(world)
    world.here.access = Access.STAFF
    db.session.commit()
    login(factories.make_user())
    case = POLLS_MATRIX[key]
    url = case.url(world)
    response = (client.post(url, data=case.data(world)) if case.method == "POST"
                else client.get(url))
    assert response.status_code == 403, (key, response.status_code)
    assert db.session.scalar(select(func.count()).select_from(PollBallot)) == 0


# -- contests and expert Q&As ---------------------------------------------------------------------
def _contest(world: World, phase: str) -> None:
    """A contest in "here" in ``phase`` ("entries", "voting" or "closed") by now's clock, with
    one entry by the world's author; ``spare`` is the event, ``group`` the entry. The viewer is
    old enough to vote."""
    from forum.models import Challenge, Event
    from forum.services.community import challenges
    from forum.services.community.challenges import ChallengeData
    from forum.services.community.events import local_input
    now = utcnow()
    chief = _organiser()
    world.spare = event = _make_event(chief, world, "contest", now)
    challenges.schedule(chief, event, ChallengeData(
        entries_open_at=local_input(now - timedelta(hours=1), "UTC"),
        entries_close_at=local_input(now + timedelta(days=1), "UTC"),
        voting_close_at=local_input(now + timedelta(days=2), "UTC")), now=now)
    entrant = factories.make_established_user()
    world.group = challenges.enter(entrant, event, "Entry", "Photo", now=now)
    shift = {"entries": timedelta(0), "voting": timedelta(days=1, hours=1),
             "closed": timedelta(days=3)}[phase]
    challenge = db.session.get(Challenge, event.id)
    db.session.execute(update(Challenge).where(Challenge.event_id == event.id).values(
        entries_open_at=challenge.entries_open_at - shift,
        entries_close_at=challenge.entries_close_at - shift,
        voting_close_at=challenge.voting_close_at - shift))
    if phase == "closed":
        db.session.execute(update(Event).where(Event.id == event.id).values(
            starts_at=now - timedelta(days=4), ends_at=now - timedelta(days=3)))
    if world.viewer is not None:
        world.viewer.created_at = now - timedelta(days=400)
    db.session.commit()


def _organiser() -> User:
    """The moderator who runs the world's contest and Q&A (made once per test)."""
    found = db.session.scalar(select(User).where(User.username == "organiser"))
    return found or factories.make_user(username="organiser", role="moderator")


def _make_event(author, world: World, kind: str, now):
    from forum.services.community import events
    from tests.services.event_kit import event_data

    return events.create_event(author, world.here, event_data(now + timedelta(hours=1),
                                                              kind=kind), now=now)


def _qa(world: World) -> None:
    """A Q&A in "here", running now, with a question by the world's author (``group``) and a
    second one to merge into (``sanction`` is left alone); the viewer is its expert."""
    from forum.models import Event
    from forum.services.community import expert_qa

    now = utcnow()
    chief = _organiser()
    world.spare = event = _make_event(chief, world, "qa", now)
    asker = factories.make_established_user()
    world.group = expert_qa.ask(asker, event, "First question", now=now)
    world.announcement = expert_qa.ask(factories.make_established_user(), event,
                                       "Same question", now=now)
    if world.viewer is not None:
        expert_qa.add_expert(chief, event, world.viewer.username, now=now)
    db.session.execute(update(Event).where(Event.id == event.id).values(
        starts_at=now - timedelta(minutes=5)))
    db.session.commit()


def _expert_to_remove(world: World) -> None:
    _qa(world)
    from forum.services.community import expert_qa

    chief = _organiser()
    world.post = factories.make_user(username="removable")
    expert_qa.add_expert(chief, world.spare, "removable")


ENGAGEMENT_MATRIX: dict[str, Case] = {
    "engagement.schedule:GET": Case("GET", lambda w: f"/events/{w.spare.id}/contest",
                                    BOARD_TEAM, setup=lambda w: _contest(w, "entries")),
    "engagement.schedule:POST": Case(
        "POST", lambda w: f"/events/{w.spare.id}/contest", BOARD_TEAM,
        data=lambda w: {"entries_open_at": "2030-01-01T10:00",
                        "entries_close_at": "2030-01-02T10:00",
                        "voting_close_at": "2030-01-03T10:00", "votes_per_member": "2"},
        setup=lambda w: _contest(w, "entries")),
    "engagement.entries": Case("GET", lambda w: f"/events/{w.spare.id}/entries", EVERYONE,
                               setup=lambda w: _contest(w, "entries")),
    "engagement.enter": Case("POST", lambda w: f"/events/{w.spare.id}/entries", SIGNED_IN,
                             data=lambda w: {"title": "Mine", "body": "My photo"},
                             setup=lambda w: _contest(w, "entries")),
    "engagement.vote_entry": Case(
        "POST", lambda w: f"/events/{w.spare.id}/entries/{w.group.id}/vote", SIGNED_IN,
        setup=lambda w: _contest(w, "voting")),
    "engagement.disqualify:GET": Case(
        "GET", lambda w: f"/events/{w.spare.id}/entries/{w.group.id}/disqualify", BOARD_TEAM,
        setup=lambda w: _contest(w, "voting")),
    "engagement.disqualify:POST": Case(
        "POST", lambda w: f"/events/{w.spare.id}/entries/{w.group.id}/disqualify", BOARD_TEAM,
        data=lambda w: {"reason": "Copied"}, setup=lambda w: _contest(w, "voting")),
    "engagement.results": Case("GET", lambda w: f"/events/{w.spare.id}/results", EVERYONE,
                               setup=lambda w: _contest(w, "closed")),
    "engagement.winners": Case("POST", lambda w: f"/events/{w.spare.id}/winners", BOARD_TEAM,
                               data=lambda w: {"first": str(w.group.id)},
                               setup=lambda w: _contest(w, "closed")),
    "engagement.questions": Case("GET", lambda w: f"/events/{w.spare.id}/questions", EVERYONE,
                                 setup=_qa),
    "engagement.ask": Case("POST", lambda w: f"/events/{w.spare.id}/questions", SIGNED_IN,
                           data=lambda w: {"body": "Why?"}, setup=_qa),
    "engagement.vote_question": Case(
        "POST", lambda w: f"/events/{w.spare.id}/questions/{w.group.id}/vote", SIGNED_IN,
        setup=_qa),
    # Experts answer whatever their role; the viewer is made one (others get 403: see
    # test_engagement_views).
    "engagement.answer": Case(
        "POST", lambda w: f"/events/{w.spare.id}/questions/{w.group.id}/answer", SIGNED_IN,
        data=lambda w: {"body": "Because."}, setup=_qa),
    "engagement.moderate": Case(
        "GET", lambda w: f"/events/{w.spare.id}/questions/{w.group.id}/moderate", BOARD_TEAM,
        setup=_qa),
    "engagement.hide": Case(
        "POST", lambda w: f"/events/{w.spare.id}/questions/{w.group.id}/hide", BOARD_TEAM,
        data=lambda w: {"reason": "Off-topic"}, setup=_qa),
    "engagement.merge": Case(
        "POST", lambda w: f"/events/{w.spare.id}/questions/{w.announcement.id}/merge",
        BOARD_TEAM, data=lambda w: {"target": str(w.group.id)}, setup=_qa),
    "engagement.add_expert": Case("POST", lambda w: f"/events/{w.spare.id}/experts",
                                  BOARD_TEAM, data=lambda w: {"username": "author"},
                                  setup=_qa),
    "engagement.remove_expert": Case(
        "POST", lambda w: f"/events/{w.spare.id}/experts/{w.post.id}/remove", BOARD_TEAM,
        setup=_expert_to_remove),
    "engagement.summary": Case("GET", lambda w: f"/events/{w.spare.id}/summary", EVERYONE,
                               setup=_qa),
}


def test_every_engagement_route_has_an_entry(app):
    routes = _routes_of(app, "engagement")
    assert routes == set(ENGAGEMENT_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(ENGAGEMENT_MATRIX))
def test_engagement_matrix(client, login, world, key, role):
    response, location = _visit(client, login, world, ENGAGEMENT_MATRIX[key], role)
    _answered_as_expected(response, location, ENGAGEMENT_MATRIX[key], key, role)


# -- images: the upload page for members who may post; an image for whoever may see its post ---

def _public_image(world: World) -> None:
    from forum.services.uploads import uploading
    from tests import image_kit

    maker = factories.make_user()  # the world's author is timed out
    world.spare = uploading.upload_image(maker, image_kit.jpeg(), "bench.jpg")
    posting.reply(maker, world.thread, f"![bench]({world.spare.url})")


def _closed_image(world: World) -> None:
    from forum.services.uploads import uploading
    from tests import image_kit

    closed = factories.make_board(access=Access.MEMBERS)
    maker = factories.make_user()
    thread = factories.make_thread(closed, author=maker, title="Inside")
    world.spare = uploading.upload_image(maker, image_kit.png(), "inside.png")
    posting.reply(maker, thread, f"![inside]({world.spare.url})")


def _avatar(world: World) -> None:
    """The world's author has an avatar of their own; ``spare`` is its largest file's name."""
    from forum.services.uploads import avatars
    from tests import image_kit

    world.author.avatar_keys = None
    maker = factories.make_user()
    avatars.set_avatar(maker, image_kit.png(), "me.png")
    world.author.avatar_keys = maker.avatar_keys
    db.session.commit()
    world.spare = maker.avatar_keys.split()[-1].split("/")[-1]


def _deleted_image_post(world: World) -> None:
    """A deleted post in "here" with an image; ``spare`` is the post."""
    from forum.services.uploads import uploading
    from tests import image_kit

    maker = factories.make_user()
    upload = uploading.upload_image(maker, image_kit.jpeg(), "bad.jpg")
    world.spare = posting.reply(maker, world.thread, f"![bad]({upload.url})")
    posting.delete_post(factories.make_user(role="admin"), world.spare, "Illegal")


UPLOADS_MATRIX: dict[str, Case] = {
    "uploads.purge_images": Case("POST", lambda w: f"/mod/posts/{w.spare.id}/purge-images",
                                 BOARD_TEAM, data=lambda w: {"reason": "Illegal"},
                                 setup=_deleted_image_post),
    "uploads.create:GET": Case("GET", lambda w: "/uploads/new", SIGNED_IN),
    "uploads.create:POST": Case("POST", lambda w: "/uploads/new", SIGNED_IN),
    # An empty form: the profile page again with the reason (400).
    "uploads.set_avatar": Case("POST", lambda w: "/account/avatar", SIGNED_IN),
    "uploads.remove_avatar": Case("POST", lambda w: "/account/avatar/remove", SIGNED_IN),
    "uploads.remote_images": Case("POST", lambda w: "/account/remote-images", SIGNED_IN,
                                  data=lambda w: {"load": "always"}),
    # Rank rules: moderators act on members (the author), board moderators only in their
    # boards (and a member's record is no board), never on one another.
    "uploads.reset_avatar": Case(
        "POST", lambda w: f"/mod/members/{w.author.username}/avatar/reset", MODERATORS,
        data=lambda w: {"reason": "Offensive"}, setup=_avatar),
    "uploads.avatar_file": Case("GET", lambda w: f"/avatars/{w.spare}", EVERYONE,
                                setup=_avatar),
    "uploads.image": Case("GET", lambda w: w.spare.url, EVERYONE, setup=_public_image),
    "uploads.thumbnail": Case("GET", lambda w: w.spare.thumb_url, EVERYONE,
                              setup=_public_image),
}
# The same images in a members-only board: guests are not told they exist (404).
CLOSED_IMAGES: dict[str, Case] = {
    "uploads.image": Case("GET", lambda w: w.spare.url, SIGNED_IN, setup=_closed_image),
    "uploads.thumbnail": Case("GET", lambda w: w.spare.thumb_url, SIGNED_IN,
                              setup=_closed_image),
}


def test_every_uploads_route_has_an_entry(app):
    routes = _routes_of(app, "uploads")
    assert routes == set(UPLOADS_MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(UPLOADS_MATRIX))
def test_uploads_matrix(client, login, world, key, role):
    world.viewer = _viewer(role, world)
    if world.viewer is not None:
        login(world.viewer)
    for case in (UPLOADS_MATRIX[key], CLOSED_IMAGES.get(key)):
        if case is None:
            continue
        if case.setup is not None:
            case.setup(world)
        db.session.expire_all()
        url = case.url(world)
        # An empty form: members get the form back with its error (400), never a 5xx.
        response = (client.post(url, data=case.data(world)) if case.method == "POST"
                    else client.get(url))
        location = response.headers.get("Location", "")
        if role in case.allowed:
            assert response.status_code in (200, 302, 400), (key, role, response.status_code)
            assert "/login" not in location, (key, role)
        elif case.method == "POST" or key == "uploads.create:GET":
            if role == "guest":
                assert response.status_code == 302 and "/login" in location, (key, role)
            else:
                assert response.status_code == 403, (key, role, response.status_code)
        else:
            assert response.status_code == 404, (key, role, response.status_code)
