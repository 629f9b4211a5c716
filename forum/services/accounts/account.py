"""Registering, authenticating and changing passwords."""
from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
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
from ...common.timefmt import duration
from ...database import commit, joined
from ...errors import Refused
from ...extensions import db
from ...models import OldUsername, PasswordReset, Role, User, utcnow
from ...policy import standing
from ...stores import ratelimit
from . import addresses, bans

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


def register(data: Registration, role: Role = Role.MEMBER, now: datetime | None = None) -> User:
    """Create an account.

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
        session_token=secrets.token_hex(16),
        timezone="UTC",
        post_count=0,
        thread_count=0,
        is_board_moderator=False,
    )
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


def _account_key(login: str, user: User | None) -> str:
    # Username and email share one counter; unknown names are throttled alike, so a 429 doesn't
    # tell whether the account exists.
    if user is not None:
        return f"login:account:{user.id}"
    digest = hashlib.sha256(usernames.key(login).encode()).hexdigest()[:32]
    return f"login:name:{digest}"


def _address_key(address: str | None) -> str:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return f"login:ip:{address or 'unknown'}"
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return f"login:ip:{ip.ipv4_mapped}"
        # One IPv6 host usually holds a whole /64; per-address limits would not hold it back.
        return f"login:ip:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"login:ip:{ip}"


def _throttled(decision: ratelimit.RateDecision) -> Refused:
    retry = decision.retry_after or 1
    return Refused(
        _("Too many failed attempts. Try again in %(wait)s.", wait=duration(retry)), status=429,
        retry_after=retry
    )


def log_in(login: str, password: str, address: str | None, now: datetime | None = None) -> User:
    """The account ``login`` (username or email, any case) names, if ``password`` is right.

    Failed attempts are limited per account and per client address (``LOGIN_LIMIT_ACCOUNT``,
    ``LOGIN_LIMIT_IP``). Each attempt is counted before the password is checked, so a burst of
    parallel guesses can't all slip past a count that hasn't risen yet; a success clears the
    account's counter and gives the address its attempt back.

    Refuses: ``Refused`` (403) from an address on the ban list, before anything else, and
    for an account whose email is on one once the password is right (so a stranger learns
    nothing of the account); ``Refused`` (429, with ``retry_after``) while a limit is reached,
    even for the right password; ``Refused`` (403) for a suspended or banned member, saying
    why and until when; ``AccountError`` on field "login" for a wrong password or unknown
    account.
    """
    now = now or utcnow()
    refusal = bans.refusal_for(address=address, now=now)
    if refusal:
        raise Refused(refusal, status=403)
    user = find_login(login)
    account_key, address_key = _account_key(login, user), _address_key(address)
    by_address = ratelimit.hit(address_key, *current_app.config["LOGIN_LIMIT_IP"], now=now)
    if not by_address:
        raise _throttled(by_address)
    by_account = ratelimit.hit(account_key, *current_app.config["LOGIN_LIMIT_ACCOUNT"], now=now)
    if not by_account:
        raise _throttled(by_account)
    if user is None:
        _check_dummy(password)
        raise AccountError("login", str(LOGIN_FAILED))
    if not check_password_hash(user.password_hash, password or ""):
        raise AccountError("login", str(LOGIN_FAILED))
    with joined():
        ratelimit.reset(account_key)
        ratelimit.refund(address_key, now=now)
        addresses.record(user.id, address, now)
    commit()
    # Asked only once the password is right, so a sanction is never revealed to a stranger.
    refusal = bans.refusal_for(email=user.email, now=now) or standing.login_refusal(user, now)
    if refusal:
        raise Refused(refusal, status=403)
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Refuses: wrong current password, weak new password. Logs out other sessions and spends
    the member's open password reset links."""
    if not check_password_hash(user.password_hash, current or ""):
        raise AccountError("current_password", _("Your current password is not correct."))
    check_password(new)
    set_password(user, new)


def set_password(user: User, new: str, now: datetime | None = None) -> None:
    user.password_hash = hash_password(new)
    user.session_token = secrets.token_hex(16)
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
