"""A small writer of MaxMind DB files (format version 2.0), so that tests can make a real ``.mmdb``
offline. It supports what the tests need: an IPv4 tree with 24-bit records, and data values
that are maps, strings and unsigned integers.

The format, in short: a binary search tree over the address bits (each node two records, left
for a 0 bit and right for a 1 bit); a record below the node count points to another node, equal
to it means "no data", above it points into the data section. Sixteen zero bytes separate the
tree from the data section; the metadata map follows a marker at the end of the file.
"""

from __future__ import annotations

import ipaddress
import struct
from pathlib import Path
from typing import Any

METADATA_MARKER = b"\xab\xcd\xefMaxMind.com"


class U16(int):
    """An integer the format wants as uint16 (the metadata's version numbers and sizes)."""


class U64(int):
    """An integer the format wants as uint64 (the build time)."""


def _control(type_number: int, size: int) -> bytes:
    """A control byte (and its size and extended-type bytes) for a value of ``size``."""
    if size < 29:
        head, extra = size, b""
    elif size < 29 + 256:
        head, extra = 29, bytes([size - 29])
    elif size < 285 + 65536:
        head, extra = 30, struct.pack(">H", size - 285)
    else:
        head, extra = 31, struct.pack(">I", size - 65821)[1:]
    if type_number <= 7:
        return bytes([(type_number << 5) | head]) + extra
    return bytes([head, type_number - 7]) + extra


def encode(value: Any) -> bytes:
    """One data-section value: dict (map), str (UTF-8 string), non-negative int (uint32 or uint64), list."""
    if isinstance(value, dict):
        body = b"".join(encode(str(k)) + encode(v) for k, v in value.items())
        return _control(7, len(value)) + body
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _control(2, len(data)) + data
    if isinstance(value, bool):
        return _control(14, int(value))
    if isinstance(value, int) and value >= 0:
        data = value.to_bytes((value.bit_length() + 7) // 8, "big") if value else b""
        if isinstance(value, U16):
            return _control(5, len(data)) + data
        return _control(9 if isinstance(value, U64) or value >= 2**32 else 6, len(data)) + data
    if isinstance(value, list):
        return _control(11, len(value)) + b"".join(encode(v) for v in value)
    raise TypeError(f"cannot encode {value!r}")


def write_mmdb(path: Path, networks: dict[str, dict[str, Any]], database_type: str = "Test-Country") -> Path:
    """Write an IPv4 MaxMind DB mapping each network (CIDR) to its record."""
    # The tree as nested nodes: each node is [left, right], a child is a node index, ("data", n) or None.
    nodes: list[list[Any]] = [[None, None]]
    records: list[bytes] = []
    for cidr, record in networks.items():
        network = ipaddress.ip_network(cidr)
        if network.version != 4:
            raise ValueError("this writer makes IPv4 databases only")
        records.append(encode(record))
        bits = int(network.network_address)
        node = 0
        for depth in range(network.prefixlen):
            bit = (bits >> (31 - depth)) & 1
            if depth == network.prefixlen - 1:
                nodes[node][bit] = ("data", len(records) - 1)
                break
            child = nodes[node][bit]
            if not isinstance(child, int):
                nodes.append([None, None])
                nodes[node][bit] = len(nodes) - 1
                child = len(nodes) - 1
            node = child
    node_count = len(nodes)
    offsets = []
    data = b""
    for encoded in records:
        offsets.append(len(data))
        data += encoded

    def record_value(child: Any) -> int:
        if child is None:
            return node_count
        if isinstance(child, int):
            return child
        return node_count + 16 + offsets[child[1]]

    tree = b"".join(
        record_value(left).to_bytes(3, "big") + record_value(right).to_bytes(3, "big") for left, right in nodes
    )
    metadata = {
        "binary_format_major_version": U16(2),
        "binary_format_minor_version": U16(0),
        "build_epoch": U64(1764000000),
        "database_type": database_type,
        "description": {"en": "cyberplan test database"},
        "ip_version": U16(4),
        "languages": ["en"],
        "node_count": node_count,
        "record_size": U16(24),
    }
    path.write_bytes(tree + b"\x00" * 16 + data + METADATA_MARKER + encode(metadata))
    return path
