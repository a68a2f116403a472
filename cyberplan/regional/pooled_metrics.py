"""The regional metric set over the pooled events, on DuckDB or Spark, with the analytics' Ibis building blocks.

The pool (:mod:`.pooled_store`) holds, per member state, the raw events it chose to share at TLP:CLEAR or
TLP:GREEN, each row with the ``member`` country. The frames are derived from it by
:func:`cyberplan.analytics.frames.base_frame`, as the national metrics derive theirs, with one change: the
frames' ``country`` is the **member that shared the event** (the pool's country column), not the victim's
country. The metrics are built from the national metric set's own pieces (counting, distinct sources,
comparison with earlier periods, significance tests), so both engines, and the national and regional
figures, count the same way:

``events_by_month``, ``sources_by_month``
    events and distinct source addresses by month x RSIT class x country;
``events_by_country``, ``exposure``
    events and distinct sources per country; the exposure adds the country's announced IPv4 addresses and
    the distinct sources per 1,000 of them (computed after the engine, from its counts);
``top_types``
    the RSIT types with most events across the region;
``change_previous``, ``change_year``
    events by type and by country against the previous period and the same period a year earlier, with the
    national report's rate test and false-discovery correction.

Django-free: the caller gives the announced address counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from cyberplan.analytics import stats
from cyberplan.analytics.engines import Engine, event_schema
from cyberplan.analytics.frames import Frames, base_frame, month_of
from cyberplan.analytics.metrics import (
    TOP,
    Context,
    Metric,
    Scope,
    compare_periods,
    count_by,
    flag_windows,
    sources_by,
)
from cyberplan.analytics.periods import Period

#: The labels a member may pool: nothing more restricted ever enters the pool.
POOL_LABELS = ("clear", "green")

#: The event store's columns a member's export carries (what the regional metric set and its filters read,
#: and the event id that makes a re-import idempotent); organisation names, ``extra`` and the original
#: record stay at home.
POOLED_FIELDS = (
    "event_id",
    "time.source",
    "source.ip",
    "source.asn",
    "source.network",
    "classification.taxonomy",
    "classification.type",
    "classification.identifier",
    "feed.name",
    "feed.provider",
    "tlp",
    "victim.sector",
    "severity",
)
#: The column the regional side adds to each pooled row: the member state that shared it.
MEMBER_COLUMN = "member"
#: The columns the metrics read after derivation, staged once per run.
STAGED_COLUMNS = ("day", "taxonomy", "type", "country", "source_ip", "tlp", "n")


def export_schema() -> pa.Schema:
    """The columns and types of a member's export file (the event store's types)."""
    store = event_schema()
    return pa.schema([store.field(name) for name in POOLED_FIELDS])


def pool_schema() -> pa.Schema:
    """The columns and types of a pool file: the export's, and the member country."""
    return export_schema().append(pa.field(MEMBER_COLUMN, pa.string()))


def pooled_frame(raw: ir.Table) -> ir.Table:
    """The derived columns the regional metrics read, from a table of the pool's columns.

    The event store's columns a pool does not carry are null (they are not read), and the ``country`` of the
    derived table is the member's.
    """
    missing = {
        field.name: ibis.null(ibis.dtype(field.type))
        for field in event_schema()
        if field.name not in raw.columns and field.name != "victim.country"
    }
    derived = base_frame(raw.mutate(**missing, **{"victim.country": raw[MEMBER_COLUMN]}))
    return derived.select(*STAGED_COLUMNS)


def pool_table(engine: Engine, paths: Sequence[Path]) -> ir.Table:
    """The pool's rows (every member's files) on ``engine``."""
    return engine.read_parquet(paths, pool_schema(), exact=True)


def _by_month(table: ir.Table, value: Callable[[ir.Table], ir.Scalar], name: str) -> ir.Table:
    keyed = table.mutate(month=month_of(table.day))
    keys = ["month", "taxonomy", "country"]
    return keyed.group_by(keys).aggregate(**{name: value(keyed)}).order_by(keys)


def _exposure_counts(ctx: Context) -> ir.Table:
    sources = ctx.current.sources
    grouped = sources.group_by("country").aggregate(sources=sources.source_ip.nunique())
    return grouped.order_by("country")


def _changes(previous: bool) -> Callable[[list[dict[str, Any]], Scope], list[dict[str, Any]]]:
    def post(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
        other = scope.period.previous() if previous else scope.period.year_earlier()
        return stats.annotate_changes(rows, scope.period.days, other.days)

    return post


METRICS: tuple[Metric, ...] = (
    Metric(
        "events_by_month",
        "Events by month, threat class and country",
        lambda c: _by_month(c.current.events, lambda t: t.n.sum(), "events"),
    ),
    Metric(
        "sources_by_month",
        "Distinct sources by month, threat class and country",
        lambda c: _by_month(c.current.sources, lambda t: t.source_ip.nunique(), "sources"),
        reads_sources=True,
    ),
    Metric("events_by_country", "Events by country", lambda c: count_by(c.current.events, ["country"])),
    Metric(
        "exposure",
        "Distinct sources per 1,000 announced IPv4 addresses, by country",
        _exposure_counts,
        reads_sources=True,
    ),
    Metric(
        "top_types", "Threat types with most events", lambda c: count_by(c.current.events, ["taxonomy", "type"], TOP)
    ),
    Metric(
        "sources_by_class",
        "Distinct sources by threat class",
        lambda c: sources_by(c.current.sources, ["taxonomy"]),
        reads_sources=True,
    ),
    Metric(
        "change_previous",
        "Change from the previous period, by type and country",
        lambda c: compare_periods(c.current, c.previous, ["type", "country"]),
        post=_changes(previous=True),
    ),
    Metric(
        "change_year",
        "Change from the same period a year earlier, by type and country",
        lambda c: compare_periods(c.current, c.year_earlier, ["type", "country"]),
        post=_changes(previous=False),
    ),
)

BY_ID = {metric.id: metric for metric in METRICS}


def per_1000(rows: list[dict[str, Any]], addresses: Mapping[str, int]) -> list[dict[str, Any]]:
    """The exposure rows with each country's announced IPv4 addresses and sources per 1,000 of them."""
    for row in rows:
        announced = int(addresses.get(str(row["country"]), 0))
        row["announced_ipv4"] = announced
        row["per_1000"] = round(int(row["sources"]) * 1000 / announced, 4) if announced else None
    return rows


@dataclass
class RegionalResult:
    scope: Scope
    engine: str
    rows: dict[str, list[dict[str, Any]]]


def regional_scope(period: Period, countries: Iterable[str] = ()) -> Scope:
    """The scope of a run: the period, the pool's labels only, and optionally some member countries."""
    return Scope(period, countries=tuple(sorted({c.upper() for c in countries})), tlp_in=POOL_LABELS)


def _window(staged: ir.Table, name: str) -> Frames:
    rows = staged.filter(staged[f"in_{name}"])
    sources = rows.filter(rows.source_ip.notnull())
    return Frames(events=rows, sources=sources, incidents=rows, networks=rows, days=rows)


def run(
    engine: Engine,
    pool: ir.Table,
    scope: Scope,
    addresses: Mapping[str, int],
    only: Iterable[str] | None = None,
) -> RegionalResult:
    """The regional metric set (or ``only`` some of it) over ``pool`` (:func:`pool_table`) on ``engine``.

    The pool is derived and restricted to the scope once, into a table the engine keeps (DuckDB: a temporary
    table; Spark: a cached view) of only the columns the metrics read, each row flagged with the periods it
    falls in; each metric is then a small query over it.
    """
    wanted = list(only) if only is not None else [metric.id for metric in METRICS]
    unknown = [metric_id for metric_id in wanted if metric_id not in BY_ID]
    if unknown:
        raise ValueError(f"unknown regional metrics: {', '.join(unknown)}")
    staged = engine.materialise(flag_windows(pooled_frame(pool), scope), name="regional_pool_staged")
    try:
        ctx = Context(
            scope=scope,
            current=_window(staged, "current"),
            previous=_window(staged, "previous"),
            year_earlier=_window(staged, "year_earlier"),
            before=_window(staged, "previous"),
        )
        result = RegionalResult(scope=scope, engine=engine.name, rows={})
        for metric_id in wanted:
            metric = BY_ID[metric_id]
            rows = engine.rows(metric.build(ctx))
            if metric.post is not None:
                rows = metric.post(rows, scope)
            if metric_id == "exposure":
                rows = per_1000(rows, addresses)
            result.rows[metric_id] = rows
        return result
    finally:
        engine.release(staged)
