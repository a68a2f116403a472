"""The regional dashboard's figures: pure functions over members' statistics packages (no database).

:func:`regional_analysis` takes ``(country, package)`` pairs, the latest accepted package of each member
for any periods, and a period (``2026`` or ``2026-Q2``), and returns a :class:`RegionalAnalysis`: every
figure of the regional dashboard, each a :class:`~cyberplan.regional.regional_figures.Figure` that says which
members and periods it includes. The dashboard page and the regional report both build on it, and
:func:`cyberplan.regional.charts.charts_for` draws its charts.

Cells follow :mod:`cyberplan.regional.regional_figures`: a suppressed count stays suppressed, a sum that
includes one is a lower bound (``at_least``). The change test is the national report's
(:func:`cyberplan.analytics.stats.annotate_changes`: exact Poisson rate test per series, Benjamini-Hochberg
over the series tested together); a series is tested only where both periods' counts are exact, so a
sum with a suppressed part is shown but not tested.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from cyberplan.analytics.stats import annotate_changes

from .regional_figures import REGION, Figure, Sum, regional_figures

#: The series "all classes" of the change test: the period's total events of each member.
ALL_CLASSES = "all"
#: The Council of Europe treaties every member's Convention status shows, in this order; others follow.
CORE_TREATIES = ("ets-185", "ets-189", "cets-224")

Pair = tuple[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Included:
    """One package a figure was built from."""

    country: str
    period: str
    version: int
    tlp: str


@dataclass
class RegionalAnalysis:
    """Every figure of the regional dashboard for one period and a choice of members."""

    period: str
    previous: str
    members: list[str]
    packages: list[Included]
    monthly: Figure
    trends: Figure
    classes: Figure
    changes: Figure
    comparison: Figure
    maturity: Figure
    strategy: Figure
    conventions: Figure
    training: Figure
    missing: dict[str, list[str]] = field(default_factory=dict)

    def figures(self) -> dict[str, Figure]:
        """The figures by name, in the dashboard's order."""
        return {
            f.name: f
            for f in (
                self.monthly,
                self.trends,
                self.classes,
                self.changes,
                self.comparison,
                self.maturity,
                self.strategy,
                self.conventions,
                self.training,
            )
        }


# -- periods -------------------------------------------------------------------------------------------------


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a year (``2026``) or a quarter (``2026-Q2``)."""
    if "-Q" in period:
        year_text, quarter_text = period.split("-Q")
        year, quarter = int(year_text), int(quarter_text)
        if not 1 <= quarter <= 4:
            raise ValueError(f"period: {period!r} is not a quarter 1 to 4")
        first = 3 * quarter - 2
        last = first + 2
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    year = int(period)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def period_days(period: str) -> int:
    start, end = period_bounds(period)
    return (end - start).days + 1


def previous_period(period: str) -> str:
    """The period before: the year before a year, the quarter before a quarter."""
    if "-Q" in period:
        year, quarter = (int(part) for part in period.split("-Q"))
        return f"{year - 1}-Q4" if quarter == 1 else f"{year}-Q{quarter - 1}"
    return str(int(period) - 1)


# -- threat trends ---------------------------------------------------------------------------------------------


def _sourced(name: str, columns: tuple[str, ...], pairs: Sequence[Pair], part: str) -> Figure:
    figure = Figure(name, columns)
    for country, package in pairs:
        if part in package:
            figure.members.append(country)
            if str(package["period"]) not in figure.periods:
                figure.periods.append(str(package["period"]))
    return figure


def _ordered(sums: Mapping[Any, tuple[Sum, Sum]]) -> list[tuple[Any, tuple[Sum, Sum]]]:
    """Members first (by country), the region last."""
    return sorted(sums.items(), key=lambda kv: (kv[0][0] == REGION, kv[0]))


def _monthly(pairs: Sequence[Pair]) -> Figure:
    """Events and distinct sources by month, per member (the package's month totals) and summed for the region."""
    figure = _sourced("monthly", ("country", "month", "events", "sources"), pairs, "threats")
    sums: dict[tuple[str, ...], tuple[Sum, Sum]] = {}
    for country, package in pairs:
        for row in package.get("threats", {}).get("months", []):
            for who in (country, REGION):
                events, sources = sums.setdefault((who, row["month"]), (Sum(), Sum()))
                events.add(row["events"])
                sources.add(row["sources"])
    for (who, month), (events, sources) in _ordered(sums):
        figure.rows.append({"country": who, "month": month, "events": events.as_cell(), "sources": sources.as_cell()})
    return figure


def _by_class(pairs: Sequence[Pair], monthly: bool) -> Figure:
    """Events and sources by month and RSIT class (``monthly``) or by class over the period."""
    columns = ("country", "month", "taxonomy", "events", "sources") if monthly else ("country", "taxonomy", "events")
    figure = _sourced("trends" if monthly else "classes", columns, pairs, "threats")
    sums: dict[tuple[str, ...], tuple[Sum, Sum]] = {}
    for country, package in pairs:
        for row in package.get("threats", {}).get("rows", []):
            for who in (country, REGION):
                key = (who, row["month"], row["taxonomy"]) if monthly else (who, row["taxonomy"])
                events, sources = sums.setdefault(key, (Sum(), Sum()))
                events.add(row["events"])
                sources.add(row["sources"])
    for key, (events, sources) in _ordered(sums):
        row = dict(zip(("country", "month", "taxonomy") if monthly else ("country", "taxonomy"), key, strict=True))
        row["events"] = events.as_cell()
        if monthly:
            row["sources"] = sources.as_cell()
        figure.rows.append(row)
    return figure


def _class_sums(package: Mapping[str, Any]) -> dict[str, Sum]:
    """A package's events per class over the period, and all classes (the period's total)."""
    threats = package["threats"]
    sums: dict[str, Sum] = {ALL_CLASSES: Sum()}
    sums[ALL_CLASSES].add(threats["total"]["events"])
    for row in threats["rows"]:
        sums.setdefault(row["taxonomy"], Sum()).add(row["events"])
    return sums


def _exact(total: Sum) -> int | None:
    return total.value if total.suppressed == 0 else None


def _changes(current: Sequence[Pair], previous: Sequence[Pair], period: str, before: str) -> Figure:
    """The change test between the period and the one before, per class, for each member in both and the region.

    The region is the sum over the members with threat figures in both periods, so it compares like with
    like. A series whose count in either period includes a suppressed cell is shown but not tested.
    """
    figure = Figure("changes", ("country", "taxonomy", "current", "previous", "change", "q", "flag"))
    earlier = {country: package for country, package in previous if "threats" in package}
    both = [(country, package) for country, package in current if "threats" in package and country in earlier]
    figure.members = [country for country, _package in both]
    figure.periods = [period, before] if both else []
    series: dict[tuple[str, str], tuple[Sum, Sum]] = {}
    for country, package in both:
        now, then = _class_sums(package), _class_sums(earlier[country])
        for taxonomy in sorted(set(now) | set(then)):
            for who in (country, REGION):
                pair = series.setdefault((who, taxonomy), (Sum(), Sum()))
                _merge(pair[0], now.get(taxonomy))
                _merge(pair[1], then.get(taxonomy))
    tested: list[dict[str, Any]] = []
    for (who, taxonomy), (now_sum, then_sum) in _ordered(series):
        row: dict[str, Any] = {
            "country": who,
            "taxonomy": taxonomy,
            "current": now_sum.as_cell(),
            "previous": then_sum.as_cell(),
            "change": None,
            "p": None,
            "q": None,
            "flag": "untested",
        }
        exact_now, exact_then = _exact(now_sum), _exact(then_sum)
        if exact_now is not None and exact_then is not None:
            tested.append({"current": exact_now, "previous": exact_then, "row": row})
        figure.rows.append(row)
    annotate_changes(tested, period_days(period), period_days(before))
    for result in tested:
        result["row"].update({k: result[k] for k in ("ratio", "change", "p", "q", "flag")})
    return figure


def _merge(total: Sum, part: Sum | None) -> None:
    if part is None:
        return
    total.value += part.value
    total.parts += part.parts
    total.suppressed += part.suppressed


# -- country comparison ------------------------------------------------------------------------------------------


def _per_1000(count: Mapping[str, Any], addresses: int) -> float | None:
    """A published (or lower-bound) count per 1,000 addresses, 4 decimals; None when suppressed or no addresses."""
    if "value" not in count or addresses <= 0:
        return None
    return round(int(count["value"]) * 1000 / addresses, 4)


def _comparison(pairs: Sequence[Pair]) -> Figure:
    """Exposed sources and events per 1,000 announced IPv4 addresses, per member and for the region.

    The region's rates are the sums of the counts over the sum of the addresses of the members that
    gave them: sources over the addresses of every member with an exposure part, events over the
    addresses of those that also have threat figures (a member's events that are not known add neither).
    """
    figure = _sourced(
        "comparison",
        ("country", "announced_ipv4", "sources", "sources_per_1000", "events", "events_per_1000"),
        pairs,
        "exposure",
    )
    region_sources, region_events, region_addresses, event_addresses = Sum(), Sum(), 0, 0
    for country, package in pairs:
        exposure = package.get("exposure")
        if exposure is None:
            continue
        addresses = int(exposure["announced_ipv4"])
        sources, events = Sum(), Sum()
        sources.add(exposure["sources"])
        region_sources.add(exposure["sources"])
        region_addresses += addresses
        if "threats" in package:
            events.add(package["threats"]["total"]["events"])
            region_events.add(package["threats"]["total"]["events"])
            event_addresses += addresses
        figure.rows.append(_comparison_row(country, addresses, sources, events, addresses))
    if figure.rows:
        figure.rows.append(_comparison_row(REGION, region_addresses, region_sources, region_events, event_addresses))
    return figure


def _comparison_row(country: str, addresses: int, sources: Sum, events: Sum, event_addresses: int) -> dict[str, Any]:
    source_cell = sources.as_cell()
    event_cell = events.as_cell() if events.parts else None
    return {
        "country": country,
        "announced_ipv4": addresses,
        "sources": source_cell,
        "sources_per_1000": _per_1000(source_cell, addresses),
        "events": event_cell,
        "events_per_1000": _per_1000(event_cell, event_addresses) if event_cell else None,
    }


# -- maturity, strategy, Convention, training ----------------------------------------------------------------


def _maturity(pairs: Sequence[Pair]) -> Figure:
    """The heat map's cells: the assessment's stage per factor and country, for members that shared it."""
    figure = _sourced("maturity", ("factor", "country", "stage", "framework", "date"), pairs, "assessment")
    for country, package in pairs:
        assessment = package.get("assessment")
        if assessment is None:
            continue
        framework = assessment.get("framework")
        for factor in assessment["factors"]:
            figure.rows.append(
                {
                    "factor": factor["factor"],
                    "country": country,
                    "stage": int(factor["stage"]),
                    "framework": framework,
                    "date": assessment.get("date"),
                }
            )
    figure.rows.sort(key=lambda r: (r["factor"], r["country"]))
    return figure


def _strategy(pairs: Sequence[Pair]) -> Figure:
    """The strategy adoption timeline: one row per member with a strategy part."""
    columns = ("country", "adopted", "instrument", "start_year", "end_year", "phase", "axes", "actions", "completed")
    figure = _sourced("strategy", columns, pairs, "strategy")
    for country, package in pairs:
        strategy = package.get("strategy")
        if strategy is None:
            continue
        figure.rows.append(
            {
                "country": country,
                "adopted": bool(strategy["adopted"]),
                "instrument": strategy.get("instrument", ""),
                "start_year": strategy.get("start_year"),
                "end_year": strategy.get("end_year"),
                "phase": strategy.get("phase", ""),
                "axes": list(strategy.get("axes", [])),
                "actions": strategy.get("actions"),
                "completed": strategy.get("actions_completed_share"),
            }
        )
    return figure


def treaty_status(treaty: Mapping[str, Any] | None) -> str:
    """``in-force``, ``ratified``, ``acceded``, ``signed`` or ``none``: the furthest step a treaty record shows."""
    if not treaty:
        return "none"
    if treaty.get("in_force"):
        return "in-force"
    if treaty.get("ratified"):
        return "acceded" if treaty.get("accession") else "ratified"
    return "signed" if treaty.get("signed") else "none"


def _conventions(pairs: Sequence[Pair]) -> Figure:
    """Convention status and legal coverage: one row per member with a legal part and treaty."""
    columns = ("country", "treaty", "status", "date", "review_date", "covered_share", "full_share")
    figure = _sourced("conventions", columns, pairs, "legal")
    for country, package in pairs:
        legal = package.get("legal")
        if legal is None:
            continue
        treaties = {t["treaty"]: t for t in legal.get("treaties", [])}
        coverage = {c["treaty"]: c for c in legal.get("coverage", [])}
        others = sorted((set(treaties) | set(coverage)) - set(CORE_TREATIES))
        for treaty in (*CORE_TREATIES, *others):
            record, review = treaties.get(treaty), coverage.get(treaty, {})
            status = treaty_status(record)
            figure.rows.append(
                {
                    "country": country,
                    "treaty": treaty,
                    "status": status,
                    "date": (record or {}).get(status.replace("-", "_"), (record or {}).get("ratified")),
                    "review_date": review.get("review_date"),
                    "covered_share": review.get("covered_share"),
                    "full_share": review.get("full_share"),
                }
            )
    return figure


def _training(pairs: Sequence[Pair]) -> Figure:
    """Training coverage per member and audience, with the region's sums (from :func:`regional_figures`)."""
    figure = regional_figures(pairs)["training"]
    for row in figure.rows:
        cumulative, size = row["cumulative_trained"], row.get("audience_size")
        row["coverage"] = (
            round(int(cumulative["value"]) / int(size), 4)
            if "value" in cumulative and not cumulative.get("at_least") and size
            else None
        )
    return figure


# -- the whole analysis --------------------------------------------------------------------------------------------


def _latest(packages: Iterable[Pair], period: str, members: Iterable[str] | None) -> list[Pair]:
    chosen = None if members is None else {m.upper() for m in members}
    found = [
        (country, package)
        for country, package in packages
        if str(package["period"]) == period and (chosen is None or country in chosen)
    ]
    return sorted(found, key=lambda pair: pair[0])


def regional_analysis(packages: Iterable[Pair], period: str, members: Iterable[str] | None = None) -> RegionalAnalysis:
    """Every regional figure of ``period`` from ``packages`` (``(country, package)``, one latest per member and
    period, any periods), for the chosen ``members`` (all when None).

    The change test compares with the packages of the previous period (:func:`previous_period`) among
    ``packages``, for the members that have both. Pure: the same packages give the same analysis.
    """
    given = list(packages)
    chosen = list(members) if members is not None else None
    current = _latest(given, period, chosen)
    before = previous_period(period)
    earlier = _latest(given, before, chosen)
    countries = [country for country, _package in current]
    parts = ("threats", "exposure", "assessment", "strategy", "legal", "training")
    return RegionalAnalysis(
        period=period,
        previous=before,
        members=countries,
        packages=[
            Included(country, str(p["period"]), int(p.get("package_version", 0)), str(p.get("tlp", "")))
            for country, p in current
        ],
        monthly=_monthly(current),
        trends=_by_class(current, monthly=True),
        classes=_by_class(current, monthly=False),
        changes=_changes(current, earlier, period, before),
        comparison=_comparison(current),
        maturity=_maturity(current),
        strategy=_strategy(current),
        conventions=_conventions(current),
        training=_training(current),
        missing={part: [c for c, p in current if part not in p] for part in parts},
    )
