"""The charts of the trends report and dashboard, as Vega-Lite specifications.

One specification per chart, built from a metric's rows, drawn by :mod:`cyberplan.reports.charts`
(SVG for the web page and the PDF, PNG for the DOCX): the same chart everywhere. A chart with no data
is not drawn (``None``); the page or report says "no data" in words instead of an empty axis.
Labels are translated here, in the active language; values are never percentages of nothing.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cyberplan.analytics.metrics import ResultSet
from cyberplan.reports.charts import FONT, Span, to_png, to_svg

from .labels import category_label, country_label, sector_label, taxonomy_label

WIDTH = 520
#: Colours for RSIT classes and categories: distinguishable, print-safe.
PALETTE = ["#1f5f8b", "#e07b39", "#3c9d5d", "#c0392b", "#7d5ba6", "#8c6d31", "#d35f9a", "#5f6b73", "#17a2b8", "#b8860b"]


def _base(title: str, values: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
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


def _bars(title: str, rows: list[dict[str, Any]], label: str, value: str, value_title: str) -> dict[str, Any] | None:
    values = [{"label": str(r[label]), "value": int(r[value] or 0)} for r in rows if r.get(value)]
    if not values:
        return None
    spec = _base(title, values)
    spec["height"] = max(60, 22 * len(values))
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 220}},
        "x": {"field": "value", "type": "quantitative", "title": value_title, "axis": {"format": "~s"}},
        "tooltip": [{"field": "label", "type": "nominal"}, {"field": "value", "type": "quantitative", "format": ","}],
    }
    spec["layer"] = [
        {"mark": {"type": "bar", "color": PALETTE[0]}},
        {
            "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
            "encoding": {"text": {"field": "value", "type": "quantitative", "format": ","}},
        },
    ]
    return spec


def timeline(results: ResultSet) -> dict[str, Any] | None:
    rows = results.rows("timeline")
    if not rows:
        return None
    values = [
        {"bucket": r["bucket"].isoformat(), "class": taxonomy_label(r["taxonomy"]), "events": int(r["events"])}
        for r in rows
    ]
    step = {"day": _("Day"), "week": _("Week"), "month": _("Month")}[results.scope.period.granularity()]
    spec = _base(_("Events over time by threat class"), values)
    spec["height"] = 220
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "x": {"field": "bucket", "type": "temporal", "title": step, "timeUnit": "utcyearmonthdate"},
        "y": {
            "field": "events",
            "type": "quantitative",
            "title": _("Events"),
            "stack": "zero",
            "axis": {"format": "~s"},
        },
        "color": {"field": "class", "type": "nominal", "title": _("Threat class")},
        "tooltip": [
            {"field": "bucket", "type": "temporal", "title": step},
            {"field": "class", "type": "nominal", "title": _("Threat class")},
            {"field": "events", "type": "quantitative", "format": ",", "title": _("Events")},
        ],
    }
    return spec


def sources_timeline(results: ResultSet) -> dict[str, Any] | None:
    rows = results.rows("sources_timeline")
    if not rows:
        return None
    values = [{"bucket": r["bucket"].isoformat(), "sources": int(r["sources"])} for r in rows]
    spec = _base(_("Distinct source addresses over time"), values)
    spec["height"] = 160
    spec["mark"] = {"type": "line", "point": True, "color": PALETTE[1]}
    spec["encoding"] = {
        "x": {"field": "bucket", "type": "temporal", "title": None, "timeUnit": "utcyearmonthdate"},
        "y": {"field": "sources", "type": "quantitative", "title": _("Sources"), "axis": {"format": "~s"}},
    }
    return spec


def by_category(results: ResultSet) -> dict[str, Any] | None:
    rows = [{**r, "label": category_label(r["category"])} for r in results.rows("by_category")]
    return _bars(_("Events by victim category"), rows, "label", "events", _("Events"))


def by_sector(results: ResultSet) -> dict[str, Any] | None:
    rows = [{**r, "label": sector_label(r["sector"])} for r in results.rows("by_sector")]
    return _bars(_("Events by sector"), rows, "label", "events", _("Events"))


def by_type(results: ResultSet) -> dict[str, Any] | None:
    rows = [{**r, "label": f"{taxonomy_label(r['taxonomy'])}: {r['type']}"} for r in results.rows("by_class")]
    return _bars(_("Events by threat class and type"), rows, "label", "events", _("Events"))


def by_family(results: ResultSet) -> dict[str, Any] | None:
    """Events and distinct infected addresses per malware family, side by side."""
    events, addresses = _("Events"), _("Infected addresses")
    values = []
    for r in results.rows("by_family"):
        values.append({"label": str(r["family"]), "measure": events, "value": int(r["events"] or 0)})
        values.append({"label": str(r["family"]), "measure": addresses, "value": int(r["sources"] or 0)})
    if not any(v["value"] for v in values):
        return None
    spec = _base(_("Events and infected addresses by malware family"), values)
    spec["height"] = max(60, 30 * (len(values) // 2))
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": None, "title": None, "axis": {"labelLimit": 220}},
        "yOffset": {"field": "measure", "type": "nominal", "sort": [events, addresses]},
        "x": {"field": "value", "type": "quantitative", "title": None, "axis": {"format": "~s"}},
        "color": {
            "field": "measure",
            "type": "nominal",
            "sort": [events, addresses],
            "scale": {"range": [PALETTE[0], PALETTE[3]]},
            "title": None,
            "legend": {"orient": "bottom"},
        },
        "tooltip": [
            {"field": "label", "type": "nominal"},
            {"field": "measure", "type": "nominal"},
            {"field": "value", "type": "quantitative", "format": ","},
        ],
    }
    return spec


def top_asn(results: ResultSet) -> dict[str, Any] | None:
    rows = []
    for r in results.rows("top_asn"):
        name = r["as_name"] if r["as_name"] != "unknown" else ""
        label = f"AS{r['asn']} {name}".strip() if r["asn"] is not None else _("Unknown network")
        rows.append({"label": label[:60], "events": r["events"]})
    return _bars(_("Autonomous systems with most events"), rows, "label", "events", _("Events"))


def changes(results: ResultSet, metric_id: str = "change_previous") -> dict[str, Any] | None:
    """Rate change of the series flagged as significant rises or falls, in per cent."""
    flagged = [r for r in results.rows(metric_id) if r.get("flag") in ("rise", "fall")]
    if not flagged:
        return None
    values = []
    for r in flagged:
        name = sector_label(r["series"]) if r["dimension"] == "sector" else r["series"]
        values.append({"label": name, "change": round(100 * float(r["change"]), 1), "flag": r["flag"]})
    title = (
        _("Significant changes from the previous period")
        if metric_id == "change_previous"
        else _("Significant changes from a year earlier")
    )
    spec = _base(title, values)
    spec["height"] = max(60, 22 * len(values))
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None},
        "x": {"field": "change", "type": "quantitative", "title": _("Change in daily rate (%)")},
        "color": {
            "field": "flag",
            "type": "nominal",
            "scale": {"domain": ["rise", "fall"], "range": [PALETTE[3], PALETTE[2]]},
            "legend": None,
        },
    }
    return spec


def history(results: ResultSet) -> dict[str, Any] | None:
    """Events per year and class, from the first year with events to the period's."""
    rows = results.rows("history")
    if not rows:
        return None
    values = [
        {"year": str(r["year"]), "class": taxonomy_label(r["taxonomy"]), "events": int(r["events"])} for r in rows
    ]
    spec = _base(_("Events per year by threat class"), values)
    spec["height"] = 200
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "x": {"field": "year", "type": "ordinal", "title": _("Year"), "axis": {"labelAngle": 0}},
        "y": {"field": "events", "type": "quantitative", "title": _("Events"), "stack": "zero",
              "axis": {"format": "~s"}},
        "color": {"field": "class", "type": "nominal", "title": _("Threat class")},
        "tooltip": [
            {"field": "year", "type": "ordinal", "title": _("Year")},
            {"field": "class", "type": "nominal", "title": _("Threat class")},
            {"field": "events", "type": "quantitative", "format": ",", "title": _("Events")},
        ],
    }  # fmt: skip
    return spec


def remediation(results: ResultSet) -> dict[str, Any] | None:
    """Per class and sector, the share of the previous period's vulnerable or infected addresses no longer seen."""
    values = []
    for r in results.rows("remediation"):
        if not r.get("seen"):
            continue
        name = sector_label(r["series"]) if r["dimension"] == "sector" else taxonomy_label(r["series"])
        values.append({"label": name, "share": round(100 * int(r["gone"]) / int(r["seen"]), 1), "seen": int(r["seen"])})
    if not values:
        return None
    spec = _base(_("Addresses of the previous period no longer seen (%)"), values)
    spec["height"] = max(60, 22 * len(values))
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 220}},
        "x": {"field": "share", "type": "quantitative", "title": _("No longer seen (%)"),
              "scale": {"domain": [0, 100]}},
        "tooltip": [{"field": "label", "type": "nominal"}, {"field": "share", "type": "quantitative"},
                    {"field": "seen", "type": "quantitative", "title": _("Seen in the previous period")}],
    }  # fmt: skip
    spec["layer"] = [
        {"mark": {"type": "bar", "color": PALETTE[2]}},
        {
            "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
            "encoding": {"text": {"field": "share", "type": "quantitative", "format": ".1f"}},
        },
    ]
    return spec


def exposure(results: ResultSet) -> dict[str, Any] | None:
    """Distinct sources per 1,000 announced IPv4 addresses of each victim country (where the registry gives some)."""
    rows = [r for r in results.rows("exposure") if r.get("per_1000") is not None]
    if not rows:
        return None
    values = [{"label": country_label(str(r["country"])), "value": float(r["per_1000"])} for r in rows]
    spec = _base(_("Distinct sources per 1,000 IPv4 addresses of the country"), values)
    spec["height"] = max(60, 22 * len(values))
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "sort": "-x", "title": None, "axis": {"labelLimit": 220}},
        "x": {"field": "value", "type": "quantitative", "title": _("Sources per 1,000 addresses")},
    }
    spec["layer"] = [
        {"mark": {"type": "bar", "color": PALETTE[4]}},
        {
            "mark": {"type": "text", "align": "left", "dx": 3, "fontSize": 10},
            "encoding": {"text": {"field": "value", "type": "quantitative", "format": ".3~f"}},
        },
    ]
    return spec


def incident_times(results: ResultSet) -> dict[str, Any] | None:
    """The median and 90th percentile of the hours to close incidents, for all of them and per type."""
    values = []
    for r in results.rows("incident_times"):
        name = _("All incidents") if r["overall"] else str(r["type"])
        for measure, field in ((_("Median"), "median_hours"), (_("90th percentile"), "p90_hours")):
            if r.get(field) is not None:
                values.append({"label": name, "measure": measure, "hours": float(r[field])})
    if not values:
        return None
    spec = _base(_("Hours to close incidents: median and 90th percentile"), values)
    spec["height"] = max(60, 30 * len({v["label"] for v in values}))
    spec["mark"] = {"type": "bar"}
    spec["encoding"] = {
        "y": {"field": "label", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 220}},
        "yOffset": {"field": "measure", "type": "nominal"},
        "x": {"field": "hours", "type": "quantitative", "title": _("Hours")},
        "color": {"field": "measure", "type": "nominal", "title": None},
        "tooltip": [{"field": "label", "type": "nominal"}, {"field": "measure", "type": "nominal"},
                    {"field": "hours", "type": "quantitative", "format": ",.2f"}],
    }  # fmt: skip
    return spec


#: The charts in the order the report and the dashboard show them.
CHARTS = {
    "timeline": timeline,
    "sources_timeline": sources_timeline,
    "by_type": by_type,
    "by_category": by_category,
    "by_sector": by_sector,
    "by_family": by_family,
    "top_asn": top_asn,
    "changes": changes,
    "history": history,
    "remediation": remediation,
    "exposure": exposure,
    "incident_times": incident_times,
}


#: How wide each chart is on the dashboard: timelines and changes take the row, breakdowns half of it.
#: The report draws the same specifications at the printed page's width.
SPANS: dict[str, Span] = {
    "timeline": "full",
    "sources_timeline": "full",
    "by_type": "half",
    "by_category": "half",
    "by_sector": "half",
    "by_family": "half",
    "top_asn": "half",
    "changes": "full",
    "history": "full",
    "remediation": "half",
    "exposure": "half",
    "incident_times": "half",
}


def specs(results: ResultSet) -> dict[str, dict[str, Any] | None]:
    """Every chart's specification (``None`` when it has no data), in the active language."""
    return {name: build(results) for name, build in CHARTS.items()}


__all__ = ["CHARTS", "FONT", "SPANS", "specs", "to_png", "to_svg"]
