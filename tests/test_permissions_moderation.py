"""Role × moderation question: who may moderate, report and read the team's tools."""
from __future__ import annotations

import pytest

from forum.policy import Policy
from tests import factories
from tests.permission_kit import VIEWERS, answers


def row(*values: str) -> dict[str, str]:
    return dict(zip(VIEWERS, values, strict=True))


TABLE = {
    "moderate this board": (
        lambda p, b, u: p.can_moderate_board(b),
        row("login", "no", "no", "yes", "yes", "yes"),
    ),
    "act on a member here": (
        lambda p, b, u: p.can_act_on_user(u["member"], b),
        row("login", "no", "no", "yes", "yes", "yes"),
    ),
    "act on a member site-wide": (
        lambda p, b, u: p.can_act_on_user(u["member"]),
        row("login", "no", "no", "no", "yes", "yes"),
    ),
    "act on a board moderator": (
        lambda p, b, u: p.can_act_on_user(u["other_board_moderator"], b),
        row("login", "no", "no", "no", "no", "yes"),
    ),
    "act on a moderator": (
        lambda p, b, u: p.can_act_on_user(u["moderator"], b),
        row("login", "no", "no", "no", "no", "yes"),
    ),
    "act on an admin": (
        lambda p, b, u: p.can_act_on_user(u["admin"], b),
        row("login", "no", "no", "no", "no", "no"),  # the admin is themself; others: below
    ),
    "report a member": (
        lambda p, b, u: p.can_report(u["member"]),
        row("login", "no", "yes", "yes", "yes", "yes"),  # the member can't report themself
    ),
    "see the report queue": (
        lambda p, b, u: p.can_view_reports(),
        row("login", "no", "yes", "yes", "yes", "yes"),
    ),
    "see and write member notes": (
        lambda p, b, u: p.can_view_member_notes(),
        row("login", "no", "yes", "yes", "yes", "yes"),
    ),
    "read the moderation log": (
        lambda p, b, u: p.can_view_mod_log(),
        row("login", "no", "no", "no", "yes", "yes"),
    ),
    "export the log": (
        lambda p, b, u: p.can_export_mod_log(),
        row("login", "no", "no", "no", "no", "yes"),
    ),
    "change roles": (
        lambda p, b, u: p.can_manage_roles(),
        row("login", "no", "no", "no", "no", "yes"),
    ),
    "change settings": (
        lambda p, b, u: p.can_manage_settings(),
        row("login", "no", "no", "no", "no", "yes"),
    ),
    "edit canned responses": (
        lambda p, b, u: p.can_manage_canned_responses(),
        row("login", "no", "no", "no", "no", "yes"),
    ),
    "manage categories and boards": (
        lambda p, b, u: p.can_manage_structure(),
        row("login", "no", "no", "no", "no", "yes"),
    ),
}


@pytest.mark.parametrize("question", list(TABLE))
def test_moderation_matrix(role_world, question):
    ask, expected = TABLE[question]
    assert answers(role_world, ask) == expected


def test_admins_act_on_other_admins(role_world):
    _, users = role_world
    other_admin = factories.make_user(role="admin")
    assert Policy(users["admin"]).can_act_on_user(other_admin)
    assert not Policy(users["moderator"]).can_act_on_user(other_admin)


def test_handling_reports_follows_the_board(role_world):
    board, users = role_world
    post_item = type("Item", (), {"thread_id": 1, "thread": type("T", (), {"board": board})})()
    member_item = type("Item", (), {"thread_id": None})()
    assert {n: bool(Policy(users[n]).can_handle_report(post_item)) for n in VIEWERS} == {
        "guest": False, "member": False, "other_board_moderator": False,
        "board_moderator": True, "moderator": True, "admin": True}
    assert {n: bool(Policy(users[n]).can_handle_report(member_item)) for n in VIEWERS} == {
        "guest": False, "member": False, "other_board_moderator": False,
        "board_moderator": False, "moderator": True, "admin": True}


def test_release_is_for_the_claimer_or_an_administrator(app):
    from forum.services.moderation import reports as reports_service
    from tests.services.moderation_kit import reported_post

    _post, item = reported_post()
    claimer = factories.make_user(role="moderator")
    reports_service.claim(claimer, item)
    assert Policy(claimer).can_release(item)
    assert Policy(factories.make_user(role="admin")).can_release(item)
    refused = Policy(factories.make_user(role="moderator")).can_release(item)
    assert not refused and "claimed this report" in refused.reason
    assert not Policy(factories.make_user()).can_release(item)
