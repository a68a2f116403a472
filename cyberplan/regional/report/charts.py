"""The charts the regional report places, behind one function: :func:`report_charts`.

For now the report draws its own two specifications: the regional monthly trend and the comparison per
1,000 addresses. The regional dashboard defines the programme's shared chart specifications; once both are
in, :func:`report_charts` returns those instead, and nothing else in the report changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from cyberplan.reports.charts import FONT
from cyberplan.trends.labels import country_label, taxonomy_label

from ..regional_figures import REGION, Figure

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def monthly_spec(events: Figure) -> dict[str, Any] | None:
    """The region's events per month, stacked by RSIT class (published counts; a lower bound where suppressed)."""
    values = [
        {
            "month": row["month"],
            "class": taxonomy_label(row["taxonomy"]),
            "events": int(row["events"].get("value", 0)),
        }
        for row in events.rows
        if row["country"] == REGION and not row["events"].get("suppressed")
    ]
    if not any(v["events"] for v in values):
        return None
    return {
        "$schema": SCHEMA,
        "title": _("Events per month in the region, by class"),
        "width": 440,
        "height": 220,
        "config": {"font": FONT, "view": {"stroke": None}},
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "month", "type": "ordinal", "title": _("Month")},
            "y": {"field": "events", "type": "quantitative", "stack": "zero", "title": _("Events")},
            "color": {"field": "class", "type": "nominal", "title": _("Class"), "legend": {"orient": "bottom"}},
            "tooltip": [
                {"field": "month", "type": "ordinal", "title": _("Month")},
                {"field": "class", "type": "nominal", "title": _("Class")},
                {"field": "events", "type": "quantitative", "title": _("Events")},
            ],
        },
    }


def per_1000_spec(exposure: Figure) -> dict[str, Any] | None:
    """Exposed sources per 1,000 announced addresses, one bar per member and one for the region."""
    values = [
        {
            "country": _("Region") if row["country"] == REGION else country_label(row["country"]),
            "per_1000": float(row["per_1000"]),
            "region": row["country"] == REGION,
        }
        for row in exposure.rows
        if row.get("per_1000") is not None
    ]
    if not values:
        return None
    return {
        "$schema": SCHEMA,
        "title": _("Exposed sources per 1,000 announced addresses"),
        "width": 440,
        "height": max(60, 22 * len(values)),
        "config": {"font": FONT, "view": {"stroke": None}},
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "country", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "per_1000", "type": "quantitative", "title": _("Per 1,000 addresses")},
            "color": {
                "field": "region",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": [False, True], "range": ["#4c78a8", "#f58518"]},
            },
            "tooltip": [
                {"field": "country", "type": "nominal", "title": _("Country")},
                {"field": "per_1000", "type": "quantitative", "title": _("Per 1,000 addresses"), "format": ".4f"},
            ],
        },
    }


def report_charts(figures: Mapping[str, Figure]) -> dict[str, dict[str, Any] | None]:
    """The report's charts by name (``None`` where there is nothing to draw)."""
    return {"monthly": monthly_spec(figures["events"]), "per_1000": per_1000_spec(figures["exposure"])}
