"""What keeps programs from signing up in bulk: a field only programs fill in, a signed moment
the form was shown (a person takes a few seconds), a limit per internet address, and an alarm
for the administrators when many accounts appear within a minute.

The checks are steps of ``joining.join``; the page only carries what the form sent.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer

from ...common.addresses import counter_part
from ...common.timefmt import duration
from ...errors import Refused
from ...extensions import db
from ...models import Setting, utcnow
from ...stores import ratelimit, settings

# The signature's purpose, so a stamp can't be taken from any other signed value of the forum.
_SALT = "agora.signup-form"
# The setting row that keeps the latest alarm (undeclared: the settings page leaves it alone).
ALARM_ROW = "signup_alarm"
ALARM_WINDOW_SECONDS = 60
# How long the overview keeps showing an alarm after its last sign-up.
ALARM_SHOWN = timedelta(hours=24)
HOUR = 3600


class SignupRefused(Refused):
    """A sign-up refused before any account was made. ``fresh_form``: the form's stamp is
    spent (too old, or not ours), so the page offers a new one."""

    def __init__(self, reason: str, *, status: int = 400, retry_after: int | None = None,
                 fresh_form: bool = False) -> None:
        super().__init__(reason, status=status, retry_after=retry_after)
        self.fresh_form = fresh_form


@dataclass(frozen=True)
class SignupAttempt:
    """What a sign-up form sent besides the account's fields: the address it came from, the
    signed moment it was shown (``stamp``), the hidden field only programs fill (``trap``)
    and the answer to the administrators' question."""

    address: str | None
    stamp: str | None = None
    trap: str | None = None
    answer: str | None = None


@dataclass(frozen=True)
class SignupAlarm:
    count: int  # accounts created within a minute, at the most
    since: datetime  # the first of them
    at: datetime  # the latest of them


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def form_stamp(now: datetime | None = None) -> str:
    """The signed moment a sign-up form is shown, for its hidden field."""
    moment = now or utcnow()
    return _serializer().dumps(int(moment.timestamp() * 1000))


def _shown_at(stamp: str | None) -> datetime | None:
    """When the form was shown, if the stamp is one the forum signed."""
    try:
        millis = _serializer().loads(stamp or "")
    except BadSignature:
        return None
    if not isinstance(millis, int) or isinstance(millis, bool):
        return None
    return datetime.fromtimestamp(millis / 1000, tz=utcnow().tzinfo)


def check_form(attempt: SignupAttempt, now: datetime | None = None) -> None:
    """Refuses (``SignupRefused``, 400): a filled hidden field, quietly, with a message that
    says nothing of why; a form sent back sooner than ``REGISTRATION_MIN_SECONDS`` after it
    was shown; one older than ``REGISTRATION_FORM_MAX_SECONDS``, or whose stamp the forum
    did not sign (both get a fresh form). A minimum of 0 turns the stamp off."""
    now = now or utcnow()
    if (attempt.trap or "").strip():
        raise SignupRefused(_("We couldn't create an account from this form. Please try "
                              "again later."))
    config = current_app.config
    least = config.get("REGISTRATION_MIN_SECONDS", 3)
    if not least:
        return
    shown = _shown_at(attempt.stamp)
    if shown is None:
        raise SignupRefused(_("This form couldn't be checked. Please fill it in again and "
                              "send it."), fresh_form=True)
    age = (now - shown).total_seconds()
    if age < least:
        raise SignupRefused(_("That was very quick. Please take a moment to check what you "
                              "entered, then send the form again."))
    if age > config.get("REGISTRATION_FORM_MAX_SECONDS", 6 * HOUR):
        raise SignupRefused(_("This form was open for a long time. Please check it, enter "
                              "your password again and send it."), fresh_form=True)


def address_key(address: str | None) -> str:
    """The counter of an address's sign-ups. An IPv6 host usually holds a whole /64, so that
    counts as one address."""
    return f"signup:ip:{counter_part(address)}"


def count_address(address: str | None, now: datetime | None = None) -> str | None:
    """Count a sign-up from ``address`` (the setting ``registrations_per_address_per_hour``;
    0: no limit). Inside ``joined()`` the count is part of the sign-up's transaction, so a
    sign-up that fails takes it back, and two sign-ups racing from one address wait for each
    other on the counter: the limit holds exactly. Returns the key counted, or None.

    Refuses: ``SignupRefused`` (429, with ``retry_after``) once the address has reached it."""
    limit = settings.get("registrations_per_address_per_hour")
    if not limit:
        return None
    key = address_key(address)
    decision = ratelimit.hit(key, limit, HOUR, now=now)
    if not decision:
        retry = decision.retry_after or 1
        raise SignupRefused(
            _("Too many accounts were created from your internet address. Please try again "
              "in %(wait)s.", wait=duration(retry)), status=429, retry_after=retry)
    return key


def note_signup(now: datetime | None = None) -> bool:
    """Count a sign-up towards the alarm (the setting ``signup_alarm_per_minute``; 0: off),
    and once a minute's count reaches it, keep the alarm where the overview reads it with the
    settings. Part of the caller's transaction. Returns whether the alarm changed (the caller
    then clears the settings cache after committing)."""
    threshold = settings.get("signup_alarm_per_minute")
    if not threshold:
        return False
    now = now or utcnow()
    count = ratelimit.hit("signup:all", threshold, ALARM_WINDOW_SECONDS, now=now).count
    if count < threshold:
        return False
    previous = alarm(now)
    since = now - timedelta(seconds=ALARM_WINDOW_SECONDS)
    if previous is not None and now - previous.at <= timedelta(seconds=ALARM_WINDOW_SECONDS):
        # The same burst: keep its start and the highest count seen (two workers may write
        # nearly at once; the higher count is the truer one).
        since, count = previous.since, max(count, previous.count)
    value = {"count": count, "since": since.isoformat(), "at": now.isoformat()}
    _keep(ALARM_ROW, value, now)
    return True


def _keep(name: str, value: dict, now: datetime) -> None:
    """Write one setting row in one statement, so two sign-ups writing the first alarm at
    once don't collide on its key."""
    table = Setting.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table).values(name=name, value=value, updated_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.name], set_={"value": value, "updated_at": now})
    db.session.execute(statement)


def alarm(now: datetime | None = None) -> SignupAlarm | None:
    """The latest alarm, while the overview shows it (``ALARM_SHOWN`` after its last
    sign-up). Read with the settings: no query of its own."""
    value = settings.kept(ALARM_ROW)
    if not isinstance(value, dict):
        return None
    try:
        found = SignupAlarm(count=int(value["count"]),
                            since=datetime.fromisoformat(value["since"]),
                            at=datetime.fromisoformat(value["at"]))
    except (KeyError, TypeError, ValueError):
        return None
    if (now or utcnow()) - found.at > ALARM_SHOWN:
        return None
    return found
