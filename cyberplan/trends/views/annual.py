"""The dashboard's tables of the figures an annual report needs: incident status and time to close,
remediation, exposure per 1,000 addresses, and the yearly history."""

from __future__ import annotations

from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _

from ..figures import Figures
from ..forms import UNKNOWN
from ..labels import country_label, sector_label, taxonomy_label
from .tables import Cell, Drill, Row, Table, share


def _hours(value: Any) -> Cell:
    return Cell("text", "—" if value is None else formats.number_format(float(value), 2))


def status_label(code: str) -> str:
    return _("not recorded") if code == UNKNOWN else code


def incident_handling_tables(data: Figures) -> list[Table]:
    """Incidents by status, and the time to close them as mean, median and 90th percentile."""
    by_status = data.rows.get("incidents_by_status", [])
    if not by_status:
        return []
    total = sum(int(r["events"]) for r in by_status)
    statuses = Table(
        "incidents_by_status",
        _("Incidents by status"),
        [_("Status"), _("Incidents"), _("Share")],
        [
            Row([Cell("text", status_label(r["status"])), Cell("int", r["events"]), share(r["events"], total)])
            for r in by_status
        ],
        note=_(
            "The status the record gives: VERIS's confirmation, a STIX incident's investigation status, or a status column."
        ),
    )
    times = Table(
        "incident_times",
        _("Time to close incidents (hours)"),
        [_("Type"), _("Incidents"), _("With a recorded time"), _("Mean"), _("Median"), _("90th percentile")],
        [
            Row(
                [
                    Cell(
                        "text",
                        _("All incidents")
                        if r["overall"]
                        else (_("Unknown type") if r["type"] == UNKNOWN else r["type"]),
                    ),
                    Cell("int", r["incidents"]),
                    Cell("int", r["with_time"]),
                    _hours(r.get("mean_hours")),
                    _hours(r.get("median_hours")),
                    _hours(r.get("p90_hours")),
                ]
            )
            for r in data.rows.get("incident_times", [])
        ],
        note=_(
            "The time from discovery to containment, where the record gives it. The median is the time within "
            "which half of the incidents were closed, the 90th percentile the time within which nine in ten were."
        ),
    )
    return [statuses, times]


def remediation_table(data: Figures, drill: Drill) -> Table:
    rows = []
    for r in data.rows.get("remediation", []):
        sector = r["dimension"] == "sector"
        label = sector_label(r["series"]) if sector else taxonomy_label(r["series"])
        link = drill.url(sector=r["series"]) if sector else drill.url(taxonomy=r["series"])
        rows.append(
            Row(
                [
                    Cell("text", f"{_('Sector') if sector else _('Threat class')}: {label}"),
                    Cell("int", r["seen"]),
                    Cell("int", r["gone"]),
                    share(r["gone"], int(r["seen"])),
                ],
                link,
            )
        )
    return Table(
        "remediation",
        _("Vulnerable or infected addresses of the previous period no longer seen"),
        [_("Series"), _("Seen in the previous period"), _("Not seen in this one"), _("Share")],
        rows,
        empty=_("No vulnerable or infected address was reported in the previous period."),
        note=_(
            "An address counts as remediated when it is no longer reported in the same class or sector: the "
            "figure that shows whether notifications work."
        ),
    )


def exposure_table(data: Figures) -> Table:
    return Table(
        "exposure",
        _("Exposure per 1,000 IPv4 addresses of the country"),
        [_("Victim country"), _("Distinct sources"), _("IPv4 addresses of the country"), _("Per 1,000 addresses")],
        [
            Row(
                [
                    Cell("text", country_label(r["country"])),
                    Cell("int", r["sources"]),
                    Cell("int", r.get("announced") or None),
                    Cell("text", "—" if r.get("per_1000") is None else formats.number_format(r["per_1000"], 3)),
                ]
            )
            for r in data.rows.get("exposure", [])
        ],
        empty=_("No source address with a known victim country in this period."),
        note=_(
            "IPv4 addresses the regional registries assign to the country, from the registry data shipped with "
            "the enrichment, so that countries and years compare."
        ),
    )


def history_table(data: Figures) -> Table:
    years: dict[int, int] = {}
    for r in data.rows.get("history", []):
        years[int(r["year"])] = years.get(int(r["year"]), 0) + int(r["events"])
    return Table(
        "history",
        _("Events per year"),
        [_("Year"), _("Events")],
        [Row([Cell("text", str(year)), Cell("int", count)]) for year, count in sorted(years.items())],
        empty=_("No events yet."),
        note=_("Every year from the first imported one, within the page's filters, whatever the period chosen."),
    )
