"""What the regional report is built from: the latest accepted packages of a period and the figures summed from them.

Pure reading: the packages a reader may see (or, from the command line, every package the programme accepted),
the latest version of each member for the period and for the period before, and the regional tables of
:mod:`cyberplan.regional.regional_figures` plus the two the report adds (incidents, legal coverage) and the
period-over-period tests of the national trends report (:func:`cyberplan.analytics.stats.annotate_changes`).
Where members share raw events, the regional metric set over the pooled events too
(:mod:`cyberplan.regional.pooled_figures`: kept ones when the pool has not changed, else computed here, in the
worker or the command), kept apart from the package figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from cyberplan.analytics import stats
from cyberplan.analytics.periods import Period
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.models import Organisation, User

from ..access import received_visible_to
from ..models import ReceivedPackage
from ..pooled_figures import PooledFigures, readable
from ..pooled_figures import current as pooled_figures
from ..regional_figures import REGION, Figure, Sum, regional_figures

#: The series the period-over-period test compares, as the national report splits events by type and sector.
DIMENSIONS = ("taxonomy", "sector")


@dataclass(frozen=True)
class Included:
    """One accepted package the report is built from."""

    country: str
    name: str
    period: str
    version: int
    figures_digest: str
    received: dt.date
    tlp: str
    package: Mapping[str, Any]


@dataclass
class Changes:
    """The regional threat trends tested between the period and the one before."""

    previous: Period
    #: members with threat figures in both periods: only they are compared
    compared: list[str] = field(default_factory=list)
    #: series tested, with ``annotate_changes``' ratio, change, p, q and flag
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: series not tested because a count of one of the periods is suppressed (a lower bound only)
    untested: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Content:
    programme: Organisation
    period: Period
    current: list[Included]
    previous: list[Included]
    figures: dict[str, Figure]
    changes: Changes
    tlp: str
    #: the regional metric set over the pooled events, where members share them (beside the packages' figures)
    pooled: PooledFigures | None = None


def _received(programme: Organisation, reader: User | None) -> QuerySet[ReceivedPackage]:
    packages = received_visible_to(reader) if reader is not None else ReceivedPackage.objects.all()
    return packages.filter(programme=programme, superseded=False).select_related("member")


def latest_packages(programme: Organisation, period: str, reader: User | None = None) -> list[Included]:
    """The latest accepted package of each member for ``period``, by country (those ``reader`` may read)."""
    found = _received(programme, reader).filter(period=period).order_by("member__country", "-received_at", "-id")
    included: dict[str, Included] = {}
    for received in found:
        if received.member.country in included:
            continue
        package = received.package()
        included[received.member.country] = Included(
            country=received.member.country,
            name=received.member.name,
            period=received.period,
            version=received.version,
            figures_digest=str(package.get("figures_digest", "")),
            received=received.received_at.date(),
            tlp=received.tlp,
            package=package,
        )
    return list(included.values())


def highest_label(packages: Iterable[Included]) -> str:
    """The most restricted label of the packages (TLP:CLEAR when there is none)."""
    labels = [p.tlp for p in packages if p.tlp in TLP.values]
    return max(labels, key=lambda code: TLP_RANK[TLP(code)], default=TLP.CLEAR)


def _series(packages: Iterable[Included], dimension: str) -> dict[str, Sum]:
    sums: dict[str, Sum] = {}
    for included in packages:
        for row in included.package["threats"]["rows"]:
            sums.setdefault(str(row[dimension]), Sum()).add(row["events"])
    return sums


def compare(current: list[Included], previous: list[Included], period: Period) -> Changes:
    """The regional events of each class and sector, this period against the previous one, tested.

    Only members with threat figures in both periods are compared (a member who joined would read as a rise).
    A series whose sum holds a suppressed count in either period is a lower bound, not a count: it is listed
    as untested rather than tested on a figure that is not the count.
    """
    changes = Changes(previous=period.previous())
    before = {p.country: p for p in previous if "threats" in p.package}
    now = [p for p in current if "threats" in p.package and p.country in before]
    changes.compared = [p.country for p in now]
    if not now:
        return changes
    then = [before[p.country] for p in now]
    for dimension in DIMENSIONS:
        current_sums, previous_sums = _series(now, dimension), _series(then, dimension)
        for series in sorted(set(current_sums) | set(previous_sums)):
            a, b = current_sums.get(series, Sum()), previous_sums.get(series, Sum())
            row = {"dimension": dimension, "series": series, "current": a.value, "previous": b.value}
            (changes.untested if a.suppressed or b.suppressed else changes.rows).append(row)
    stats.annotate_changes(changes.rows, period.days, changes.previous.days)
    return changes


def _incidents(packages: Iterable[Included]) -> Figure:
    figure = Figure("incidents", ("country", "incidents", "mean_response_hours"))
    region = Sum()
    for included in packages:
        incidents = included.package.get("incidents")
        if incidents is None:
            continue
        figure.members.append(included.country)
        figure.periods.append(included.period)
        cell = Sum()
        cell.add(incidents["total"]["incidents"])
        region.add(incidents["total"]["incidents"])
        figure.rows.append(
            {
                "country": included.country,
                "incidents": cell.as_cell(),
                "mean_response_hours": incidents.get("mean_response_hours"),
            }
        )
    if figure.rows:
        figure.rows.append({"country": REGION, "incidents": region.as_cell(), "mean_response_hours": None})
    return figure


def _coverage(packages: Iterable[Included]) -> Figure:
    figure = Figure("coverage", ("country", "treaty", "review_date", "applicable", "full_share", "covered_share"))
    for included in packages:
        coverage = (included.package.get("legal") or {}).get("coverage")
        if not coverage:
            continue
        figure.members.append(included.country)
        figure.periods.append(included.period)
        figure.rows.extend({"country": included.country, **row} for row in coverage)
    return figure


def gather(programme: Organisation, period: Period, reader: User | None = None) -> Content:
    """Everything the report says, from the packages ``reader`` may read (every accepted one without a reader)."""
    current = latest_packages(programme, period.label, reader)
    previous = latest_packages(programme, period.previous().label, reader)
    figures = regional_figures((p.country, p.package) for p in current)
    figures["incidents"] = _incidents(current)
    figures["coverage"] = _coverage(current)
    changes = compare(current, previous, period)
    used = current + [p for p in previous if p.country in changes.compared]
    pooled = readable(pooled_figures(programme, period), reader, programme)
    label = highest_label(used)
    if pooled is not None and TLP_RANK[TLP(pooled.tlp)] > TLP_RANK[TLP(label)]:
        label = pooled.tlp
    return Content(programme, period, current, previous, figures, changes, label, pooled)
