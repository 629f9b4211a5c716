"""Where a webhook may point. A destination is an http(s) URL whose host resolves only to
public addresses: private, loopback, link-local, multicast, reserved and other non-global
ranges are refused (a hook must not become a way into the forum's own network), unless the
operator allows a network with ``WEBHOOK_ALLOWED_NETWORKS``.

The host is resolved again at every attempt and the connection goes to the address that was
checked (``transport``), so a name that changes its answer between check and use gains
nothing."""
from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from flask import current_app
from flask_babel import gettext as _

URL_MAX = 2000
_IP = ipaddress.IPv4Address | ipaddress.IPv6Address


class AddressRefused(Exception):
    """The URL or what its host resolves to may not be used; ``reason`` says why to a
    person, ``code`` to the delivery log."""

    def __init__(self, reason: str, code: str = "address") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as written (the Host header and the certificate's name)
    port: int
    path: str  # with the query
    addresses: tuple[str, ...]  # checked, in the order to try


def parse(url: str) -> SplitResult:
    """The URL's parts; refuses what is no absolute http(s) URL to a named host."""
    url = (url or "").strip()
    if not url:
        raise AddressRefused(_("Enter the address to deliver to."))
    if len(url) > URL_MAX:
        raise AddressRefused(_("The address can be at most %(max)d characters.", max=URL_MAX))
    if any(char.isspace() or ord(char) < 32 for char in url):
        raise AddressRefused(_("The address can't hold spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise AddressRefused(_("That isn't a valid address.")) from None
    if parts.scheme not in ("http", "https"):
        raise AddressRefused(_("The address must start with http:// or https://."))
    if not parts.hostname:
        raise AddressRefused(_("The address needs a host name."))
    if parts.username is not None or parts.password is not None:
        raise AddressRefused(_("Put no user name or password in the address; deliveries "
                               "are signed instead."))
    if port == 0:
        raise AddressRefused(_("That isn't a valid address."))
    return parts


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(value, strict=False)
            for value in current_app.config.get("WEBHOOK_ALLOWED_NETWORKS") or ()]


def _plain(address: _IP) -> _IP:
    # "::ffff:10.0.0.1" is 10.0.0.1 on the wire: judge the IPv4 address inside.
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped if mapped is not None else address


def is_public(address: _IP) -> bool:
    address = _plain(address)
    return address.is_global and not address.is_multicast


def check_address(raw: str, allowed: Iterable | None = None) -> str:
    """``raw`` as a string if a hook may connect to it; refuses it otherwise."""
    address = _plain(ipaddress.ip_address(raw.split("%", 1)[0]))
    allowed = _allowed_networks() if allowed is None else list(allowed)
    if any(address.version == network.version and address in network for network in allowed):
        return str(address)
    if is_public(address):
        return str(address)
    if address.is_loopback:
        kind = _("a loopback address (this machine)")
    elif address.is_link_local:
        kind = _("a link-local address")
    elif address.is_multicast:
        kind = _("a multicast address")
    elif address.is_unspecified:
        kind = _("a reserved or non-public address")
    elif address.is_private:
        kind = _("a private network address")
    else:
        kind = _("a reserved or non-public address")
    raise AddressRefused(
        _("%(address)s is %(kind)s; webhooks are only sent to public addresses unless the "
          "operator allows that network (WEBHOOK_ALLOWED_NETWORKS).",
          address=str(address), kind=kind))


def resolve(host: str, port: int) -> tuple[str, ...]:
    """Every address ``host`` stands for, each checked; refuses the host if any is refused
    (or if it resolves to nothing)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise AddressRefused(_("The host %(host)s could not be found.", host=host),
                             code="dns") from None
    allowed = _allowed_networks()
    found: list[str] = []
    for info in infos:
        address = check_address(str(info[4][0]), allowed)
        if address not in found:
            found.append(address)
    if not found:
        raise AddressRefused(_("The host %(host)s could not be found.", host=host), code="dns")
    return tuple(found)


def target(url: str) -> Target:
    """The checked destination of ``url``, resolved now."""
    parts = parse(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, resolve(host, port))
