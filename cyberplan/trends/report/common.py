"""What the trends report's sections share.

The metric titles, the labels of the data's codes, the report's structure, and the :class:`Builder`
each section reads its metrics through (so each metric it reads is cited in the appendix).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from cyberplan.analytics.frames import unbound_frames
from cyberplan.analytics.metrics import BY_ID, Context, ResultSet, context
from cyberplan.analytics.periods import Period
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.models import Organisation
from cyberplan.pipeline.store import EventStore
from cyberplan.reports.document import Chart, Paragraph, Section, clean
from cyberplan.reports.marking import sharing_note
from cyberplan.reports.words import share

from .. import charts, labels
from ..labels import sector_label

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
    "by_family": gettext_lazy("Events and infected addresses by malware family"),
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
    "incidents_by_status": gettext_lazy("Incidents by status"),
    "incident_times": gettext_lazy("Time to close incidents: mean, median, 90th percentile"),
    "remediation": gettext_lazy("Remediation: vulnerable or infected addresses no longer seen"),
    "exposure": gettext_lazy("Exposure: distinct sources per victim country"),
    "history": gettext_lazy("Events per year since the first imported year"),
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
    "by_family": "by_family",
    "top_asn": "top_asn",
    "changes": "change_previous",
    "changes_year": "change_year",
    "history": "history",
    "remediation": "remediation",
    "exposure": "exposure",
    "incident_times": "incident_times",
}

# -- labels of the data's codes ------------------------------------------------------------------


def country_label(code: str) -> str:
    """The country's name as the dashboard gives it, cleaned for a document."""
    return clean(labels.country_label(code))


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
    #: which stores the figures count, said on the cover ("Events of …"); empty for one's own store
    stores_line: str = ""

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


class Builder:
    """One report's data (its metric results, period and audience) and the queries its sections have cited so far.

    Sections read a metric through :meth:`rows` or :meth:`chart`, which cite it: the appendix lists
    the queries in the order they were first read.
    """

    def __init__(
        self,
        organisation: Organisation,
        period: Period,
        audience: str,
        labels: Sequence[str],
        results: ResultSet,
        store: EventStore | None,
    ) -> None:
        self.organisation = organisation
        # The one store read; None when several stores are read together (``together`` names them).
        self.store = store
        # The store's name when it is read through a grant ("… (granted up to …)"); empty for one's own.
        self.granted_as = ""
        # The stores read together, as figures name them; empty when one store is read.
        self.together: list[str] = []
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

    def language(self) -> str:
        return (get_language() or "en").split("-")[0]

    def tlp_note(self) -> str:
        counted = ", ".join(tlp_label(label) for label in self.labels)
        text = sharing_note(self.audience)
        if counted:
            return text + " " + _("It counts only events marked %(labels)s.") % {"labels": counted}
        return text + " " + _("No event label may be counted at this marking, so the report has no figures.")
