"""Two-step login: one-time codes from an authenticator app (TOTP, RFC 6238) and recovery codes.

The secret is stored encrypted with a key derived from ``SECRET_KEY`` (``_seal``): a copy of the
database alone (a backup, a leaked dump) does not give anyone the codes. The cipher is HMAC-SHA256
in counter mode with a random nonce, and an HMAC tag that tells a secret sealed under another
``SECRET_KEY`` from a wrong code: after the key is changed, members with two-step login use a
recovery code (or an administrator turns it off for them) and set it up again.

A code is accepted for the 30-second step before, at and after the server's clock, and never
twice: the last accepted step is stored, and moved on by a conditional update so two requests
with the same code cannot both pass. Wrong codes are counted per account (``TWO_FACTOR_LIMIT``).

Between the password and the code, the browser holds only a signed, short-lived token naming
the member (``pending_token``), not a login: nothing is granted until the code is right.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup
from sqlalchemy import delete, or_, select, update

from ...common.timefmt import duration
from ...database import commit
from ...errors import Conflict, InvalidField, Refused, require
from ...extensions import db
from ...models import NotificationKind, RecoveryCode, TwoFactor, User, utcnow
from ...policy import Policy
from ...stores import ratelimit, settings
from .. import audit, notifications, text
from .account import password_matches

STEP_SECONDS = 30
RECOVERY_CODES = 10
# How long the step between password and code may take.
PENDING_SECONDS = 5 * 60
_CODE_RE = re.compile(r"^\d{6}$")
# Recovery codes avoid letters that read like digits (0/o, 1/l/i).
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_SEAL_VERSION = "v1"


# -- the secret at rest ------------------------------------------------------------------------
def _key(purpose: bytes) -> bytes:
    base = current_app.config["SECRET_KEY"]
    base = base.encode() if isinstance(base, str) else base
    return hmac.new(base, b"agora two-factor secret: " + purpose, hashlib.sha256).digest()


def _stream(nonce: bytes, length: int) -> bytes:
    key, blocks = _key(b"encryption"), []
    for counter in range(0, length // 32 + 1):
        blocks.append(hmac.new(key, nonce + counter.to_bytes(4, "big"), hashlib.sha256).digest())
    return b"".join(blocks)[:length]


def _tag(data: bytes) -> bytes:
    return hmac.new(_key(b"integrity"), data, hashlib.sha256).digest()[:16]


def _seal(secret: str) -> str:
    nonce, plain = secrets.token_bytes(16), secret.encode()
    sealed = bytes(a ^ b for a, b in zip(plain, _stream(nonce, len(plain)), strict=True))
    blob = nonce + sealed
    return f"{_SEAL_VERSION}:" + base64.urlsafe_b64encode(blob + _tag(blob)).decode()


def _unseal(stored: str) -> str | None:
    """The secret, or None when it was sealed under another ``SECRET_KEY`` (or is damaged)."""
    version, _sep, body = stored.partition(":")
    try:
        raw = base64.urlsafe_b64decode(body.encode())
    except ValueError:
        return None
    blob, tag = raw[:-16], raw[-16:]
    if version != _SEAL_VERSION or len(blob) <= 16 or not hmac.compare_digest(tag, _tag(blob)):
        return None
    nonce, sealed = blob[:16], blob[16:]
    return bytes(a ^ b for a, b in zip(sealed, _stream(nonce, len(sealed)), strict=True)).decode()


# -- reading the state -------------------------------------------------------------------------
def _row(user: User) -> TwoFactor | None:
    return db.session.get(TwoFactor, user.id)


def is_enabled(user: User) -> bool:
    row = _row(user)
    return row is not None and row.enabled_at is not None


def recovery_codes_left(user: User) -> int:
    return len(db.session.scalars(
        select(RecoveryCode.id).where(RecoveryCode.user_id == user.id,
                                      RecoveryCode.used_at.is_(None))).all())


def is_staff(user: User) -> bool:
    return user.is_moderator or bool(user.is_board_moderator)


def setup_required(user: User) -> bool:
    """Whether the team must set up two-step login before using /mod or /admin: the setting is
    on, the member is on the team and has not set it up. Asks the database only when the
    setting is on."""
    if not settings.get("staff_need_two_factor") or not is_staff(user):
        return False
    return not is_enabled(user)


# -- checking codes ----------------------------------------------------------------------------
def _throttle(user: User, now: datetime) -> str:
    key = f"two_factor:{user.id}"
    decision = ratelimit.hit(key, *current_app.config.get("TWO_FACTOR_LIMIT", (5, 15 * 60)),
                             now=now)
    if not decision:
        retry = decision.retry_after or 1
        raise Refused(_("Too many wrong codes. Try again in %(wait)s.", wait=duration(retry)),
                      status=429, retry_after=retry)
    return key


def _wrong_code() -> InvalidField:
    return InvalidField("code", _("That code isn't right. Check your app's clock, or use a "
                                  "recovery code."))


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not _CODE_RE.match(code):
        return None
    totp, current = pyotp.TOTP(secret), int(now.timestamp()) // STEP_SECONDS
    for step in (current - 1, current, current + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _spend_step(row: TwoFactor, step: int) -> bool:
    """Move the last used step on to ``step``, unless it is already there or past it (the code
    was used, here or by a request running at the same time)."""
    return db.session.execute(
        update(TwoFactor)
        .where(TwoFactor.user_id == row.user_id,
               or_(TwoFactor.last_step.is_(None), TwoFactor.last_step < step))
        .values(last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _normalised_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower())


def _recovery_hash(code: str) -> str:
    return hashlib.sha256(_normalised_recovery(code).encode()).hexdigest()


def _spend_recovery(user: User, code: str, now: datetime) -> bool:
    if len(_normalised_recovery(code)) != 10:
        return False
    return db.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _recovery_hash(code),
               RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount == 1


def _check(user: User, row: TwoFactor, code: str, now: datetime, *,
           recovery: bool = True) -> str:
    """Accept ``code`` (a one-time code, or with ``recovery`` a recovery code) in the current
    transaction; "code" or "recovery" says which. Refuses: too many wrong codes (429), a wrong,
    reused or old code (400)."""
    key = _throttle(user, now)
    secret = _unseal(row.secret)
    step = _matching_step(secret, code, now) if secret else None
    if step is not None and _spend_step(row, step):
        used = "code"
    elif recovery and _spend_recovery(user, code, now):
        used = "recovery"
    else:
        db.session.rollback()
        raise _wrong_code()
    ratelimit.reset(key)
    return used


def _new_recovery_codes(user: User, now: datetime) -> list[str]:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _i in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw),
                                    created_at=now))
    return codes


# -- setting up, changing, turning off --------------------------------------------------------
@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str
    qr_svg: Markup

    @property
    def grouped(self) -> str:
        """The secret in groups of four, for typing it into an app by hand."""
        return " ".join(self.secret[i:i + 4] for i in range(0, len(self.secret), 4))


def start_setup(user: User, now: datetime | None = None) -> Setup:
    """The secret to set up, new or the one already waiting for confirmation.

    Refuses: two-step login already on (409)."""
    row = _row(user)
    if row is not None and row.enabled_at is not None:
        raise Conflict(_("Two-step login is already on."))
    secret = _unseal(row.secret) if row is not None else None
    if secret is None:
        secret = pyotp.random_base32()
        if row is None:
            row = TwoFactor(user_id=user.id, created_at=now or utcnow())
            db.session.add(row)
        row.secret = _seal(secret)
        commit()
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username,
                                              issuer_name=settings.get("forum_name"))
    svg = segno.make(uri, error="m").svg_inline(scale=4, omitsize=False, title=None)
    return Setup(secret=secret, uri=uri, qr_svg=Markup(svg))


def confirm_setup(user: User, code: str, now: datetime | None = None) -> list[str]:
    """Turn two-step login on with a first code from the app; returns the recovery codes,
    shown once (only their hashes are kept).

    Refuses: nothing set up (409), too many wrong codes (429), a wrong code (400)."""
    now = now or utcnow()
    row = _row(user)
    if row is None or row.enabled_at is not None:
        raise Conflict(_("Start the setup again: open the two-step login page."))
    _check(user, row, code, now, recovery=False)
    db.session.execute(update(TwoFactor).where(TwoFactor.user_id == user.id)
                       .values(enabled_at=now).execution_options(synchronize_session=False))
    codes = _new_recovery_codes(user, now)
    commit()
    db.session.expire(row)
    return codes


def _require_enabled(user: User) -> TwoFactor:
    row = _row(user)
    if row is None or row.enabled_at is None:
        raise Conflict(_("Two-step login is off."))
    return row


def regenerate_recovery_codes(user: User, code: str, now: datetime | None = None) -> list[str]:
    """New recovery codes for a current one-time code; the old ones stop working.

    Refuses: two-step login off (409), too many wrong codes (429), a wrong code (400)."""
    now = now or utcnow()
    row = _require_enabled(user)
    _check(user, row, code, now, recovery=False)
    codes = _new_recovery_codes(user, now)
    commit()
    return codes


def _remove(user: User) -> None:
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.execute(delete(TwoFactor).where(TwoFactor.user_id == user.id))


def turn_off(user: User, password: str, code: str, now: datetime | None = None) -> None:
    """The member turns two-step login off, with their password and a code (or recovery code).

    Refuses: two-step login off (409), a wrong password (400), too many wrong codes (429), a
    wrong code (400)."""
    now = now or utcnow()
    row = _require_enabled(user)
    if not password_matches(user, password):
        raise InvalidField("password", _("Your password is not correct."))
    _check(user, row, code, now)
    _remove(user)
    commit()


def turn_off_for(actor: User, user: User, reason: str, now: datetime | None = None) -> None:
    """An administrator turns a member's two-step login off (a lost device), logged with the
    reason; the member is told.

    Refuses: anyone but administrators (403), two-step login off (409), no reason (400)."""
    now = now or utcnow()
    require(Policy(actor).can_manage_account(user))
    reason = text.clean_reason(reason, _("Please give a reason for turning two-step login "
                                         "off."))
    _require_enabled(user)
    _remove(user)
    audit.record(actor, "user.two_factor_off", user, reason, now=now)
    notifications.notify(user, NotificationKind.ACCOUNT, "account.two_factor_off", now=now)
    commit()


# -- between the password and the code --------------------------------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="agora-two-step-login")


def pending_token(user: User, remember: bool, target: str | None) -> str:
    """Proof that the password was right a moment ago; grants nothing by itself. It names the
    member's password stamp, so a password change in between makes it worthless."""
    return _serializer().dumps({"u": user.id, "s": user.password_stamp, "r": bool(remember),
                                "n": target or ""})


@dataclass(frozen=True)
class Pending:
    user: User
    remember: bool
    target: str


def read_pending(token: str | None) -> Pending | None:
    """The member half-way through logging in, or None when the token is missing, forged, older
    than five minutes or from before a password change."""
    if not token:
        return None
    try:
        data = _serializer().loads(token, max_age=PENDING_SECONDS)
        user = db.session.get(User, int(data["u"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or user.is_deleted or not hmac.compare_digest(str(data.get("s")),
                                                                   user.password_stamp):
        return None
    return Pending(user=user, remember=bool(data.get("r")), target=str(data.get("n") or ""))


def complete_login(pending: Pending, code: str, now: datetime | None = None) -> str:
    """Check the second step; "code" or "recovery" says what was used.

    Refuses: two-step login turned off meanwhile (409), too many wrong codes (429), a wrong,
    reused or old code (400)."""
    now = now or utcnow()
    row = _require_enabled(pending.user)
    used = _check(pending.user, row, code, now)
    commit()
    return used
