"""The three weighted frames every metric reads, built from raw events or from the trend tables.

Metrics never read the event store's columns directly. They read narrow frames with plain column
names (Spark and DuckDB agree on them without quoting rules for dotted names), each with a weight
``n``:

``events``
    one row per event (``n`` = 1) or per group of alike events in the trend tables;
``days``
    the day and class of the events, for the time series and the days with events;
``networks``
    the victim's organisation and the source's network and autonomous system;
``sources``
    the source address, for distinct sources and new versus recurring sources;
``incidents``
    incident records (VERIS incidents, STIX incident objects) with the time to respond where the
    record gives it, as a sum and a count so that means add up across trend tables.

On raw events, the events, days and networks frames are one table (a run of the metric set reads
the raw events once for the three). Because every frame carries its weight, one metric definition
gives the same number on raw events (the parity test, the benchmark's reference) and on the
pre-aggregated trend tables (the dashboard, the report).

The trend tables also keep smaller **rollups** (:class:`Rollup`) that stand for a frame in the
scopes they answer: the events and networks grouped by month (periods of whole months), the days
without other columns than the class and the TLP label (scopes without filters but TLP). And
they keep exact distinct source counts per month, quarter and year, within one sector, one class,
both or neither, by the TLP labels each address was reported with (:func:`source_counts_sql`),
read instead of the sources frame for such a period and filter (:mod:`.metrics`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from .engines import event_schema

UNKNOWN = "unknown"

#: Victim categories of the regional trends reports, from the sector of the affected organisation.
#: The ISP's customers are counted with individuals: addresses of a telecommunications operator
#: that the constituency table does not assign to a customer organisation are mostly residential.
CATEGORY_SECTORS: dict[str, tuple[str, ...]] = {
    "government": ("government", "defence", "justice"),
    "individuals": ("individuals", "telecommunications"),
}
CATEGORIES = ("government", "private", "individuals", UNKNOWN)
#: The category from the type of the organisation holding the network (``victim.organisation_type``, from
#: the constituency table), which comes before the sector: a public body (a state utility, a public
#: university, a social-security institute) is government and public bodies whatever its sector.
OWNER_TYPE_CATEGORIES: dict[str, str] = {"public": "government", "private": "private", "individuals": "individuals"}
#: Where an incident record gives its status in ``extra``, first found first: a status the import mapped
#: (``status``), a STIX incident's ``investigation_status``, VERIS's ``security_incident`` (confirmed,
#: suspected, false positive, near miss).
STATUS_KEYS = ("status", "investigation_status", "security_incident")

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
    "family",
    "sector",
    "category",
    "country",
    "feed",
    "provider",
    "tlp",
    "severity",
)
#: The days rollup: enough for the time series and the days with events of a scope without filters but TLP.
DAY_DIMENSIONS = ("day", "taxonomy", "tlp")
#: The monthly networks rollup: enough for the networks metrics with no filter but sector, class, country and TLP.
NETWORK_MONTH_DIMENSIONS = ("day", "organisation", "asn", "as_name", "network", "taxonomy", "sector", "country", "tlp")
#: The columns a :class:`~.metrics.Scope` may filter on.
FILTER_COLUMNS = frozenset({"sector", "taxonomy", "type", "feed", "country", "tlp"})
#: The organisation, network and autonomous system, with the columns filters use.
NETWORK_DIMENSIONS = (
    "day",
    "organisation",
    "asn",
    "as_name",
    "network",
    "taxonomy",
    "type",
    "sector",
    "category",
    "country",
    "feed",
    "tlp",
)
#: The events frame over raw events: every column of the events and networks frames.
RAW_EVENT_COLUMNS = (*EVENT_DIMENSIONS, "organisation", "asn", "as_name", "network")
#: Every frame carries every column a :class:`~.metrics.Scope` filters on (sector, taxonomy, type,
#: feed, country, TLP), so that a filter restricts the sources and the incidents as it does the events.
SOURCE_DIMENSIONS = ("day", "source_ip", "taxonomy", "type", "family", "sector", "category", "country", "feed", "tlp")
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
    "status",
    "tlp",
)


#: TLP labels as bits of the ``mask`` column of the source counts; any other label is :data:`OTHER_LABEL`.
TLP_BITS: dict[str, int] = {
    label: 1 << index for index, label in enumerate(("clear", "green", "amber", "amber+strict", "red", UNKNOWN))
}
OTHER_LABEL = 1 << len(TLP_BITS)


ROLES = ("events", "days", "networks", "sources", "incidents")


@dataclass(frozen=True)
class Rollup:
    """A smaller table that stands for the frame ``role`` in the scopes it answers."""

    role: str
    table: ir.Table
    #: ``day`` is the first day of the month: it answers periods made of whole months only
    monthly: bool

    @property
    def filters(self) -> frozenset[str]:
        """The filters it can apply: a scope filtering on another column reads the frame itself."""
        return FILTER_COLUMNS & set(self.table.columns)


@dataclass(frozen=True)
class Frames:
    events: ir.Table
    sources: ir.Table
    incidents: ir.Table
    networks: ir.Table
    days: ir.Table
    #: trend tables only: smaller tables read instead of a frame when they answer the scope
    rollups: tuple[Rollup, ...] = ()
    #: trend tables only: exact distinct source counts per period and filter (see :func:`source_counts_sql`)
    source_counts: ir.Table | None = None
    #: raw events only: the table every frame is derived from (:func:`frames_of`)
    base: ir.Table | None = None

    def table(self, role: str) -> ir.Table:
        table: ir.Table = getattr(self, role)
        return table

    def map(self, function: Any) -> Frames:
        """The five frames changed by ``function`` (the rollups are dropped); a table shared by
        several frames stays shared."""
        done: dict[int, ir.Table] = {}

        def apply(table: ir.Table) -> ir.Table:
            if id(table) not in done:
                done[id(table)] = function(table)
            return done[id(table)]

        return Frames(**{role: apply(self.table(role)) for role in ROLES})


def _text(column: ir.Column) -> ir.StringValue:
    value: ir.StringValue = column.cast("string")
    return ibis.ifelse(value.isnull() | (value == ""), ibis.literal(UNKNOWN), value)


def _category(sector: ir.StringValue, owner_type: ir.StringValue) -> ir.StringValue:
    result: ir.StringValue = ibis.ifelse(sector == UNKNOWN, ibis.literal(UNKNOWN), ibis.literal("private"))
    for category, sectors in CATEGORY_SECTORS.items():
        result = ibis.ifelse(sector.isin(sectors), ibis.literal(category), result)
    for owner, category in OWNER_TYPE_CATEGORIES.items():
        result = ibis.ifelse(owner_type == owner, ibis.literal(category), result)
    return result


def _status(extra: ir.StringValue) -> ir.StringValue:
    """An incident record's status from ``extra`` (:data:`STATUS_KEYS`), in lower case; unknown when none."""
    # No strip(): its SQL lists whitespace control characters, which would end up in the report's appendix.
    found = [extra.re_extract(f'"{key}": ?"([^"]*)"', 1).lower() for key in STATUS_KEYS]
    status: ir.StringValue = ibis.coalesce(*[value.nullif("") for value in found], ibis.literal(UNKNOWN))
    return status


def _optional(raw: ir.Table, name: str) -> ir.Column:
    """The column ``name``, or an empty text (read as unknown) for event files written before the schema had it."""
    column: ir.Column = raw[name] if name in raw.columns else ibis.literal("", "string")
    return column


def unbound_frames() -> Frames:
    """The frames as named tables without data, for showing each metric's query."""
    frames = raw_frames(ibis.table(ibis.Schema.from_pyarrow(event_schema()), name="events"))
    return Frames(
        events=ibis.table(frames.events.select(*EVENT_DIMENSIONS, "n").schema(), name="events_frame"),
        sources=ibis.table(frames.sources.schema(), name="sources_frame"),
        incidents=ibis.table(frames.incidents.schema(), name="incidents_frame"),
        networks=ibis.table(frames.networks.select(*NETWORK_DIMENSIONS, "n").schema(), name="networks_frame"),
        days=ibis.table(frames.days.select(*EVENT_DIMENSIONS, "n").schema(), name="events_frame"),
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
        # the malware family (sinkhole, honeypot and compromise reports), "unknown" where none is named
        family=_text(raw["malware.name"]),
        sector=sector,
        category=_category(sector, _text(_optional(raw, "victim.organisation_type"))),
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
        status=_status(extra),
        n=ibis.literal(1, "int64"),
    )


def raw_frames(raw: ir.Table) -> Frames:
    """The frames over raw events (weight 1 per event)."""
    return frames_of(base_frame(raw))


def frames_of(base: ir.Table, keep: tuple[str, ...] = ()) -> Frames:
    """The frames derived from a table of :func:`base_frame`'s columns, each with ``keep`` too.

    The networks and days frames are the events frame itself (it has their columns too). The frames
    keep ``base``, so that a run of the metric set reads and restricts the raw events once, into one
    table, and derives every frame from it (:func:`.metrics.run`).
    """
    events = base.select(*RAW_EVENT_COLUMNS, "n", *keep)
    sources = base.filter(base.source_ip.notnull()).select(*SOURCE_DIMENSIONS, "n", *keep)
    records = base.filter(base.incident)
    incidents = records.select(
        *[c for c in INCIDENT_DIMENSIONS if c != "reporter"],
        *keep,
        reporter=records.provider,
        n=records.n,
        response_n=ibis.ifelse(records.response_hours.isnull(), 0, 1).cast("int64"),
        response_sum=records.response_hours.fill_null(0.0),
        response_hours=records.response_hours,
    ).select(*INCIDENT_DIMENSIONS, "response_hours", "n", "response_n", "response_sum", *keep)
    return Frames(events, sources, incidents, networks=events, days=events, base=base)


def month_of(day: ir.DateValue) -> ir.DateValue:
    """The first day of the month of ``day``."""
    month: ir.DateValue = day.truncate("M").cast("date")
    return month


def _grouped(table: ir.Table, dimensions: tuple[str, ...], monthly: bool = False) -> ir.Table:
    if monthly:
        table = table.mutate(day=month_of(table.day))
    return table.group_by(list(dimensions)).aggregate(n=table.n.sum().cast("int64"))


#: The trend tables: name -> (frame it is made from, its dimensions, grouped by month).
TABLES: dict[str, tuple[str, tuple[str, ...], bool]] = {
    "events": ("events", EVENT_DIMENSIONS, False),
    "sources": ("sources", SOURCE_DIMENSIONS, False),
    "incidents": ("incidents", INCIDENT_DIMENSIONS, False),
    "networks": ("networks", NETWORK_DIMENSIONS, False),
    "events_by_month": ("events", EVENT_DIMENSIONS, True),
    "networks_by_month": ("networks", NETWORK_MONTH_DIMENSIONS, True),
    "days": ("events", DAY_DIMENSIONS, False),
}


def rollups(frames: Frames) -> dict[str, ir.Table]:
    """The trend tables (:data:`TABLES`): frames grouped by their dimensions (or fewer, or by month),
    weights summed."""
    tables: dict[str, ir.Table] = {}
    for name, (frame, dimensions, monthly) in TABLES.items():
        if frame == "incidents":
            # each time to respond kept (incident records are few), for its median and percentiles
            incidents = frames.incidents
            tables[name] = incidents.group_by([*dimensions, "response_hours"]).aggregate(
                n=incidents.n.sum().cast("int64"),
                response_n=incidents.response_n.sum().cast("int64"),
                response_sum=incidents.response_sum.sum(),
            )
        else:
            tables[name] = _grouped(frames.table(frame), dimensions, monthly)
    return tables


def trend_frames(tables: dict[str, ir.Table], source_counts: ir.Table | None) -> Frames:
    """The frames over the trend tables, with their rollups."""
    return Frames(
        events=tables["events"],
        sources=tables["sources"],
        incidents=tables["incidents"],
        networks=tables["networks"],
        days=tables["events"],
        rollups=(
            Rollup("events", tables["events_by_month"], monthly=True),
            Rollup("days", tables["days"], monthly=False),
            Rollup("networks", tables["networks_by_month"], monthly=True),
        ),
        source_counts=source_counts,
    )


def tlp_bit_sql(column: str) -> str:
    """DuckDB SQL: the bit of the TLP label in ``column`` (a quoted column name)."""
    cases = " ".join(f"WHEN '{label}' THEN {bit}" for label, bit in TLP_BITS.items())
    return f"CAST(CASE {column} {cases} ELSE {OTHER_LABEL} END AS BIGINT)"


#: The addresses remediation follows: vulnerable systems (this class) and infected systems (this type).
REMEDIATION_CLASS = "vulnerable"
REMEDIATION_TYPE = "infected-system"


def addresses_sql(sources: str) -> str:
    """DuckDB SQL: the addresses of the sources frame's rows in ``sources`` (a table or a parenthesised
    query), one row per month, address, class, sector, country and malware family with the bits of the
    TLP labels it was reported with (``mask``, :data:`TLP_BITS`) and of those it was reported with as a
    vulnerable or infected system (``held``, 0 when never; what remediation follows). Written beside each
    part of the trend tables, it is what the monthly source counts are computed from
    (:func:`source_counts_sql`)."""
    bit = tlp_bit_sql("tlp")
    held = f"taxonomy = '{REMEDIATION_CLASS}' OR type = '{REMEDIATION_TYPE}'"
    return f"""
        SELECT CAST(date_trunc('month', day) AS DATE) AS month, source_ip, taxonomy, sector, country, family,
               CAST(bit_or({bit}) AS BIGINT) AS mask,
               CAST(bit_or(CASE WHEN {held} THEN {bit} ELSE 0 END) AS BIGINT) AS held
        FROM {sources} GROUP BY ALL"""


#: The periods the source counts are kept for: the months a period of that kind spans, and the time
#: step of its charts (:meth:`.periods.Period.granularity`: days for a month, weeks for a quarter,
#: months for a year).
SPANS: dict[str, int] = {"month": 1, "quarter": 3, "year": 12}
_SPAN_TRUNC = {"month": "month", "quarter": "quarter", "year": "year"}


def span_start_sql(span: str, day: str) -> str:
    """DuckDB SQL: the first day of the period of kind ``span`` holding ``day`` (a column or expression)."""
    return f"CAST(date_trunc('{_SPAN_TRUNC[span]}', {day}) AS DATE)"


def _span_previous_sql(span: str, start: str) -> str:
    return f"CAST({start} - INTERVAL {SPANS[span]} MONTH AS DATE)"


def _span_next_sql(span: str, start: str) -> str:
    return f"CAST({start} + INTERVAL {SPANS[span]} MONTH AS DATE)"


def periods_and_next_sql(months: str) -> dict[str, str]:
    """For each kind of period (:data:`SPANS`), an SQL list of the periods holding the months of ``months``
    (a table or parenthesised query with a ``month`` column) and of the period after each (where the
    "recurring" and remediation rows compare with them): what :func:`source_counts_sql` counts."""
    return {
        span: f"(SELECT {start} FROM {months} UNION SELECT {_span_next_sql(span, start)} FROM {months})"
        for span in SPANS
        for start in [span_start_sql(span, "month")]
    }


#: The filters the source counts are kept within (each alone, any two, all three, or none): one sector,
#: one class, one victim country.
COUNT_FILTERS = ("sector", "taxonomy", "country")
_FILTER_LIST = ", ".join(COUNT_FILTERS)


def _grouping_sets(*fixed: str, without: str | None = None) -> str:
    """SQL: grouping sets of ``fixed`` and the address with every subset of :data:`COUNT_FILTERS`
    (but ``without``, which is in ``fixed``)."""
    free = [c for c in COUNT_FILTERS if c != without]
    sets = []
    for size in range(len(free) + 1):
        for subset in itertools.combinations(free, size):
            sets.append("(" + ", ".join([*fixed, *subset, "source_ip"]) + ")")
    return ", ".join(sets)


#: The columns the source counts keep rows per value of (``key``), and remediation rows per value of.
KEYED = ("taxonomy", "sector")


def remediation_kind(key: str) -> str:
    """The kind of the source counts' remediation rows per value of ``key`` (one of :data:`KEYED`)."""
    return f"remediation_{key}"


REMEDIATION_KINDS = tuple(remediation_kind(key) for key in KEYED)


def source_counts_sql(
    addresses: str,
    sources: str,
    periods: dict[str, str],
    buckets: dict[str, str] | None = None,
    *,
    signed: bool = False,
) -> str:
    """DuckDB SQL of the source counts of the periods ``periods`` names.

    ``addresses`` holds the rows of :func:`addresses_sql` of every part (possibly repeated across
    parts) for at least the periods asked for and the period before each; ``sources`` the sources
    frame's rows of at least the periods asked for; ``periods`` maps a kind of period
    (:data:`SPANS`) to an SQL list of the first days of the periods to count
    (``(SELECT ...)`` or ``(DATE '2026-06-01', ...)``); ``buckets`` may restrict the ``day`` rows of
    a kind of period to some time steps (an SQL list of days, or of the Mondays of weeks): the
    steps of a period are counted from their own rows alone, so a refresh counts again only the
    steps its import touched.

    Each row counts the distinct addresses (``sources``) that were reported, within a period
    (``span``, ``start``) and a filter (``in_sector``, ``in_taxonomy``, ``in_country``: one sector,
    one class, one victim country, any combination of them, or none when empty;
    :data:`COUNT_FILTERS`), with exactly the set of TLP labels ``mask`` (a bit per label,
    :data:`TLP_BITS`):

    ``total``
        per period;
    ``day``
        per time step of the period's charts (``day``: the day, the Monday of the week, or the month),
        the labels taken within the step and the period;
    ``taxonomy``, ``sector``, ``family``
        per class, sector or named malware family of the period (``key``), the labels taken within it;
    ``recurring``
        by the labels the address had in the period before, within the same filter (``before``, 0
        when it was not seen then);
    ``remediation_taxonomy``, ``remediation_sector``
        the addresses reported as vulnerable or infected systems in the period before, per class or
        sector (``key``) within the same filter: by the labels they were so reported with then
        (``before``) and in the period (``mask``, 0 when they were not: remediated).

    An address counts for a set of readable labels when its mask has one of them: the counts
    answer any TLP restriction exactly, without keeping the addresses.

    ``signed``: the rows of ``addresses`` and ``sources`` have a ``new`` column, and the counts are
    the difference the new rows make to those counted without them (a row may then count -1 at the
    labels an address no longer has alone): what a refresh adds to the previous counts.
    """
    union = " UNION ALL ".join(
        f"(SELECT '{span}' AS span, * FROM ({_span_counts_sql(span, starts, addresses, sources, buckets, signed)}))"
        for span, starts in periods.items()
    )
    return f"""
        SELECT CAST(span AS VARCHAR) AS span, CAST(kind AS VARCHAR) AS kind, CAST(start AS DATE) AS start,
               CAST(in_sector AS VARCHAR) AS in_sector, CAST(in_taxonomy AS VARCHAR) AS in_taxonomy,
               CAST(in_country AS VARCHAR) AS in_country,
               CAST(key AS VARCHAR) AS key, CAST(day AS DATE) AS day, CAST(mask AS BIGINT) AS mask,
               CAST(before AS BIGINT) AS before, CAST(sources AS BIGINT) AS sources
        FROM ({union})"""


def _within(*, without: str | None = None) -> str:
    """SQL: the filter columns (but ``without``) of a grouping-sets row as ``in_`` columns, '' when not grouped."""
    return ", ".join(f"coalesce({c}, '') AS in_{c}" for c in COUNT_FILTERS if c != without)


def _span_counts_sql(
    span: str, starts: str, addresses: str, sources: str, buckets: dict[str, str] | None, signed: bool
) -> str:
    """The rows of :func:`source_counts_sql` for one kind of period (without the ``span`` column).

    Long: over 80 lines because it is one SQL statement, written in the order DuckDB runs it.

    Each kind of row is first a row per address and group (``pairs``): its labels with every row
    (``mask``, ``before``) and, when ``signed``, without the rows flagged ``new`` (``old_mask``,
    ``old_before``; ``old_present`` when the address counted there at all). An address adds one
    to its group at its labels; signed, it takes one away at its old labels, so only the addresses
    whose labels the new rows change are counted at all.
    """
    bit = tlp_bit_sql("tlp")
    ins = ", ".join(f"in_{c}" for c in COUNT_FILTERS)

    def old(column: str) -> str:
        return f"CASE WHEN new THEN 0 ELSE {column} END" if signed else "0"

    start = span_start_sql(span, "month")
    if span == "year":
        bucketed = f"""
            SELECT {start} AS start, month AS bucket, source_ip, {_FILTER_LIST}, mask, {old("mask")} AS old_mask
            FROM {addresses} WHERE {start} IN {starts}"""
    else:
        step = "day" if span == "month" else "CAST(date_trunc('week', day) AS DATE)"
        day_start = span_start_sql(span, "day")
        only = f" AND {step} IN {buckets[span]}" if buckets and span in buckets else ""
        bucketed = f"""
            SELECT {day_start} AS start, {step} AS bucket, source_ip, {_FILTER_LIST}, {bit} AS mask,
                   {old(bit)} AS old_mask
            FROM {sources} WHERE {day_start} IN {starts}{only}"""
    masks = "bit_or(mask) AS mask, bit_or(old_mask) AS old_mask"
    ctes, pairs = [], []
    for key in KEYED:
        others = [c for c in COUNT_FILTERS if c != key]
        ctes.append(f"""
        {key}_addresses AS (
            SELECT start, {key}, {_within(without=key)}, source_ip, {masks} FROM keyed WHERE start IN {starts}
            GROUP BY GROUPING SETS ({_grouping_sets("start", key, without=key)})
        ),
        held_{key} AS (
            SELECT start, {key}, {_within(without=key)}, source_ip, bit_or(held) AS held, bit_or(old_held) AS old_held
            FROM keyed WHERE held <> 0
            GROUP BY GROUPING SETS ({_grouping_sets("start", key, without=key)})
        )""")
        for same in (False, True):
            columns = ", ".join((key if same else "''") if c == key else f"in_{c}" for c in COUNT_FILTERS)
            earlier = ", ".join(
                (f"earlier.{key}" if same else "''") if c == key else f"earlier.in_{c}" for c in COUNT_FILTERS
            )
            pairs.append(
                f"SELECT '{key}' AS kind, start, {columns}, {key} AS key, start AS day, mask, 0 AS before, "
                f"old_mask, 0 AS old_before, old_mask <> 0 AS old_present FROM {key}_addresses"
            )
            following = _span_next_sql(span, "earlier.start")
            pairs.append(f"""
            SELECT '{remediation_kind(key)}', {following}, {earlier}, earlier.{key}, {following},
                   coalesce(now.held, 0), earlier.held, coalesce(now.old_held, 0), earlier.old_held,
                   earlier.old_held <> 0
            FROM held_{key} AS earlier LEFT JOIN held_{key} AS now
              ON now.start = {following} AND now.{key} = earlier.{key}
             AND {" AND ".join(f"now.in_{c} = earlier.in_{c}" for c in others)} AND now.source_ip = earlier.source_ip
            WHERE {following} IN {starts}""")
    on = " AND ".join(f"earlier.in_{c} = now.in_{c}" for c in COUNT_FILTERS)
    now_ins = ", ".join(f"now.in_{c}" for c in COUNT_FILTERS)
    pairs[:0] = [
        f"SELECT 'total' AS kind, start, {ins}, '' AS key, start AS day, mask, 0 AS before, old_mask, 0 AS old_before, "
        "old_mask <> 0 AS old_present FROM wanted",
        f"SELECT 'day', start, {ins}, '', bucket, mask, 0, old_mask, 0, old_mask <> 0 FROM steps",
        f"SELECT 'family', start, {ins}, family, start, mask, 0, old_mask, 0, old_mask <> 0 FROM family_addresses",
        f"""
            SELECT 'recurring', now.start, {now_ins}, '', now.start, now.mask, coalesce(earlier.mask, 0),
                   now.old_mask, coalesce(earlier.old_mask, 0), now.old_mask <> 0
            FROM wanted AS now LEFT JOIN filtered AS earlier
              ON earlier.start = {_span_previous_sql(span, "now.start")} AND {on} AND earlier.source_ip = now.source_ip""",
    ]
    group = f"kind, start, {ins}, key, day"
    taken = (
        f"""
        UNION ALL
        SELECT {group}, old_mask, old_before, -count(*) FROM pairs WHERE old_present GROUP BY ALL"""
        if signed
        else ""
    )
    every = f"""
            SELECT {start} AS start, source_ip, {_FILTER_LIST}, family, CAST(bit_or(mask) AS BIGINT) AS mask,
                   CAST(bit_or({old("mask")}) AS BIGINT) AS old_mask, CAST(bit_or(held) AS BIGINT) AS held,
                   CAST(bit_or({old("held")}) AS BIGINT) AS old_held
            FROM {addresses}
            WHERE {start} IN {starts} OR {_span_next_sql(span, start)} IN {starts}
            GROUP BY ALL"""
    if signed:
        # An address counts differently in a period only where the new rows change its labels there or in
        # the period before (new versus recurring) or after (remediation): its other periods are left out.
        every = f"""
            WITH every_keyed AS ({every}),
            moved AS (SELECT DISTINCT start, source_ip FROM every_keyed WHERE mask <> old_mask OR held <> old_held),
            near AS (
                SELECT start, source_ip FROM moved
                UNION SELECT {_span_previous_sql(span, "start")}, source_ip FROM moved
                UNION SELECT {_span_next_sql(span, "start")}, source_ip FROM moved
            )
            SELECT every_keyed.* FROM every_keyed SEMI JOIN near USING (start, source_ip)"""
    return f"""
        WITH keyed AS ({every}
        ),
        filtered AS (
            SELECT start, {_within()}, source_ip, {masks} FROM keyed
            GROUP BY GROUPING SETS ({_grouping_sets("start")})
        ),
        wanted AS (SELECT * FROM filtered WHERE start IN {starts}),
        {",".join(ctes)},
        family_addresses AS (
            SELECT start, family, {_within()}, source_ip, {masks} FROM keyed
            WHERE start IN {starts} AND family <> '{UNKNOWN}'
            GROUP BY GROUPING SETS ({_grouping_sets("start", "family")})
        ),
        steps AS (
            SELECT start, bucket, {_within()}, source_ip, {masks} FROM ({bucketed})
            GROUP BY GROUPING SETS ({_grouping_sets("start", "bucket")})
        ),
        pairs AS (
            SELECT * FROM ({" UNION ALL ".join(pairs)})
            WHERE NOT old_present OR mask <> old_mask OR before <> old_before
        )
        SELECT {group}, mask, before, count(*) AS sources FROM pairs GROUP BY ALL{taken}"""


def _within_labels(table: ir.Table, labels: tuple[str, ...]) -> ir.Table:
    """``table``'s rows at the TLP labels ``labels`` (none when it is empty)."""
    return table.filter(table.tlp.isin(list(labels)) if labels else ibis.literal(False))


def _union(tables: list[ir.Table]) -> ir.Table:
    union = tables[0]
    for table in tables[1:]:
        union = union.union(table, distinct=False)
    return union


def combined_frames(parts: list[tuple[Frames, tuple[str, ...]]]) -> Frames:
    """The frames of several stores read together, each store restricted to its own readable labels first.

    Each part is one store's frames and the TLP labels the reader may read in that store (a granted
    store at most what its grant releases, an own store what the reader's role reads). The rows of
    every part are filtered to the part's labels *before* the union, so a label one store allows never
    lets another store's rows at that label through; a :class:`~.metrics.Scope` then runs over the
    union as over one store.

    Weighted counts add across stores. Distinct sources do not (the same address can be reported to
    two CSIRTs), so the union has no ``source_counts``: the metrics count distinct addresses over the
    union of the sources frames, which is exact. Raw frames (with ``base``) stay raw; trend frames
    keep their rollups, each filtered and united the same way.
    """
    if not parts:
        raise ValueError("combined_frames needs at least one store")
    if all(frames.base is not None for frames, _ in parts):
        return frames_of(
            _union([_within_labels(frames.base, labels) for frames, labels in parts if frames.base is not None])
        )
    if any(frames.base is not None for frames, _ in parts):
        raise ValueError("combined_frames cannot mix raw frames with trend frames")
    done: dict[int, ir.Table] = {}
    first = parts[0][0]

    def united(role: str) -> ir.Table:
        # a frame shared by several roles in the first part (days and events) stays shared
        key = id(first.table(role))
        if key not in done:
            done[key] = _union([_within_labels(frames.table(role), labels) for frames, labels in parts])
        return done[key]

    rollup_tables = []
    for index, rollup in enumerate(first.rollups):
        tables = [_within_labels(frames.rollups[index].table, labels) for frames, labels in parts]
        rollup_tables.append(Rollup(rollup.role, _union(tables), rollup.monthly))
    return Frames(**{role: united(role) for role in ROLES}, rollups=tuple(rollup_tables), source_counts=None)
