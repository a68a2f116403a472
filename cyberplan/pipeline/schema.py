"""The event schema (version 1), in the field vocabulary CSIRT staff know from IntelMQ.

Documented in docs/reference/events.md. Column names are the dotted field names themselves;
in SQL they are quoted ("source.ip"). Timestamps are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Field:
    name: str
    sql_type: str  # DuckDB type
    description: str


FIELDS: tuple[Field, ...] = (
    Field("event_id", "VARCHAR", "Deterministic hash of the feed and the record's content; the deduplication key."),
    Field("time.source", "TIMESTAMPTZ", "When the source saw the event (UTC)."),
    Field("time.observation", "TIMESTAMPTZ", "When cyberplan ingested the event (UTC)."),
    Field("time.precision", "VARCHAR", "Precision of time.source: second, day, month or year."),
    Field("source.ip", "VARCHAR", "Address of the source (IPv4 or IPv6, canonical text)."),
    Field("source.port", "INTEGER", "Source port."),
    Field("source.asn", "BIGINT", "Autonomous system number of the source."),
    Field("source.as_name", "VARCHAR", "Name of the source's autonomous system."),
    Field("source.network", "VARCHAR", "Network (CIDR) the source belongs to."),
    Field("source.geolocation.cc", "VARCHAR", "ISO 3166-1 alpha-2 country of the source."),
    Field("source.fqdn", "VARCHAR", "Fully qualified domain name of the source."),
    Field("source.url", "VARCHAR", "URL involved at the source."),
    Field("source.reverse_dns", "VARCHAR", "Reverse DNS name of the source address."),
    Field("destination.ip", "VARCHAR", "Address of the destination."),
    Field("destination.port", "INTEGER", "Destination port."),
    Field("destination.asn", "BIGINT", "Autonomous system number of the destination."),
    Field("destination.fqdn", "VARCHAR", "Domain name of the destination."),
    Field("destination.url", "VARCHAR", "URL at the destination."),
    Field("destination.geolocation.cc", "VARCHAR", "Country of the destination."),
    Field("classification.taxonomy", "VARCHAR", "RSIT class (e.g. vulnerable, malicious-code)."),
    Field("classification.type", "VARCHAR", "RSIT type (e.g. vulnerable-system, infected-system)."),
    Field("classification.identifier", "VARCHAR", "Specific identifier (service, malware family, vulnerability)."),
    Field("protocol.transport", "VARCHAR", "Transport protocol (tcp, udp, icmp)."),
    Field("protocol.application", "VARCHAR", "Application protocol (http, telnet, ...)."),
    Field("malware.name", "VARCHAR", "Malware family, lower case."),
    Field("feed.name", "VARCHAR", "Feed or report type the event came from."),
    Field("feed.provider", "VARCHAR", "Organisation that provided the feed."),
    Field("feed.accuracy", "DOUBLE", "Confidence in the feed, 0 to 100."),
    Field("tlp", "VARCHAR", "TLP 2.0 label: clear, green, amber, amber+strict, red."),
    Field("victim.sector", "VARCHAR", "Sector of the affected party (cyberplan sector code), or unknown."),
    Field(
        "victim.reported_sector",
        "VARCHAR",
        "Sector of the affected party as the feed reported it (Shadowserver's sector column), as written.",
    ),
    Field("victim.organisation", "VARCHAR", "Affected organisation, from the constituency table, or unknown."),
    Field(
        "victim.organisation_type",
        "VARCHAR",
        "Type of the affected organisation, from the constituency table: public, private or individuals.",
    ),
    Field("victim.country", "VARCHAR", "Country of the affected party (ISO 3166-1 alpha-2)."),
    Field("severity", "VARCHAR", "low, medium, high, critical or unknown."),
    Field("import_id", "VARCHAR", "The import that stored the event."),
    Field("extra", "VARCHAR", "Everything else in the record, as a JSON object."),
    Field("raw", "VARCHAR", "The original record (JSON of the input row or object)."),
)

FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
FIELD_TYPES: dict[str, str] = {f.name: f.sql_type for f in FIELDS}

# Fields importers may set; the rest are filled by the pipeline.
PIPELINE_FIELDS = frozenset({"event_id", "time.observation", "import_id"})

UNKNOWN = "unknown"


def quoted(name: str) -> str:
    """The field name as a DuckDB identifier."""
    return '"' + name.replace('"', '""') + '"'


def select_list(columns: dict[str, str]) -> str:
    """A SELECT list with every schema field, cast to its type: ``columns`` maps field -> SQL expression."""
    parts = []
    for field in FIELDS:
        expression = columns.get(field.name, "NULL")
        parts.append(f"CAST({expression} AS {field.sql_type}) AS {quoted(field.name)}")
    return ",\n  ".join(parts)
