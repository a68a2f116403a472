"""Enrichment from a MaxMind DB the operator supplies: it fills the country and the AS that the
feed, iptocc and the constituency left unknown, and leaves unknown what it does not know either.

The databases are written by the test itself (``tests/pipeline/mmdb.py``); nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from cyberplan.pipeline.enrich import ConstituencyEntry, MmdbLookup, constituency_rows
from cyberplan.pipeline.importers.base import Source
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.store import EventStore

from .mmdb import write_mmdb

OBSERVED_AT = "2026-11-29 00:00:00+00"
HEADER = '"timestamp","ip","protocol","port","hostname","tag","asn","geo"\n'


def report(path: Path) -> Path:
    rows = [
        # documentation addresses: iptocc knows no country for them
        '"2026-11-28 01:00:00","192.0.2.10","tcp",23,"","telnet",,""',  # the database knows country and AS
        '"2026-11-28 01:00:01","192.0.2.200","tcp",23,"","telnet",,""',  # the database knows nothing
        '"2026-11-28 01:00:02","198.51.100.7","tcp",23,"","telnet",,""',  # the database knows only the AS
        '"2026-11-28 01:00:03","192.0.2.11","tcp",23,"","telnet",64999,"AR"',  # the feed's values win
        '"2026-11-28 01:00:04","203.0.113.5","tcp",23,"","telnet",,""',  # the constituency's AS wins
        '"2026-11-28 01:00:05","2001:db8::5","tcp",23,"","telnet",,""',  # IPv6 in an IPv4 database
    ]
    path.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def database(tmp_path: Path) -> Path:
    return write_mmdb(
        tmp_path / "test.mmdb",
        {
            "192.0.2.0/25": {
                "country": {"iso_code": "PY", "names": {"en": "Paraguay"}},
                "autonomous_system_number": 64500,
                "autonomous_system_organization": "Example Telecom",
            },
            "198.51.100.0/24": {"autonomous_system_number": 64501, "autonomous_system_organization": "Example Net"},
            "203.0.113.0/24": {"country": {"iso_code": "UY"}, "autonomous_system_number": 64502},
        },
    )


def events(root: Path) -> dict[str, dict[str, Any]]:
    con = duckdb.connect()
    EventStore(root).register(con)
    rows = con.sql(
        'SELECT "source.ip", "source.geolocation.cc", "source.asn", "source.as_name", "victim.country", '
        '"victim.organisation" FROM events'
    ).to_arrow_table()
    con.close()
    return {row["source.ip"]: row for row in rows.to_pylist()}


def constituency() -> pa.Table:
    return constituency_rows(
        [ConstituencyEntry("203.0.113.0/24", 64777, "Constituency AS", "Ministry", "government", "")]
    )


def test_mmdb_fills_what_is_unknown_and_nothing_else(tmp_path: Path) -> None:
    path = report(tmp_path / "2026-11-28-scan_telnet-py-geo.csv")
    summary = ingest(
        Source(path),
        EventStore(tmp_path / "store"),
        "imp-1",
        observed_at=OBSERVED_AT,
        constituency=constituency(),
        mmdb=database(tmp_path),
    )
    assert (summary.read, summary.stored, summary.quarantined) == (6, 6, 0)
    found = events(tmp_path / "store")
    known = found["192.0.2.10"]
    assert (known["source.geolocation.cc"], known["source.asn"], known["source.as_name"]) == (
        "PY",
        64500,
        "Example Telecom",
    )
    assert known["victim.country"] == "PY"
    unknown = found["192.0.2.200"]
    assert (unknown["source.geolocation.cc"], unknown["source.asn"], unknown["source.as_name"]) == (None, None, None)
    assert unknown["victim.country"] is None
    as_only = found["198.51.100.7"]
    assert (as_only["source.geolocation.cc"], as_only["source.asn"], as_only["source.as_name"]) == (
        None,
        64501,
        "Example Net",
    )
    from_feed = found["192.0.2.11"]
    assert (from_feed["source.geolocation.cc"], from_feed["source.asn"], from_feed["source.as_name"]) == (
        "AR",
        64999,
        "Example Telecom",
    )
    from_constituency = found["203.0.113.5"]
    assert (from_constituency["source.asn"], from_constituency["source.as_name"]) == (64777, "Constituency AS")
    assert from_constituency["source.geolocation.cc"] == "UY"
    assert from_constituency["victim.organisation"] == "Ministry"
    ipv6 = found["2001:db8::5"]
    assert (ipv6["source.geolocation.cc"], ipv6["source.asn"], ipv6["source.as_name"]) == (None, None, None)


def test_without_mmdb_the_same_stays_unknown(tmp_path: Path) -> None:
    path = report(tmp_path / "2026-11-28-scan_telnet-py-geo.csv")
    ingest(Source(path), EventStore(tmp_path / "store"), "imp-1", observed_at=OBSERVED_AT)
    found = events(tmp_path / "store")
    assert found["192.0.2.10"]["source.geolocation.cc"] is None
    assert found["192.0.2.10"]["source.asn"] is None
    assert found["198.51.100.7"]["source.as_name"] is None


def test_lookup_is_per_distinct_address(tmp_path: Path) -> None:
    lookup = MmdbLookup(database(tmp_path))
    try:
        column = lookup.column(0, pa.string())
        addresses = pa.array(["192.0.2.1", None, "192.0.2.1", "not an address", "198.51.100.1", "192.0.2.1"])
        assert column(addresses).to_pylist() == ["PY", None, "PY", None, None, "PY"]
        info = lookup.lookup.cache_info()  # type: ignore[attr-defined]
        assert info.misses == 3  # one look-up for each distinct address
    finally:
        lookup.close()


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.mmdb"
    bogus.write_bytes(b"not a database")
    with pytest.raises(ValueError, match="not a readable MaxMind DB"):
        MmdbLookup(bogus)
