"""The policy as a table: each role against each action on boards, threads and posts.

``ok`` allowed, ``login`` refused with a login prompt (guests), ``no`` refused outright.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask_login import AnonymousUserMixin

from forum.extensions import db
from forum.models import Access, Board, Post, Role, User, utcnow
from forum.policy import Policy
from forum.policy.decision import Decision
from tests import factories

_seq = itertools.count(1)

ROLES = ["guest", "member", "author", "board mod here", "board mod elsewhere", "moderator",
         "admin"]


def quick_user(role: Role = Role.MEMBER) -> User:
    """A member without paying for a password hash; the policy never looks at it."""
    n = next(_seq)
    user = User(username=f"perm{n}", username_key=f"perm{n}", email=f"perm{n}@example.com",
                email_key=f"perm{n}@example.com", password_hash="!", role_value=int(role),
                timezone="UTC", post_count=0, thread_count=0,
                is_board_moderator=False, created_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user


@dataclass
class Scene:
    board: Board
    post: Post
    author: User


def scene(access: Access = Access.EVERYONE, read_only: bool = False,
          locked: bool = False, author_role: Role = Role.MEMBER,
          starters: Access = Access.MEMBERS) -> Scene:
    author = quick_user(author_role)
    board = factories.make_board(access=Access.EVERYONE)
    thread = factories.make_thread(board, author=quick_user(), title="Topic")
    post = factories.make_post(thread, author=author, body="A reply")
    board.access, board.is_read_only, thread.is_locked = access, read_only, locked
    board.thread_access = starters
    db.session.commit()
    return Scene(board=board, post=post, author=author)


def viewer(role: str, here: Scene) -> Policy:
    if role == "guest":
        return Policy(AnonymousUserMixin())
    if role == "author":
        return Policy(here.author)
    if role == "board mod here":
        return Policy(factories.make_board_moderator(quick_user(), here.board))
    if role == "board mod elsewhere":
        return Policy(factories.make_board_moderator(quick_user(), factories.make_board()))
    return Policy(quick_user({"member": Role.MEMBER, "moderator": Role.MODERATOR,
                              "admin": Role.ADMIN}[role]))



# Columns follow ROLES: guest, member, author, board mod here, board mod elsewhere, moderator,
# admin.
TABLE: dict[str, tuple[dict, Callable[[Policy, Scene], Decision], list[str]]] = {
    "view board (everyone)": (
        {}, lambda p, s: p.can_view_board(s.board),
        ["ok", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "view board (members)": (
        {"access": Access.MEMBERS}, lambda p, s: p.can_view_board(s.board),
        ["login", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "view board (staff)": (
        {"access": Access.STAFF}, lambda p, s: p.can_view_board(s.board),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "create thread": (
        {}, lambda p, s: p.can_create_thread(s.board),
        ["login", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "create thread (read-only)": (
        {"read_only": True}, lambda p, s: p.can_create_thread(s.board),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "create thread (staff board)": (
        {"access": Access.STAFF}, lambda p, s: p.can_create_thread(s.board),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "create thread (staff start threads)": (
        {"starters": Access.STAFF}, lambda p, s: p.can_create_thread(s.board),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "reply (staff start threads)": (
        {"starters": Access.STAFF}, lambda p, s: p.can_reply(s.post.thread),
        ["login", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "reply": (
        {}, lambda p, s: p.can_reply(s.post.thread),
        ["login", "ok", "ok", "ok", "ok", "ok", "ok"]),
    "reply (locked)": (
        {"locked": True}, lambda p, s: p.can_reply(s.post.thread),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "reply (read-only)": (
        {"read_only": True}, lambda p, s: p.can_reply(s.post.thread),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "edit post": (
        {}, lambda p, s: p.can_edit_post(s.post),
        ["login", "no", "ok", "ok", "no", "ok", "ok"]),
    "edit post (locked)": (
        {"locked": True}, lambda p, s: p.can_edit_post(s.post),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    "delete post": (
        {}, lambda p, s: p.can_delete_post(s.post),
        ["login", "no", "ok", "ok", "no", "ok", "ok"]),
    "delete post (locked)": (
        {"locked": True}, lambda p, s: p.can_delete_post(s.post),
        ["login", "no", "no", "ok", "no", "ok", "ok"]),
    # Someone else's post: a moderator of the board who outranks its author (can_act_on_user).
    "edit a moderator's post": (
        {"author_role": Role.MODERATOR}, lambda p, s: p.can_edit_post(s.post),
        ["login", "no", "ok", "no", "no", "no", "ok"]),
    "edit an administrator's post": (
        {"author_role": Role.ADMIN}, lambda p, s: p.can_edit_post(s.post),
        ["login", "no", "ok", "no", "no", "no", "ok"]),
    "delete a moderator's post": (
        {"author_role": Role.MODERATOR}, lambda p, s: p.can_delete_post(s.post),
        ["login", "no", "ok", "no", "no", "no", "ok"]),
    "delete an administrator's post": (
        {"author_role": Role.ADMIN}, lambda p, s: p.can_delete_post(s.post),
        ["login", "no", "ok", "no", "no", "no", "ok"]),
    "view revisions": (
        {}, lambda p, s: p.can_view_revisions(s.post),
        ["login", "no", "ok", "ok", "no", "ok", "ok"]),
}


def outcome(decision: Decision) -> str:
    if decision.allowed:
        return "ok"
    return "login" if decision.login_required else "no"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(TABLE))
def test_policy_table(app, action, role):
    setup, ask, expected = TABLE[action]
    here = scene(**setup)
    decision = ask(viewer(role, here), here)
    assert outcome(decision) == expected[ROLES.index(role)]
    if not decision.allowed:
        assert decision.reason  # every refusal says why


# -- cases the table can't hold -----------------------------------------------------------------
def test_opening_post_with_replies_needs_a_moderator(app):
    author = quick_user()
    thread = factories.make_thread(factories.make_board(), author=author)
    factories.make_post(thread, author=quick_user())
    assert outcome(Policy(author).can_delete_post(thread.first_post)) == "no"
    assert outcome(Policy(quick_user(Role.MODERATOR)).can_delete_post(thread.first_post)) == "ok"


def test_lone_opening_post_may_be_deleted_by_its_author(app):
    author = quick_user()
    thread = factories.make_thread(factories.make_board(), author=author)
    assert outcome(Policy(author).can_delete_post(thread.first_post)) == "ok"


def test_deleted_posts_are_text_only_for_moderators(app):
    here = scene()
    here.post.is_deleted = True
    db.session.commit()
    assert outcome(Policy(AnonymousUserMixin()).can_view_post(here.post)) == "no"
    assert outcome(Policy(here.author).can_view_post(here.post)) == "no"
    assert outcome(Policy(here.author).can_edit_post(here.post)) == "no"
    assert outcome(Policy(here.author).can_delete_post(here.post)) == "no"
    board_mod = factories.make_board_moderator(quick_user(), here.board)
    assert outcome(Policy(board_mod).can_view_post(here.post)) == "ok"
    assert outcome(Policy(quick_user(Role.MODERATOR)).can_view_post(here.post)) == "ok"


def test_deleted_threads_are_for_their_moderators(app):
    here = scene()
    thread = here.post.thread
    thread.is_deleted = True
    db.session.commit()
    assert outcome(Policy(here.author).can_view_thread(thread)) == "no"
    assert outcome(Policy(here.author).can_reply(thread)) == "no"
    board_mod = factories.make_board_moderator(quick_user(), here.board)
    assert outcome(Policy(board_mod).can_view_thread(thread)) == "ok"


def test_visible_boards_filter_matches_can_view_board(app):
    boards = [factories.make_board(access=a) for a in (Access.EVERYONE, Access.MEMBERS,
                                                      Access.STAFF)]
    policies = [
        Policy(AnonymousUserMixin()),
        Policy(quick_user()),
        Policy(factories.make_board_moderator(quick_user(), boards[2])),
        Policy(quick_user(Role.MODERATOR)),
    ]
    for policy in policies:
        listed = set(db.session.scalars(policy.visible_boards(db.select(Board))))
        assert listed == {b for b in boards if policy.can_view_board(b)}


# -- the classes a page of posts asks once --------------------------------------------------------
PAGE_QUESTIONS = {
    "react": lambda p, post: p.can_react(post),
    "edit": lambda p, post: p.can_edit_post(post),
    "delete": lambda p, post: p.can_delete_post(post),
    "revisions": lambda p, post: p.can_view_revisions(post),
    "report": lambda p, post: p.can_report(post),
}


@pytest.mark.parametrize("role", ["guest", "member", "author", "board mod here",
                                  "board mod elsewhere", "moderator", "timed out", "locked"])
def test_posts_of_one_class_get_the_same_answers(app, role):
    """``Policy.post_class`` promises that posts of one class get the same answer to every
    question a thread page asks; the page asks once per class. Checked against each post's own
    answers over posts that differ in every way the questions look at."""
    from forum.services.moderation import sanctions

    here = scene(locked=role == "locked")
    thread = here.post.thread
    others = [quick_user(), quick_user(Role.MODERATOR), quick_user(Role.ADMIN)]
    posts = [here.post, thread.first_post]
    for author in others:
        posts.append(factories.make_post(thread, author=author, body="Another"))
    posts[2].is_hidden = True
    posts[3].is_deleted = True
    posts[4].revision_count = 2
    for author in others:  # plain posts by members of each rank: one class for a member
        posts.append(factories.make_post(thread, author=author, body="Plain"))
    db.session.commit()
    if role == "timed out":
        asker = quick_user()
        sanctions.timeout(quick_user(Role.ADMIN), asker, "Cool off", timedelta(hours=1))
        policy = Policy(asker)
    else:
        policy = viewer("member" if role == "locked" else role, here)
    seen: dict = {}
    for post in posts:
        answers = {name: outcome(ask(policy, post)) for name, ask in PAGE_QUESTIONS.items()}
        cls = policy.post_class(post)
        if cls is None:
            continue
        assert seen.setdefault(cls, answers) == answers, (role, post.id)
    if role in ("member", "timed out", "locked"):
        assert seen, "a member's view of others' posts falls into classes"
