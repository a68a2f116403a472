"""Regional figures, first cut: the accepted latest packages of a period, summed across members.

Pure functions over package objects (no database): :func:`regional_figures` takes ``(country, package)`` pairs
and returns tables that say which members and periods they include. A suppressed cell stays suppressed; a sum
that includes a suppressed cell is kept as a lower bound and marked ``at_least``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

REGION = "region"


@dataclass
class Sum:
    """A summed count: the published values added, and whether any part of it was suppressed."""

    value: int = 0
    parts: int = 0
    suppressed: int = 0

    def add(self, cell: Mapping[str, Any] | None) -> None:
        if cell is None:
            return
        self.parts += 1
        if cell.get("suppressed"):
            self.suppressed += 1
        else:
            self.value += int(cell.get("value", 0))

    def as_cell(self) -> dict[str, Any]:
        """``{"suppressed": True}`` when every part was; else the value, ``at_least`` when some part was."""
        if self.parts and self.suppressed == self.parts:
            return {"suppressed": True}
        return {"value": self.value, "at_least": self.suppressed > 0}


@dataclass
class Figure:
    """One regional table: its rows, and the members and periods it was built from."""

    name: str
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    periods: list[str] = field(default_factory=list)


def _sources(figure: Figure, country: str, period: str) -> None:
    if country not in figure.members:
        figure.members.append(country)
    if period not in figure.periods:
        figure.periods.append(period)


def _events(packages: Iterable[tuple[str, Mapping[str, Any]]]) -> Figure:
    figure = Figure("events", ("country", "month", "taxonomy", "events"))
    sums: dict[tuple[str, str, str], Sum] = {}
    for country, package in packages:
        if "threats" not in package:
            continue
        _sources(figure, country, str(package["period"]))
        for row in package["threats"]["rows"]:
            for who in (country, REGION):
                sums.setdefault((who, row["month"], row["taxonomy"]), Sum()).add(row["events"])
    for (who, month, taxonomy), total in sorted(sums.items(), key=lambda kv: (kv[0][0] == REGION, kv[0])):
        figure.rows.append({"country": who, "month": month, "taxonomy": taxonomy, "events": total.as_cell()})
    return figure


def _exposure(packages: Iterable[tuple[str, Mapping[str, Any]]]) -> Figure:
    figure = Figure("exposure", ("country", "sources", "announced_ipv4", "per_1000"))
    region, addresses = Sum(), 0
    for country, package in packages:
        exposure = package.get("exposure")
        if exposure is None:
            continue
        _sources(figure, country, str(package["period"]))
        cell = Sum()
        cell.add(exposure["sources"])
        region.add(exposure["sources"])
        addresses += int(exposure["announced_ipv4"])
        figure.rows.append(
            {
                "country": country,
                "sources": cell.as_cell(),
                "announced_ipv4": exposure["announced_ipv4"],
                "per_1000": exposure.get("per_1000"),
            }
        )
    if figure.rows:
        total = region.as_cell()
        per_1000 = round(total["value"] * 1000 / addresses, 4) if "value" in total else None
        figure.rows.append({"country": REGION, "sources": total, "announced_ipv4": addresses, "per_1000": per_1000})
    return figure


def _maturity(packages: Iterable[tuple[str, Mapping[str, Any]]]) -> Figure:
    figure = Figure("maturity", ("factor", "country", "stage"))
    for country, package in packages:
        assessment = package.get("assessment")
        if assessment is None:
            continue
        _sources(figure, country, str(package["period"]))
        for factor in assessment["factors"]:
            figure.rows.append({"factor": factor["factor"], "country": country, "stage": factor["stage"]})
    figure.rows.sort(key=lambda r: (r["factor"], r["country"]))
    return figure


def _strategy(packages: Iterable[tuple[str, Mapping[str, Any]]]) -> Figure:
    figure = Figure("strategy", ("country", "adopted", "period", "phase", "actions_completed_share", "treaties"))
    for country, package in packages:
        strategy, legal = package.get("strategy"), package.get("legal")
        if strategy is None and legal is None:
            continue
        _sources(figure, country, str(package["period"]))
        row: dict[str, Any] = {"country": country, "adopted": None, "period": "", "phase": ""}
        if strategy is not None:
            row.update(
                adopted=strategy["adopted"],
                period=f"{strategy['start_year']}-{strategy['end_year']}",
                phase=strategy["phase"],
                actions_completed_share=strategy.get("actions_completed_share"),
            )
        treaties = (legal or {}).get("treaties", [])
        row["treaties"] = [
            {
                "treaty": t["treaty"],
                "status": "in force" if t.get("in_force") else "ratified" if t.get("ratified") else "signed",
            }
            for t in treaties
        ]
        figure.rows.append(row)
    return figure


def _training(packages: Iterable[tuple[str, Mapping[str, Any]]]) -> Figure:
    figure = Figure("training", ("country", "audience", "trained", "cumulative_trained", "audience_size"))
    region: dict[str, tuple[Sum, Sum]] = {}
    for country, package in packages:
        training = package.get("training")
        if training is None:
            continue
        _sources(figure, country, str(package["period"]))
        for row in training["audiences"]:
            trained, cumulative = Sum(), Sum()
            trained.add(row["trained"])
            cumulative.add(row["cumulative_trained"])
            sums = region.setdefault(row["audience"], (Sum(), Sum()))
            sums[0].add(row["trained"])
            sums[1].add(row["cumulative_trained"])
            figure.rows.append(
                {
                    "country": country,
                    "audience": row["audience"],
                    "trained": trained.as_cell(),
                    "cumulative_trained": cumulative.as_cell(),
                    "audience_size": row.get("audience_size"),
                }
            )
    for audience, (trained, cumulative) in sorted(region.items()):
        figure.rows.append(
            {
                "country": REGION,
                "audience": audience,
                "trained": trained.as_cell(),
                "cumulative_trained": cumulative.as_cell(),
                "audience_size": None,
            }
        )
    return figure


def regional_figures(packages: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, Figure]:
    """The regional tables of the given ``(country, package)`` pairs (one latest package per member)."""
    pairs = sorted(packages, key=lambda pair: pair[0])
    return {
        figure.name: figure
        for figure in (_events(pairs), _exposure(pairs), _maturity(pairs), _strategy(pairs), _training(pairs))
    }
