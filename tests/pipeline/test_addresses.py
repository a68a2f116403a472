"""Addresses as numbers, the key of the constituency join: every IPv4 and IPv6 address maps to its
place in one 128-bit space (IPv4 at ::ffff:0:0/96), and text that is not an address maps to nothing."""

from __future__ import annotations

import ipaddress

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cyberplan.pipeline.enrich import IPV4_MAPPED, install_functions


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    install_functions(connection)
    return connection


def number(con: duckdb.DuckDBPyConnection, text: str | None) -> int | None:
    row = con.execute("SELECT cp_ip_number(?)::VARCHAR", [text]).fetchone()
    return None if row is None or row[0] is None else int(row[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.0.0.0", IPV4_MAPPED),  # noqa: S104 - an address as data, not a bind
        ("255.255.255.255", IPV4_MAPPED + 0xFFFFFFFF),
        ("192.0.2.1", IPV4_MAPPED + 0xC0000201),
        ("10.0.0.255", IPV4_MAPPED + 0x0A0000FF),
        ("2001:db8::1", int(ipaddress.IPv6Address("2001:db8::1"))),
        ("::", 0),
        ("256.1.1.1", None),
        ("1.2.3", None),
        ("1.2.3.4.5", None),
        ("01.2.3.4", None),  # a leading zero is not canonical (and some tools read it as octal)
        (" 1.2.3.4", None),
        ("1.2.3.-4", None),
        ("example.py", None),
        ("", None),
        (None, None),
    ],
)
def test_address_numbers(con: duckdb.DuckDBPyConnection, text: str | None, expected: int | None) -> None:
    assert number(con, text) == expected


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=0xFFFFFFFF))
def test_every_ipv4_address_has_its_own_number(con: duckdb.DuckDBPyConnection, value: int) -> None:
    assert number(con, str(ipaddress.IPv4Address(value))) == IPV4_MAPPED + value
