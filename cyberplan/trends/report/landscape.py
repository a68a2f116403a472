"""The trends report's sections on the threats: by class, by victim, by network, and the incidents handled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cyberplan.reports.document import Paragraph, Section, Table
from cyberplan.reports.words import decimal, number, share

from ..labels import category_label, sector_label, taxonomy_label
from .common import METRIC_TITLES, UNKNOWN, Builder, asn_label, country_label, plain_label, severity_label


def by_class(builder: Builder) -> Section:
    section = Section("classes", _("Threats by class"))
    section.add(
        Paragraph(
            _(
                "Events are classified with the Reference Security Incident Taxonomy (RSIT): a class (such as "
                "“Vulnerable” or “Malicious code”) and a type within it."
            ),
            "note",
        )
    )
    if not builder.events:
        section.add(builder.no_events())
    no_data = _("No chart: there are no events in this period.")
    section.add(builder.chart("timeline", no_data), builder.chart("by_type", no_data))
    rows = builder.rows("by_class")
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_class"]),
            headers=[_("Class"), _("Type"), _("Events"), _("Share")],
            rows=[
                [
                    taxonomy_label(r["taxonomy"]),
                    plain_label(r["type"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], builder.events),
                ]
                for r in rows
            ],
            metric="by_class",
            numeric=[False, False, True, True],
            empty=_("No events in this period."),
        )
    )
    sources = builder.rows("sources_by_class")
    section.add(
        Table(
            caption=str(METRIC_TITLES["sources_by_class"]),
            headers=[_("Class"), _("Distinct sources")],
            rows=[[taxonomy_label(r["taxonomy"]), number(r["sources"])] for r in sources],
            metric="sources_by_class",
            numeric=[False, True],
            empty=_("No event of the period carried a source address."),
        ),
        builder.chart("sources_timeline", _("No chart: no event of the period carried a source address.")),
    )
    recurring = builder.results.one("new_vs_recurring")
    builder.cite("new_vs_recurring")
    new, old = int(recurring.get("new") or 0), int(recurring.get("recurring") or 0)
    if new and old:
        sentence = _(
            "Of the distinct source addresses, %(new)s (%(new_share)s) were not seen in the previous period and "
            "%(old)s (%(old_share)s) were seen then too."
        ) % {
            "new": number(new),
            "new_share": share(new, new + old),
            "old": number(old),
            "old_share": share(old, new + old),
        }
        section.add(Paragraph(sentence))
    elif new:
        section.add(Paragraph(_("None of the source addresses was seen in the previous period.")))
    elif old:
        section.add(Paragraph(_("Every source address was seen in the previous period too.")))
    identifiers = builder.rows("by_identifier")
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_identifier"]),
            headers=[_("Service or malware"), _("Events"), _("Share")],
            rows=[
                [plain_label(r["identifier"]), number(r["events"]), builder.share_cell(r["events"], builder.events)]
                for r in identifiers
            ],
            metric="by_identifier",
            numeric=[False, True, True],
            empty=_("No events in this period."),
        )
    )
    return section


def malware_families(builder: Builder) -> Section:
    """The malware families section: which families infect the constituency, by events and by
    distinct infected addresses (from the reports that name a family: sinkholes, honeypots,
    compromised devices)."""
    section = Section("malware", _("Malware families"))
    section.add(
        Paragraph(
            _(
                "The family is the one the report names (for Shadowserver's sinkhole, honeypot and compromised "
                "device reports, its infection or family column). An infected address is a distinct source "
                "address seen with that family in the period; one address may carry several families."
            ),
            "note",
        )
    )
    families = builder.rows("by_family")
    section.add(builder.chart("by_family", _("No chart: no event of the period named a malware family.")))
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_family"]),
            headers=[_("Malware family"), _("Events"), _("Share of all events"), _("Infected addresses")],
            rows=[
                [
                    plain_label(r["family"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], builder.events),
                    number(r["sources"]),
                ]
                for r in families
            ],
            metric="by_family",
            numeric=[False, True, True, True],
            empty=_("No event of the period named a malware family."),
        )
    )
    return section


def by_victim(builder: Builder) -> Section:
    """The victims section.

    Long: over 80 lines because its translated paragraphs and tables follow one another as read.
    """
    section = Section("victims", _("Victims by category and sector"))
    section.add(
        Paragraph(
            _(
                "The victim is the organisation holding the address an event concerns, found in the "
                "constituency table. The category follows the type the constituency table gives the holder: "
                "a public body (a ministry, a state utility, a public university, a social-security institute) "
                "counts as government and public bodies whatever its sector. Without a type, government covers "
                "the government, defence and justice sectors; individuals and the customers of internet service "
                "providers are counted together; every other known sector is the private sector."
            ),
            "note",
        )
    )
    if not builder.events:
        section.add(builder.no_events())
    no_data = _("No chart: there are no events in this period.")
    section.add(builder.chart("by_category", no_data))
    categories = builder.rows("by_category")
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_category"]),
            headers=[_("Category"), _("Events"), _("Share")],
            rows=[
                [category_label(r["category"]), number(r["events"]), builder.share_cell(r["events"], builder.events)]
                for r in categories
            ],
            metric="by_category",
            numeric=[False, True, True],
            empty=_("No events in this period."),
        )
    )
    section.add(builder.chart("by_sector", no_data))
    sectors = builder.rows("by_sector")
    sources = {r["sector"]: int(r["sources"]) for r in builder.rows("sources_by_sector")}
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_sector"]),
            headers=[_("Sector"), _("Events"), _("Share"), _("Distinct sources")],
            rows=[
                [
                    sector_label(r["sector"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], builder.events),
                    number(sources.get(r["sector"], 0)),
                ]
                for r in sectors
            ],
            metric="by_sector",
            numeric=[False, True, True, True],
            empty=_("No events in this period."),
        )
    )
    if len(sectors) == 1 and sectors[0]["sector"] != UNKNOWN:
        section.add(
            Paragraph(
                _("Every event of the period concerns one sector: %(name)s.")
                % {"name": sector_label(sectors[0]["sector"])}
            )
        )
    countries_rows = builder.rows("by_country")
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_country"]),
            headers=[_("Country"), _("Events"), _("Share")],
            rows=[
                [country_label(r["country"]), number(r["events"]), builder.share_cell(r["events"], builder.events)]
                for r in countries_rows
            ],
            metric="by_country",
            numeric=[False, True, True],
            empty=_("No events in this period."),
        )
    )
    severities = builder.rows("by_severity")
    section.add(
        Table(
            caption=str(METRIC_TITLES["by_severity"]),
            headers=[_("Severity"), _("Events"), _("Share")],
            rows=[
                [severity_label(r["severity"]), number(r["events"]), builder.share_cell(r["events"], builder.events)]
                for r in severities
            ],
            metric="by_severity",
            numeric=[False, True, True],
            empty=_("No events in this period."),
        )
    )
    return section


def by_network(builder: Builder) -> Section:
    section = Section("networks", _("Networks and organisations"))
    if not builder.events:
        section.add(builder.no_events())
    section.add(builder.chart("top_asn", _("No chart: there are no events in this period.")))
    asns = builder.rows("top_asn")
    section.add(
        Table(
            caption=str(METRIC_TITLES["top_asn"]),
            headers=[_("Autonomous system"), _("Events"), _("Share")],
            rows=[
                [
                    asn_label(r["asn"], r["as_name"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], builder.events),
                ]
                for r in asns
            ],
            metric="top_asn",
            numeric=[False, True, True],
            empty=_("No events in this period."),
        )
    )
    networks = builder.rows("top_networks")
    section.add(
        Table(
            caption=str(METRIC_TITLES["top_networks"]),
            headers=[_("Network"), _("Events"), _("Share")],
            rows=[
                [plain_label(r["network"]), number(r["events"]), builder.share_cell(r["events"], builder.events)]
                for r in networks
            ],
            metric="top_networks",
            numeric=[False, True, True],
            empty=_("No events in this period."),
        )
    )
    organisations = builder.rows("top_organisations")
    section.add(
        Table(
            caption=str(METRIC_TITLES["top_organisations"]),
            headers=[_("Organisation"), _("Sector"), _("Events"), _("Share")],
            rows=[
                [
                    plain_label(r["organisation"]),
                    sector_label(r["sector"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], builder.events),
                ]
                for r in organisations
            ],
            metric="top_organisations",
            numeric=[False, False, True, True],
            empty=(
                _("No events in this period.")
                if not builder.events
                else _("No event of the period could be attributed to an organisation of the constituency.")
            ),
        )
    )
    return section


def incidents(builder: Builder) -> Section:
    """The incident section.

    Long: over 80 lines because its translated paragraphs and tables follow one another as read.
    """
    section = Section("incidents", _("Incident handling"))
    section.add(
        Paragraph(
            _(
                "Incidents are the records a CSIRT handled (VERIS incidents and STIX incident objects), as "
                "opposed to the observations of automated feeds. The time to respond is known only when the "
                "record gives it."
            ),
            "note",
        )
    )
    by_type = builder.rows("incidents_by_type")
    total = sum(int(r["events"]) for r in by_type)
    if not total:
        section.add(Paragraph(_("No incident record was received for this period."), "nodata"))
        for metric in (
            "incidents_by_sector",
            "incidents_by_severity",
            "incidents_by_reporter",
            "incident_response",
        ):
            builder.cite(metric)
        return section
    section.add(
        Paragraph(
            ngettext(
                "%(count)s incident was recorded in this period.",
                "%(count)s incidents were recorded in this period.",
                total,
            )
            % {"count": number(total)}
        )
    )
    section.add(
        Table(
            caption=str(METRIC_TITLES["incidents_by_type"]),
            headers=[_("Class"), _("Type"), _("Incidents"), _("Share")],
            rows=[
                [
                    taxonomy_label(r["taxonomy"]),
                    plain_label(r["type"]),
                    number(r["events"]),
                    builder.share_cell(r["events"], total),
                ]
                for r in by_type
            ],
            metric="incidents_by_type",
            numeric=[False, False, True, True],
        )
    )
    breakdowns: tuple[tuple[str, str, Callable[[dict[str, Any]], str]], ...] = (
        ("incidents_by_sector", _("Sector"), lambda r: sector_label(r["sector"])),
        ("incidents_by_severity", _("Criticality"), lambda r: severity_label(r["severity"])),
        ("incidents_by_reporter", _("Reporter"), lambda r: plain_label(r["reporter"])),
    )
    for metric, header, label in breakdowns:
        rows = builder.rows(metric)
        section.add(
            Table(
                caption=str(METRIC_TITLES[metric]),
                headers=[header, _("Incidents"), _("Share")],
                rows=[[label(r), number(r["events"]), builder.share_cell(r["events"], total)] for r in rows],
                metric=metric,
                numeric=[False, True, True],
            )
        )
    response = builder.rows("incident_response")
    section.add(
        Table(
            caption=str(METRIC_TITLES["incident_response"]),
            headers=[_("Type"), _("Incidents"), _("With a known time"), _("Mean time to respond (hours)")],
            rows=[
                [
                    plain_label(r["type"]),
                    number(r["incidents"]),
                    number(r["with_time"]),
                    decimal(float(r["mean_hours"])) if r.get("mean_hours") is not None else _("not known"),
                ]
                for r in response
            ],
            metric="incident_response",
            numeric=[False, True, True, True],
        )
    )
    if not any(int(r["with_time"]) for r in response):
        section.add(Paragraph(_("No incident record of the period gives the time it took to respond."), "nodata"))
    return section
