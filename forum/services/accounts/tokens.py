"""Personal access tokens: made and revoked by their member on the account page, shown once,
and what the API checks on every call.

A token reads "agora_<id>_<secret>". The row keeps the secret's SHA-256 only (as a login
does), so the table can't be used to call the API; the id finds the row without a scan.
Scopes limit what a token may do on top of what its member may (``models.Scope``): the
policy still decides every call as it would the member's page.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ...common.timefmt import duration
from ...database import commit
from ...errors import InvalidField, NotFound, Refused
from ...extensions import db
from ...models import ApiToken, Scope, User, utcnow
from ...models.tokens import TOKEN_NAME_MAX
from ...policy import Policy, standing
from ...stores import ratelimit, settings
from .. import data_export

PREFIX = "agora_"
# A member's tokens in use at once: enough for every tool, few enough to keep track of.
ACTIVE_MAX = 20
LAST_USED_EVERY = timedelta(minutes=1)
# How long a new token lasts, by the form's choice (None: until revoked).
LIFETIMES: dict[str, tuple[int | None, object]] = {
    "30": (30, _l("30 days")),
    "90": (90, _l("90 days")),
    "365": (365, _l("A year")),
    "never": (None, _l("Until I revoke it")),
}
SCOPE_LABELS = {
    Scope.READ: _l("Read: what you may read"),
    Scope.WRITE: _l("Write: post, reply, edit, react, report, answer events, mark "
                    "notifications read"),
    Scope.MODERATE: _l("Moderate: the report queue, as your role allows"),
}


@dataclass(frozen=True)
class Issued:
    """A new token and its text, which exists only here: shown once, never stored."""

    token: ApiToken
    text: str


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def parse(text: str | None) -> tuple[int, str] | None:
    """(token id, secret) from "agora_<id>_<secret>"; None for anything else."""
    if not text or not text.startswith(PREFIX):
        return None
    token_id, _sep, secret = text[len(PREFIX):].partition("_")
    if not token_id.isdigit() or len(token_id) > 9 or not 20 <= len(secret) <= 100:
        return None
    return int(token_id), secret


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InvalidField("name", _("Give the token a name, such as the tool that will use it."))
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidField("name", _("Token names can be at most %(max)s characters.",
                                     max=TOKEN_NAME_MAX))
    return name


def _clean_scopes(actor: User, scopes: list[str] | None) -> str:
    chosen = set(scopes or [])
    if not chosen:
        raise InvalidField("scopes", _("Choose at least one scope."))
    if chosen - set(Scope):
        raise InvalidField("scopes", _("Choose scopes from the list."))
    if Scope.MODERATE in chosen and not Policy(actor).is_staff_anywhere:
        raise InvalidField("scopes", _("Only the moderation team can give a token the "
                                       "moderate scope."))
    return " ".join(scope.value for scope in Scope if scope in chosen)


def create(actor: User, name: str | None, scopes: list[str] | None, lifetime: str | None,
           now: datetime | None = None) -> Issued:
    """A new token of ``actor``'s with a name, scopes and a lifetime (a key of ``LIFETIMES``).

    Refuses (400, naming the field): no name or one over 80 characters, no scope or an
    unknown one, the moderate scope for someone outside the moderation team, an unknown
    lifetime, a member who has ``ACTIVE_MAX`` tokens in use already.
    """
    now = now or utcnow()
    name = _clean_name(name)
    scope_text = _clean_scopes(actor, scopes)
    if lifetime not in LIFETIMES:
        raise InvalidField("lifetime", _("Choose how long the token lasts."))
    days = LIFETIMES[lifetime][0]
    in_use = db.session.scalar(
        select(func.count(ApiToken.id)).where(*_in_use(actor.id, now))) or 0
    if in_use >= ACTIVE_MAX:
        raise InvalidField("name", _("You have %(max)s tokens in use already. Revoke one you "
                                     "no longer need first.", max=ACTIVE_MAX))
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user_id=actor.id, name=name, secret_hash=secret_hash(secret),
                     scopes=scope_text, created_at=now,
                     expires_at=now + timedelta(days=days) if days else None)
    db.session.add(token)
    db.session.flush()
    text = f"{PREFIX}{token.id}_{secret}"
    commit()
    return Issued(token, text)


def _in_use(user_id: int, now: datetime) -> tuple:
    return (ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None),
            (ApiToken.expires_at.is_(None)) | (ApiToken.expires_at > now))


def list_for(user: User) -> list[ApiToken]:
    """The member's tokens not revoked, newest first (expired ones too, marked on the page)."""
    return list(db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke(actor: User, token_id: int, now: datetime | None = None) -> None:
    """Revoke one of ``actor``'s tokens: the next call with it is refused. Refuses (404) a
    token that isn't theirs or was revoked already."""
    done = db.session.execute(
        update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.user_id == actor.id,
               ApiToken.revoked_at.is_(None))
        .values(revoked_at=now or utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if not done:
        db.session.rollback()
        raise NotFound(_("That token doesn't exist or was revoked already."))
    commit()


def refusal(token: ApiToken, user: User, now: datetime) -> Refused | None:
    """Why a token that matched may not be used now (401, or 403 for a suspended or banned
    member, with the reason), or None."""
    if token.revoked_at is not None:
        return Refused(_("This access token was revoked."), status=401)
    if token.expired(now):
        return Refused(_("This access token has expired. Make a new one on your account "
                         "page."), status=401)
    if user.is_deleted or not user.is_admitted:
        return Refused(_("This access token's account can't use the API."), status=401)
    # Whether any sanction is in force came with the member: most calls ask nothing more.
    sanctions = (standing.active_sanctions(user, now)
                 if user.__dict__.get("sanctioned_at_load") is not False else ())
    blocked = standing.account_block_decision(sanctions, now, user.timezone)
    if not blocked:
        return Refused(blocked.reason, status=403)
    return None


def touch(token: ApiToken, now: datetime | None = None) -> None:
    """Note that the token was used: at most once a minute, on a connection of its own (like
    a member's "last seen"), so the call's own unit of work is left alone."""
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_EVERY:
        return
    with db.engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == token.id)
                           .values(last_used_at=now))
    token.last_used_at = now


WINDOW_SECONDS = 60


def rate_key(token: ApiToken | None, address: str | None) -> str:
    """A token's calls count against the token, a guest's against their address."""
    if token is not None:
        return f"api:token:{token.id}"
    return f"api:ip:{address or 'unknown'}"


def admit(token: ApiToken | None, address: str | None, now: datetime | None = None):
    """Count one API call (setting ``api_requests_per_minute``; 0 counts nothing). Returns
    the counter's decision (for the answer's rate headers), or None when nothing is counted.
    Refuses (429 with ``retry_after``) past the minute's limit."""
    limit = settings.get("api_requests_per_minute")
    if not limit:
        return None
    decision = ratelimit.hit_apart(rate_key(token, address), limit, WINDOW_SECONDS, now)
    if not decision:
        retry = decision.retry_after or 1
        raise Refused(_("Too many calls in the last minute. Please wait %(wait)s and call "
                        "again.", wait=duration(retry)), status=429, retry_after=retry)
    return decision


@data_export.section("access_tokens")
def _exported_tokens(user: User) -> list[dict]:
    """The member's access tokens (never their secrets: only a hash is kept)."""
    rows = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at))
    return [{"name": row.name, "scopes": row.scopes.split(),
             "created_at": data_export.iso(row.created_at),
             "last_used_at": data_export.iso(row.last_used_at),
             "expires_at": data_export.iso(row.expires_at),
             "revoked_at": data_export.iso(row.revoked_at)} for row in rows]
