"""Offline enrichment, vectorised in DuckDB.

* Country of ``source.ip`` from ``iptocc`` (registry delegation data shipped in the package),
  called once per batch through an Arrow function, only where the feed gave no country.
* Network, ASN, owner organisation and sector from the CSIRT's constituency table
  (prefix -> ASN -> organisation -> sector): the address as a number, shifted to each prefix
  length the table uses, joined on equality with the table's networks; the most specific
  prefix wins. No range join and no grouping of the events: a hash join per prefix length.
* Optionally, a MaxMind DB (``.mmdb``) the operator supplies: country, and for an ASN database
  the AS number and name, for the addresses the feed, ``iptocc`` and the constituency left
  unknown. Looked up once per distinct address in each batch, through Arrow functions.

What is unknown stays NULL (reported as unknown), never guessed.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import iptocc
import pyarrow as pa
import pyarrow.compute as pc
from duckdb.func import FunctionNullHandling, PythonUDFType

IPV4_MAPPED = 0xFFFF00000000  # IPv4 addresses live at ::ffff:0:0/96 in the shared number space

# A dotted-quad IPv4 address, each part 0-255, as DuckDB regular expression.
IPV4_RE = r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$"


@dataclass(frozen=True)
class ConstituencyEntry:
    network: str
    asn: int | None
    as_name: str
    organisation: str
    sector: str
    country: str
    #: public (a public body whatever its sector), private or individuals; empty when not given
    organisation_type: str = ""


def _country_codes(addresses: pa.Array) -> pa.Array:
    values = [v or "" for v in addresses.to_pylist()]
    try:
        codes = iptocc.country_code(values)
    except (ValueError, TypeError):
        codes = []
        for value in values:
            try:
                codes.extend(iptocc.country_code([value]))
            except (ValueError, TypeError):
                codes.append(None)
    return pa.array(codes, type=pa.string())


def _ipv6_numbers(addresses: pa.Array) -> pa.Array:
    result: list[str | None] = []
    for value in addresses.to_pylist():
        try:
            result.append(str(int(ipaddress.IPv6Address(value))) if value else None)
        except ValueError:
            result.append(None)
    return pa.array(result, type=pa.string())


class MmdbLookup:
    """A MaxMind DB, looked up once per distinct address of a batch (and remembered for a while).

    From a country or city database it gives ``country.iso_code``; from an ASN database
    ``autonomous_system_number`` and ``autonomous_system_organization``. What the database does
    not hold stays NULL.
    """

    CACHE = 1 << 18

    def __init__(self, path: Path) -> None:
        import maxminddb

        self.path = Path(path)
        try:
            self.reader = maxminddb.open_database(str(self.path))
        except (OSError, ValueError, maxminddb.InvalidDatabaseError) as exc:
            raise ValueError(f"{self.path.name}: not a readable MaxMind DB ({exc})") from None
        self.lookup: Callable[[str], tuple[str | None, int | None, str | None]] = functools.lru_cache(
            maxsize=self.CACHE
        )(self._lookup)

    def close(self) -> None:
        self.reader.close()

    def _lookup(self, address: str) -> tuple[str | None, int | None, str | None]:
        try:
            record = self.reader.get(address)
        except (ValueError, TypeError):
            return (None, None, None)
        if not isinstance(record, dict):
            return (None, None, None)
        country = record.get("country")
        code = country.get("iso_code") if isinstance(country, dict) else None
        asn = record.get("autonomous_system_number")
        name = record.get("autonomous_system_organization")
        return (
            str(code).upper() if isinstance(code, str) and len(code) == 2 else None,
            int(asn) if isinstance(asn, int) and not isinstance(asn, bool) and 0 <= asn <= 4294967295 else None,
            str(name) if isinstance(name, str) and name else None,
        )

    def column(self, index: int, arrow_type: pa.DataType) -> Callable[[Any], pa.Array]:
        """An Arrow function: one part of the record (0 country, 1 AS number, 2 AS name) per address."""

        def values(addresses: Any) -> pa.Array:
            if isinstance(addresses, pa.ChunkedArray):
                addresses = addresses.combine_chunks()
            distinct = pc.unique(addresses)
            found = pa.array(
                [self.lookup(a)[index] if a else None for a in distinct.to_pylist()],
                type=arrow_type,
            )
            result = pc.take(found, pc.index_in(addresses, value_set=distinct))
            return result.combine_chunks() if isinstance(result, pa.ChunkedArray) else result

        return values


MMDB_FUNCTIONS = (
    ("cp_mmdb_country", 0, "VARCHAR", pa.string()),
    ("cp_mmdb_asn", 1, "BIGINT", pa.int64()),
    ("cp_mmdb_as_name", 2, "VARCHAR", pa.string()),
)


def install_mmdb(con: duckdb.DuckDBPyConnection, mmdb: MmdbLookup) -> None:
    """Register the MaxMind functions (``cp_mmdb_country``, ``cp_mmdb_asn``, ``cp_mmdb_as_name``) on a connection."""
    existing = {row[0] for row in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()}
    for name, index, sql_type, arrow_type in MMDB_FUNCTIONS:
        if name in existing:
            con.remove_function(name)
        con.create_function(
            name,
            mmdb.column(index, arrow_type),
            ["VARCHAR"],
            sql_type,
            type=PythonUDFType.ARROW,
            side_effects=False,
            null_handling=FunctionNullHandling.SPECIAL,
        )


def _create_once(con: duckdb.DuckDBPyConnection, name: str, function: Callable[[Any], pa.Array]) -> None:
    """Register an Arrow function from VARCHAR to VARCHAR unless the connection has it already."""
    try:
        con.create_function(
            name,
            function,
            ["VARCHAR"],
            "VARCHAR",
            type=PythonUDFType.ARROW,
            side_effects=False,
            null_handling=FunctionNullHandling.SPECIAL,
        )
    except duckdb.NotImplementedException as exc:  # DuckDB's way of saying it exists already
        if "already created" not in str(exc):
            raise


def install_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Register the enrichment functions on a connection (idempotent)."""
    _create_once(con, "cp_country", _country_codes)
    _create_once(con, "cp_ipv6_number", _ipv6_numbers)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP MACRO cp_ipv4_number(ip) AS
          CASE WHEN regexp_full_match(ip, '{IPV4_RE}') THEN
            {IPV4_MAPPED}::UHUGEINT
            + list_reduce(list_transform(string_split(ip, '.'), lambda part: part::UBIGINT),
                          lambda number, part: number * 256 + part)::UHUGEINT
          END
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP MACRO cp_ip_number(ip) AS
          CASE WHEN contains(ip, ':') THEN TRY_CAST(cp_ipv6_number(ip) AS UHUGEINT) ELSE cp_ipv4_number(ip) END
        """
    )


def constituency_rows(entries: Iterable[ConstituencyEntry]) -> pa.Table:
    """The constituency as a table of numeric ranges, ready for the range join."""
    starts, ends, lengths, networks, asns, as_names, organisations, sectors, countries = ([] for _ in range(9))
    types: list[str | None] = []
    for entry in entries:
        network = ipaddress.ip_network(entry.network, strict=False)
        offset = IPV4_MAPPED if network.version == 4 else 0
        prefix = network.prefixlen + (96 if network.version == 4 else 0)
        starts.append(str(int(network.network_address) + offset))
        ends.append(str(int(network.broadcast_address) + offset))
        lengths.append(prefix)
        networks.append(str(network))
        asns.append(entry.asn)
        as_names.append(entry.as_name or None)
        organisations.append(entry.organisation or None)
        sectors.append(entry.sector or None)
        countries.append(entry.country or None)
        types.append(entry.organisation_type or None)
    return pa.table(
        {
            "range_start": pa.array(starts, pa.string()),
            "range_end": pa.array(ends, pa.string()),
            "prefix_length": pa.array(lengths, pa.int32()),
            "network": pa.array(networks, pa.string()),
            "asn": pa.array(asns, pa.int64()),
            "as_name": pa.array(as_names, pa.string()),
            "organisation": pa.array(organisations, pa.string()),
            "sector": pa.array(sectors, pa.string()),
            "country": pa.array(countries, pa.string()),
            "organisation_type": pa.array(types, pa.string()),
        }
    )


def prepare(con: duckdb.DuckDBPyConnection, constituency: pa.Table | None) -> list[int]:
    """Load the constituency into ``_constituency`` (one entry per network: id, prefix length in the
    shared number space, key = first address shifted right by 128 - length) and return the prefix
    lengths it uses, longest first (empty: nothing to join)."""
    install_functions(con)
    if constituency is None or constituency.num_rows == 0:
        return []
    con.register("_constituency_arrow", constituency)
    # Two entries for the same network: the first in a fixed order wins, so the result does not
    # depend on the order of the table.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _constituency AS
        SELECT row_number() OVER (ORDER BY prefix_length DESC, range_start) AS id, prefix_length,
               range_start::UHUGEINT >> CAST(128 - prefix_length AS UHUGEINT) AS key,
               network, asn, as_name, organisation, sector, country, organisation_type
        FROM _constituency_arrow
        QUALIFY row_number() OVER (
          PARTITION BY prefix_length, range_start
          ORDER BY network, asn NULLS LAST, as_name NULLS LAST, organisation NULLS LAST, sector NULLS LAST,
                   country NULLS LAST, organisation_type NULLS LAST) = 1
        """
    )
    con.unregister("_constituency_arrow")
    rows = con.execute("SELECT DISTINCT prefix_length FROM _constituency ORDER BY 1 DESC").fetchall()
    return [int(row[0]) for row in rows]


def constituency_joins(lengths: list[int], number: str) -> str:
    """LEFT JOINs that give ``m``, the constituency entry of the most specific network holding the
    address whose number is the SQL ``number`` (NULL when none does)."""
    if not lengths:
        return ""
    joins = [
        f"LEFT JOIN (SELECT key, id FROM _constituency WHERE prefix_length = {int(length)}) p{i} "
        f"ON p{i}.key = ({number}) >> {128 - int(length)}"
        for i, length in enumerate(lengths)
    ]
    best = "coalesce(" + ", ".join(f"p{i}.id" for i in range(len(lengths))) + ")" if len(lengths) > 1 else "p0.id"
    joins.append(f"LEFT JOIN _constituency m ON m.id = {best}")
    return "\n".join(joins)


# Field -> SQL over the staged row ``s`` and its constituency match ``m`` (when joined).
COUNTRY = """CASE WHEN s."source.ip" IS NOT NULL THEN nullif(cp_country(s."source.ip"), '') END"""
FROM_CONSTITUENCY = {
    "source.network": "network",
    "source.asn": "asn",
    "source.as_name": "as_name",
    "victim.organisation": "organisation",
    "victim.sector": "sector",
    "victim.organisation_type": "organisation_type",
}
FROM_MMDB = {"source.asn": "cp_mmdb_asn", "source.as_name": "cp_mmdb_as_name"}


def enriched_expressions(joined: bool, mmdb: bool = False) -> dict[str, str]:
    """SQL for the enriched fields; the others are taken from the staged row as they are."""
    sources = ["""nullif(s."source.geolocation.cc", '')""", COUNTRY]
    if mmdb:
        sources.append("""CASE WHEN s."source.ip" IS NOT NULL THEN cp_mmdb_country(s."source.ip") END""")
    country = "coalesce(" + ", ".join(sources) + ")"
    expressions = {"source.geolocation.cc": country}
    for field_name in sorted(set(FROM_CONSTITUENCY) | (set(FROM_MMDB) if mmdb else set())):
        parts = [f's."{field_name}"']
        if joined and field_name in FROM_CONSTITUENCY:
            parts.append(f"m.{FROM_CONSTITUENCY[field_name]}")
        if mmdb and field_name in FROM_MMDB:
            parts.append(f"""CASE WHEN s."source.ip" IS NOT NULL THEN {FROM_MMDB[field_name]}(s."source.ip") END""")
        if len(parts) > 1:
            expressions[field_name] = "coalesce(" + ", ".join(parts) + ")"
    if joined:
        expressions["victim.country"] = f'coalesce(s."victim.country", m.country, {country})'
    else:
        expressions["victim.country"] = f'coalesce(s."victim.country", {country})'
    return expressions
