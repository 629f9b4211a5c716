"""Registering, authenticating and changing passwords."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Role, User, utcnow

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.-]{3,32}$")
PASSWORD_MIN = 10
PASSWORD_MAX = 200
# Compared against when the account doesn't exist, so both paths cost one hash check.
_DUMMY_HASH = generate_password_hash("not a real password, only for timing")


class AccountError(ValueError):
    """Bad registration or password input; ``field`` names the form field to show it on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str


def check_username(username: str) -> str:
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise AccountError(
            "username",
            "Usernames are 3–32 characters: letters, digits, underscore, hyphen or dot.",
        )
    return username


def check_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError("email", f"That email address isn't valid: {error}") from None


def check_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN:
        raise AccountError("password", f"Passwords need at least {PASSWORD_MIN} characters.")
    if len(password) > PASSWORD_MAX:
        raise AccountError("password", f"Passwords can be at most {PASSWORD_MAX} characters.")
    return password


def username_taken(username: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.username_key == username.lower())
    ) > 0


def email_taken(email: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.email_key == email.lower())
    ) > 0


def register(data: Registration, role: Role = Role.MEMBER, now: datetime | None = None) -> User:
    """Create an account.

    Refuses (``AccountError``): malformed username, email or password; a username or email that
    is already taken, ignoring case.
    """
    username = check_username(data.username)
    email = check_email(data.email)
    password = check_password(data.password)
    if username_taken(username):
        raise AccountError("username", "That username is taken. Please choose another.")
    if email_taken(email):
        raise AccountError("email", "An account with that email already exists.")
    user = User(
        username=username,
        username_key=username.lower(),
        email=email,
        email_key=email.lower(),
        password_hash=generate_password_hash(password),
        role_value=int(role),
        created_at=now or utcnow(),
        session_token=secrets.token_hex(16),
        timezone="UTC",
        post_count=0,
        thread_count=0,
        is_board_moderator=False,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        # Two sign-ups raced for the same name; the unique index decided.
        db.session.rollback()
        raise AccountError("username", "That username or email is taken.") from None
    return user


def find_login(login: str) -> User | None:
    login = (login or "").strip().lower()
    if not login:
        return None
    column = User.email_key if "@" in login else User.username_key
    return db.session.scalar(select(User).where(column == login))


def authenticate(login: str, password: str) -> User | None:
    """The user whose username or email and password match, else None."""
    user = find_login(login)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or ""):
        return None
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Refuses: wrong current password, weak new password. Logs out other sessions."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError("current_password", "Your current password is not correct.")
    check_password(new)
    set_password(user, new)


def set_password(user: User, new: str) -> None:
    user.password_hash = generate_password_hash(new)
    user.session_token = secrets.token_hex(16)
    db.session.commit()
