"""The regional dashboard's charts, as Vega-Lite specifications: one per chart, built from a
:class:`~cyberplan.regional.analysis.RegionalAnalysis`.

The same specification is drawn on the dashboard (through :func:`cyberplan.reports.svg.page_chart`, at the
column's width) and in the regional report (:func:`cyberplan.reports.charts.to_svg` / ``to_png``, at the
printed page's width), as the national pages do (:mod:`cyberplan.trends.charts`). Every chart's subtitle
names the members and periods it includes; a chart with no data is not drawn (``None``). Suppressed
counts are never drawn: a bar holds the published part only, and the subtitle says when one is a lower
bound. Labels are translated here, in the active language.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from cyberplan.reports.charts import FONT, Span
from cyberplan.training.choices import Audience
from cyberplan.trends.charts import PALETTE
from cyberplan.trends.labels import taxonomy_label

from . import geo
from .analysis import ALL_CLASSES, RegionalAnalysis
from .regional_figures import REGION, Figure

WIDTH = 520
#: Maturity stages 0 to 5, light to dark: an ordered scale that prints in grey too.
STAGE_COLOURS = ["#f1eef6", "#d0d1e6", "#a6bddb", "#74a9cf", "#2b8cbe", "#045a8d"]
#: Treaty steps, from nothing recorded to in force.
STATUS_ORDER = ["none", "signed", "ratified", "acceded", "in-force"]
STATUS_COLOURS = ["#e9ecef", "#f6c85f", "#6f9fd8", "#9bbbe3", "#3c9d5d"]


@dataclass(frozen=True)
class RegionalChart:
    """One chart of the dashboard: its name, the share of the row it takes on a page, its specification."""

    name: str
    span: Span
    spec: dict[str, Any]


def included(figure: Figure) -> str:
    """Which members and periods a figure includes, as the chart's subtitle and the table's caption."""
    return _("Members: %(members)s. Periods: %(periods)s.") % {
        "members": ", ".join(figure.members) or "—",
        "periods": ", ".join(figure.periods) or "—",
    }


def status_label(status: str) -> str:
    return {
        "none": _("no record"),
        "signed": _("signed"),
        "ratified": _("ratified"),
        "acceded": _("acceded"),
        "in-force": _("in force"),
    }.get(status, status)


def treaty_label(treaty: str) -> str:
    return {
        "ets-185": _("Budapest Convention (ETS 185)"),
        "ets-189": _("First Protocol (ETS 189)"),
        "cets-224": _("Second Protocol (CETS 224)"),
    }.get(treaty, treaty)


def audience_label(code: str) -> str:
    return str(dict(Audience.choices).get(code, code))


def _country(code: str) -> str:
    return _("Region") if code == REGION else code


def _base(title: str, figure: Figure, values: Any, lower_bound: bool = False) -> dict[str, Any]:
    subtitle = [included(figure)]
    if lower_bound:
        subtitle.append(_("Some values include suppressed counts: the published part is drawn."))
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {
            "text": title,
            "subtitle": subtitle if len(subtitle) > 1 else subtitle[0],
            "anchor": "start",
            "fontSize": 13,
            "subtitleFontSize": 11,
        },
        "width": WIDTH,
        "data": {"values": values},
        "config": {
            "font": FONT,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11},
            "legend": {"labelFontSize": 11, "titleFontSize": 11},
            "range": {"category": PALETTE},
        },
    }


def _published(cell: Any) -> int | None:
    return int(cell["value"]) if isinstance(cell, dict) and "value" in cell else None


def _lower(rows: Sequence[dict[str, Any]], key: str) -> bool:
    return any(isinstance(r.get(key), dict) and r[key].get("at_least") for r in rows)


def trends(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """Events across the region by month, stacked by RSIT class."""
    figure = analysis.trends
    rows = [r for r in figure.rows if r["country"] == REGION and _published(r["events"])]
    if not rows:
        return None
    values = [
        {"month": r["month"], "class": taxonomy_label(r["taxonomy"]), "events": _published(r["events"])} for r in rows
    ]
    spec = _base(_("Events across the region by month and threat class"), figure, values, _lower(rows, "events"))
    spec["height"] = 220
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "x": {"field": "month", "type": "ordinal", "title": _("Month")},
        "y": {
            "field": "events",
            "type": "quantitative",
            "title": _("Events"),
            "stack": "zero",
            "axis": {"format": "~s"},
        },
        "color": {"field": "class", "type": "nominal", "title": _("Threat class")},
    }
    return spec


def _member_lines(analysis: RegionalAnalysis, measure: str, title: str, axis: str) -> dict[str, Any] | None:
    figure = analysis.monthly
    rows = [r for r in figure.rows if r["country"] != REGION and _published(r[measure]) is not None]
    if not rows:
        return None
    values = [{"month": r["month"], "country": r["country"], "value": _published(r[measure])} for r in rows]
    spec = _base(title, figure, values, _lower(rows, measure))
    spec["height"] = 200
    spec["mark"] = {"type": "line", "point": True}
    spec["encoding"] = {
        "x": {"field": "month", "type": "ordinal", "title": _("Month")},
        "y": {"field": "value", "type": "quantitative", "title": axis, "axis": {"format": "~s"}},
        "color": {"field": "country", "type": "nominal", "title": _("Country")},
    }
    return spec


def member_events(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """Each member's events by month."""
    return _member_lines(analysis, "events", _("Events by month per member"), _("Events"))


def member_sources(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """Each member's distinct source addresses by month."""
    return _member_lines(analysis, "sources", _("Distinct sources by month per member"), _("Sources"))


def changes(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """The series flagged as significant rises or falls from the previous period, in per cent."""
    figure = analysis.changes
    flagged = [r for r in figure.rows if r["flag"] in ("rise", "fall")]
    if not flagged:
        return None
    values = [
        {
            "label": f"{_country(r['country'])}: "
            + (_("all classes") if r["taxonomy"] == ALL_CLASSES else str(taxonomy_label(r["taxonomy"]))),
            "change": round(100 * float(r["change"]), 1),
            "flag": r["flag"],
        }
        for r in flagged
    ]
    spec = _base(_("Significant changes from the previous period"), figure, values)
    spec["height"] = 70 + 24 * len(values)
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 260}},
        "x": {"field": "change", "type": "quantitative", "title": _("Change in daily rate (%)")},
        "color": {
            "field": "flag",
            "type": "nominal",
            "scale": {"domain": ["rise", "fall"], "range": [PALETTE[3], PALETTE[2]]},
            "legend": None,
        },
    }
    return spec


def _rate_bars(analysis: RegionalAnalysis, measure: str, title: str) -> dict[str, Any] | None:
    figure = analysis.comparison
    rows = [r for r in figure.rows if r[f"{measure}_per_1000"] is not None]
    if not rows:
        return None
    values = [{"country": _country(r["country"]), "rate": r[f"{measure}_per_1000"]} for r in rows]
    spec = _base(title, figure, values, _lower(rows, measure))
    spec["height"] = 70 + 24 * len(values)
    spec["mark"] = {"type": "bar", "color": PALETTE[0]}
    spec["encoding"] = {
        "y": {"field": "country", "type": "nominal", "sort": "-x", "title": None},
        "x": {"field": "rate", "type": "quantitative", "title": _("Per 1,000 announced IPv4 addresses")},
    }
    return spec


def exposure(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """Exposed distinct sources per 1,000 announced IPv4 addresses, per member and for the region."""
    return _rate_bars(analysis, "sources", _("Exposed sources per 1,000 addresses"))


def events_rate(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """Events per 1,000 announced IPv4 addresses, per member and for the region."""
    return _rate_bars(analysis, "events", _("Events per 1,000 addresses"))


def events_map(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """A map of the members, coloured by events per 1,000 announced addresses (outlines: Natural Earth)."""
    figure = analysis.comparison
    rates = {r["country"]: r["events_per_1000"] for r in figure.rows if r["country"] != REGION}
    topology = geo.outlines(rates)
    drawn = {g["properties"]["country"] for g in topology["objects"]["countries"]["geometries"]}
    if not drawn or all(rates[c] is None for c in drawn):
        return None
    lookup = [{"country": c, "rate": rates[c]} for c in sorted(drawn)]
    spec = _base(_("Events per 1,000 announced addresses: map of the members"), figure, topology)
    spec["data"]["format"] = {"type": "topojson", "feature": "countries"}
    spec["height"] = 360
    spec["projection"] = {"type": "mercator"}
    spec["transform"] = [
        {"calculate": "datum.properties.country", "as": "country"},
        {"lookup": "country", "from": {"data": {"values": lookup}, "key": "country", "fields": ["rate"]}},
    ]
    spec["layer"] = [
        # Every member's outline, grey: a member whose rate is not known (suppressed, no threat figures) stays on the map.
        {"mark": {"type": "geoshape", "fill": "#dee2e6", "stroke": "#ffffff", "strokeWidth": 0.8}},
        {
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.8},
            "encoding": {
                "color": {
                    "field": "rate",
                    "type": "quantitative",
                    "title": _("Events per 1,000"),
                    "scale": {"scheme": "blues"},
                },
            },
        },
        {
            "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold"},
            "encoding": {
                "longitude": {"field": "centroid[0]", "type": "quantitative"},
                "latitude": {"field": "centroid[1]", "type": "quantitative"},
                "text": {"field": "country", "type": "nominal"},
            },
            "transform": [{"calculate": "geoCentroid(null, datum)", "as": "centroid"}],
        },
    ]
    return spec


def maturity(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """The assessment's stage per factor and country as a heat map (members that shared their assessment)."""
    figure = analysis.maturity
    if not figure.rows:
        return None
    values = [{"factor": r["factor"], "country": r["country"], "stage": r["stage"]} for r in figure.rows]
    factors = sorted({r["factor"] for r in figure.rows})
    spec = _base(_("Maturity stage per factor and country"), figure, values)
    spec["height"] = max(170, 60 + 24 * len(factors))
    spec["encoding"] = {
        "x": {"field": "country", "type": "nominal", "title": _("Country"), "axis": {"orient": "top", "labelAngle": 0}},
        "y": {"field": "factor", "type": "nominal", "title": _("Factor"), "sort": factors},
    }
    spec["layer"] = [
        {
            "mark": {"type": "rect", "stroke": "#ffffff"},
            "encoding": {
                "color": {
                    "field": "stage",
                    "type": "ordinal",
                    "title": _("Stage"),
                    "scale": {"domain": [0, 1, 2, 3, 4, 5], "range": STAGE_COLOURS},
                }
            },
        },
        {
            "mark": {"type": "text", "fontSize": 11},
            "encoding": {
                "text": {"field": "stage", "type": "quantitative"},
                "color": {"condition": {"test": "datum.stage >= 4", "value": "#ffffff"}, "value": "#212529"},
            },
        },
    ]
    return spec


def strategy(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """The strategy adoption timeline: each member's strategy period, adopted or not, with actions completed."""
    figure = analysis.strategy
    rows = [r for r in figure.rows if r["start_year"] and r["end_year"]]
    if not rows:
        return None
    values = [
        {
            "country": r["country"],
            "start": int(r["start_year"]),
            "end": int(r["end_year"]) + 1,
            "state": _("adopted") if r["adopted"] else _("not adopted"),
            "done": "" if r["completed"] is None else f"{round(100 * float(r['completed']))} %",
        }
        for r in rows
    ]
    spec = _base(_("Strategy adoption timeline"), figure, values)
    spec["height"] = 80 + 28 * len(values)
    spec["encoding"] = {"y": {"field": "country", "type": "nominal", "title": None}}
    spec["layer"] = [
        {
            "mark": {"type": "bar", "cornerRadius": 2},
            "encoding": {
                "x": {
                    "field": "start",
                    "type": "quantitative",
                    "title": _("Year"),
                    "scale": {"zero": False},
                    "axis": {"format": "d"},
                },
                "x2": {"field": "end"},
                "color": {"field": "state", "type": "nominal", "title": _("Strategy"), "legend": {"orient": "bottom"}},
            },
        },
        {
            "mark": {"type": "text", "align": "right", "dx": -4, "fontSize": 11, "color": "#ffffff"},
            "encoding": {"x": {"field": "end", "type": "quantitative"}, "text": {"field": "done", "type": "nominal"}},
        },
    ]
    return spec


def conventions(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """Convention status per member and treaty (ETS 185, ETS 189, CETS 224 and any other recorded)."""
    figure = analysis.conventions
    if not figure.rows:
        return None
    values = [
        {"country": r["country"], "treaty": treaty_label(r["treaty"]), "status": status_label(r["status"])}
        for r in figure.rows
    ]
    spec = _base(_("Convention status"), figure, values)
    spec["height"] = max(170, 40 + 30 * len({r["treaty"] for r in figure.rows}))
    spec["mark"] = {"type": "rect", "stroke": "#ffffff"}
    spec["encoding"] = {
        "x": {"field": "country", "type": "nominal", "title": None, "axis": {"labelAngle": 0, "orient": "top"}},
        "y": {"field": "treaty", "type": "nominal", "title": None, "axis": {"labelLimit": 220}},
        "color": {
            "field": "status",
            "type": "nominal",
            "title": _("Status"),
            "scale": {"domain": [status_label(s) for s in STATUS_ORDER], "range": STATUS_COLOURS},
            "legend": {"orient": "bottom", "columns": 2},
        },
    }
    return spec


def training(analysis: RegionalAnalysis) -> dict[str, Any] | None:
    """People trained in total per member, stacked by audience (published counts only)."""
    figure = analysis.training
    rows = [r for r in figure.rows if r["country"] != REGION and _published(r["cumulative_trained"])]
    if not rows:
        return None
    values = [
        {
            "country": r["country"],
            "audience": audience_label(r["audience"]),
            "trained": _published(r["cumulative_trained"]),
        }
        for r in rows
    ]
    spec = _base(_("People trained, by audience"), figure, values, _lower(rows, "cumulative_trained"))
    spec["height"] = 80 + 28 * len({r["country"] for r in rows})
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "country", "type": "nominal", "title": None},
        "x": {"field": "trained", "type": "quantitative", "title": _("People trained"), "stack": "zero"},
        "color": {"field": "audience", "type": "nominal", "title": _("Audience")},
    }
    return spec


#: The charts in the order the dashboard shows them, with the share of the row each takes on a page.
CHARTS: dict[str, tuple[Callable[[RegionalAnalysis], dict[str, Any] | None], Span]] = {
    "trends": (trends, "full"),
    "member_events": (member_events, "half"),
    "member_sources": (member_sources, "half"),
    "changes": (changes, "full"),
    "events_map": (events_map, "full"),
    "exposure": (exposure, "half"),
    "events_rate": (events_rate, "half"),
    "maturity": (maturity, "full"),
    "strategy": (strategy, "full"),
    "conventions": (conventions, "half"),
    "training": (training, "half"),
}


def charts_for(analysis: RegionalAnalysis) -> list[RegionalChart]:
    """Every chart of the analysis that has data, in the dashboard's order, in the active language."""
    drawn = []
    for name, (build, span) in CHARTS.items():
        spec = build(analysis)
        if spec is not None:
            drawn.append(RegionalChart(name, span, spec))
    return drawn
