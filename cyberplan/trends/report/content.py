"""What the trends report says: sections of sentences, tables and charts, built from the metric set.

:func:`build_report` runs every metric of :mod:`cyberplan.analytics.metrics` over one organisation's
store (through its trend tables, which give the same figures as the raw events), restricted to the
period and to the TLP labels the report may count,
and writes the report as a plain :class:`Report`. Every sentence is built here, in the active
language, from the data; the renderers only lay it out. Every table and chart names the metric it
comes from, and the appendix gives that metric's query, so each figure can be traced.

No figure is ever a share of nothing: a share is written only when its total is above zero, and
a section, table or chart without data says so in words.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import ibis
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django_countries import countries

from cyberplan.analytics import stats
from cyberplan.analytics.engines import Engine
from cyberplan.analytics.frames import unbound_frames
from cyberplan.analytics.metrics import BY_ID, Context, ResultSet, Scope, context, frame_sql
from cyberplan.analytics.periods import Period
from cyberplan.analytics.service import compute
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.models import Organisation
from cyberplan.pipeline.store import EventStore
from cyberplan.reports.document import Block, Chart, Paragraph, Section, Table, clean
from cyberplan.reports.words import day, decimal, number, period_name, period_range, share, signed_percent
from cyberplan.threats.access import constituency_networks, finished_imports_for_report
from cyberplan.threats.choices import ImportFormat

from .. import charts
from ..labels import category_label, flag_label, sector_label, taxonomy_label

if TYPE_CHECKING:
    from cyberplan.threats.models import Import

UNKNOWN = "unknown"

#: Metric titles in the reader's language (the analytics package keeps them in English).
METRIC_TITLES: dict[str, Promise] = {
    "totals": gettext_lazy("Key figures"),
    "sources_total": gettext_lazy("Distinct source addresses"),
    "timeline": gettext_lazy("Events over time by threat class"),
    "sources_timeline": gettext_lazy("Distinct sources over time"),
    "by_class": gettext_lazy("Events by threat class and type"),
    "sources_by_class": gettext_lazy("Distinct sources by threat class"),
    "by_identifier": gettext_lazy("Most reported services and malware"),
    "by_category": gettext_lazy("Events by victim category"),
    "by_sector": gettext_lazy("Events by sector"),
    "sources_by_sector": gettext_lazy("Distinct sources by sector"),
    "by_country": gettext_lazy("Events by victim country"),
    "by_severity": gettext_lazy("Events by severity"),
    "by_feed": gettext_lazy("Events by feed and provider"),
    "top_asn": gettext_lazy("Autonomous systems with most events"),
    "top_networks": gettext_lazy("Networks with most events"),
    "top_organisations": gettext_lazy("Organisations with most events"),
    "new_vs_recurring": gettext_lazy("New and recurring sources"),
    "incidents_by_type": gettext_lazy("Incidents by type"),
    "incidents_by_sector": gettext_lazy("Incidents by sector"),
    "incidents_by_severity": gettext_lazy("Incidents by criticality"),
    "incidents_by_reporter": gettext_lazy("Incidents by reporter"),
    "incident_response": gettext_lazy("Time to respond to incidents"),
    "change_previous": gettext_lazy("Change from the previous period"),
    "change_year": gettext_lazy("Change from the same period a year earlier"),
}

SEVERITIES: dict[str, Promise] = {
    "info": gettext_lazy("Informational"),
    "low": gettext_lazy("Low"),
    "medium": gettext_lazy("Medium"),
    "high": gettext_lazy("High"),
    "critical": gettext_lazy("Critical"),
}

#: The metric each chart of :mod:`cyberplan.trends.charts` draws.
CHART_METRICS = {
    "timeline": "timeline",
    "sources_timeline": "sources_timeline",
    "by_type": "by_class",
    "by_category": "by_category",
    "by_sector": "by_sector",
    "top_asn": "top_asn",
    "changes": "change_previous",
    "changes_year": "change_year",
}

# -- labels of the data's codes ------------------------------------------------------------------


def country_label(code: str) -> str:
    if not code or code == UNKNOWN:
        return _("Unknown country")
    name = countries.name(code)
    return clean(name) if name else clean(code)


def severity_label(code: str) -> str:
    if code == UNKNOWN:
        return _("Unknown")
    label = SEVERITIES.get(code)
    return str(label) if label is not None else clean(code)


def plain_label(value: object) -> str:
    """A free-text value from the events (feed, provider, network, organisation), or "Unknown"."""
    if value is None or value == "" or value == UNKNOWN:
        return _("Unknown")
    return clean(value)


def asn_label(asn: int | None, as_name: str | None) -> str:
    if asn is None:
        return _("Unknown network")
    name = "" if as_name in (None, "", UNKNOWN) else clean(as_name)
    return f"AS{asn} {name}".strip()


def series_label(dimension: str, series: str) -> str:
    if dimension == "sector":
        return _("sector: %(name)s") % {"name": sector_label(series)}
    if series == UNKNOWN:
        return _("type: unknown")
    return _("type: %(name)s") % {"name": clean(series)}


def tlp_label(code: str) -> str:
    return str(TLP(code).label)


# -- the structure -------------------------------------------------------------------------------


@dataclass
class Query:
    key: str  # Q1, Q2... for metrics; F1... for frames
    metric: str
    title: str
    sql: str


@dataclass
class Report:
    title: str
    organisation: str
    period_label: str
    period_name: str
    period_range: str
    generated: str
    tlp: str
    tlp_label: str
    tlp_note: str
    language: str
    events: int
    summary: list[str]
    sections: list[Section]
    frames: list[Query]
    queries: list[Query]
    key_figures: list[tuple[str, str]] = field(default_factory=list)

    def query_key(self, metric: str) -> str:
        for query in self.queries:
            if query.metric == metric:
                return query.key
        return ""

    def charts(self) -> list[Chart]:
        return [block for section in self.sections for block in section.blocks if isinstance(block, Chart)]


# -- TLP -----------------------------------------------------------------------------------------


def counted_labels(audience: str, readable: Iterable[str] | None = None) -> tuple[str, ...]:
    """The TLP labels of the events a report for ``audience`` counts: at most as restricted as the
    audience's label, and only those the requester may read (``None``: no restriction, the operator)."""
    if audience not in TLP.values:
        raise ValueError(f"{audience!r} is not a TLP label: use one of {', '.join(TLP.values)}")
    limit = TLP_RANK[TLP(audience)]
    allowed = set(TLP.values) if readable is None else set(readable)
    return tuple(label for label in TLP.values if TLP_RANK[TLP(label)] <= limit and label in allowed)


# -- building ------------------------------------------------------------------------------------


def build_report(
    organisation: Organisation,
    store: EventStore,
    period: Period,
    audience: str,
    readable: Iterable[str] | None = None,
    engine: Engine | None = None,
    granted_as: str = "",
) -> Report:
    """The report for ``organisation``'s events in ``period``, for readers of TLP ``audience``.

    ``granted_as`` names the store when it is read through a grant ("… granted by … up to …"): the report
    then counts events only, and leaves out the owner's imports and constituency, which stay internal.
    """
    labels = counted_labels(audience, readable)
    scope = Scope(period, tlp_in=labels)
    results = compute(store, scope, engine=engine)
    builder = Builder(organisation, period, audience, labels, results, store)
    builder.granted_as = granted_as
    return builder.build()


class Builder:
    def __init__(
        self,
        organisation: Organisation,
        period: Period,
        audience: str,
        labels: Sequence[str],
        results: ResultSet,
        store: EventStore,
    ) -> None:
        self.organisation = organisation
        self.store = store
        self.granted_as = ""
        self.period = period
        self.audience = audience
        self.labels = list(labels)
        self.results = results
        self.totals = results.one("totals")
        self.events = int(self.totals.get("events") or 0)
        self.queries: list[Query] = []
        self._unbound: Context | None = None
        self.specs = charts.specs(results)
        self.specs["changes_year"] = charts.changes(results, "change_year")

    # -- helpers -------------------------------------------------------------------------------

    def rows(self, metric: str) -> list[dict[str, Any]]:
        self.cite(metric)
        return self.results.rows(metric)

    def cite(self, metric: str) -> None:
        if any(q.metric == metric for q in self.queries):
            return
        title = METRIC_TITLES.get(metric)
        self.queries.append(
            Query(
                key=f"Q{len(self.queries) + 1}",
                metric=metric,
                title=str(title) if title is not None else metric,
                sql=self.sql(metric),
            )
        )

    def sql(self, metric: str) -> str:
        """The metric's query over the named frames, as :func:`cyberplan.analytics.metrics.metric_sql` writes it.

        The same construction, with the unbound frames and their restriction built once for the
        whole report instead of once per metric.
        """
        if self._unbound is None:
            self._unbound = context(unbound_frames(), self.results.scope)
        return str(ibis.to_sql(BY_ID[metric].build(self._unbound), dialect="duckdb"))

    def chart(self, name: str, empty: str) -> Chart:
        metric = CHART_METRICS[name]
        self.cite(metric)
        spec = self.specs.get(name)
        title = str(spec["title"]["text"]) if spec else str(METRIC_TITLES[metric])
        return Chart(name=name, title=title, spec=spec, metric=metric, empty=empty)

    def share_cell(self, part: int, whole: int) -> str:
        return share(part, whole) or "—"

    def no_events(self) -> Paragraph:
        return Paragraph(
            _("No event of this period may be counted in this report, so this section has no figures."), "nodata"
        )

    # -- the report ----------------------------------------------------------------------------

    def build(self) -> Report:
        summary, key_figures = self.summary()
        sections = [
            self.by_class(),
            self.by_victim(),
            self.by_network(),
            self.incidents(),
            self.changes(),
            self.methodology(),
        ]
        frames = [
            Query(key=f"F{index}", metric=f"{name}_frame", title=_("Frame “%(name)s”") % {"name": name}, sql=sql)
            for index, (name, sql) in enumerate(frame_sql().items(), start=1)
        ]
        today = timezone.localdate()
        return Report(
            title=_("National cybersecurity trends report"),
            organisation=clean(self.organisation.name),
            period_label=self.period.label,
            period_name=period_name(self.period),
            period_range=period_range(self.period),
            generated=day(today),
            tlp=self.audience,
            tlp_label=tlp_label(self.audience),
            tlp_note=self.tlp_note(),
            language=self.language(),
            events=self.events,
            summary=summary,
            sections=sections,
            frames=frames,
            queries=self.queries,
            key_figures=key_figures,
        )

    def language(self) -> str:
        return (get_language() or "en").split("-")[0]

    def tlp_note(self) -> str:
        counted = ", ".join(tlp_label(label) for label in self.labels)
        notes = {
            TLP.CLEAR: _("TLP:CLEAR: this report may be shared without restriction."),
            TLP.GREEN: _("TLP:GREEN: this report may be shared within the community, not published."),
            TLP.AMBER: _(
                "TLP:AMBER: this report may be shared only within the recipient's organisation and with its clients, "
                "on a need-to-know basis."
            ),
            TLP.AMBER_STRICT: _(
                "TLP:AMBER+STRICT: this report may be shared only within the recipient's organisation."
            ),
            TLP.RED: _("TLP:RED: this report is for its named recipients only."),
        }
        text = str(notes[TLP(self.audience)])
        if counted:
            return text + " " + _("It counts only events marked %(labels)s.") % {"labels": counted}
        return text + " " + _("No event label may be counted at this marking, so the report has no figures.")

    # -- executive summary ---------------------------------------------------------------------

    def summary(self) -> tuple[list[str], list[tuple[str, str]]]:
        """The executive summary's sentences and key figures.

        Over 80 lines: one short step per figure (its sentence and its key figure), in the summary's reading order.
        """
        self.cite("totals")
        sentences: list[str] = []
        figures: list[tuple[str, str]] = []
        if not self.events:
            sentences.append(
                _(
                    "No event was recorded for %(organisation)s in %(period)s (%(range)s) that this report may count. "
                    "The sections below therefore contain no figures; the methodology explains what was looked at."
                )
                % {
                    "organisation": clean(self.organisation.name),
                    "period": period_name(self.period),
                    "range": period_range(self.period),
                }
            )
            figures.append((_("Events"), number(0)))
            return sentences, figures
        feeds = int(self.totals.get("feeds") or 0)
        sentences.append(
            ngettext(
                "%(count)s event was recorded in %(period)s (%(range)s),",
                "%(count)s events were recorded in %(period)s (%(range)s),",
                self.events,
            )
            % {"count": number(self.events), "period": period_name(self.period), "range": period_range(self.period)}
            + " "
            + ngettext("reported by %(count)s feed.", "reported by %(count)s feeds.", feeds) % {"count": number(feeds)}
        )
        figures.append((_("Events"), number(self.events)))
        figures.append((_("Feeds"), number(feeds)))

        sources = int(self.rows("sources_total")[0]["sources"] if self.rows("sources_total") else 0)
        if sources:
            sentences.append(
                ngettext(
                    "They came from %(count)s distinct source address.",
                    "They came from %(count)s distinct source addresses.",
                    sources,
                )
                % {"count": number(sources)}
            )
        else:
            sentences.append(_("No event of the period carried a source address."))
        figures.append((_("Distinct source addresses"), number(sources)))

        classes: dict[str, int] = {}
        for row in self.rows("by_class"):
            classes[row["taxonomy"]] = classes.get(row["taxonomy"], 0) + int(row["events"])
        if classes:
            top, count = sorted(classes.items(), key=lambda item: (-item[1], item[0]))[0]
            if len(classes) == 1:
                sentences.append(_("All events belong to one threat class: %(name)s.") % {"name": taxonomy_label(top)})
            else:
                sentences.append(
                    _("The most frequent threat class was %(name)s, with %(count)s events (%(share)s of the total).")
                    % {"name": taxonomy_label(top), "count": number(count), "share": share(count, self.events)}
                )
            figures.append((_("Most frequent threat class"), taxonomy_label(top)))

        sentences.append(self.change_sentence())

        categories = {row["category"]: int(row["events"]) for row in self.rows("by_category")}
        government = categories.get("government", 0)
        known = self.events - categories.get(UNKNOWN, 0)
        if government:
            sentences.append(
                _("Government institutions were the victims of %(share)s of the events (%(count)s).")
                % {"share": share(government, self.events), "count": number(government)}
            )
            figures.append((_("Events with a government victim"), share(government, self.events) or "—"))
        elif known:
            sentences.append(_("No event of the period concerned a government institution."))
        unknown = categories.get(UNKNOWN, 0)
        if unknown == self.events:
            sentences.append(
                _(
                    "The victim's sector is unknown for every event: none of their addresses is in the "
                    "constituency table."
                )
            )
        elif unknown:
            sentences.append(
                _("The victim's sector is unknown for %(share)s of the events (%(count)s).")
                % {"share": share(unknown, self.events), "count": number(unknown)}
            )

        incidents = sum(int(row["events"]) for row in self.rows("incidents_by_type"))
        if incidents:
            sentences.append(
                ngettext(
                    "%(count)s of the records is an incident handled by a CSIRT.",
                    "%(count)s of the records are incidents handled by a CSIRT.",
                    incidents,
                )
                % {"count": number(incidents)}
            )
            figures.append((_("Incidents handled"), number(incidents)))
        return sentences, figures

    def change_sentence(self) -> str:
        rows = [row for row in self.rows("change_previous") if row.get("flag")]
        previous_total = sum(
            int(row["previous"]) for row in self.results.rows("change_previous") if row["dimension"] == "type"
        )
        if previous_total == 0:
            return _("The previous period (%(range)s) has no events to compare with.") % {
                "range": period_range(self.period.previous())
            }
        if not rows:
            return _("No change from the previous period was statistically significant.")
        row = max(rows, key=lambda r: (abs(int(r["current"]) - int(r["previous"])), r["series"]))
        values = {
            "series": series_label(row["dimension"], row["series"]),
            "current": number(row["current"]),
            "previous": number(row["previous"]),
        }
        if row["flag"] == "new":
            return (
                _(
                    "The largest significant change from the previous period: %(series)s, not seen before, "
                    "with %(current)s events."
                )
                % values
            )
        if row["flag"] == "gone":
            return (
                _(
                    "The largest significant change from the previous period: %(series)s, no longer seen "
                    "(%(previous)s events before)."
                )
                % values
            )
        values["change"] = signed_percent(float(row["change"]))
        if row["flag"] == "rise":
            return (
                _(
                    "The largest significant change from the previous period is a rise for %(series)s: from "
                    "%(previous)s to %(current)s events (%(change)s in the daily rate)."
                )
                % values
            )
        return (
            _(
                "The largest significant change from the previous period is a fall for %(series)s: from "
                "%(previous)s to %(current)s events (%(change)s in the daily rate)."
            )
            % values
        )

    # -- sections ------------------------------------------------------------------------------

    def by_class(self) -> Section:
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
        if not self.events:
            section.add(self.no_events())
        no_data = _("No chart: there are no events in this period.")
        section.add(self.chart("timeline", no_data), self.chart("by_type", no_data))
        rows = self.rows("by_class")
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_class"]),
                headers=[_("Class"), _("Type"), _("Events"), _("Share")],
                rows=[
                    [
                        taxonomy_label(r["taxonomy"]),
                        plain_label(r["type"]),
                        number(r["events"]),
                        self.share_cell(r["events"], self.events),
                    ]
                    for r in rows
                ],
                metric="by_class",
                numeric=[False, False, True, True],
                empty=_("No events in this period."),
            )
        )
        sources = self.rows("sources_by_class")
        section.add(
            Table(
                caption=str(METRIC_TITLES["sources_by_class"]),
                headers=[_("Class"), _("Distinct sources")],
                rows=[[taxonomy_label(r["taxonomy"]), number(r["sources"])] for r in sources],
                metric="sources_by_class",
                numeric=[False, True],
                empty=_("No event of the period carried a source address."),
            ),
            self.chart("sources_timeline", _("No chart: no event of the period carried a source address.")),
        )
        recurring = self.results.one("new_vs_recurring")
        self.cite("new_vs_recurring")
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
        identifiers = self.rows("by_identifier")
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_identifier"]),
                headers=[_("Service or malware"), _("Events"), _("Share")],
                rows=[
                    [plain_label(r["identifier"]), number(r["events"]), self.share_cell(r["events"], self.events)]
                    for r in identifiers
                ],
                metric="by_identifier",
                numeric=[False, True, True],
                empty=_("No events in this period."),
            )
        )
        return section

    def by_victim(self) -> Section:
        """The victims section (over 80 lines: its translated paragraphs and tables, one after the other as read)."""
        section = Section("victims", _("Victims by category and sector"))
        section.add(
            Paragraph(
                _(
                    "The victim is the organisation holding the address an event concerns, found in the "
                    "constituency table. Government covers the government, defence and justice sectors; "
                    "individuals and the customers of internet service providers are counted together; every "
                    "other known sector is the private sector."
                ),
                "note",
            )
        )
        if not self.events:
            section.add(self.no_events())
        no_data = _("No chart: there are no events in this period.")
        section.add(self.chart("by_category", no_data))
        categories = self.rows("by_category")
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_category"]),
                headers=[_("Category"), _("Events"), _("Share")],
                rows=[
                    [category_label(r["category"]), number(r["events"]), self.share_cell(r["events"], self.events)]
                    for r in categories
                ],
                metric="by_category",
                numeric=[False, True, True],
                empty=_("No events in this period."),
            )
        )
        section.add(self.chart("by_sector", no_data))
        sectors = self.rows("by_sector")
        sources = {r["sector"]: int(r["sources"]) for r in self.rows("sources_by_sector")}
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_sector"]),
                headers=[_("Sector"), _("Events"), _("Share"), _("Distinct sources")],
                rows=[
                    [
                        sector_label(r["sector"]),
                        number(r["events"]),
                        self.share_cell(r["events"], self.events),
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
        countries_rows = self.rows("by_country")
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_country"]),
                headers=[_("Country"), _("Events"), _("Share")],
                rows=[
                    [country_label(r["country"]), number(r["events"]), self.share_cell(r["events"], self.events)]
                    for r in countries_rows
                ],
                metric="by_country",
                numeric=[False, True, True],
                empty=_("No events in this period."),
            )
        )
        severities = self.rows("by_severity")
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_severity"]),
                headers=[_("Severity"), _("Events"), _("Share")],
                rows=[
                    [severity_label(r["severity"]), number(r["events"]), self.share_cell(r["events"], self.events)]
                    for r in severities
                ],
                metric="by_severity",
                numeric=[False, True, True],
                empty=_("No events in this period."),
            )
        )
        return section

    def by_network(self) -> Section:
        section = Section("networks", _("Networks and organisations"))
        if not self.events:
            section.add(self.no_events())
        section.add(self.chart("top_asn", _("No chart: there are no events in this period.")))
        asns = self.rows("top_asn")
        section.add(
            Table(
                caption=str(METRIC_TITLES["top_asn"]),
                headers=[_("Autonomous system"), _("Events"), _("Share")],
                rows=[
                    [asn_label(r["asn"], r["as_name"]), number(r["events"]), self.share_cell(r["events"], self.events)]
                    for r in asns
                ],
                metric="top_asn",
                numeric=[False, True, True],
                empty=_("No events in this period."),
            )
        )
        networks = self.rows("top_networks")
        section.add(
            Table(
                caption=str(METRIC_TITLES["top_networks"]),
                headers=[_("Network"), _("Events"), _("Share")],
                rows=[
                    [plain_label(r["network"]), number(r["events"]), self.share_cell(r["events"], self.events)]
                    for r in networks
                ],
                metric="top_networks",
                numeric=[False, True, True],
                empty=_("No events in this period."),
            )
        )
        organisations = self.rows("top_organisations")
        section.add(
            Table(
                caption=str(METRIC_TITLES["top_organisations"]),
                headers=[_("Organisation"), _("Sector"), _("Events"), _("Share")],
                rows=[
                    [
                        plain_label(r["organisation"]),
                        sector_label(r["sector"]),
                        number(r["events"]),
                        self.share_cell(r["events"], self.events),
                    ]
                    for r in organisations
                ],
                metric="top_organisations",
                numeric=[False, False, True, True],
                empty=(
                    _("No events in this period.")
                    if not self.events
                    else _("No event of the period could be attributed to an organisation of the constituency.")
                ),
            )
        )
        return section

    def incidents(self) -> Section:
        """The incident section (over 80 lines: its translated paragraphs and tables, one after the other as read)."""
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
        by_type = self.rows("incidents_by_type")
        total = sum(int(r["events"]) for r in by_type)
        if not total:
            section.add(Paragraph(_("No incident record was received for this period."), "nodata"))
            for metric in (
                "incidents_by_sector",
                "incidents_by_severity",
                "incidents_by_reporter",
                "incident_response",
            ):
                self.cite(metric)
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
                        self.share_cell(r["events"], total),
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
            rows = self.rows(metric)
            section.add(
                Table(
                    caption=str(METRIC_TITLES[metric]),
                    headers=[header, _("Incidents"), _("Share")],
                    rows=[[label(r), number(r["events"]), self.share_cell(r["events"], total)] for r in rows],
                    metric=metric,
                    numeric=[False, True, True],
                )
            )
        response = self.rows("incident_response")
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

    def change_table(self, metric: str, compared: Period) -> list[Block]:
        rows = self.rows(metric)
        # Each dimension (type, sector) splits the same events: the totals come from one of them.
        previous_total = sum(int(r["previous"]) for r in rows if r["dimension"] == "type")
        current_total = sum(int(r["current"]) for r in rows if r["dimension"] == "type")
        tested = sum(1 for r in rows if r.get("p") is not None)
        blocks: list[Block] = []
        if previous_total == 0:
            blocks.append(
                Paragraph(
                    _("There are no events in %(range)s to compare with, so no change can be tested.")
                    % {"range": period_range(compared)},
                    "nodata",
                )
            )
            return blocks
        flagged = [r for r in rows if r.get("flag")]
        blocks.append(
            Paragraph(
                ngettext(
                    "%(count)s series was tested against %(range)s (%(previous)s events then, %(current)s now).",
                    "%(count)s series were tested against %(range)s (%(previous)s events then, %(current)s now).",
                    tested,
                )
                % {
                    "count": number(tested),
                    "range": period_range(compared),
                    "previous": number(previous_total),
                    "current": number(current_total),
                }
            )
        )
        blocks.append(
            Table(
                caption=str(METRIC_TITLES[metric]),
                headers=[_("Series"), _("Before"), _("Now"), _("Change in daily rate"), _("q-value"), _("Finding")],
                rows=[
                    [
                        series_label(r["dimension"], r["series"]),
                        number(r["previous"]),
                        number(r["current"]),
                        signed_percent(float(r["change"])) if r.get("change") is not None else "—",
                        _format_q(r.get("q")),
                        flag_label(r["flag"]),
                    ]
                    for r in flagged
                ],
                metric=metric,
                numeric=[False, True, True, True, True, False],
                empty=_("No series changed significantly."),
            )
        )
        return blocks

    def changes(self) -> Section:
        section = Section("changes", _("Significant changes"))
        section.add(
            Paragraph(
                _(
                    "Each event type and each sector is compared with the previous period of the same length and "
                    "with the same period a year earlier. A change is reported when it is statistically "
                    "significant after correcting for the number of series tested (q below %(alpha)s) and the "
                    "daily rate changed by at least %(ratio)s (up or down). The methodology describes the test."
                )
                % {"alpha": decimal(stats.ALPHA, 2), "ratio": share(stats.MIN_RATIO - 1, 1)},
                "note",
            )
        )
        comparisons = (
            (
                "change_previous",
                "changes",
                self.period.previous(),
                _("Compared with the previous period (%(range)s)"),
                _("No chart: no rise or fall from the previous period is significant."),
            ),
            (
                "change_year",
                "changes_year",
                self.period.year_earlier(),
                _("Compared with a year earlier (%(range)s)"),
                _("No chart: no rise or fall from a year earlier is significant."),
            ),
        )
        for metric, chart, compared, heading, no_change in comparisons:
            section.add(Paragraph(heading % {"range": period_range(compared)}, "subheading"))
            blocks = self.change_table(metric, compared)
            section.add(*blocks)
            nothing = len(blocks) == 1 and isinstance(blocks[0], Paragraph)
            section.add(self.chart(chart, _("No chart: there is nothing to compare with.") if nothing else no_change))
        return section

    def methodology(self) -> Section:
        section = Section("methodology", _("Methodology and data sources"))
        section.add(Paragraph(_("Data sources"), "subheading"))
        feeds = self.rows("by_feed")
        section.add(
            Table(
                caption=str(METRIC_TITLES["by_feed"]),
                headers=[_("Feed"), _("Provider"), _("Events"), _("Share")],
                rows=[
                    [
                        plain_label(r["feed"]),
                        plain_label(r["provider"]),
                        number(r["events"]),
                        self.share_cell(r["events"], self.events),
                    ]
                    for r in feeds
                ],
                metric="by_feed",
                numeric=[False, False, True, True],
                empty=_("No feed reported an event in this period."),
            )
        )
        if self.granted_as:
            # A granted store: its events only; the owner's imports and constituency stay internal.
            section.add(
                Paragraph(
                    _("Events counted from the store of %(store)s, read through a store grant.")
                    % {"store": clean(self.granted_as)}
                )
            )
        else:
            section.add(*self.imports())
            section.add(Paragraph(_("Coverage of the address space"), "subheading"))
            section.add(*self.coverage())
        section.add(Paragraph(_("Counting"), "subheading"))
        section.add(
            Paragraph(
                _(
                    "Every figure counts the events of the store whose time falls between %(range)s (UTC), after "
                    "deduplication at import. Events of automated feeds are observations: the same vulnerable "
                    "host reported on ten days counts ten times. Distinct sources count each address once."
                )
                % {"range": period_range(self.period)}
            ),
            Paragraph(self.tlp_note()),
        )
        section.add(Paragraph(_("The statistical test"), "subheading"))
        section.add(
            Paragraph(
                _(
                    "For each series, the counts of the two periods are treated as Poisson counts with a rate per "
                    "day, so that periods of different length compare fairly. Given the total of both periods, the "
                    "count of this period follows a binomial law under the hypothesis that the rate did not change; "
                    "the exact two-sided binomial test gives the p-value. Because many series are tested at once, "
                    "the p-values of one comparison are corrected with the Benjamini-Hochberg procedure, which "
                    "controls the false discovery rate, giving the q-value. A rise or fall is reported when q is "
                    "below %(alpha)s and the daily rate changed by at least %(ratio)s. Events of automated feeds are "
                    "not independent (a host is reported day after day), so the test understates the variance; the "
                    "threshold on the size of the change keeps only large changes."
                )
                % {"alpha": decimal(stats.ALPHA, 2), "ratio": share(stats.MIN_RATIO - 1, 1)}
            )
        )
        section.add(Paragraph(_("What “unknown” means"), "subheading"))
        section.add(
            Paragraph(
                _(
                    "A value is unknown when neither the source nor the enrichment gave it. The victim's "
                    "organisation and sector are unknown when the address is not in the constituency table; the "
                    "country is unknown when the address is in no country database and the source did not say; "
                    "an autonomous system or network is unknown when the feed did not report it. Unknown values "
                    "are counted and shown as such, never left out, so the shares add up to the total."
                )
            )
        )
        return section

    def period_imports(self) -> list[Import]:
        """The imports that fed the period: those that stored events in one of its months (the event
        store's commit records say which), and those made during the period that stored none."""
        months = set()
        month = self.period.start.replace(day=1)
        while month < self.period.end:
            months.add(month.strftime("%Y-%m"))
            month = (month + dt.timedelta(days=32)).replace(day=1)
        start, end = self.period.bounds()
        chosen = []
        records = finished_imports_for_report(self.organisation, self.labels)
        for record in records:
            commit = self.store.commit_record(str(record.pk)) or {}
            stored_months = commit.get("months")
            if isinstance(stored_months, list) and stored_months:
                if months.intersection(str(m) for m in stored_months):
                    chosen.append(record)
            elif start <= record.created_at < end:
                chosen.append(record)
        return chosen

    def imports(self) -> list[Block]:
        groups: dict[str, dict[str, int]] = {}
        for record in self.period_imports():
            # A refused file may have no recognised format: "auto" would read as a format, so it is unknown.
            code = record.detected_format or (record.format if record.format != ImportFormat.AUTO else UNKNOWN)
            group = groups.setdefault(
                code,
                {"imports": 0, "read": 0, "stored": 0, "duplicates": 0, "quarantined": 0},
            )
            group["imports"] += 1
            group["read"] += record.read
            group["stored"] += record.stored
            group["duplicates"] += record.duplicates
            group["quarantined"] += record.quarantined
        formats_names = dict(ImportFormat.choices)
        rows: list[list[str]] = []
        read_total = quarantined_total = 0
        for code, group in sorted(groups.items()):
            read, quarantined = group["read"], group["quarantined"]
            read_total += read
            quarantined_total += quarantined
            name = formats_names.get(code) or plain_label(code)
            rows.append(
                [
                    str(name),
                    number(group["imports"]),
                    number(read),
                    number(group["stored"]),
                    number(group["duplicates"]),
                    number(quarantined),
                    share(quarantined, read) or "—",
                ]
            )
        blocks: list[Block] = [
            Paragraph(
                _(
                    "The files that brought events of this period into the store (and those imported during the "
                    "period that stored none), with a default TLP label this report counts, and what became of "
                    "their records: stored, dropped as duplicates of stored events, or kept in quarantine because "
                    "they could not be read. A file counts whole, even when only part of it falls in the period. "
                    "These figures come from the import records, not from an event query."
                ),
                "note",
            ),
            Table(
                caption=_("Imports in the period"),
                headers=[
                    _("Format"),
                    _("Files"),
                    _("Records read"),
                    _("Stored"),
                    _("Duplicates"),
                    _("Quarantined"),
                    _("Quarantine rate"),
                ],
                rows=rows,
                metric="",
                numeric=[False, True, True, True, True, True, True],
                empty=_("No file was imported in this period."),
            ),
        ]
        rate = share(quarantined_total, read_total)
        if rate is not None:
            blocks.append(
                Paragraph(
                    _("Overall, %(quarantined)s of %(read)s records read (%(rate)s) were quarantined.")
                    % {"quarantined": number(quarantined_total), "read": number(read_total), "rate": rate}
                )
            )
        return blocks

    def coverage(self) -> list[Block]:
        entries = constituency_networks(self.organisation)
        v4: list[ipaddress.IPv4Network] = []
        v6: list[ipaddress.IPv6Network] = []
        for text in entries:
            try:
                network = ipaddress.ip_network(text, strict=False)
            except ValueError:
                continue
            if isinstance(network, ipaddress.IPv4Network):
                v4.append(network)
            else:
                v6.append(network)
        addresses = sum(n.num_addresses for n in ipaddress.collapse_addresses(v4))
        blocks: list[Block] = []
        if not entries:
            blocks.append(
                Paragraph(
                    _(
                        "The constituency table is empty: no address can be attributed to an organisation or a "
                        "sector, so every victim is unknown."
                    ),
                    "nodata",
                )
            )
        else:
            sentence = ngettext(
                "The constituency table lists %(count)s network.",
                "The constituency table lists %(count)s networks.",
                len(entries),
            ) % {"count": number(len(entries))}
            if addresses:
                sentence += " " + ngettext(
                    "It covers %(count)s IPv4 address (%(share)s of the IPv4 address space).",
                    "It covers %(count)s IPv4 addresses (%(share)s of the IPv4 address space).",
                    addresses,
                ) % {"count": number(addresses), "share": share(addresses, 2**32)}
            if v6:
                sentence += " " + ngettext(
                    "It lists %(count)s IPv6 prefix.", "It lists %(count)s IPv6 prefixes.", len(v6)
                ) % {"count": number(len(v6))}
            blocks.append(Paragraph(sentence))
        attributed = int(self.totals.get("attributed") or 0)
        if self.events:
            if attributed:
                blocks.append(
                    Paragraph(
                        _(
                            "%(share)s of the events of the period (%(count)s) concern an address of the "
                            "constituency and are attributed to an organisation (%(organisations)s in all)."
                        )
                        % {
                            "share": share(attributed, self.events),
                            "count": number(attributed),
                            "organisations": number(self.totals.get("organisations") or 0),
                        }
                    )
                )
            else:
                blocks.append(
                    Paragraph(_("No event of the period concerns an address of the constituency table."), "nodata")
                )
        return blocks


def _format_q(q: float | None) -> str:
    if q is None or math.isnan(q):
        return "—"
    if q < 0.001:
        return "< " + decimal(0.001, 3)
    return decimal(q, 3)
