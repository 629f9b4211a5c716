"""A member's logins, one per browser or device: started at login, listed on the account page,
ended one at a time or all at once.

A cookie names its login as "<id>:<secret>"; the row keeps only the secret's SHA-256, so the
table can't be used to log in. Ending a login is a mark in the row: the next request with its
cookie finds it ended and is a guest's, wherever the cookie was copied to.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, or_, select, update

from ...common import useragents
from ...database import commit
from ...errors import NotFound
from ...extensions import db
from ...models import Login, User, utcnow
from ...models.logins import ADDRESS_MAX, USER_AGENT_MAX


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def idle_limit() -> timedelta:
    """A login unused this long has ended: as long as a remember-me cookie lives."""
    seconds = current_app.config.get("REMEMBER_COOKIE_DURATION", 30 * 24 * 3600)
    return seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)


def parse_cookie(value: str) -> tuple[int, str] | None:
    """(login id, secret) from a cookie's "<id>:<secret>"; None for anything else, such as the
    "<member id>:<token>" cookies of before logins had rows."""
    login_id, _, secret = (value or "").partition(":")
    if not login_id.isdigit() or len(login_id) > 18 or len(secret) < 20:
        return None
    return int(login_id), secret


def start(user: User, remember: bool, address: str | None, user_agent: str | None,
          now: datetime | None = None) -> Login:
    """A new login for ``user`` on this browser; ``user.login_cookie`` is set to its cookie
    value (the only place the secret is kept)."""
    now = now or utcnow()
    secret = secrets.token_urlsafe(24)
    login = Login(user_id=user.id, secret_hash=secret_hash(secret), created_at=now,
                  last_seen_at=now, remember=remember,
                  address=(address or None) and address[:ADDRESS_MAX],
                  user_agent=(user_agent or None) and user_agent[:USER_AGENT_MAX])
    db.session.add(login)
    db.session.flush()
    user.login_cookie = f"{login.id}:{secret}"  # read before the commit expires the row
    commit()
    return login


def end(user: User, login_id: int | None, now: datetime | None = None) -> None:
    """End one of ``user``'s logins (logging out there). Refuses (404) a login that isn't
    theirs or has ended already."""
    ended = db.session.execute(
        update(Login)
        .where(Login.id == login_id, Login.user_id == user.id, Login.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not ended:
        db.session.rollback()
        raise NotFound(_("That login has ended already."))
    commit()


def end_current(user: User, now: datetime | None = None) -> None:
    """Logging out: the login this request came with ends, if it hasn't yet."""
    if user.login_id is not None:
        db.session.execute(
            update(Login)
            .where(Login.id == user.login_id, Login.user_id == user.id,
                   Login.revoked_at.is_(None))
            .values(revoked_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
        commit()


def end_all(user_id: int, now: datetime | None = None) -> int:
    """Every login the member has open ends (password changed, sessions ended by an
    administrator, login blocked, account deleted). Part of the caller's transaction: the
    caller commits. Returns how many ended."""
    return db.session.execute(
        update(Login)
        .where(Login.user_id == user_id, Login.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount


def end_everywhere(user: User, now: datetime | None = None) -> int:
    """"Log out everywhere": every login of the member ends, this one too."""
    ended = end_all(user.id, now)
    commit()
    return ended


def forget(user_id: int) -> None:
    """A deleted account's logins go, with what they recorded. The caller commits."""
    db.session.execute(delete(Login).where(Login.user_id == user_id)
                       .execution_options(synchronize_session=False))


def open_logins(user: User, now: datetime | None = None) -> list[Login]:
    """The member's logins still in use, the most recently seen first."""
    now = now or utcnow()
    return list(db.session.scalars(
        select(Login)
        .where(Login.user_id == user.id, Login.revoked_at.is_(None),
               Login.last_seen_at > now - idle_limit())
        .order_by(Login.last_seen_at.desc(), Login.id.desc())
    ))


def device(login: Login) -> useragents.Device:
    return useragents.describe(login.user_agent)


def purge(now: datetime | None = None, keep: timedelta = timedelta(days=7)) -> int:
    """Delete logins ended or idle for a while: addresses aren't kept longer than needed."""
    now = now or utcnow()
    gone = db.session.execute(
        delete(Login).where(or_(Login.revoked_at < now - keep,
                                Login.last_seen_at < now - idle_limit() - keep))
    ).rowcount
    commit()
    return gone
