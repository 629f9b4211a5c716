"""Small factories for test data, going through the real services where rules matter."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime

from forum.common import usernames
from forum.extensions import db
from forum.models import (
    Access,
    Board,
    BoardGroup,
    BoardModerator,
    Category,
    Group,
    GroupLimit,
    GroupMember,
    Role,
    Thread,
    User,
)
from forum.services import notification_texts
from forum.services.accounts import account
from forum.services.content import posting

PASSWORD = "correct horse battery"
_seq = itertools.count(1)

ROLES = {"member": Role.MEMBER, "moderator": Role.MODERATOR, "admin": Role.ADMIN}


def make_user(username: str | None = None, role: str = "member", password: str = PASSWORD,
              email: str | None = None, **fields) -> User:
    n = next(_seq)
    username = username or f"user{n}"
    # Members made here have confirmed their address unless a test says otherwise.
    confirmed = fields.pop("confirmed", True)
    user = account.register(
        account.Registration(
            username=username, email=email or f"{username.lower()}@example.com", password=password
        ),
        role=ROLES[role], confirmed=confirmed,
    )
    for key, value in fields.items():
        setattr(user, key, value)
    db.session.commit()
    return user


# Long past any new-member limits (``pace.is_new_member``), whatever clock a test runs at.
ESTABLISHED = {"created_at": datetime(2020, 1, 1, tzinfo=UTC), "post_count": 100}


def make_established_user(username: str | None = None, role: str = "member", **fields) -> User:
    """A member who is no longer new: their reports count toward hiding a post."""
    return make_user(username, role, **{**ESTABLISHED, **fields})


def make_category(title: str = "General", position: int | None = None) -> Category:
    category = Category(title=title, position=next(_seq) if position is None else position)
    db.session.add(category)
    db.session.commit()
    return category


def make_board(category: Category | None = None, slug: str | None = None,
               title: str | None = None, access: Access = Access.EVERYONE,
               is_read_only: bool = False, **fields) -> Board:
    category = category or make_category()
    n = next(_seq)
    board = Board(
        category_id=category.id,
        slug=slug or f"board-{n}",
        title=title or f"Board {n}",
        description=fields.pop("description", "A board for tests"),
        position=fields.pop("position", n),
        access=access,
        is_read_only=is_read_only,
        **fields,
    )
    db.session.add(board)
    db.session.commit()
    return board


def make_thread(board: Board, author: User | None = None, title: str = "A thread",
                body: str = "The opening post.", **fields) -> Thread:
    author = author or make_user()
    # Build through the service with an actor allowed to post, then apply test-only state.
    actor = author
    if not author.is_moderator and (board.is_read_only or board.access == Access.STAFF):
        board_ro, board.is_read_only = board.is_read_only, False
        access, board.access = board.access, Access.EVERYONE
        thread = posting.create_thread(actor, board, title, body)
        board.is_read_only, board.access = board_ro, access
    else:
        thread = posting.create_thread(actor, board, title, body)
    for key, value in fields.items():
        setattr(thread, key, value)
    db.session.commit()
    return thread


def make_post(thread: Thread, author: User | None = None, body: str = "A reply."):
    author = author or make_user()
    locked, thread.is_locked = thread.is_locked, False
    post = posting.reply(author, thread, body)
    thread.is_locked = locked
    db.session.commit()
    return post


def make_board_moderator(user: User, board: Board) -> User:
    db.session.add(BoardModerator(user_id=user.id, board_id=board.id))
    user.is_board_moderator = True
    db.session.commit()
    return user


def make_group(name: str | None = None, members=()) -> Group:
    """A group with ``members`` in it, written directly (the service is tested on its own)."""
    n = next(_seq)
    name = name or f"Group {n}"
    group = Group(name=name, name_key=name.lower())
    db.session.add(group)
    db.session.flush()
    for user in members:
        db.session.add(GroupMember(group_id=group.id, user_id=user.id))
    db.session.commit()
    return group


def limit_board(board: Board, read=(), post=()) -> Board:
    """Add groups to a board's read and post lists."""
    for kind, groups in ((GroupLimit.READ, read), (GroupLimit.POST, post)):
        for group in groups:
            db.session.add(BoardGroup(board_id=board.id, group_id=group.id, kind=kind.value))
    db.session.commit()
    db.session.expire(board)
    return board


def quick_users(count: int, prefix: str = "author") -> list[User]:
    """Many authors without paying for a password hash each (they can't log in)."""
    from forum.models import utcnow

    users = [
        User(username=f"{prefix}{n}", username_key=f"{prefix}{n}",
             username_skeleton=usernames.skeleton(f"{prefix}{n}"), email=f"{prefix}{n}@example.com",
             email_key=f"{prefix}{n}@example.com", password_hash="!", role_value=int(Role.MEMBER),
             timezone="UTC", post_count=0, thread_count=0,
             is_board_moderator=False, created_at=utcnow())
        for n in range(count)
    ]
    db.session.add_all(users)
    db.session.commit()
    return users


def text(response) -> str:
    return response.get_data(as_text=True)


def password_matches(login: str, password: str) -> User | None:
    """The account whose name or email and password match, else None (no throttling)."""
    from werkzeug.security import check_password_hash

    from forum.services.accounts import account

    user = account.find_login(login)
    if user is None or not check_password_hash(user.password_hash, password):
        return None
    return user


def said(note) -> str:
    """A notification's line as its reader sees it, in the current language."""
    return notification_texts.shown(note).text


def said_body(note) -> str | None:
    """The longer text under a notification's line, as its reader sees it."""
    return notification_texts.shown(note).body


def login_cookie(user: User) -> str:
    """What a browser logged in as ``user`` keeps in its session: a real login's id and
    secret, started here unless this object already holds one."""
    from forum.services.accounts import logins

    if getattr(user, "login_cookie", None) is None:
        logins.start(user, False, "127.0.0.1", None)
    return user.get_id()
