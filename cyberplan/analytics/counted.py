"""The distinct-source metrics read from the trend tables' exact source counts
(:func:`.frames.source_counts_sql`) instead of counting addresses: each takes the counts of the page's
period, filters and readable labels (``Context.counts``, or ``Context.country_counts`` for exposure), and the
context for what the counts do not hold (the events), and gives the same rows as the metric's own definition
in :mod:`.metrics` or :mod:`.annual`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import ibis
import ibis.expr.types as ir

from .annual import TOP
from .frames import KEYED, UNKNOWN, remediation_kind

if TYPE_CHECKING:
    from .metrics import Context


def _kind(counts: ir.Table, kind: str) -> ir.Table:
    return counts.filter(counts.kind == kind)


def total(counts: ir.Table, ctx: Context) -> ir.Table:
    rows = _kind(counts, "total")
    return rows.aggregate(sources=rows.sources.sum().fill_null(0).cast("int64"))


def timeline(counts: ir.Table, ctx: Context) -> ir.Table:
    days = _kind(counts, "day")
    grouped = days.group_by(bucket=days.day).aggregate(sources=days.sources.sum().cast("int64"))
    return grouped.order_by("bucket")


def by_key(key: str) -> Callable[[ir.Table, Context], ir.Table]:
    def build(counts: ir.Table, ctx: Context) -> ir.Table:
        rows = _kind(counts, key)
        grouped = rows.group_by(rows.key.name(key)).aggregate(sources=rows.sources.sum().cast("int64"))
        return grouped.order_by([ibis.desc("sources"), key])

    return build


def by_family(counts: ir.Table, ctx: Context) -> ir.Table:
    """:func:`.metrics._by_family`: the events per named family from the context, the distinct addresses
    from the counts per family."""
    events = ctx.current.events.filter(ctx.current.events.family != UNKNOWN)
    per_family = events.group_by("family").aggregate(events=events.n.sum())
    rows = _kind(counts, "family")
    addresses = rows.group_by(family=rows.key).aggregate(sources=rows.sources.sum().cast("int64"))
    joined = per_family.left_join(addresses, "family")
    result = joined.select(
        family=joined.family, events=joined.events, sources=joined.sources.fill_null(0).cast("int64")
    )
    return result.order_by([ibis.desc("events"), "family"]).limit(TOP)


def new_vs_recurring(counts: ir.Table, ctx: Context) -> ir.Table:
    rows = _kind(counts, "recurring")
    return rows.aggregate(
        new=rows.sources.sum(where=~rows.seen_before).fill_null(0).cast("int64"),
        recurring=rows.sources.sum(where=rows.seen_before).fill_null(0).cast("int64"),
    )


def remediation(counts: ir.Table, ctx: Context) -> ir.Table:
    """:func:`.annual.remediation`: per class and per sector, the addresses held vulnerable or infected in the
    period before and readable then (``seen``), and those of them not so reported, readable, in the period
    (``gone``)."""
    parts = []
    for dimension in KEYED:
        rows = counts.filter([counts.kind == remediation_kind(dimension), counts.seen_before])
        grouped = rows.group_by(series=rows.key).aggregate(
            seen=rows.sources.sum().cast("int64"),
            gone=rows.sources.sum(where=~rows.seen_now).fill_null(0).cast("int64"),
        )
        parts.append(grouped.select(dimension=ibis.literal(dimension), series="series", seen="seen", gone="gone"))
    return parts[0].union(parts[1]).order_by(["dimension", ibis.desc("seen"), "series"])


def exposure(counts: ir.Table, ctx: Context) -> ir.Table:
    """:func:`.annual.exposure` from the source counts per victim country (``Context.country_counts``): each
    address counted once per country whatever its labels, as the distinct count does."""
    known = counts.filter(counts.in_country != UNKNOWN)
    grouped = known.group_by(country=known.in_country).aggregate(sources=known.sources.sum().cast("int64"))
    return grouped.order_by([ibis.desc("sources"), "country"]).limit(TOP)
