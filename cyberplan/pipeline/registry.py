"""IPv4 addresses per country in the registry delegation data the enrichment ships (``iptocc``).

The trends' exposure figure divides a country's distinct source addresses by the IPv4 addresses the
registries assign to it, so that countries and years compare. Counting asks ``iptocc`` the country of
one address in every /24 block of the public unicast space (the first octets 1 to 223 but 10 and 127):
a block counts whole (256 addresses) for the country its address falls in. One pass counts every
country at once; it takes seconds, so it is done once per process (and kept longer by callers, under
the version of the registry data, :func:`registry_version`).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable
from importlib.metadata import version

import iptocc

#: First octets that are never delegated to a country: this network, private, loopback.
NOT_DELEGATED = frozenset({0, 10, 127})
BLOCK = 256


def registry_version() -> str:
    """The version of the registry data (the ``iptocc`` package), to key counts kept across processes."""
    return version("iptocc")


def count_blocks(firsts: Iterable[int]) -> dict[str, int]:
    """IPv4 addresses per country (ISO 3166 alpha-2) in the /24 blocks under the first octets ``firsts``."""
    counts: Counter[str] = Counter()
    for first in firsts:
        if first in NOT_DELEGATED or not 1 <= first <= 223:
            continue
        addresses = [f"{first}.{second}.{third}.1" for second in range(256) for third in range(256)]
        counts.update(code for code in iptocc.country_code(addresses) if code)
    return {country: blocks * BLOCK for country, blocks in sorted(counts.items())}


@functools.cache
def announced_ipv4() -> dict[str, int]:
    """IPv4 addresses per country over the whole public unicast space, counted once per process."""
    return count_blocks(range(1, 224))
