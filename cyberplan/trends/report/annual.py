"""The trends report's section of the figures an annual report needs: incident handling (status, time to
close as mean, median and 90th percentile), remediation, exposure per 1,000 addresses, and the years
since the first import."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cyberplan.reports.document import Paragraph, Section, Table
from cyberplan.reports.words import decimal, number

from ..labels import sector_label, taxonomy_label
from .common import METRIC_TITLES, UNKNOWN, Builder, country_label, plain_label


def _hours(value: Any) -> str:
    return _("not known") if value is None else decimal(float(value), 2)


def annual(builder: Builder) -> Section:
    section = Section("annual", _("Figures for the annual report"))
    _incident_handling(builder, section)
    _remediation(builder, section)
    _exposure(builder, section)
    _history(builder, section)
    return section


def _incident_handling(builder: Builder, section: Section) -> None:
    statuses = builder.rows("incidents_by_status")
    times = builder.rows("incident_times")
    total = sum(int(r["events"]) for r in statuses)
    section.add(
        builder.chart("incident_times", _("No chart: no incident record of the period gives its time to close.")),
        Table(
            caption=str(METRIC_TITLES["incidents_by_status"]),
            headers=[_("Status"), _("Incidents"), _("Share")],
            rows=[
                [
                    _("not recorded") if r["status"] == UNKNOWN else plain_label(r["status"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], total),
                ]
                for r in statuses
            ],
            metric="incidents_by_status",
            numeric=[False, True, True],
            empty=_("No incident record was received for this period."),
        ),
        Table(
            caption=str(METRIC_TITLES["incident_times"]),
            headers=[
                _("Type"),
                _("Incidents"),
                _("With a known time"),
                _("Mean (hours)"),
                _("Median (hours)"),
                _("90th percentile (hours)"),
            ],
            rows=[
                [
                    _("All incidents") if r["overall"] else plain_label(r["type"]),
                    number(r["incidents"]),
                    number(r["with_time"]),
                    _hours(r.get("mean_hours")),
                    _hours(r.get("median_hours")),
                    _hours(r.get("p90_hours")),
                ]
                for r in times
            ],
            metric="incident_times",
            numeric=[False, True, True, True, True, True],
            empty=_("No incident record was received for this period."),
        ),
        Paragraph(
            _(
                "The time to close is the time from discovery to containment the record gives. The median is the "
                "time within which half of the incidents with a known time were closed, the 90th percentile the "
                "time within which nine in ten were: unlike the mean, neither is pulled up by a few very long "
                "incidents."
            ),
            "note",
        ),
    )


def _remediation(builder: Builder, section: Section) -> None:
    rows = builder.rows("remediation")
    section.add(
        Paragraph(
            _(
                "Remediation: of the vulnerable or infected addresses reported in the previous period (%(period)s), "
                "the share no longer reported in this one, in the same class or sector. It shows whether the "
                "notifications sent to the owners are acted upon."
            )
            % {"period": builder.period.previous().label}
        ),
        builder.chart("remediation", _("No chart: no vulnerable or infected address in the previous period.")),
        Table(
            caption=str(METRIC_TITLES["remediation"]),
            headers=[_("Series"), _("Seen before"), _("No longer seen"), _("Share")],
            rows=[
                [
                    sector_label(r["series"]) if r["dimension"] == "sector" else taxonomy_label(r["series"]),
                    number(r["seen"]),
                    number(r["gone"]),
                    # never "0 %": none of them is gone
                    builder.share_cell(r["gone"], r["seen"]) if r["gone"] else _("none"),
                ]
                for r in rows
            ],
            metric="remediation",
            numeric=[False, True, True, True],
            empty=_("No vulnerable or infected address was reported in the previous period."),
        ),
    )


def _exposure(builder: Builder, section: Section) -> None:
    rows = builder.rows("exposure")
    section.add(
        builder.chart("exposure", _("No chart: no source address with a known victim country.")),
        Table(
            caption=str(METRIC_TITLES["exposure"]),
            headers=[_("Victim country"), _("Distinct sources"), _("IPv4 addresses"), _("Per 1,000 addresses")],
            rows=[
                [
                    country_label(r["country"]),
                    number(r["sources"]),
                    number(r["announced"]) if r.get("announced") else _("not known"),
                    decimal(float(r["per_1000"]), 3) if r.get("per_1000") is not None else _("not known"),
                ]
                for r in rows
            ],
            metric="exposure",
            numeric=[False, True, True, True],
            empty=_("No source address with a known victim country in this period."),
        ),
        Paragraph(
            _(
                "Exposure divides the distinct source addresses of each victim country by the IPv4 addresses the "
                "regional registries assign to that country (the registry data shipped with the enrichment), so "
                "that countries of different sizes, and years, compare."
            ),
            "note",
        ),
    )


def _history(builder: Builder, section: Section) -> None:
    rows = builder.rows("history")
    years: dict[int, int] = {}
    for r in rows:
        years[int(r["year"])] = years.get(int(r["year"]), 0) + int(r["events"])
    section.add(
        builder.chart("history", _("No chart: there are no events yet.")),
        Table(
            caption=str(METRIC_TITLES["history"]),
            headers=[_("Year"), _("Events")],
            rows=[[str(year), number(count)] for year, count in sorted(years.items())],
            metric="history",
            numeric=[False, True],
            empty=_("There are no events yet."),
        ),
    )
