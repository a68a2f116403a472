"""The preview of a package: its stored file shown as tables, exactly what will be sent.

Everything shown is read back from the stored bundle (never recomputed), so the page shows the file that
is approved and downloaded; a suppressed cell is shown as suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: Column headings of the package's properties (the property itself where none is given).
HEADINGS: dict[str, str | Promise] = {
    "month": _("Month"),
    "taxonomy": _("Class (RSIT)"),
    "type": _("Type"),
    "sector": _("Sector"),
    "category": _("Victim category"),
    "events": _("Events"),
    "sources": _("Distinct sources"),
    "incidents": _("Incidents"),
    "mean_response_hours": _("Mean time to respond (hours)"),
    "announced_ipv4": _("Announced IPv4 addresses"),
    "per_1000": _("Per 1,000 addresses"),
    "framework": _("Framework"),
    "date": _("Date"),
    "factor": _("Factor"),
    "stage": _("Stage"),
    "adopted": _("Adopted"),
    "instrument": _("Adopted by"),
    "start_year": _("From"),
    "end_year": _("To"),
    "phase": _("Phase"),
    "axes": _("Axes"),
    "actions": _("Actions"),
    "actions_completed_share": _("Share of actions completed"),
    "treaty": _("Treaty"),
    "signed": _("Signed"),
    "ratified": _("Ratified or acceded"),
    "accession": _("By accession"),
    "in_force": _("In force"),
    "review_date": _("Review date"),
    "applicable": _("Applicable provisions"),
    "full_share": _("Fully covered"),
    "covered_share": _("Covered (fully or partly)"),
    "year": _("Year"),
    "audience": _("Audience"),
    "trained": _("Trained that year"),
    "cumulative_trained": _("Trained so far"),
    "audience_size": _("Audience size"),
    "share": _("Share trained"),
    "organisation": _("Store of"),
    "granted": _("Granted to this organisation"),
    "labels": _("Labels counted"),
}


def heading(key: str) -> str | Promise:
    return HEADINGS.get(key, key)


@dataclass(frozen=True)
class Shown:
    text: str = ""
    suppressed: bool = False


@dataclass
class Section:
    key: str
    title: str | Promise
    columns: list[str | Promise]
    rows: list[list[Shown]] = field(default_factory=list)


def _cell(value: Any) -> Shown:
    if isinstance(value, dict):
        return Shown(suppressed=True) if value.get("suppressed") else Shown(str(value.get("value", "")))
    if value is None:
        return Shown("—")
    if isinstance(value, bool):
        return Shown(str(_("yes") if value else _("no")))
    if isinstance(value, list):
        return Shown("; ".join(str(v) for v in value))
    return Shown(str(value))


def _table(package: dict[str, Any], key: str, title: str | Promise, keys: list[str], measures: list[str]) -> Section:
    part = package[key]
    section = Section(key, title, [heading(k) for k in (*keys, *measures)])
    for row in part["rows"]:
        section.rows.append([_cell(row[k]) for k in keys] + [_cell(row[m]) for m in measures])
    blank = [Shown("") for _k in keys[1:]]
    for month in part["months"]:
        section.rows.append(
            [Shown(f"{month['month']} ({_('month total')})"), *blank] + [_cell(month[m]) for m in measures]
        )
    section.rows.append([Shown(str(_("Period total"))), *blank] + [_cell(part["total"][m]) for m in measures])
    return section


def _records(title: str | Promise, key: str, rows: list[dict[str, Any]]) -> Section:
    columns: list[str] = []
    for row in rows:
        columns.extend(c for c in row if c not in columns)
    return Section(key, title, [heading(c) for c in columns], [[_cell(row.get(c)) for c in columns] for row in rows])


def sections(package: dict[str, Any]) -> list[Section]:
    """The package's parts as tables, in the package's order."""
    shown: list[Section] = []
    if "threats" in package:
        keys = ["month", "taxonomy", "type", "sector", "category"]
        shown.append(_table(package, "threats", _("Events and distinct sources"), keys, ["events", "sources"]))
        stores = [
            {"organisation": store["organisation"], "granted": store["granted"], "labels": store["labels"]}
            for store in package["threats"].get("stores", [])
        ]
        if stores:
            shown.append(_records(_("Event stores counted"), "stores", stores))
    if "incidents" in package:
        shown.append(_table(package, "incidents", _("Incidents handled"), ["month", "taxonomy"], ["incidents"]))
        if "mean_response_hours" in package["incidents"]:
            hours = {"mean_response_hours": package["incidents"]["mean_response_hours"]}
            shown.append(_records(_("Response time"), "response", [hours]))
    if "exposure" in package:
        shown.append(_records(_("Exposure per 1,000 announced IPv4 addresses"), "exposure", [package["exposure"]]))
    if "assessment" in package:
        assessment = package["assessment"]
        rows = [{"framework": assessment["framework"], "date": assessment["date"], **f} for f in assessment["factors"]]
        shown.append(_records(_("Capacity assessment: stage per factor"), "assessment", rows))
    if "strategy" in package:
        shown.append(_records(_("Strategy status"), "strategy", [package["strategy"]]))
    legal = package.get("legal", {})
    if "treaties" in legal:
        shown.append(_records(_("Treaty status"), "treaties", legal["treaties"]))
    if "coverage" in legal:
        shown.append(_records(_("Legal coverage"), "coverage", legal["coverage"]))
    if "training" in package:
        year = package["training"]["year"]
        rows = [{"year": year, **row} for row in package["training"]["audiences"]]
        shown.append(_records(_("Training coverage"), "training", rows))
    return shown


def suppressed_count(package: dict[str, Any]) -> int:
    """How many cells of the package are suppressed."""

    def walk(value: Any) -> int:
        if isinstance(value, dict):
            return 1 if value.get("suppressed") is True else sum(walk(v) for v in value.values())
        if isinstance(value, list):
            return sum(walk(v) for v in value)
        return 0

    return walk(package)
