"""Registering, authenticating and changing passwords."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ...common import usernames
from ...database import commit, joined
from ...errors import Refused
from ...extensions import db
from ...models import OldUsername, PasswordReset, Role, User, utcnow
from ...policy import standing
from . import addresses, bans, devices, login_throttle, logins

# Deleted accounts are renamed "deleted-<id>"; nobody else may take such a name (matched on
# the key, so no other case or width of it either).
RESERVED_USERNAME_RE = re.compile(r"^deleted-\d+$")
PASSWORD_MIN = 10
PASSWORD_MAX = 200
# One message for an unknown account and a wrong password, so the form reveals no accounts.
LOGIN_FAILED = _l("That username/email and password don't match.")
# Compared against when the account doesn't exist, so both paths cost one hash check; one per
# hashing method, so the two paths stay alike when PASSWORD_HASH_METHOD is changed.
_dummy_hashes: dict[str, str] = {}


class AccountError(ValueError):
    """Bad registration or password input; ``field`` names the form field to show it on."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class BlockedLogin(Refused):
    """The password was right, but a suspension or ban keeps the member out (403); carries the
    member and the sanction, so the refusal can offer an appeal."""

    def __init__(self, reason: str, user: User, sanction) -> None:
        super().__init__(reason, status=403)
        self.user = user
        self.sanction = sanction


@dataclass(frozen=True)
class Registration:
    username: str
    email: str
    password: str
    # Where the sign-up came from: checked against the ban lists and kept with the account.
    address: str | None = None


def _hash_method() -> str:
    # Werkzeug's default (scrypt) unless configured; test suites pick a cheap one for speed.
    return current_app.config.get("PASSWORD_HASH_METHOD") or "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_hash_method())


def _check_dummy(password: str) -> None:
    method = _hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("not a real password", method=method)
    check_password_hash(_dummy_hashes[method], password or "")


_USERNAME_FORMAT = _l("Usernames are 3–32 characters: letters, digits, underscore, hyphen or dot.")
_USERNAME_PROBLEMS = {
    usernames.Problem.INVISIBLE: _l(
        "Usernames can't contain invisible characters (such as zero-width or text direction "
        "marks)."),
    usernames.Problem.SPACE: _l("Usernames can't contain spaces."),
    usernames.Problem.LONE_MARK: _l("An accent mark in a username needs a letter to sit on."),
    usernames.Problem.STACKED_MARKS: _l("That's too many accent marks on one letter."),
    usernames.Problem.FOLDED_LENGTH: _l(
        "That name is too long once it is compared with others, where “ß” counts as “ss”. "
        "Please shorten it."),
}
USERNAME_CONFUSABLE = _l("That name looks too much like an existing member's name, so people "
                         "could mistake one for the other. Please choose another.")


def check_username(username: str) -> str:
    """The name as it will be stored (trimmed, NFKC-normalised), if it may be a username.
    Refuses (``AccountError``): a name that breaks the rules of ``common.usernames``, saying
    which; a "deleted-<id>" name."""
    problem = usernames.problem(username)
    if problem is not None:
        raise AccountError("username", str(_USERNAME_PROBLEMS.get(problem, _USERNAME_FORMAT)))
    username = usernames.normalise(username)
    if RESERVED_USERNAME_RE.match(usernames.key(username)):
        raise AccountError("username", _("That username is reserved. Please choose another."))
    return username


def check_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise AccountError("email", _("That email address isn't valid: %(problem)s",
                                              problem=str(error))) from None


def check_password(password: str) -> str:
    if len(password or "") < PASSWORD_MIN:
        raise AccountError("password", _("Passwords need at least %(min)s characters.",
                                               min=PASSWORD_MIN))
    if len(password) > PASSWORD_MAX:
        raise AccountError("password", _("Passwords can be at most %(max)s characters.",
                                               max=PASSWORD_MAX))
    return password


def username_taken(username: str) -> bool:
    """Whether a member has this name, in any case or normalisation."""
    return db.session.scalar(
        select(func.count()).select_from(User)
        .where(User.username_key == usernames.key(username))
    ) > 0


def username_confusable(username: str, user: User | None = None) -> bool:
    """Whether another member than ``user`` has a name that looks like this one (the same
    skeleton): one query on the unique skeleton index."""
    query = select(User.id).where(User.username_skeleton == usernames.skeleton(username))
    if user is not None:
        query = query.where(User.id != user.id)
    return db.session.scalar(query.limit(1)) is not None


def check_username_free(username: str, user: User | None = None) -> None:
    """Refuses (``AccountError``) a name another member than ``user`` has, or one that looks
    like theirs."""
    key = usernames.key(username)
    if (user is None or key != user.username_key) and username_taken(username):
        raise AccountError("username", _("That username is taken. Please choose another."))
    if username_confusable(username, user):
        raise AccountError("username", str(USERNAME_CONFUSABLE))


def email_taken(email: str) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(User).where(User.email_key == email.lower())
    ) > 0


def free_old_username(username: str) -> None:
    """Someone takes a name another member left behind: its redirect ends."""
    db.session.execute(
        delete(OldUsername).where(OldUsername.username_key == usernames.key(username))
    )


def register(data: Registration, role: Role = Role.MEMBER, now: datetime | None = None,
             *, confirmed: bool = False) -> User:
    """Create an account. ``confirmed``: its email counts as confirmed (an administrator
    made by a command, the demo), so no confirmation is asked for.

    Refuses (``AccountError``): malformed username, email or password; a username or email that
    is already taken, ignoring case (and normalisation); a username that looks like a member's;
    an email or address on a ban list (field "ban", shown above the form).
    """
    refusal = bans.refusal_for(email=data.email, address=data.address, now=now)
    if refusal:
        raise AccountError("ban", refusal)
    username = check_username(data.username)
    email = check_email(data.email)
    password = check_password(data.password)
    check_username_free(username)
    if email_taken(email):
        raise AccountError("email", _("An account with that email already exists."))
    user = User(
        username=username,
        username_key=usernames.key(username),
        username_skeleton=usernames.skeleton(username),
        email=email,
        email_key=email.lower(),
        password_hash=hash_password(password),
        role_value=int(role),
        created_at=now or utcnow(),
        timezone="UTC",
        post_count=0,
        thread_count=0,
        is_board_moderator=False,
    )
    if confirmed:
        user.email_confirmed_at = user.created_at
    free_old_username(username)
    db.session.add(user)
    try:
        commit()
    except IntegrityError:
        # Two sign-ups raced for the same name, or for two names alike; the unique indexes
        # (key and skeleton) decided.
        db.session.rollback()
        raise AccountError("username", _("That username or email is taken.")) from None
    if addresses.record(user.id, data.address, user.created_at):
        commit()
    return user


def find_login(login: str) -> User | None:
    """The account a username or email (any case) names."""
    login = (login or "").strip()
    if not login:
        return None
    if "@" in login:
        return db.session.scalar(select(User).where(User.email_key == login.lower()))
    return db.session.scalar(select(User).where(User.username_key == usernames.key(login)))


def log_in(login: str, password: str, address: str | None, now: datetime | None = None,
           device: str | None = None) -> User:
    """The account ``login`` (username or email, any case) names, if ``password`` is right.

    Failed attempts slow down (``login_throttle``): per (account, address) pair and per
    address, or, for a browser whose ``device`` cookie says it logged in to this account
    before, per browser. A success forgets the pair's failures.

    Refuses: ``Refused`` (403) from an address on the ban list, before anything else, and
    for an account whose email is on one once the password is right (so a stranger learns
    nothing of the account); ``Refused`` (429, with ``retry_after``) while a wait is running,
    even for the right password; ``Refused`` (403) for an account waiting for approval or
    rejected, and for a suspended or banned member, saying why and until when;
    ``AccountError`` on field "login" for a wrong password or unknown account.
    """
    now = now or utcnow()
    refusal = bans.refusal_for(address=address, now=now)
    if refusal:
        raise Refused(refusal, status=403)
    user = find_login(login)
    counted = login_throttle.counters(login, user, address, devices.read(device))
    login_throttle.count_attempt(counted, now)
    if user is None:
        _check_dummy(password)
        raise AccountError("login", str(LOGIN_FAILED))
    if not check_password_hash(user.password_hash, password or ""):
        raise AccountError("login", str(LOGIN_FAILED))
    with joined():
        login_throttle.succeeded(counted, now)
        addresses.record(user.id, address, now)
    commit()
    # Asked only once the password is right, so a sanction is never revealed to a stranger.
    refusal = bans.refusal_for(email=user.email, now=now) or approval_refusal(user)
    if refusal:
        raise Refused(refusal, status=403)
    blocking = standing.login_block(user, now)
    if blocking is not None:
        raise BlockedLogin(standing.account_message(blocking, user.timezone), user, blocking)
    return user


def approval_refusal(user: User) -> str | None:
    """Why an account that has not been admitted can't log in, or None."""
    if user.approval_state == "waiting":
        return _("Your account waits for approval by the administrators. You can log in as "
                 "soon as they approve it; you'll find a notification then.")
    if user.approval_state == "rejected":
        if user.approval_reason:
            return _("Your request to join was declined: %(reason)s",
                     reason=user.approval_reason)
        return _("Your request to join was declined.")
    return None


def change_password(user: User, current: str, new: str, now: datetime | None = None) -> None:
    """Refuses: wrong current password, weak new password. Ends every login of the member
    (this one too: the page starts a new one) and spends their open password reset links."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError("current_password", _("Your current password is not correct."))
    check_password(new)
    set_password(user, new, now)


def set_password(user: User, new: str, now: datetime | None = None) -> None:
    user.password_hash = hash_password(new)
    logins.end_all(user.id, now)
    spend_resets(user, now)
    commit()


def spend_resets(user: User, now: datetime | None = None) -> None:
    """A reset link made before the password changed must not change it back: spent."""
    db.session.execute(
        update(PasswordReset)
        .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
        .values(used_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is the member's, for pages that ask for it again."""
    return check_password_hash(user.password_hash, password or "")
