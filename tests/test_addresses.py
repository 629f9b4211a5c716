"""One client as counters and bans see it."""
from __future__ import annotations

import pytest

from forum.common.addresses import counter_part, host_network


@pytest.mark.parametrize("address, network, part", [
    ("198.51.100.7", "198.51.100.7/32", "198.51.100.7"),
    (" 198.51.100.7 ", "198.51.100.7/32", "198.51.100.7"),
    ("::ffff:198.51.100.7", "198.51.100.7/32", "198.51.100.7"),  # the same client either way
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64", "2001:db8:1:2::/64"),
    ("2001:db8:1:2::9", "2001:db8:1:2::/64", "2001:db8:1:2::/64"),  # one host's whole /64
    ("not an address", None, "not an address"),
    (None, None, "unknown"),
])
def test_one_client(address, network, part):
    assert host_network(address) == network
    assert counter_part(address) == part
