"""The dashboard's tables and key figures, and the links from them to the event browser."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import formats
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cyberplan.analytics.periods import Period
from cyberplan.core.models import Organisation
from cyberplan.reports.svg import PageChart

from ..figures import Figures
from ..forms import UNKNOWN
from ..labels import category_label, country_label, flag_label, sector_label, taxonomy_label

#: Flags a user may turn into a gap.
RISING = ("rise", "new")


# -- links ----------------------------------------------------------------------------------------


def _query(values: Mapping[str, Any]) -> str:
    return urlencode([(k, str(v)) for k, v in values.items() if v not in (None, "")])


def dashboard_url(organisation: Organisation | str, period: Period, filters: Mapping[str, str]) -> str:
    """The dashboard of one store (an organisation) or of a store chooser's value such as every store together."""
    store = organisation.pk if isinstance(organisation, Organisation) else organisation
    return reverse("trends:dashboard") + "?" + _query({"organisation": store, "period": period.label, **filters})


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


class NoDrill(Drill):
    """No links to the event browser: for figures over several stores together, which the browser (one
    store at a time) cannot list."""

    def __init__(self) -> None:
        self.base = {}

    def url(self, **values: Any) -> str | None:
        return None


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
    charts: list[PageChart] = field(default_factory=list)
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


def series_label(dimension: str, series: str) -> str:
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
                    Cell("text", country_label(r["country"])),
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


def malware_tables(data: Figures) -> list[Table]:
    """Events and distinct infected addresses per malware family (the ten with most events)."""
    return [
        Table(
            "malware_families",
            _("Events and infected addresses by malware family"),
            [_("Malware family"), _("Events"), _("Share of all events"), _("Infected addresses")],
            [
                Row(
                    [
                        Cell("text", r["family"]),
                        Cell("int", r["events"]),
                        share(r["events"], data.events),
                        Cell("int", r["sources"]),
                    ]
                )
                for r in data.rows.get("by_family", [])
            ],
            empty=_("No event of this period and these filters named a malware family."),
        )
    ]


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


def _response_rows(data: Figures, drill: Drill) -> list[Row]:
    """The time-to-respond rows: one per incident type, with the mean hours when recorded."""
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
    return response_rows


def incident_tables(data: Figures, drill: Drill) -> list[Table]:
    incidents = sum(int(r["events"]) for r in data.rows.get("incidents_by_type", []))
    empty = _("No incident records (such as VERIS incidents) in this period.")
    if not data.rows.get("incidents_by_type"):
        return [Table("incidents", _("Incident records"), [], [], empty=empty)]
    response_rows = _response_rows(data, drill)
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
                    Cell("text", f"{dimension_label}: {series_label(r['dimension'], r['series'])}"),
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
