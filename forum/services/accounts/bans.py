"""The ban lists: email domains (their subdomains included), email addresses and network
ranges (CIDR, IPv4 and IPv6), each with an optional end and a note. Registration and login
ask ``refusal_for``; administrators keep the lists (every change logged).

The lists are asked about on every login and sign-up, so each process keeps the active
entries in memory for ``BAN_CACHE_SECONDS`` (default 30) and drops them at once when it
changes a list itself (with Redis, every process at once: ``stores.kept_version``): a check
costs no query most of the time, one when the copy is renewed.
"""
from __future__ import annotations

import ipaddress
import re
import time
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from email_validator import EmailNotValidError, validate_email
from flask import current_app, has_app_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from ...database import commit
from ...errors import InvalidField, NotFound, require
from ...extensions import db
from ...models import BanEntry, BanKind, User, utcnow
from ...policy import Policy
from ...stores import kept_version
from .. import audit, text

# One message whatever matched, so it tells a spammer nothing about which list holds them.
REFUSAL = _l("Signing up or logging in isn't possible from your network or with that email "
             "address. If you think this is a mistake, please contact the forum's team.")
NOTE_MAX = 500
# Wider ranges than these would shut out a large part of the internet, staff included.
WIDEST_PREFIX = {4: 8, 6: 16}
_DOMAIN_RE = re.compile(r"^(?!-)[^\s@/\\.]{1,63}(?<!-)(\.(?!-)[^\s@/\\.]{1,63}(?<!-))*$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_CACHE: WeakKeyDictionary = WeakKeyDictionary()


def ip(address: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address as an object (an IPv4 address mapped into IPv6 as IPv4), or None."""
    try:
        value = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if value.version == 6 and value.ipv4_mapped is not None:
        return value.ipv4_mapped
    return value


# -- checking ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Active:
    """The entries in force when loaded, each with its end (checked again when asked)."""

    networks: list[tuple[Network, datetime | None]]
    emails: dict[str, datetime | None]
    domains: dict[str, datetime | None]


def _active() -> _Active:
    app = current_app._get_current_object()
    ttl = app.config.get("BAN_CACHE_SECONDS", 30)
    cached = _CACHE.get(app)
    clock = time.monotonic()
    version = kept_version.current()
    if cached is not None and clock - cached[0] < ttl and kept_version.usable(cached[2]):
        return cached[1]
    now = utcnow()
    active = _Active([], {}, {})
    for kind, value, expires_at in db.session.execute(
        select(BanEntry.kind, BanEntry.value, BanEntry.expires_at)
        .where(or_(BanEntry.expires_at.is_(None), BanEntry.expires_at > now))
    ):
        if kind == BanKind.NETWORK:
            active.networks.append((ipaddress.ip_network(value), expires_at))
        elif kind == BanKind.EMAIL:
            active.emails[value] = expires_at
        else:
            active.domains[value] = expires_at
    if version is not None:
        _CACHE[app] = (clock, active, version)
    return active


def forget_cache() -> None:
    """Drop this process's copy of the lists, after a change to them."""
    if has_app_context():
        _CACHE.pop(current_app._get_current_object(), None)


def _domains(domain: str) -> list[str]:
    """The domain and every domain above it: a ban on example.com covers mail.example.com."""
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]


def _in_force(expires_at: datetime | None, now: datetime) -> bool:
    return expires_at is None or expires_at > now


def banned_address(address: str | None, now: datetime | None = None) -> bool:
    value = ip(address)
    if value is None:
        return False
    now = now or utcnow()
    return any(
        value.version == network.version and value in network and _in_force(expires_at, now)
        for network, expires_at in _active().networks
    )


def banned_email(email: str | None, now: datetime | None = None) -> bool:
    email = (email or "").strip().lower()
    if "@" not in email:
        return False
    now = now or utcnow()
    active = _active()
    if email in active.emails and _in_force(active.emails[email], now):
        return True
    return any(domain in active.domains and _in_force(active.domains[domain], now)
               for domain in _domains(email.rpartition("@")[2]))


def refusal_for(*, email: str | None = None, address: str | None = None,
                now: datetime | None = None) -> str | None:
    """Why a sign-up or login with this email or from this address is refused (the same
    words whichever list matched), or None when no active entry matches."""
    if banned_address(address, now) or banned_email(email, now):
        return str(REFUSAL)
    return None


# -- keeping the lists -------------------------------------------------------------------------
KIND_LABELS = {
    BanKind.DOMAIN: _l("Email domain"),
    BanKind.EMAIL: _l("Email address"),
    BanKind.NETWORK: _l("Network range"),
}


def normalised(kind: BanKind | str, raw: str | None) -> str:
    """The entry as stored. Refuses (400, field "value"): a value that isn't of its kind, a
    range wider than /8 (IPv4) or /16 (IPv6)."""
    kind = BanKind(kind)
    raw = (raw or "").strip()
    if not raw:
        raise InvalidField("value", _("Please fill in what to ban."))
    if kind == BanKind.NETWORK:
        try:
            network = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise InvalidField("value", _(
                "“%(value)s” isn't an IP address or range. Write it like 203.0.113.0/24 or "
                "2001:db8::/48.", value=raw[:60])) from None
        if network.prefixlen < WIDEST_PREFIX[network.version]:
            raise InvalidField("value", _(
                "That range is too wide: it would shut out much of the internet. The widest "
                "allowed is /8 for IPv4 and /16 for IPv6."))
        return str(network)
    if kind == BanKind.EMAIL:
        try:
            return validate_email(raw, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            raise InvalidField("value", _("That email address isn't valid: %(problem)s",
                                          problem=str(error))) from None
    domain = raw.lower().removeprefix("@").removeprefix("*.").rstrip(".")
    if len(domain) > 253 or not _DOMAIN_RE.match(domain):
        raise InvalidField("value", _("“%(value)s” isn't a domain. Write it like example.com.",
                                      value=raw[:60]))
    return domain


@dataclass(frozen=True)
class NewEntry:
    kind: str
    value: str
    note: str | None = None
    expires_at: datetime | None = None


def listing(viewer: Policy) -> list[BanEntry]:
    """Every entry, expired ones included (they no longer match), by kind and value."""
    require(viewer.can_manage_bans())
    return list(db.session.scalars(
        select(BanEntry).options(joinedload(BanEntry.created_by))
        .order_by(BanEntry.kind, BanEntry.value)
    ))


def _duplicate() -> InvalidField:
    return InvalidField("value", _("That is already on the ban list."), status=409)


def add(actor: User, entry: NewEntry, *, own_address: str | None = None,
        now: datetime | None = None) -> BanEntry:
    """Put an entry on a ban list, logged as ``ban_list.add``.

    Refuses: administrators only (403); a value not of its kind or a range too wide (400);
    an end not in the future (400); a range holding ``own_address``, the administrator's
    own (400); an entry already on the list (409, also when two are added at once).
    """
    require(Policy(actor).can_manage_bans())
    now = now or utcnow()
    if entry.kind not in set(BanKind):
        raise InvalidField("kind", _("Please choose what kind of entry this is."))
    value = normalised(entry.kind, entry.value)
    note = text.checked(entry.note, NOTE_MAX,
                        too_long=_("The note can be at most %(max)s characters.",
                                   max=NOTE_MAX)) or None
    if entry.expires_at is not None and entry.expires_at <= now:
        raise InvalidField("expires_at", _("The end must be in the future."))
    own = ip(own_address)
    if entry.kind == BanKind.NETWORK and own is not None:
        network = ipaddress.ip_network(value)
        if own.version == network.version and own in network:
            raise InvalidField("value", _("That range holds your own address; you would shut "
                                          "yourself out."))
    exists = db.session.scalar(select(BanEntry.id).where(BanEntry.kind == entry.kind,
                                                          BanEntry.value == value))
    if exists is not None:
        raise _duplicate()
    row = BanEntry(kind=entry.kind, value=value, note=note, created_at=now,
                   created_by_id=actor.id, expires_at=entry.expires_at)
    db.session.add(row)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _duplicate() from None
    audit.record(actor, "ban_list.add", row, note,
                 after={"kind": row.kind, "value": value,
                        "expires_at": entry.expires_at.isoformat() if entry.expires_at
                        else None}, now=now)
    commit()
    forget_cache()
    return row


def get(entry_id: int) -> BanEntry:
    entry = db.session.get(BanEntry, entry_id)
    if entry is None:
        raise NotFound(_("That ban-list entry doesn't exist (any more)."))
    return entry


def remove(actor: User, entry: BanEntry, now: datetime | None = None) -> None:
    """Take an entry off its list, logged as ``ban_list.remove``. Refuses: administrators
    only (403); an entry removed a moment ago by someone else (404)."""
    require(Policy(actor).can_manage_bans())
    now = now or utcnow()
    audit.record(actor, "ban_list.remove", entry,
                 before={"kind": entry.kind, "value": entry.value,
                         "expires_at": entry.expires_at.isoformat() if entry.expires_at
                         else None}, now=now)
    gone = db.session.execute(
        BanEntry.__table__.delete().where(BanEntry.id == entry.id)
    ).rowcount
    if not gone:
        db.session.rollback()
        raise NotFound(_("That ban-list entry doesn't exist (any more)."))
    commit()
    forget_cache()
