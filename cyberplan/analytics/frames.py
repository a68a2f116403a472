"""The three weighted frames every metric reads, built from raw events or from the trend tables.

Metrics never read the event store's columns directly. They read three narrow frames with plain
column names (Spark and DuckDB agree on them without quoting rules for dotted names), each with a
weight ``n``:

``events``
    one row per event (``n`` = 1) or per group of alike events in the trend tables;
``sources``
    the same with the source address, for distinct sources and new versus recurring sources;
``incidents``
    incident records (VERIS incidents, STIX incident objects) with the time to respond where the
    record gives it, as a sum and a count so that means add up across trend tables.

Because every frame carries its weight, one metric definition gives the same number on raw events
(the report, the parity test, the benchmark) and on the pre-aggregated tables (the dashboard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

UNKNOWN = "unknown"

#: Victim categories of the regional trends reports, from the sector of the affected organisation.
#: The ISP's customers are counted with individuals: addresses of a telecommunications operator
#: that the constituency table does not assign to a customer organisation are mostly residential.
CATEGORY_SECTORS: dict[str, tuple[str, ...]] = {
    "government": ("government", "defence", "justice"),
    "individuals": ("individuals", "telecommunications"),
}
CATEGORIES = ("government", "private", "individuals", UNKNOWN)

#: Feeds whose records are incidents handled by a CSIRT rather than automated observations.
INCIDENT_FEEDS = ("veris",)
#: How the STIX importer marks an event made from an incident object in ``extra``. ``incident_types``
#: alone is not enough: an incident object without the incident extension has no types, and the
#: importer leaves empty lists out of ``extra``.
STIX_INCIDENT = r'"stix\.type": ?"incident"'

EVENT_DIMENSIONS = (
    "day",
    "taxonomy",
    "type",
    "identifier",
    "sector",
    "category",
    "organisation",
    "country",
    "asn",
    "as_name",
    "network",
    "feed",
    "provider",
    "tlp",
    "severity",
)
#: Every frame carries every column a :class:`~.metrics.Scope` filters on (sector, taxonomy, type,
#: feed, country, TLP), so that a filter restricts the sources and the incidents as it does the events.
SOURCE_DIMENSIONS = ("day", "source_ip", "taxonomy", "type", "sector", "category", "country", "feed", "tlp")
INCIDENT_DIMENSIONS = (
    "day",
    "taxonomy",
    "type",
    "sector",
    "category",
    "country",
    "feed",
    "severity",
    "reporter",
    "tlp",
)


@dataclass(frozen=True)
class Frames:
    events: ir.Table
    sources: ir.Table
    incidents: ir.Table

    def map(self, function: Any) -> Frames:
        return Frames(function(self.events), function(self.sources), function(self.incidents))


def _text(column: ir.Column) -> ir.StringValue:
    value: ir.StringValue = column.cast("string")
    return ibis.ifelse(value.isnull() | (value == ""), ibis.literal(UNKNOWN), value)


def _category(sector: ir.StringValue) -> ir.StringValue:
    result: ir.StringValue = ibis.ifelse(sector == UNKNOWN, ibis.literal(UNKNOWN), ibis.literal("private"))
    for category, sectors in CATEGORY_SECTORS.items():
        result = ibis.ifelse(sector.isin(sectors), ibis.literal(category), result)
    return result


def unbound_frames() -> Frames:
    """The frames as named tables without data, for showing each metric's query."""
    from .engines import event_schema

    frames = raw_frames(ibis.table(ibis.Schema.from_pyarrow(event_schema()), name="events"))
    return Frames(
        ibis.table(frames.events.schema(), name="events_frame"),
        ibis.table(frames.sources.schema(), name="sources_frame"),
        ibis.table(frames.incidents.schema(), name="incidents_frame"),
    )


def base_frame(raw: ir.Table) -> ir.Table:
    """Every column the metrics use, from a table with the event schema's dotted column names."""
    sector = _text(raw["victim.sector"])
    feed = _text(raw["feed.name"])
    extra = raw["extra"].cast("string").fill_null("")
    incident = feed.isin(INCIDENT_FEEDS) | extra.contains('"incident_types"') | extra.re_search(STIX_INCIDENT)
    response = extra.re_extract(r'"response_hours": ?([0-9]+(?:\.[0-9]+)?)', 1)
    response_hours = ibis.ifelse(response == "", ibis.null("float64"), response.cast("float64"))
    return raw.select(
        day=raw["time.source"].date(),
        taxonomy=_text(raw["classification.taxonomy"]),
        type=_text(raw["classification.type"]),
        identifier=_text(raw["classification.identifier"]),
        sector=sector,
        category=_category(sector),
        organisation=_text(raw["victim.organisation"]),
        country=_text(raw["victim.country"]),
        asn=raw["source.asn"].cast("int64"),
        as_name=_text(raw["source.as_name"]),
        network=_text(raw["source.network"]),
        feed=feed,
        provider=_text(raw["feed.provider"]),
        tlp=_text(raw["tlp"]),
        severity=_text(raw["severity"]),
        source_ip=raw["source.ip"].cast("string"),
        incident=incident,
        response_hours=response_hours,
        n=ibis.literal(1, "int64"),
    )


def raw_frames(raw: ir.Table) -> Frames:
    """The three frames over raw events (weight 1 per event)."""
    base = base_frame(raw)
    events = base.select(*EVENT_DIMENSIONS, "n")
    sources = base.filter(base.source_ip.notnull()).select(*SOURCE_DIMENSIONS, "n")
    records = base.filter(base.incident)
    incidents = records.select(
        *[c for c in INCIDENT_DIMENSIONS if c != "reporter"],
        reporter=records.provider,
        n=records.n,
        response_n=ibis.ifelse(records.response_hours.isnull(), 0, 1).cast("int64"),
        response_sum=records.response_hours.fill_null(0.0),
    ).select(*INCIDENT_DIMENSIONS, "n", "response_n", "response_sum")
    return Frames(events, sources, incidents)


def rollups(frames: Frames) -> Frames:
    """The trend tables: each frame grouped by all its dimensions, weights summed."""
    return Frames(
        frames.events.group_by(list(EVENT_DIMENSIONS)).aggregate(n=frames.events.n.sum().cast("int64")),
        frames.sources.group_by(list(SOURCE_DIMENSIONS)).aggregate(n=frames.sources.n.sum().cast("int64")),
        frames.incidents.group_by(list(INCIDENT_DIMENSIONS)).aggregate(
            n=frames.incidents.n.sum().cast("int64"),
            response_n=frames.incidents.response_n.sum().cast("int64"),
            response_sum=frames.incidents.response_sum.sum(),
        ),
    )
