"""Offline enrichment, vectorised in DuckDB.

* Country of ``source.ip`` from ``iptocc`` (registry delegation data shipped in the package),
  called once per batch through an Arrow function, only where the feed gave no country.
* Network, ASN, owner organisation and sector from the CSIRT's constituency table
  (prefix -> ASN -> organisation -> sector), as a range join on the address as a number;
  the most specific prefix wins.

What is unknown stays NULL (reported as unknown), never guessed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

import duckdb
import iptocc
import pyarrow as pa
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


def _country_codes(addresses: pa.Array) -> pa.Array:
    values = addresses.to_pylist()
    return pa.array(iptocc.country_code([v or "" for v in values]), type=pa.string())


def _ipv6_numbers(addresses: pa.Array) -> pa.Array:
    result: list[str | None] = []
    for value in addresses.to_pylist():
        try:
            result.append(str(int(ipaddress.IPv6Address(value))) if value else None)
        except ValueError:
            result.append(None)
    return pa.array(result, type=pa.string())


def install_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Register the enrichment functions on a connection (idempotent)."""
    existing = {row[0] for row in con.execute("SELECT function_name FROM duckdb_functions()").fetchall()}
    if "cp_country" not in existing:
        con.create_function(
            "cp_country",
            _country_codes,
            ["VARCHAR"],
            "VARCHAR",
            type=PythonUDFType.ARROW,
            side_effects=False,
            null_handling=FunctionNullHandling.SPECIAL,
        )
    if "cp_ipv6_number" not in existing:
        con.create_function(
            "cp_ipv6_number",
            _ipv6_numbers,
            ["VARCHAR"],
            "VARCHAR",
            type=PythonUDFType.ARROW,
            side_effects=False,
            null_handling=FunctionNullHandling.SPECIAL,
        )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP MACRO cp_ipv4_number(ip) AS
          CASE WHEN regexp_full_match(ip, '{IPV4_RE}') THEN
            {IPV4_MAPPED}::UHUGEINT
            + (split_part(ip, '.', 1)::UBIGINT * 16777216 + split_part(ip, '.', 2)::UBIGINT * 65536
               + split_part(ip, '.', 3)::UBIGINT * 256 + split_part(ip, '.', 4)::UBIGINT)::UHUGEINT
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
        }
    )


def prepare(con: duckdb.DuckDBPyConnection, table: str, constituency: pa.Table | None) -> bool:
    """Match the events of ``table`` against the constituency (table ``_matches``: rid -> network, AS,
    organisation, sector, country). Returns whether there is a constituency to join."""
    install_functions(con)
    if constituency is None or constituency.num_rows == 0:
        return False
    con.register("_constituency_arrow", constituency)
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _constituency AS
        SELECT range_start::UHUGEINT AS range_start, range_end::UHUGEINT AS range_end, prefix_length,
               network, asn, as_name, organisation, sector, country
        FROM _constituency_arrow
        """
    )
    con.unregister("_constituency_arrow")
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _matches AS
        SELECT e.rid, c.network, c.asn, c.as_name, c.organisation, c.sector, c.country
        FROM (SELECT rowid AS rid, cp_ip_number("source.ip") AS n FROM {table} WHERE "source.ip" IS NOT NULL) e
        JOIN _constituency c ON e.n BETWEEN c.range_start AND c.range_end
        QUALIFY row_number() OVER (PARTITION BY e.rid ORDER BY c.prefix_length DESC) = 1
        """
    )
    return True


# Field -> SQL over the staged row ``s`` and its constituency match ``m`` (when joined).
ENRICHED = {
    "source.geolocation.cc": (
        """coalesce(nullif(s."source.geolocation.cc", ''), """
        """CASE WHEN s."source.ip" IS NOT NULL THEN nullif(cp_country(s."source.ip"), '') END)"""
    ),
}
FROM_CONSTITUENCY = {
    "source.network": "network",
    "source.asn": "asn",
    "source.as_name": "as_name",
    "victim.organisation": "organisation",
    "victim.sector": "sector",
}


def enriched_expressions(joined: bool) -> dict[str, str]:
    """SQL for the enriched fields; the others are taken from the staged row as they are."""
    expressions = dict(ENRICHED)
    if joined:
        for field_name, column in FROM_CONSTITUENCY.items():
            expressions[field_name] = f'coalesce(s."{field_name}", m.{column})'
        expressions["victim.country"] = (
            f'coalesce(s."victim.country", m.country, {expressions["source.geolocation.cc"]})'
        )
    else:
        expressions["victim.country"] = f'coalesce(s."victim.country", {expressions["source.geolocation.cc"]})'
    return expressions
