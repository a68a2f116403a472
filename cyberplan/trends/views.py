"""The threat trends dashboard: figures, charts and tables from the trend tables, with drill-down.

Pages read only the pre-aggregated trend tables (:mod:`cyberplan.analytics.trend_tables`), never
the raw events. What a page computes is kept in Django's cache under a key made of the store,
its trend-table watermark, the scope (period, filters, TLP labels) and, for the charts, the
language: a new import changes the watermark, so cached figures are never stale.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cyberplan.analytics.metrics import BY_ID, Result, ResultSet, Scope, context
from cyberplan.analytics.periods import Period, parse_period
from cyberplan.analytics.service import compute
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.core.access import ROLE_TLP, Permission, has_permission, organisations_where, require
from cyberplan.core.choices import TLP, TLP_RANK
from cyberplan.core.models import Organisation, User
from cyberplan.gaps.choices import Severity
from cyberplan.reports.svg import safe_svg
from cyberplan.threats.access import access_event_store

from . import charts
from .actions import RiseEvidence, RiseText, do_record_rise_as_gap
from .forms import UNKNOWN, DashboardFilterForm, GapFromChangeForm, scope_of
from .labels import category_label, flag_label, sector_label, taxonomy_label
from .store import analytics_engine, refresh_trend_tables, trend_tables

CACHE_SECONDS = 7 * 24 * 3600
#: Flags a user may turn into a gap.
RISING = ("rise", "new")

# -- reading the trend tables, through the cache --------------------------------------------------


def _digest(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class StoreState:
    """One organisation's trend tables as they are now, and a version that changes with every import."""

    organisation: Organisation
    tables: TrendTables
    version: str

    @property
    def has_imports(self) -> bool:
        return bool(self.tables.store.committed_imports())


def store_state(organisation: Organisation) -> StoreState:
    """The trend tables, brought up to date first if an import finished without refreshing them."""
    tables = trend_tables(organisation)
    if tables.pending_imports():
        refresh_trend_tables(organisation)
    return StoreState(organisation, tables, _digest(str(tables.root), tables.watermark()))


def latest_period(state: StoreState, labels: Iterable[str]) -> Period | None:
    """The latest month with events the user may read, or None when there are none."""
    allowed = sorted(labels)
    key = "trends:latest:" + _digest(state.version, allowed)
    cached: dict[str, str | None] | None = cache.get(key)
    if cached is None:
        last: dt.date | None = None
        if allowed:
            engine = analytics_engine()
            try:
                events = state.tables.frames(engine).events
                visible = events.filter(events.tlp.isin(allowed))
                rows = engine.rows(visible.aggregate(last=visible.day.max()))
            finally:
                engine.close()
            last = rows[0]["last"] if rows else None
        cached = {"last": last.isoformat() if last else None}
        cache.set(key, cached, CACHE_SECONDS)
    if cached["last"] is None:
        return None
    day = dt.date.fromisoformat(cached["last"])
    return parse_period(f"{day.year}-{day.month:02d}")


@dataclass
class Figures:
    """The metric set's rows for one scope, and the TLP labels of the events behind them."""

    scope: Scope
    rows: dict[str, list[dict[str, Any]]]
    labels_present: list[str] = field(default_factory=list)

    def results(self) -> ResultSet:
        result = ResultSet(scope=self.scope, engine="duckdb")
        for metric_id, rows in self.rows.items():
            result.results[metric_id] = Result(BY_ID[metric_id], rows)
        return result

    def one(self, metric_id: str) -> dict[str, Any]:
        rows = self.rows.get(metric_id) or []
        return rows[0] if rows else {}

    @property
    def events(self) -> int:
        return int(self.one("totals").get("events") or 0)


def figures(state: StoreState, scope: Scope) -> Figures:
    """Every metric over the trend tables for ``scope``, computed once per watermark and scope."""
    key = "trends:rows:" + _digest(state.version, scope.describe())
    cached: dict[str, Any] | None = cache.get(key)
    if cached is None:
        engine = analytics_engine()
        try:
            results = compute(state.tables.store, scope, engine, trend_tables=True)
            current = context(state.tables.frames(engine), scope).current.events
            present = engine.rows(current.select("tlp").distinct())
        finally:
            engine.close()
        cached = {
            "rows": {metric_id: result.rows for metric_id, result in results.results.items()},
            "labels_present": sorted(str(row["tlp"]) for row in present),
        }
        cache.set(key, cached, CACHE_SECONDS)
    return Figures(scope, cached["rows"], cached["labels_present"])


def chart_svgs(state: StoreState, data: Figures) -> dict[str, str | None]:
    """Each chart as SVG in the active language (None when it has no data)."""
    key = "trends:svg:" + _digest(state.version, data.scope.describe(), get_language())
    cached: dict[str, str | None] | None = cache.get(key)
    if cached is None:
        cached = {name: charts.to_svg(spec) if spec else None for name, spec in charts.specs(data.results()).items()}
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def warm(organisation: Organisation) -> int:
    """Compute the default page (the latest month, no filter) for every TLP reading level in both
    languages, so the first visit after an import is answered from the cache. Returns the pages warmed.

    Meant to run right after the trend tables are refreshed.
    """
    state = store_state(organisation)
    warmed = 0
    for labels in sorted({tuple(sorted(levels)) for levels in ROLE_TLP.values()}):
        period = latest_period(state, labels)
        if period is None:
            continue
        data = figures(state, scope_of(period, labels))
        for language in ("en", "es"):
            with translation.override(language):
                chart_svgs(state, data)
        warmed += 1
    return warmed


# -- links ----------------------------------------------------------------------------------------


def _query(values: Mapping[str, Any]) -> str:
    return urlencode([(k, str(v)) for k, v in values.items() if v not in (None, "")])


def dashboard_url(organisation: Organisation, period: Period, filters: Mapping[str, str]) -> str:
    return (
        reverse("trends:dashboard") + "?" + _query({"organisation": organisation.pk, "period": period.label, **filters})
    )


class Drill:
    """Links to the event browser for the page's organisation, period and filters."""

    def __init__(self, organisation: Organisation, period: Period, filters: Mapping[str, str]) -> None:
        self.base = {
            "organisation": organisation.pk,
            "since": period.start.isoformat(),
            "until": period.end.isoformat(),
            "taxonomy": filters.get("taxonomy", ""),
            "sector": filters.get("sector", ""),
            # The page's country is the victim's (as in the figures), which the event browser filters as such.
            "victim_country": filters.get("country", ""),
        }

    def url(self, **values: Any) -> str | None:
        """The event browser with these filters added; None when a value cannot be filtered there."""
        for name, value in values.items():
            if value is None:
                return None
            if value == UNKNOWN and name not in ("sector", "victim_country"):
                # The event browser finds unknown sectors and countries, not unknown classes or types.
                return None
        return reverse("threats:event_list") + "?" + _query({**self.base, **values})


# -- the page's tables ----------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str  # text, int (a count), share (per cent), change (per cent, signed), flag
    value: Any = None
    code: str = ""  # for flags: rise, fall, new, gone

    def html(self) -> SafeString:
        """The cell's content, formatted in the active language and escaped.

        Formatted here rather than by a template include per cell: a page has hundreds of cells.
        """
        value = self.value
        if self.kind == "int":
            return mark_safe("—") if value is None else escape(formats.number_format(int(value), force_grouping=True))
        if self.kind == "share":
            return format_html("{}&nbsp;%", floatformat(value, 1))
        if self.kind == "change":
            if value is None:
                return mark_safe("—")
            sign = "+" if value > 0 else ""
            return format_html("{}{}&nbsp;%", sign, floatformat(value, 1))
        if self.kind == "flag":
            return (
                format_html('<strong class="flag flag-{}">{}</strong>', self.code, value)
                if self.code
                else mark_safe("")
            )
        return escape("" if value is None else value)


@dataclass
class Row:
    cells: list[Cell]
    link: str | None = None
    gap: dict[str, str] | None = None  # hidden fields of the "record as a gap" form

    def html(self) -> SafeString:
        """The row's cells: the first one a header cell, linked to its events when it has a link."""
        first, rest = self.cells[0].html(), self.cells[1:]
        if self.link:
            first = format_html('<a href="{}" class="drill">{}</a>', self.link, first)
        return format_html(
            '<th scope="row">{}</th>{}', first, format_html_join("", "<td>{}</td>", ((c.html(),) for c in rest))
        )


@dataclass
class Table:
    id: str
    title: str
    headers: list[str]
    rows: list[Row]
    empty: str = ""
    note: str = ""
    gaps: bool = False  # the table has a column of gap buttons


@dataclass
class Panel:
    id: str
    title: str
    charts: list[SafeString] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


def share(part: int | None, whole: int) -> Cell:
    """A share in per cent, or nothing when the whole is zero: never a percentage of nothing."""
    if not whole or part is None:
        return Cell("text", "—")
    return Cell("share", 100.0 * part / whole)


def p_value(value: float | None, space: str = "\u00a0") -> str:
    """A p or q value to three decimals; the smallest ones as "< 0.001" (a no-break space by default)."""
    if value is None:
        return "—"
    if value < 0.001:
        return "<" + space + formats.number_format(0.001, 3)
    return formats.number_format(value, 3)


def _series_label(dimension: str, series: str) -> str:
    if dimension == "sector":
        return sector_label(series)
    return _("Unknown type") if series == UNKNOWN else series


def _class_type(taxonomy: str, type_: str) -> str:
    return f"{taxonomy_label(taxonomy)}: {_('unknown type') if type_ == UNKNOWN else type_}"


def _no_rows() -> str:
    return _("No data for this period and these filters.")


def class_tables(data: Figures, drill: Drill) -> list[Table]:
    total = data.events
    by_class: dict[str, int] = {}
    for row in data.rows.get("by_class", []):
        by_class[row["taxonomy"]] = by_class.get(row["taxonomy"], 0) + int(row["events"])
    sources = {r["taxonomy"]: int(r["sources"]) for r in data.rows.get("sources_by_class", [])}
    classes = Table(
        "classes",
        _("Events by threat class"),
        [_("Threat class"), _("Events"), _("Share"), _("Distinct sources")],
        [
            Row(
                [
                    Cell("text", taxonomy_label(code)),
                    Cell("int", count),
                    share(count, total),
                    Cell("int", sources.get(code)),
                ],
                drill.url(taxonomy=code),
            )
            for code, count in sorted(by_class.items(), key=lambda item: (-item[1], item[0]))
        ],
        empty=_no_rows(),
    )
    types = Table(
        "types",
        _("Events by threat class and type"),
        [_("Threat class and type"), _("Events"), _("Share")],
        [
            Row(
                [
                    Cell("text", _class_type(r["taxonomy"], r["type"])),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                ],
                drill.url(taxonomy=r["taxonomy"], type=r["type"]),
            )
            for r in data.rows.get("by_class", [])
        ],
        empty=_no_rows(),
    )
    return [classes, types]


def victim_tables(data: Figures, drill: Drill) -> list[Table]:
    total = data.events
    sources = {r["sector"]: int(r["sources"]) for r in data.rows.get("sources_by_sector", [])}
    categories = Table(
        "categories",
        _("Events by victim category"),
        [_("Victim category"), _("Events"), _("Share")],
        [
            Row([Cell("text", category_label(r["category"])), Cell("int", r["events"]), share(r["events"], total)])
            for r in data.rows.get("by_category", [])
        ],
        empty=_no_rows(),
        note=_("A category groups several sectors: follow a sector below to see its events."),
    )
    sectors = Table(
        "sectors",
        _("Events by sector"),
        [_("Sector"), _("Events"), _("Share"), _("Distinct sources")],
        [
            Row(
                [
                    Cell("text", sector_label(r["sector"])),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                    Cell("int", sources.get(r["sector"])),
                ],
                drill.url(sector=r["sector"]),
            )
            for r in data.rows.get("by_sector", [])
        ],
        empty=_no_rows(),
    )
    countries = Table(
        "countries",
        _("Events by victim country"),
        [_("Country"), _("Events"), _("Share")],
        [
            Row(
                [
                    Cell("text", _("Unknown country") if r["country"] == UNKNOWN else r["country"]),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                ],
                drill.url(victim_country=r["country"]),
            )
            for r in data.rows.get("by_country", [])
        ],
        empty=_no_rows(),
    )
    return [categories, sectors, countries]


def network_tables(data: Figures, drill: Drill) -> list[Table]:
    total = data.events
    asns = Table(
        "asns",
        _("Autonomous systems with most events"),
        [_("AS number"), _("AS name"), _("Events"), _("Share")],
        [
            Row(
                [
                    Cell("text", f"AS{r['asn']}" if r["asn"] is not None else _("Unknown network")),
                    Cell("text", "" if r["as_name"] == UNKNOWN else r["as_name"]),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                ],
                drill.url(asn=r["asn"]),
            )
            for r in data.rows.get("top_asn", [])
        ],
        empty=_no_rows(),
    )
    networks = Table(
        "networks",
        _("Networks with most events"),
        [_("Network"), _("Events"), _("Share")],
        [
            Row(
                [
                    Cell("text", _("Unknown network") if r["network"] == UNKNOWN else r["network"]),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                ]
            )
            for r in data.rows.get("top_networks", [])
        ],
        empty=_no_rows(),
    )
    organisations = Table(
        "organisations",
        _("Organisations with most events"),
        [_("Organisation"), _("Sector"), _("Events"), _("Share")],
        [
            Row(
                [
                    Cell("text", r["organisation"]),
                    Cell("text", sector_label(r["sector"])),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                ],
                drill.url(sector=r["sector"]),
            )
            for r in data.rows.get("top_organisations", [])
        ],
        empty=_("No event was attributed to an organisation of the constituency."),
        note=_("An organisation's link opens the events of its sector."),
    )
    feeds = Table(
        "feeds",
        _("Events by feed and provider"),
        [_("Feed"), _("Provider"), _("Events"), _("Share")],
        [
            Row(
                [
                    Cell("text", r["feed"]),
                    Cell("text", "" if r["provider"] == UNKNOWN else r["provider"]),
                    Cell("int", r["events"]),
                    share(r["events"], total),
                ],
                drill.url(feed=r["feed"]),
            )
            for r in data.rows.get("by_feed", [])
        ],
        empty=_no_rows(),
    )
    return [asns, networks, organisations, feeds]


def source_tables(data: Figures) -> list[Table]:
    counts = data.one("new_vs_recurring")
    new, recurring = int(counts.get("new") or 0), int(counts.get("recurring") or 0)
    rows = []
    if new + recurring:
        rows = [
            Row(
                [
                    Cell("text", _("New sources (not seen in the previous period)")),
                    Cell("int", new),
                    share(new, new + recurring),
                ]
            ),
            Row([Cell("text", _("Recurring sources")), Cell("int", recurring), share(recurring, new + recurring)]),
        ]
    return [
        Table(
            "new_vs_recurring",
            _("New and recurring source addresses"),
            [_("Sources"), _("Addresses"), _("Share")],
            rows,
            empty=_("No source addresses in this period."),
        )
    ]


def incident_tables(data: Figures, drill: Drill) -> list[Table]:
    incidents = sum(int(r["events"]) for r in data.rows.get("incidents_by_type", []))
    empty = _("No incident records (such as VERIS incidents) in this period.")
    if not data.rows.get("incidents_by_type"):
        return [Table("incidents", _("Incident records"), [], [], empty=empty)]
    response_rows = []
    for r in data.rows.get("incident_response", []):
        hours = r.get("mean_hours")
        response_rows.append(
            Row(
                [
                    Cell("text", _("Unknown type") if r["type"] == UNKNOWN else r["type"]),
                    Cell("int", r["incidents"]),
                    Cell("int", r["with_time"]),
                    Cell("text", formats.number_format(hours, 1) if hours is not None else _("not recorded")),
                ],
                drill.url(type=r["type"]),
            )
        )
    return [
        Table(
            "incidents_by_type",
            _("Incidents by type"),
            [_("Threat class and type"), _("Incidents"), _("Share")],
            [
                Row(
                    [
                        Cell("text", _class_type(r["taxonomy"], r["type"])),
                        Cell("int", r["events"]),
                        share(r["events"], incidents),
                    ],
                    drill.url(taxonomy=r["taxonomy"], type=r["type"]),
                )
                for r in data.rows.get("incidents_by_type", [])
            ],
            empty=empty,
            note=_("A type's link opens every event of that type, incident records and automated reports alike."),
        ),
        Table(
            "incidents_by_sector",
            _("Incidents by sector"),
            [_("Sector"), _("Incidents"), _("Share")],
            [
                Row(
                    [Cell("text", sector_label(r["sector"])), Cell("int", r["events"]), share(r["events"], incidents)],
                    drill.url(sector=r["sector"]),
                )
                for r in data.rows.get("incidents_by_sector", [])
            ],
            empty=empty,
        ),
        Table(
            "incidents_by_severity",
            _("Incidents by criticality"),
            [_("Criticality"), _("Incidents"), _("Share")],
            [
                Row(
                    [
                        Cell("text", _("not recorded") if r["severity"] == UNKNOWN else r["severity"]),
                        Cell("int", r["events"]),
                        share(r["events"], incidents),
                    ]
                )
                for r in data.rows.get("incidents_by_severity", [])
            ],
            empty=empty,
        ),
        Table(
            "incidents_by_reporter",
            _("Incidents by reporter"),
            [_("Reporter"), _("Incidents"), _("Share")],
            [
                Row(
                    [
                        Cell("text", _("not recorded") if r["reporter"] == UNKNOWN else r["reporter"]),
                        Cell("int", r["events"]),
                        share(r["events"], incidents),
                    ]
                )
                for r in data.rows.get("incidents_by_reporter", [])
            ],
            empty=empty,
        ),
        Table(
            "incident_response",
            _("Time to respond"),
            [_("Type"), _("Incidents"), _("With a recorded time"), _("Mean hours to respond")],
            response_rows,
            empty=empty,
        ),
    ]


def change_table(
    data: Figures,
    drill: Drill,
    metric_id: str,
    compared: Period,
    gap_fields: Mapping[str, str] | None,
) -> Table:
    """Tested changes, significant ones first; rising ones carry a button that records a gap."""
    rows = sorted(
        data.rows.get(metric_id, []),
        key=lambda r: (r.get("flag") == "", r.get("q") if r.get("q") is not None else 2.0, r["dimension"], r["series"]),
    )
    table_rows = []
    for r in rows:
        flag = r.get("flag") or ""
        dimension_label = _("Sector") if r["dimension"] == "sector" else _("Type")
        link = drill.url(sector=r["series"]) if r["dimension"] == "sector" else drill.url(type=r["series"])
        gap = None
        if gap_fields is not None and flag in RISING:
            gap = {**gap_fields, "comparison": metric_id, "dimension": r["dimension"], "series": r["series"]}
        table_rows.append(
            Row(
                [
                    Cell("text", f"{dimension_label}: {_series_label(r['dimension'], r['series'])}"),
                    Cell("int", r["current"]),
                    Cell("int", r["previous"]),
                    Cell("change", None if r["change"] is None else 100.0 * float(r["change"])),
                    Cell("text", p_value(r.get("p"))),
                    Cell("text", p_value(r.get("q"))),
                    Cell("flag", flag_label(flag), flag),
                ],
                link,
                gap,
            )
        )
    if metric_id == "change_previous":
        title = _("Changes from the previous period (%(period)s)") % {"period": compared.label}
    else:
        title = _("Changes from a year earlier (%(period)s)") % {"period": compared.label}
    return Table(
        metric_id,
        title,
        [_("Series"), _("This period"), compared.label, _("Change in daily rate"), _("p"), _("q"), _("Finding")],
        table_rows,
        empty=_("Nothing to compare: no events in either period."),
        gaps=gap_fields is not None,
    )


def key_figures(data: Figures, period: Period) -> list[dict[str, Any]]:
    totals = data.one("totals")
    events = data.events
    sources = int(data.one("sources_total").get("sources") or 0)
    attributed = int(totals.get("attributed") or 0)
    previous = sum(int(r["previous"]) for r in data.rows.get("change_previous", []) if r["dimension"] == "type")
    year = sum(int(r["previous"]) for r in data.rows.get("change_year", []) if r["dimension"] == "type")
    incidents = sum(int(r["events"]) for r in data.rows.get("incidents_by_type", []))
    first, last = totals.get("first_day"), totals.get("last_day")
    result: list[dict[str, Any]] = [
        {"label": _("Events"), "value": events},
        {"label": _("Distinct source addresses"), "value": sources},
        {"label": _("Feeds"), "value": int(totals.get("feeds") or 0)},
        {
            "label": _("Days with events"),
            "value": int(totals.get("days") or 0),
            "detail": _("from %(first)s to %(last)s")
            % {"first": formats.date_format(first), "last": formats.date_format(last)}
            if first and last
            else "",
        },
        {"label": _("Organisations of the constituency affected"), "value": int(totals.get("organisations") or 0)},
        {
            "label": _("Events attributed to an organisation"),
            "value": attributed,
            "share": 100.0 * attributed / events if events else None,
        },
        {"label": _("Incident records"), "value": incidents},
        {
            "label": _("Events in the previous period (%(period)s)") % {"period": period.previous().label},
            "value": previous,
        },
        {
            "label": _("Events a year earlier (%(period)s)") % {"period": period.year_earlier().label},
            "value": year,
        },
    ]
    return result


# -- views ----------------------------------------------------------------------------------------


def _organisation_id(value: str | None, default: Organisation | None) -> int | None:
    """The organisation named in the request, or the default; access is checked by the caller."""
    if not value:
        return default.pk if default else None
    try:
        return int(value)
    except ValueError:
        raise Http404 from None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    organisations = list(organisations_where(user))
    organisation_id = _organisation_id(request.GET.get("organisation"), organisations[0] if organisations else None)
    if organisation_id is None:
        form = DashboardFilterForm(organisations=[], tlp_labels=[])
        return render(request, "trends/dashboard.html", {"form": form, "has_organisations": False})
    # A member reads the store within their TLP labels; anyone else gets 404.
    organisation, labels = access_event_store(user, organisation_id)
    page: dict[str, Any] = {"organisation": organisation, "has_organisations": True}
    query = request.GET.copy()
    if query.get("tlp") in TLP.values and query.get("tlp") not in labels:
        # A link made by someone who reads more (such as a gap's evidence): count what this user may read.
        query["tlp"] = ""
    form = DashboardFilterForm(query or None, organisations=organisations, tlp_labels=labels)
    if form.is_bound and not form.is_valid():
        return render(request, "trends/dashboard.html", {**page, "form": form}, status=400)
    values = form.cleaned_data if form.is_bound else {}
    filters = {name: values.get(name) or "" for name in ("sector", "taxonomy", "country", "tlp")}

    state = store_state(organisation)
    period: Period | None = values.get("period")
    latest = None
    if period is None:
        latest = latest_period(state, labels)
        period = latest
    page.update(filters=filters, state_has_imports=state.has_imports)
    if not form.is_bound:
        # Show what the page shows: the organisation and the period chosen for the user.
        initial = {"organisation": organisation.pk, "period": period.label if period else ""}
        form = DashboardFilterForm(initial=initial, organisations=organisations, tlp_labels=labels)
    if period is None:
        # Nothing the user may read has been imported: say so instead of drawing empty charts.
        return render(request, "trends/dashboard.html", {**page, "form": form, "no_store_data": True})

    scope = scope_of(period, labels, **filters)
    data = figures(state, scope)
    svgs = chart_svgs(state, data) if data.events else {}
    drill = Drill(organisation, period, filters)
    can_record = has_permission(user, organisation.pk, Permission.CONTRIBUTE)
    gap_fields = {"organisation": str(organisation.pk), "period": period.label, **filters} if can_record else None

    def svg(name: str) -> list[SafeString]:
        markup = safe_svg(svgs.get(name))
        return [markup] if markup is not None else []

    panels = [
        Panel("classes", _("Threat classes and types"), svg("timeline") + svg("by_type"), class_tables(data, drill)),
        Panel(
            "victims",
            _("Victims: categories, sectors and countries"),
            svg("by_category") + svg("by_sector"),
            victim_tables(data, drill),
        ),
        Panel("networks", _("Networks, organisations and feeds"), svg("top_asn"), network_tables(data, drill)),
        Panel("sources", _("Source addresses"), svg("sources_timeline"), source_tables(data)),
        Panel("incidents", _("Incident handling"), [], incident_tables(data, drill)),
        Panel(
            "changes",
            _("Significant changes"),
            svg("changes"),
            [
                change_table(data, drill, "change_previous", period.previous(), gap_fields),
                change_table(data, drill, "change_year", period.year_earlier(), gap_fields),
            ],
        ),
    ]
    page.update(
        form=form,
        period=period,
        period_is_latest=latest is not None,
        scope=scope,
        data=data,
        key_figures=key_figures(data, period),
        panels=panels if data.events or _has_changes(data) else [p for p in panels if p.id == "changes"],
        drill_all=drill.url(),
        previous_url=dashboard_url(organisation, period.previous(), filters),
        year_earlier_url=dashboard_url(organisation, period.year_earlier(), filters),
        can_record=can_record,
        tlp_words=", ".join(str(TLP(label).label) for label in scope.tlp_in or ()),
    )
    return render(request, "trends/dashboard.html", page)


def _has_changes(data: Figures) -> bool:
    return any(data.rows.get(metric_id) for metric_id in ("change_previous", "change_year"))


# -- turning a rising threat into a gap -----------------------------------------------------------


def source_key(dimension: str, series: str, filters: Mapping[str, str]) -> str:
    """The gap's reference in the threat-trend source: the series and the filters that scope it.

    The period is not part of it: the same threat rising again later updates the same gap, and each
    period adds its own evidence.
    """
    parts = [f"{dimension}={series}"] + [
        f"{name}={filters[name]}" for name in ("sector", "taxonomy", "country") if filters.get(name)
    ]
    key = "trend:" + ";".join(parts)
    if len(key) > 120:
        key = key[:100] + "#" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


def _most_restricted(labels: Iterable[str]) -> str:
    known = [TLP(label) for label in labels if label in TLP.values]
    return max(known, key=lambda label: TLP_RANK[label]) if known else TLP.AMBER


def _scope_words(filters: Mapping[str, str]) -> str:
    words = []
    if filters.get("sector"):
        words.append(_("sector: %(sector)s") % {"sector": sector_label(filters["sector"])})
    if filters.get("taxonomy"):
        words.append(_("class: %(class)s") % {"class": taxonomy_label(filters["taxonomy"])})
    if filters.get("country"):
        words.append(_("country: %(country)s") % {"country": filters["country"]})
    return ", ".join(words)


def _gap_text(row: Mapping[str, Any], comparison: str, period: Period, filters: Mapping[str, str]) -> dict[str, str]:
    """Title and description of the gap, in the active language."""
    series = _series_label(row["dimension"], row["series"])
    if row["dimension"] == "sector":
        title = _("Rising threats against the %(sector)s sector") % {"sector": series}
    else:
        title = _("Rising threat: %(type)s") % {"type": series}
    scope_words = _scope_words(filters)
    if scope_words:
        title = f"{title} ({scope_words})"
    compared = period.previous() if comparison == "change_previous" else period.year_earlier()
    if row["change"] is None:
        change = _("new this period")
    else:
        change = formats.number_format(100.0 * float(row["change"]), 1, force_grouping=True) + " %"
    figure = _(
        "%(period)s: %(current)s events against %(previous)s in %(compared)s; change in daily rate: %(change)s; "
        "q = %(q)s (exact Poisson rate test, Benjamini-Hochberg correction)."
    ) % {
        "period": period.label,
        "current": formats.number_format(int(row["current"]), force_grouping=True),
        "previous": formats.number_format(int(row["previous"]), force_grouping=True),
        "compared": compared.label,
        "change": change,
        "q": p_value(row.get("q"), " "),
    }
    description = (
        _("The threat trends dashboard found a significant rise (%(flag)s).") % {"flag": flag_label(row["flag"])}
        + " "
        + figure
    )
    return {"title": title[:250], "description": description, "figure": figure}


@login_required
@require_POST
def gap_from_change(request: HttpRequest) -> HttpResponse:
    """Record a significant rise in the gap register, or update the gap an earlier click recorded."""
    user: User = request.user  # type: ignore[assignment]
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise Http404 from None
    organisation, labels = access_event_store(user, organisation_id)
    require(user, organisation.pk, Permission.CONTRIBUTE)
    form = GapFromChangeForm(request.POST, tlp_labels=labels)
    if not form.is_valid():
        return render(request, "trends/dashboard_gap_refused.html", {"form": form}, status=400)
    values = form.cleaned_data
    period: Period = values["period"]
    filters = {name: values.get(name) or "" for name in ("sector", "taxonomy", "country", "tlp")}
    back = dashboard_url(organisation, period, filters)
    scope = scope_of(period, labels, **filters)
    data = figures(store_state(organisation), scope)
    row = next(
        (
            r
            for r in data.rows.get(values["comparison"], [])
            if r["dimension"] == values["dimension"] and r["series"] == values["series"]
        ),
        None,
    )
    if row is None or row.get("flag") not in RISING:
        messages.error(
            request, _("This is not a significant rise in the figures as they are now; no gap was recorded.")
        )
        return redirect(back)

    texts = {}
    for language in ("en", "es"):
        with translation.override(language):
            texts[language] = _gap_text(row, values["comparison"], period, filters)
    metric_title = (
        _("Change from the previous period")
        if values["comparison"] == "change_previous"
        else _("Change from the same period a year earlier")
    )
    doubled = row["ratio"] is None or float(row["ratio"]) >= 2.0
    gap, created = do_record_rise_as_gap(
        user,
        organisation,
        source_key=source_key(row["dimension"], row["series"], filters),
        texts={language: RiseText(text["title"], text["description"]) for language, text in texts.items()},
        severity=Severity.HIGH if doubled else Severity.MEDIUM,
        tlp=_most_restricted(data.labels_present),
        evidence=RiseEvidence(
            label=_("Threat trends dashboard: %(metric)s, %(period)s")
            % {"metric": metric_title, "period": period.label},
            url=back,
            note=texts["es" if (get_language() or "en").startswith("es") else "en"]["figure"],
        ),
    )
    if created:
        messages.success(request, _("The rise was recorded in the gap register as %(gap)s.") % {"gap": gap.identifier})
    else:
        messages.success(request, _("The gap %(gap)s was updated with this figure.") % {"gap": gap.identifier})
    return redirect("gaps:gap_detail", pk=gap.pk)
