"""The distinct-source metrics read from the trend tables' exact source counts
(:func:`.frames.source_counts_sql`) instead of counting addresses: each takes the counts of the page's
period, filters and readable labels (``Context.counts``, or ``Context.country_counts`` for exposure) and
gives the same rows as the metric's own definition in :mod:`.metrics` or :mod:`.annual`.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis
import ibis.expr.types as ir

from .annual import TOP
from .frames import UNKNOWN


def _kind(counts: ir.Table, kind: str) -> ir.Table:
    return counts.filter(counts.kind == kind)


def total(counts: ir.Table) -> ir.Table:
    rows = _kind(counts, "total")
    return rows.aggregate(sources=rows.sources.sum().fill_null(0).cast("int64"))


def timeline(counts: ir.Table) -> ir.Table:
    days = _kind(counts, "day")
    grouped = days.group_by(bucket=days.day).aggregate(sources=days.sources.sum().cast("int64"))
    return grouped.order_by("bucket")


def by_key(key: str) -> Callable[[ir.Table], ir.Table]:
    def build(counts: ir.Table) -> ir.Table:
        rows = _kind(counts, key)
        grouped = rows.group_by(rows.key.name(key)).aggregate(sources=rows.sources.sum().cast("int64"))
        return grouped.order_by([ibis.desc("sources"), key])

    return build


def new_vs_recurring(counts: ir.Table) -> ir.Table:
    rows = _kind(counts, "recurring")
    return rows.aggregate(
        new=rows.sources.sum(where=~rows.seen_before).fill_null(0).cast("int64"),
        recurring=rows.sources.sum(where=rows.seen_before).fill_null(0).cast("int64"),
    )


def exposure(counts: ir.Table) -> ir.Table:
    """:func:`.annual.exposure` from the source counts per victim country (``Context.country_counts``): each
    address counted once per country whatever its labels, as the distinct count does."""
    known = counts.filter(counts.in_country != UNKNOWN)
    grouped = known.group_by(country=known.in_country).aggregate(sources=known.sources.sum().cast("int64"))
    return grouped.order_by([ibis.desc("sources"), "country"]).limit(TOP)
