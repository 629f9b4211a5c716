"""Boards limited to groups, as a table: who reads, starts threads and replies, for each kind of
viewer; and ``visible_boards`` (the SQL form of the rule) agreeing with ``can_view_board``.

``ok`` allowed, ``login`` refused with a login prompt (guests), ``no`` refused outright.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select

from forum.extensions import db
from forum.models import Access, Board, Event, GroupMember, Role, utcnow
from forum.policy import Policy
from forum.services.community import event_listing
from tests import factories
from tests.test_permissions import outcome, quick_user

ROLES = ["guest", "member in group", "member in other group", "member in no group",
         "board mod here", "board mod elsewhere", "moderator", "admin"]


@pytest.fixture
def scene(app):
    board = factories.make_board(slug="club")
    thread = factories.make_thread(board, author=quick_user(), title="Topic")
    club, other = factories.make_group("Makers Club"), factories.make_group("Beta testers")
    return board, thread, club, other


def viewer(role: str, board: Board, club, other) -> Policy:
    if role == "guest":
        return Policy(AnonymousUserMixin())
    if role == "board mod here":
        return Policy(factories.make_board_moderator(quick_user(), board))
    if role == "board mod elsewhere":
        return Policy(factories.make_board_moderator(quick_user(), factories.make_board()))
    if role in ("moderator", "admin"):
        return Policy(quick_user(Role.MODERATOR if role == "moderator" else Role.ADMIN))
    user = quick_user()
    group = {"member in group": club, "member in other group": other}.get(role)
    if group is not None:
        factories.make_group(members=[user])  # a group of no consequence beside it
        db.session.add(GroupMember(group_id=group.id, user_id=user.id))
        db.session.commit()
    return Policy(user)


# Columns follow ROLES.
TABLE = {
    "read, no groups": (
        {}, "read", ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "read, read groups": (
        {"read": True}, "read", ["login", "ok", "no", "no", "ok", "no", "ok", "ok"]),
    "read, read groups, members board": (
        {"read": True, "access": Access.MEMBERS}, "read",
        ["login", "ok", "no", "no", "ok", "no", "ok", "ok"]),
    "read, read groups, staff board": (
        {"read": True, "access": Access.STAFF}, "read",
        ["login", "no", "no", "no", "ok", "no", "ok", "ok"]),
    "read, post groups only": (
        {"post": True}, "read", ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "start thread, post groups": (
        {"post": True}, "start", ["login", "ok", "no", "no", "ok", "no", "ok", "ok"]),
    "reply, post groups": (
        {"post": True}, "reply", ["login", "ok", "no", "no", "ok", "no", "ok", "ok"]),
    "reply, read groups": (
        {"read": True}, "reply", ["login", "ok", "no", "no", "ok", "no", "ok", "ok"]),
    "start thread, read groups, staff start threads": (
        {"read": True, "starters": Access.STAFF}, "start",
        ["login", "no", "no", "no", "ok", "no", "ok", "ok"]),
    "create event, post groups, member events": (
        {"post": True, "events": True}, "event",
        ["login", "ok", "no", "no", "ok", "no", "ok", "ok"]),
}


def _ask(policy: Policy, question: str, board: Board, thread):
    if question == "read":
        return policy.can_view_board(board)
    if question == "start":
        return policy.can_create_thread(board)
    if question == "event":
        return policy.can_create_event(board)
    return policy.can_reply(thread)


@pytest.mark.parametrize("name", sorted(TABLE))
def test_group_table(scene, name):
    board, thread, club, other = scene
    settings, question, expected = TABLE[name]
    board.access = settings.get("access", Access.EVERYONE)
    board.thread_access = settings.get("starters", Access.MEMBERS)
    board.allows_member_events = settings.get("events", False)
    db.session.commit()
    factories.limit_board(board, read=[club] if settings.get("read") else [],
                          post=[club] if settings.get("post") else [])
    got = [outcome(_ask(viewer(role, board, club, other), question, board, thread))
           for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


def test_refusals_say_why(scene):
    board, thread, club, other = scene
    factories.limit_board(board, read=[club], post=[other])
    outsider = Policy(quick_user())
    assert outsider.can_view_board(board).reason == (
        "This board is open to members of certain groups only.")
    guest = Policy(AnonymousUserMixin()).can_view_board(board)
    assert guest.login_required
    reader = quick_user()
    db.session.add(GroupMember(group_id=club.id, user_id=reader.id))
    db.session.commit()
    refusal = Policy(reader).can_reply(thread)
    assert not refusal
    assert refusal.reason == "Only members of certain groups can post in this board."


def test_any_one_of_the_groups_opens_the_board(scene):
    board, _thread, club, other = scene
    factories.limit_board(board, read=[club, other], post=[club, other])
    user = quick_user()
    db.session.add(GroupMember(group_id=other.id, user_id=user.id))
    db.session.commit()
    assert Policy(user).can_view_board(board)
    assert Policy(user).can_create_thread(board)


@pytest.mark.parametrize("role", ROLES)
def test_visible_boards_agrees_with_can_view_board(scene, role):
    board, _thread, club, other = scene
    open_board = factories.make_board(slug="open")
    members_board = factories.make_board(slug="members", access=Access.MEMBERS)
    factories.limit_board(members_board, read=[other])
    staff_board = factories.make_board(slug="staffroom", access=Access.STAFF)
    factories.limit_board(staff_board, read=[club])
    factories.limit_board(board, read=[club], post=[other])
    policy = viewer(role, board, club, other)
    boards = list(db.session.scalars(select(Board).order_by(Board.id)))
    listed = set(db.session.scalars(policy.visible_boards(select(Board.id))))
    assert listed == {b.id for b in boards if policy.can_view_board(b)}
    assert open_board.id in listed


def test_board_visibility_key_changes_with_the_groups(scene):
    _board, _thread, club, other = scene
    one, two = quick_user(), quick_user()
    db.session.add(GroupMember(group_id=club.id, user_id=one.id))
    db.session.commit()
    assert Policy(one).board_visibility != Policy(two).board_visibility
    assert Policy(two).board_visibility == Policy(quick_user()).board_visibility


def test_public_calendar_feed_leaves_out_group_boards(scene):
    board, _thread, club, _other = scene
    open_board = factories.make_board(slug="open")
    author = quick_user()
    now = utcnow()
    for where in (board, open_board):
        db.session.add(Event(board_id=where.id, thread_id=factories.make_thread(where).id,
                             author_id=author.id, title=f"At {where.slug}", kind="meetup",
                             starts_at=now + timedelta(days=3),
                             ends_at=now + timedelta(days=3, hours=2), timezone="UTC"))
    db.session.commit()
    assert len(event_listing.public_upcoming(now)) == 2
    factories.limit_board(board, read=[club])
    assert [e.title for e in event_listing.public_upcoming(now)] == ["At open"]
