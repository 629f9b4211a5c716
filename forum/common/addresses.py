"""One client, as counters and bans see it."""
from __future__ import annotations

import ipaddress


def host_network(address: str | None) -> str | None:
    """The range one client holds: an IPv4 address as itself (/32), an IPv4-mapped IPv6
    address as its IPv4, any other IPv6 address as its /64 — one host usually holds a whole
    /64, so limits and bans per single address would not hold it back. None for text that is
    no address."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = 32 if ip.version == 4 else 64
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def counter_part(address: str | None) -> str:
    """``host_network`` as part of a counter's key (an IPv4 address without its /32)."""
    network = host_network(address)
    if network is None:
        return address or "unknown"
    return network.removesuffix("/32")
