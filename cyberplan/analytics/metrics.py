"""The metric set of the trends report and dashboard, defined once as Ibis expressions.

Each :class:`Metric` builds one small table from a :class:`Context` (the weighted frames of
:mod:`.frames`, restricted to the period and the filters, and the same for the periods it is
compared with). :func:`run` executes the whole set on an engine and returns plain rows;
significance tests for the change metrics are applied afterwards, in Python, on the engine's
counts (:mod:`.stats`), so both engines feed the same numbers into the same test.

The distinct-source metrics have a second definition (``counted``) over the trend tables' exact
source counts per month, quarter and year (:func:`.frames.source_counts_sql`). It is used when the
frames have them and they answer the scope exactly: a month, a quarter or a year, filtered on at
most one sector, one class and one victim country besides TLP labels (the dashboard's filters).
Otherwise (a range of days, a type or a feed, several sectors, classes or countries), and always
on raw events, the metric counts distinct addresses in the sources frame. Both give the same rows;
the tests check it.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import ibis
import ibis.expr.types as ir

from . import annual, counted, stats
from .engines import event_schema
from .frames import (
    EVENT_DIMENSIONS,
    NETWORK_DIMENSIONS,
    OTHER_LABEL,
    REMEDIATION_KINDS,
    ROLES,
    SPANS,
    TLP_BITS,
    UNKNOWN,
    Frames,
    frames_of,
    raw_frames,
    unbound_frames,
)
from .periods import Period

TOP = 10


@dataclass(frozen=True)
class Scope:
    """What a report or a dashboard page looks at: a period and optional filters.

    ``tlp_in`` None means no TLP restriction; an empty tuple means nothing may be seen.
    """

    period: Period
    sectors: tuple[str, ...] = ()
    taxonomies: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    tlp_in: tuple[str, ...] | None = None

    def describe(self) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "sectors": list(self.sectors),
            "taxonomies": list(self.taxonomies),
            "types": list(self.types),
            "feeds": list(self.feeds),
            "countries": list(self.countries),
            "tlp": None if self.tlp_in is None else list(self.tlp_in),
        }


@dataclass(frozen=True)
class Context:
    scope: Scope
    current: Frames
    previous: Frames
    year_earlier: Frames
    #: sources seen in the period before (as long as this one), for new versus recurring sources
    before: Frames
    #: the source counts of the period and filters, restricted to the TLP labels the scope allows, when
    #: they answer the scope exactly (:func:`counts_answer`); None otherwise
    counts: ir.Table | None = None
    #: the same source counts per victim country (every known country, or the scope's one), the period's
    #: totals only, when they answer the scope; None otherwise
    country_counts: ir.Table | None = None
    #: the events of every year up to the period's (:func:`history_table`): year, class, weight
    history: ir.Table | None = None

    @property
    def granularity(self) -> str:
        return self.scope.period.granularity()


@dataclass(frozen=True)
class Metric:
    id: str
    title: str  # English; the Django layer translates it
    build: Callable[[Context], ir.Table]
    #: applied to the engine's rows, e.g. significance tests
    post: Callable[[list[dict[str, Any]], Scope], list[dict[str, Any]]] | None = None
    #: the same rows from the source counts (the context's :attr:`counted_from`, then the context itself for
    #: what the counts do not hold), when the context has them
    counted: Callable[[ir.Table, Context], ir.Table] | None = None
    #: whether :attr:`build` reads the sources frame
    reads_sources: bool = False
    #: which source counts of the context :attr:`counted` reads: ``counts`` or ``country_counts``
    counted_from: str = "counts"

    def expression(self, ctx: Context) -> ir.Table:
        """The metric's query for ``ctx``: from the source counts when they answer it, else :attr:`build`."""
        counts = getattr(ctx, self.counted_from)
        if self.counted is not None and counts is not None:
            return self.counted(counts, ctx)
        return self.build(ctx)


@dataclass
class Result:
    metric: Metric
    rows: list[dict[str, Any]]
    sql: str = ""

    @property
    def id(self) -> str:
        return self.metric.id


@dataclass
class ResultSet:
    scope: Scope
    engine: str
    results: dict[str, Result] = field(default_factory=dict)

    def rows(self, metric_id: str) -> list[dict[str, Any]]:
        return self.results[metric_id].rows

    def one(self, metric_id: str) -> dict[str, Any]:
        rows = self.rows(metric_id)
        return rows[0] if rows else {}


# -- scoping -------------------------------------------------------------------------------------


def _restrict(table: ir.Table, scope: Scope, start: dt.date, end: dt.date) -> ir.Table:
    return table.filter([table.day >= start, table.day < end, *_filters(table, scope)])


def _filters(table: ir.Table, scope: Scope) -> list[ir.BooleanValue]:
    conditions: list[ir.BooleanValue] = []
    columns = set(table.columns)
    for column, values in (
        ("sector", scope.sectors),
        ("taxonomy", scope.taxonomies),
        ("type", scope.types),
        ("feed", scope.feeds),
        ("country", scope.countries),
    ):
        if values and column in columns:
            conditions.append(table[column].isin(list(values)))
    if scope.tlp_in is not None:
        conditions.append(table.tlp.isin(list(scope.tlp_in)) if scope.tlp_in else ibis.literal(False))
    return conditions


def _spans(scope: Scope) -> list[tuple[dt.date, dt.date]]:
    """The days every metric may read: the period and the periods it is compared with, merged."""
    period = scope.period
    windows = sorted((p.start, p.end) for p in (period, period.previous(), period.year_earlier()))
    spans = [windows[0]]
    for start, end in windows[1:]:
        if start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def _within_spans(table: ir.Table, scope: Scope) -> ir.Table:
    days = [(table.day >= start) & (table.day < end) for start, end in _spans(scope)]
    return table.filter([ibis.or_(*days), *_filters(table, scope)])


def _first_of_month(day: dt.date) -> bool:
    return day.day == 1


def whole_months(period: Period) -> bool:
    """Whether the period, and so the periods it is compared with, are made of whole months."""
    return _first_of_month(period.start) and _first_of_month(period.end)


def counted_span(period: Period) -> str | None:
    """The kind of period the source counts are kept for (:data:`.frames.SPANS`) that ``period`` is,
    or None: a range of days, even of whole months, compares with the days before it, not with the
    previous month, quarter or year."""
    months = SPANS.get(period.kind)
    start = period.start
    if months is None or not _first_of_month(start) or (start.month - 1) % months:
        return None
    index = start.year * 12 + start.month - 1 + months
    return period.kind if period.end == dt.date(index // 12, index % 12 + 1, 1) else None


def label_masks(scope: Scope) -> list[int] | None:
    """The TLP masks of the source counts an address must have to be counted in ``scope``.

    None: the scope asks for labels the masks do not tell apart (or for none), so the counts
    cannot answer it.
    """
    if scope.tlp_in is None:
        return list(range(1, 2 * OTHER_LABEL))
    if not scope.tlp_in or any(label not in TLP_BITS for label in scope.tlp_in):
        return None
    wanted = sum({TLP_BITS[label] for label in scope.tlp_in})
    return [mask for mask in range(1, 2 * OTHER_LABEL) if mask & wanted]


def counts_answer(scope: Scope) -> bool:
    """Whether the trend tables' source counts give ``scope``'s distinct-source metrics exactly: a
    month, a quarter or a year, filtered on at most one sector, one class and one victim country
    besides TLP labels."""
    other = scope.types or scope.feeds
    one_each = len(scope.sectors) <= 1 and len(scope.taxonomies) <= 1 and len(scope.countries) <= 1
    return not other and one_each and counted_span(scope.period) is not None and label_masks(scope) is not None


def _filtered_columns(scope: Scope) -> set[str]:
    columns = {
        column
        for column, values in (
            ("sector", scope.sectors),
            ("taxonomy", scope.taxonomies),
            ("type", scope.types),
            ("feed", scope.feeds),
            ("country", scope.countries),
        )
        if values
    }
    return columns | ({"tlp"} if scope.tlp_in is not None else set())


def chosen(frames: Frames, scope: Scope) -> Frames:
    """``frames`` with each frame replaced by the first of its rollups that answers ``scope``, if any.

    A rollup answers a scope when it has every column the scope filters on and, when it is grouped
    by month, when the scope's period is made of whole months.
    """
    if not frames.rollups:
        return frames
    filtered = _filtered_columns(scope)
    tables = {role: frames.table(role) for role in ROLES}
    for role in ROLES:
        for rollup in frames.rollups:
            if (
                rollup.role == role
                and filtered <= rollup.filters
                and (not rollup.monthly or whole_months(scope.period))
            ):
                tables[role] = rollup.table
                break
    return Frames(**tables, source_counts=frames.source_counts)


def _counts(frames: Frames, scope: Scope, *, per_country: bool = False) -> ir.Table | None:
    """The source counts of the scope's period, filters and readable labels, when they answer the scope.

    ``per_country``: the period's totals per victim country instead (the scope's country, or every known
    one), what exposure counts (``Context.country_counts``).
    """
    masks = label_masks(scope)
    if frames.source_counts is None or masks is None or not counts_answer(scope):
        return None
    table = frames.source_counts
    country = scope.countries[0] if scope.countries else ""
    readable = table["mask"].isin(masks)
    kept = table.filter(
        [
            table.span == counted_span(scope.period),
            table.start == scope.period.start,
            table.in_sector == (scope.sectors[0] if scope.sectors else ""),
            table.in_taxonomy == (scope.taxonomies[0] if scope.taxonomies else ""),
            # remediation rows count the addresses of the period before, readable then, whatever their labels now
            readable | (table.kind.isin(REMEDIATION_KINDS) & table.before.isin(masks)),
        ]
    )
    if per_country:
        in_country = kept.in_country == country if country else kept.in_country != ""
        return kept.filter([kept.kind == "total", in_country])
    kept = kept.filter(kept.in_country == country)
    return kept.mutate(seen_before=kept.before.isin(masks), seen_now=kept["mask"].isin(masks))


def history_end(period: Period) -> dt.date:
    """The day after the yearly history of ``period``: 1 January after the year the period ends in."""
    return dt.date((period.end - dt.timedelta(days=1)).year + 1, 1, 1)


def _history_source(frames: Frames) -> ir.Table:
    """What the yearly history reads: the events by month when the trend tables have them (years are whole
    months), else the events frame."""
    for rollup in frames.rollups:
        if rollup.role == "events" and rollup.monthly:
            return rollup.table
    return frames.events


def history_table(table: ir.Table, scope: Scope) -> ir.Table:
    """``table``'s events of every whole year up to the year the scope's period ends in, within its filters
    (not its period), by year and class."""
    kept = table.filter([table.day < history_end(scope.period), *_filters(table, scope)])
    year = kept.day.year().cast("int64")
    return kept.group_by(year=year, taxonomy=kept.taxonomy).aggregate(n=kept.n.sum().cast("int64"))


def context(frames: Frames, scope: Scope) -> Context:
    """The frames restricted to the scope's period, its comparison periods and its filters."""
    period = scope.period
    counts = _counts(frames, scope)
    country_counts = _counts(frames, scope, per_country=True)
    history = history_table(_history_source(frames), scope)
    frames = chosen(frames, scope)

    def within(p: Period) -> Frames:
        return frames.map(lambda t: _restrict(t, scope, p.start, p.end))

    return Context(
        scope=scope,
        current=within(period),
        previous=within(period.previous()),
        year_earlier=within(period.year_earlier()),
        before=within(period.previous()),
        counts=counts,
        country_counts=country_counts,
        history=history,
    )


# -- building blocks -----------------------------------------------------------------------------


def _count_by(table: ir.Table, keys: Sequence[str], top: int | None = None) -> ir.Table:
    result = table.group_by(list(keys)).aggregate(events=table.n.sum())
    result = result.order_by([ibis.desc("events"), *keys])
    return result.limit(top) if top else result


def _sources_by(table: ir.Table, keys: Sequence[str]) -> ir.Table:
    result = table.group_by(list(keys)).aggregate(sources=table.source_ip.nunique())
    return result.order_by([ibis.desc("sources"), *keys])


def _by_family(ctx: Context) -> ir.Table:
    """Events and distinct infected addresses per malware family (the events whose report names one:
    sinkholes, honeypots, compromised devices), the families with most events first."""
    events = ctx.current.events.filter(ctx.current.events.family != UNKNOWN)
    counts = events.group_by("family").aggregate(events=events.n.sum())
    sources = ctx.current.sources.filter(ctx.current.sources.family != UNKNOWN)
    addresses = sources.group_by("family").aggregate(sources=sources.source_ip.nunique())
    joined = counts.left_join(addresses, "family")
    result = joined.select(
        family=joined.family, events=joined.events, sources=joined.sources.fill_null(0).cast("int64")
    )
    return result.order_by([ibis.desc("events"), "family"]).limit(TOP)


def _bucket(table: ir.Table, granularity: str) -> ir.Value:
    if granularity == "day":
        return table.day
    return table.day.truncate("W" if granularity == "week" else "M").cast("date")


def _compare(current: Frames, other: Frames, dimensions: Iterable[str]) -> ir.Table:
    parts = []
    for dimension in dimensions:
        now = current.events.group_by(series=current.events[dimension]).aggregate(current=current.events.n.sum())
        then = other.events.group_by(series=other.events[dimension]).aggregate(previous=other.events.n.sum())
        joined = now.join(then, now.series == then.series, how="outer", rname="{name}_other")
        parts.append(
            joined.select(
                dimension=ibis.literal(dimension),
                series=ibis.coalesce(joined.series, joined.series_other),
                current=joined.current.fill_null(0),
                previous=joined.previous.fill_null(0),
            )
        )
    union = parts[0]
    for part in parts[1:]:
        union = union.union(part)
    return union.order_by(["dimension", "series"])


# -- the metrics ---------------------------------------------------------------------------------


def _totals(ctx: Context) -> ir.Table:
    events = ctx.current.events
    days = ctx.current.days
    networks = ctx.current.networks
    known = networks.filter(networks.organisation != UNKNOWN)
    return (
        events.aggregate(events=events.n.sum().fill_null(0), feeds=events.feed.nunique())
        .cross_join(days.aggregate(days=days.day.nunique(), first_day=days.day.min(), last_day=days.day.max()))
        .cross_join(
            known.aggregate(
                organisations=known.organisation.nunique(),
                attributed=known.n.sum().fill_null(0),
            )
        )
    )


def _sources_total(ctx: Context) -> ir.Table:
    sources = ctx.current.sources
    return sources.aggregate(sources=sources.source_ip.nunique())


def _timeline(ctx: Context) -> ir.Table:
    events = ctx.current.days
    bucketed = events.mutate(bucket=_bucket(events, ctx.granularity))
    return bucketed.group_by(["bucket", "taxonomy"]).aggregate(events=bucketed.n.sum()).order_by(["bucket", "taxonomy"])


def _sources_timeline(ctx: Context) -> ir.Table:
    sources = ctx.current.sources
    bucketed = sources.mutate(bucket=_bucket(sources, ctx.granularity))
    return bucketed.group_by("bucket").aggregate(sources=bucketed.source_ip.nunique()).order_by("bucket")


def _new_vs_recurring(ctx: Context) -> ir.Table:
    now = ctx.current.sources.select("source_ip").distinct()
    earlier = ctx.before.sources.select(seen=ctx.before.sources.source_ip).distinct()
    joined = now.left_join(earlier, now.source_ip == earlier.seen)
    return joined.aggregate(
        new=joined.seen.isnull().cast("int64").sum().fill_null(0),
        recurring=joined.seen.notnull().cast("int64").sum().fill_null(0),
    )


def _incident_counts(keys: Sequence[str]) -> Callable[[Context], ir.Table]:
    def build(ctx: Context) -> ir.Table:
        incidents = ctx.current.incidents
        return _count_by(incidents, keys)

    return build


def _incident_response(ctx: Context) -> ir.Table:
    incidents = ctx.current.incidents
    grouped = incidents.group_by("type").aggregate(
        incidents=incidents.n.sum(),
        with_time=incidents.response_n.sum(),
        hours_sum=incidents.response_sum.sum(),
    )
    return grouped.select(
        "type",
        "incidents",
        "with_time",
        mean_hours=ibis.ifelse(grouped.with_time > 0, grouped.hours_sum / grouped.with_time, ibis.null("float64")),
    ).order_by([ibis.desc("incidents"), "type"])


METRICS: tuple[Metric, ...] = (
    Metric("totals", "Key figures", _totals),
    Metric("sources_total", "Distinct source addresses", _sources_total, counted=counted.total, reads_sources=True),
    Metric("timeline", "Events over time by threat class", _timeline),
    Metric(
        "sources_timeline",
        "Distinct sources over time",
        _sources_timeline,
        counted=counted.timeline,
        reads_sources=True,
    ),
    Metric("by_class", "Events by threat class and type", lambda c: _count_by(c.current.events, ["taxonomy", "type"])),
    Metric(
        "sources_by_class",
        "Distinct sources by threat class",
        lambda c: _sources_by(c.current.sources, ["taxonomy"]),
        counted=counted.by_key("taxonomy"),
        reads_sources=True,
    ),
    Metric(
        "by_identifier",
        "Most reported services and malware",
        lambda c: _count_by(c.current.events, ["identifier"], TOP),
    ),
    Metric(
        "by_family",
        "Events and infected addresses by malware family",
        _by_family,
        counted=counted.by_family,
        reads_sources=True,
    ),
    Metric("by_category", "Events by victim category", lambda c: _count_by(c.current.events, ["category"])),
    Metric("by_sector", "Events by sector", lambda c: _count_by(c.current.events, ["sector"])),
    Metric(
        "sources_by_sector",
        "Distinct sources by sector",
        lambda c: _sources_by(c.current.sources, ["sector"]),
        counted=counted.by_key("sector"),
        reads_sources=True,
    ),
    Metric("by_country", "Events by victim country", lambda c: _count_by(c.current.events, ["country"], TOP)),
    Metric("by_severity", "Events by severity", lambda c: _count_by(c.current.events, ["severity"])),
    Metric("by_feed", "Events by feed and provider", lambda c: _count_by(c.current.events, ["feed", "provider"])),
    Metric(
        "top_asn",
        "Autonomous systems with most events",
        lambda c: _count_by(c.current.networks, ["asn", "as_name"], TOP),
    ),
    Metric("top_networks", "Networks with most events", lambda c: _count_by(c.current.networks, ["network"], TOP)),
    Metric(
        "top_organisations",
        "Organisations with most events",
        lambda c: _count_by(
            c.current.networks.filter(c.current.networks.organisation != UNKNOWN), ["organisation", "sector"], TOP
        ),
    ),
    Metric(
        "new_vs_recurring",
        "New and recurring sources",
        _new_vs_recurring,
        counted=counted.new_vs_recurring,
        reads_sources=True,
    ),
    Metric("incidents_by_type", "Incidents by type", _incident_counts(["taxonomy", "type"])),
    Metric("incidents_by_sector", "Incidents by sector", _incident_counts(["sector"])),
    Metric("incidents_by_severity", "Incidents by criticality", _incident_counts(["severity"])),
    Metric("incidents_by_reporter", "Incidents by reporter", _incident_counts(["reporter"])),
    Metric("incident_response", "Time to respond to incidents", _incident_response, post=annual.round_hours),
    Metric("incidents_by_status", "Incidents by status", _incident_counts(["status"])),
    Metric(
        "incident_times",
        "Time to close incidents: mean, median, 90th percentile",
        annual.incident_times,
        post=annual.round_hours,
    ),
    Metric(
        "remediation",
        "Remediation: vulnerable or infected addresses no longer seen",
        annual.remediation,
        post=annual.remediation_shares,
        counted=counted.remediation,
        reads_sources=True,
    ),
    Metric(
        "exposure",
        "Exposure: distinct sources per victim country",
        annual.exposure,
        counted=counted.exposure,
        reads_sources=True,
        counted_from="country_counts",
    ),
    Metric("history", "Events per year since the first imported year", annual.history),
    Metric(
        "change_previous",
        "Change from the previous period",
        lambda c: _compare(c.current, c.previous, ["type", "sector"]),
        post=lambda rows, s: stats.annotate_changes(rows, s.period.days, s.period.previous().days),
    ),
    Metric(
        "change_year",
        "Change from the same period a year earlier",
        lambda c: _compare(c.current, c.year_earlier, ["type", "sector"]),
        post=lambda rows, s: stats.annotate_changes(rows, s.period.days, s.period.year_earlier().days),
    ),
)

BY_ID = {metric.id: metric for metric in METRICS}


def run(
    engine: Any,
    frames: Frames,
    scope: Scope,
    only: Iterable[str] | None = None,
    with_sql: bool = False,
) -> ResultSet:
    """Execute the metric set (or ``only`` some metrics) on ``engine`` over ``frames``."""
    wanted = list(only) if only is not None else [m.id for m in METRICS]
    result = ResultSet(scope=scope, engine=engine.name)
    # With several metrics, the frames are derived and restricted once, into tables the engine keeps
    # (DuckDB: temporary tables), instead of once per metric: one pass over the Parquet files, and
    # each metric's query is small. The staged rows say which of the compared periods they fall in,
    # so a metric's query names no date and no filter: DuckDB compiles it once per process (per
    # time step of the charts), not once per page (:meth:`.engines.Engine.cached_rows`).
    staged: list[ir.Table] = []
    if len(wanted) > 1:
        staging = _staged(engine, frames, scope, wanted)
        staged = staging.tables
        # The context (Ibis expressions) is built only if a query is not compiled yet.
        ctx = functools.cache(staging.context)
    else:
        unstaged = context(frames, scope)
        ctx = functools.cache(lambda: unstaged)
    try:
        for metric_id in wanted:
            metric = BY_ID[metric_id]
            if staged:
                key = (metric_id, scope.period.granularity(), staging.counted, staging.shape)
                rows = engine.cached_rows(key, lambda metric=metric: metric.expression(ctx()))
            else:
                rows = engine.rows(metric.expression(ctx()))
            if metric.post is not None:
                rows = metric.post(rows, scope)
            result.results[metric_id] = Result(metric, rows, metric_sql(metric_id, scope) if with_sql else "")
    finally:
        for table in staged:
            engine.release(table)
    return result


def _scope_key(scope: Scope) -> tuple[Any, ...]:
    """Everything of the scope that the staging queries depend on."""
    period = scope.period
    return (period.start, period.end, period.kind, json.dumps(scope.describe(), sort_keys=True))


#: The periods a staged row may fall in, as the flag columns ``in_<name>`` say.
WINDOWS = ("current", "previous", "year_earlier")


def _windows(period: Period) -> dict[str, Period]:
    return {"current": period, "previous": period.previous(), "year_earlier": period.year_earlier()}


def _flagged(table: ir.Table, scope: Scope) -> ir.Table:
    """``table`` restricted to the scope's days and filters, each row flagged with the periods it is in."""
    restricted = _within_spans(table, scope)
    return restricted.mutate(
        **{
            f"in_{name}": (restricted.day >= window.start) & (restricted.day < window.end)
            for name, window in _windows(scope.period).items()
        }
    )


@dataclass
class _Staging:
    #: the tables kept by the engine (to release)
    tables: list[ir.Table]
    #: builds the context over them
    context: Callable[[], Context]
    #: their names and schemas: what the compiled metric queries depend on, with the two below
    shape: tuple[Any, ...]
    counted: bool


def _staged(engine: Any, frames: Frames, scope: Scope, wanted: list[str]) -> _Staging:
    """The frames the ``wanted`` metrics read, restricted once to the scope and kept by ``engine``.

    Long: over 80 lines because each frame, the source counts and the history are staged in turn, each
    with the key its compiled query is kept under.

    Each frame is read from the smallest table that answers the scope (:func:`chosen`); the sources
    frame is not staged when the source counts answer the scope; the networks frame only for the
    period itself (no metric compares networks across periods). Each frame is first given a fixed
    name of the connection (:meth:`.engines.Engine.alias`), so that the query staging it depends
    only on the scope and the frame's columns, and is compiled once per process for each scope.
    """
    staged: list[ir.Table] = []
    kept: dict[int, ir.Table] = {}
    counted = frames.source_counts is not None and counts_answer(scope)
    history_source = _history_source(frames)
    frames = chosen(frames, scope)
    scope_key = _scope_key(scope)

    def stage(name: str, table: ir.Table, current_only: bool = False) -> ir.Table:
        if id(table) not in kept:
            source = engine.alias(table, f"staged_from_{name}")

            def build(source: ir.Table = source) -> ir.Table:
                flagged = _flagged(source, scope)
                return flagged.filter(flagged.in_current) if current_only else flagged

            key = (f"staged_from_{name}", tuple(source.schema().items()), current_only, scope_key)
            kept[id(table)] = engine.stage(f"staged_{name}", key, build)
            staged.append(kept[id(table)])
        return kept[id(table)]

    sources_read = any(BY_ID[m].reads_sources and not (counted and BY_ID[m].counted) for m in wanted)
    if frames.base is not None:
        # Raw events: the derived columns restricted once, in one pass over the Parquet files; the
        # frames are projections of that table.
        derived = frames_of(stage("base", frames.base), keep=tuple(f"in_{name}" for name in WINDOWS))
        events = days = networks = derived.events
        sources, incidents = derived.sources, derived.incidents
    else:
        events = stage("events", frames.events)
        days = stage("days", frames.days)
        networks = stage("networks", frames.networks, current_only=frames.networks is not frames.events)
        sources = stage("sources", frames.sources) if sources_read else frames.sources
        incidents = stage("incidents", frames.incidents)
    kept_counts: dict[bool, ir.Table] = {}
    if counted and frames.source_counts is not None:
        source = engine.alias(frames.source_counts, "staged_from_counts")
        per_country_wanted = any(BY_ID[m].counted_from == "country_counts" for m in wanted)
        for per_country in (False, True) if per_country_wanted else (False,):

            def restricted(source: ir.Table = source, per_country: bool = per_country) -> ir.Table:
                table = _counts(replace(frames, source_counts=source), scope, per_country=per_country)
                assert table is not None  # noqa: S101 (counted says the counts answer the scope)
                return table

            key = ("staged_from_counts", tuple(source.schema().items()), scope_key, per_country)
            name = "staged_country_counts" if per_country else "staged_counts"
            kept_counts[per_country] = engine.stage(name, key, restricted)
            staged.append(kept_counts[per_country])
    counts, country_counts = kept_counts.get(False), kept_counts.get(True)
    history = _staged_history(engine, history_source, scope) if "history" in wanted else None
    if history is not None:
        staged.append(history)

    def window(name: str) -> Frames:
        def flagged(table: ir.Table) -> ir.Table:
            return table.filter(table[f"in_{name}"])

        return Frames(
            events=flagged(events),
            sources=flagged(sources) if sources_read else sources,
            incidents=flagged(incidents),
            networks=flagged(networks),
            days=flagged(days),
        )

    def build_context() -> Context:
        return Context(
            scope=scope,
            current=window("current"),
            previous=window("previous"),
            year_earlier=window("year_earlier"),
            before=window("previous"),
            counts=counts,
            country_counts=country_counts,
            history=history,
        )

    shape = tuple((table.get_name(), tuple(table.schema().items())) for table in staged)
    return _Staging(staged, build_context, shape, counted)


def _staged_history(engine: Any, table: ir.Table, scope: Scope) -> ir.Table:
    """The yearly history (:func:`history_table`) kept by ``engine``, compiled once per process for each scope."""
    source = engine.alias(table, "staged_from_history")
    key = ("staged_from_history", tuple(source.schema().items()), _scope_key(scope))
    staged: ir.Table = engine.stage("staged_history", key, lambda: history_table(source, scope))
    return staged


def metric_sql(metric_id: str, scope: Scope, dialect: str = "duckdb") -> str:
    """The query of one metric over the named frames (``events_frame``, ...), for the report's appendix."""
    expression = BY_ID[metric_id].build(context(unbound_frames(), scope))
    return str(ibis.to_sql(expression, dialect=dialect))


def frame_sql(dialect: str = "duckdb") -> dict[str, str]:
    """How each frame is derived from the event store's columns (``events``), as SQL."""
    raw = ibis.table(ibis.Schema.from_pyarrow(event_schema()), name="events")
    frames = raw_frames(raw)
    narrow = {
        "events": frames.events.select(*EVENT_DIMENSIONS, "n"),
        "sources": frames.sources,
        "incidents": frames.incidents,
        "networks": frames.networks.select(*NETWORK_DIMENSIONS, "n"),
    }
    return {name: str(ibis.to_sql(table, dialect=dialect)) for name, table in narrow.items()}


# -- public building blocks ----------------------------------------------------------------------
# For metric sets built outside this module over frames of the same columns (the regional metric set over
# the pooled events of several countries), so that both count alike:
count_by = _count_by  # events (the sum of ``n``) per combination of keys, most first; the ``top`` first if given
sources_by = _sources_by  # distinct source addresses per combination of keys, most first
compare_periods = _compare  # each series' events in the current and the other period, for stats.annotate_changes
flag_windows = _flagged  # the scope's rows of the three windows, flagged in_current, in_previous, in_year_earlier
