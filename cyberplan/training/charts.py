"""The coverage chart: the share of each audience trained, by year, from a coverage table.

One specification for the page (drawn through ``cyberplan.reports.svg``) and for the capacity-building
report. Only rows with a denominator are drawn: a share without one does not exist (the tables say so).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cyberplan.reports.charts import FONT
from cyberplan.reports.svg import PageChart, page_svg, safe_svg

from .choices import Audience
from .coverage import CoverageTable


def coverage_spec(
    table: CoverageTable, topic: str | None, topic_title: str, audiences: list[str] | None = None
) -> dict[str, Any] | None:
    """Bars of the cumulative share trained in ``topic`` (None: any topic) per audience and year, national rows.

    ``None`` when no audience has a denominator in any year (nothing to draw).
    """
    values: list[dict[str, Any]] = []
    for row in table.national(topic):
        if audiences is not None and row.audience not in audiences:
            continue
        share = row.cumulative_share
        if share is None:
            continue
        values.append(
            {
                "audience": str(Audience(row.audience).label),
                "year": str(row.year),
                "share": round(min(share, 1.0), 4),
                "trained": row.cumulative_trained,
                "size": row.denominator,
            }
        )
    if not values:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": _("Share of each audience trained"), "subtitle": topic_title},
        "width": 420,
        "height": 60 + 30 * len({v["audience"] for v in values}),
        "config": {"font": FONT, "view": {"stroke": None}},
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "audience", "type": "nominal", "title": None},
            "yOffset": {"field": "year", "type": "nominal"},
            "x": {
                "field": "share",
                "type": "quantitative",
                "title": _("Trained up to the year, share of the audience"),
                "axis": {"format": "%"},
                "scale": {"domain": [0, 1]},
            },
            "color": {"field": "year", "type": "nominal", "title": _("Year"), "legend": {"orient": "bottom"}},
            "tooltip": [
                {"field": "audience", "type": "nominal", "title": _("Audience")},
                {"field": "year", "type": "nominal", "title": _("Year")},
                {"field": "trained", "type": "quantitative", "title": _("People trained")},
                {"field": "size", "type": "quantitative", "title": _("Audience size")},
                {"field": "share", "type": "quantitative", "title": _("Share"), "format": ".1%"},
            ],
        },
    }


def coverage_chart(
    table: CoverageTable, topic: str | None, topic_title: str, audiences: list[str] | None = None
) -> PageChart | None:
    spec = coverage_spec(table, topic, topic_title, audiences)
    if spec is None:
        return None
    markup = safe_svg(page_svg(spec, "full"))
    return PageChart(markup, "full") if markup is not None else None
