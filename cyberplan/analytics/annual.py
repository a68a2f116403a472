"""The figures an annual report needs: incident status and time to close (median and 90th percentile),
remediation of vulnerable or infected addresses, exposure per 1,000 addresses, and the yearly history.

Each builder takes a :class:`~.metrics.Context` like the other metrics of :mod:`.metrics`, which lists
them in its metric set; they are here to keep that module readable.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

import ibis
import ibis.expr.types as ir

from .frames import REMEDIATION_CLASS, REMEDIATION_TYPE, UNKNOWN

if TYPE_CHECKING:
    from .metrics import Context, Scope

TOP = 10


def _sources_by(table: ir.Table, keys: Sequence[str]) -> ir.Table:
    result = table.group_by(list(keys)).aggregate(sources=table.source_ip.nunique())
    return result.order_by([ibis.desc("sources"), *keys])


def quantiles(timed: ir.Table, keys: Sequence[str]) -> ir.Table:
    """The median and 90th percentile of the times to respond, per ``keys``, by nearest rank: the
    smallest time within which at least half (nine tenths) of the timed incidents were handled."""
    grouped = timed.group_by([*keys, "response_hours"]).aggregate(k=timed.n.sum())
    group = list(keys) or None
    ranked = grouped.mutate(
        cumulative=grouped.k.sum().over(ibis.cumulative_window(group_by=group, order_by=grouped.response_hours)),
        total=grouped.k.sum().over(ibis.window(group_by=group)),
    )
    hours = ranked.response_hours
    found = {
        "median_hours": hours.min(where=ranked.cumulative * 2 >= ranked.total),
        "p90_hours": hours.min(where=ranked.cumulative * 10 >= ranked.total * 9),
    }
    return ranked.group_by(list(keys)).aggregate(**found) if keys else ranked.aggregate(**found)


def incident_times(ctx: Context) -> ir.Table:
    """All incidents (``overall``), then per type: incidents, those with a time, mean, median, 90th percentile."""
    incidents = ctx.current.incidents
    timed = incidents.filter(incidents.response_hours.notnull())
    parts = []
    for keys in ((), ("type",)):
        sums = {
            "incidents": incidents.n.sum(),
            "with_time": incidents.response_n.sum(),
            "hours_sum": incidents.response_sum.sum(),
        }
        counted = incidents.group_by(list(keys)).aggregate(**sums) if keys else incidents.aggregate(**sums)
        found = quantiles(timed, keys)
        joined = counted.left_join(found, "type") if keys else counted.cross_join(found)
        parts.append(
            joined.filter(joined.incidents > 0).select(
                overall=ibis.literal(not keys),
                type=joined.type if keys else ibis.null("string"),
                incidents=joined.incidents,
                with_time=joined.with_time,
                mean_hours=ibis.ifelse(joined.with_time > 0, joined.hours_sum / joined.with_time, ibis.null("float64")),
                median_hours=joined.median_hours,
                p90_hours=joined.p90_hours,
            )
        )
    return parts[0].union(parts[1]).order_by([ibis.desc("overall"), ibis.desc("incidents"), "type"])


def remediation(ctx: Context) -> ir.Table:
    """Per class and per sector: the vulnerable or infected addresses of the previous period (``seen``),
    and those of them not reported in this period within the same class or sector (``gone``)."""

    def held(table: ir.Table, dimension: str) -> ir.Table:
        kept = table.filter((table.taxonomy == REMEDIATION_CLASS) | (table.type == REMEDIATION_TYPE))
        return kept.select(series=kept[dimension], address=kept.source_ip).distinct()

    parts = []
    for dimension in ("taxonomy", "sector"):
        before = held(ctx.previous.sources, dimension)
        now = held(ctx.current.sources, dimension)
        now = now.select(now_series=now.series, now_address=now.address)
        joined = before.left_join(now, [before.series == now.now_series, before.address == now.now_address])
        grouped = joined.group_by("series").aggregate(
            seen=joined.address.count(), gone=joined.now_address.isnull().cast("int64").sum()
        )
        labelled = grouped.mutate(dimension=ibis.literal(dimension))
        parts.append(labelled.select("dimension", "series", "seen", "gone"))
    return parts[0].union(parts[1]).order_by(["dimension", ibis.desc("seen"), "series"])


def remediation_shares(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    for row in rows:
        row["share"] = round(row["gone"] / row["seen"], 4) if row["seen"] else None
    return rows


def exposure(ctx: Context) -> ir.Table:
    """Distinct source addresses per victim country (known countries), the 10 with most; the Django
    layer divides by the addresses the registry data gives each country (:func:`per_thousand`)."""
    sources = ctx.current.sources
    known = sources.filter(sources.country != UNKNOWN)
    return _sources_by(known, ["country"]).limit(TOP)


def per_thousand(rows: Iterable[dict[str, Any]], announced: Callable[[str], int | None]) -> list[dict[str, Any]]:
    """The rows of ``exposure`` with the country's announced IPv4 addresses and the sources per 1,000 of
    them (None when the registry data gives the country none)."""
    result = []
    for row in rows:
        addresses = announced(str(row["country"]))
        share = round(row["sources"] * 1000 / addresses, 4) if addresses else None
        result.append({**row, "announced": addresses, "per_1000": share})
    return result


def history(ctx: Context) -> ir.Table:
    history = ctx.history
    assert history is not None  # noqa: S101 (every context has it)
    grouped = history.group_by(["year", "taxonomy"]).aggregate(events=history.n.sum())
    return grouped.order_by(["year", "taxonomy"])


def round_hours(rows: list[dict[str, Any]], scope: Scope) -> list[dict[str, Any]]:
    """Hours to two decimals, the same whichever way the engine summed them: a mean read from the trend
    tables (sums of sums) and from the raw events can differ in the last bits of a float, and at a half
    (30.025 from 240.2 / 8) those bits would decide the second decimal. Rounded first to nine decimals,
    both land on the same float, then on the same two decimals."""
    for row in rows:
        for name in ("mean_hours", "median_hours", "p90_hours"):
            if row.get(name) is not None:
                row[name] = round(round(float(row[name]), 9), 2)
    return rows
