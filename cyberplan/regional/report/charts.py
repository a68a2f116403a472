"""The charts the regional report places: the regional dashboard's own specifications, behind one function.

:func:`report_charts` runs the dashboard's figures (:func:`cyberplan.regional.analysis.regional_analysis`) on
the packages the report is built from and returns the dashboard's Vega-Lite specifications
(:mod:`cyberplan.regional.charts`) by the name the report's sections place them under, so the page and the
document draw the same charts from the same packages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..analysis import regional_analysis
from ..charts import CHARTS

if TYPE_CHECKING:
    from .content import Content

#: the report's name for a chart -> the dashboard's chart it draws
PLACED = {
    "monthly": "trends",
    "per_1000": "exposure",
    "events_rate": "events_rate",
    "map": "events_map",
    "maturity": "maturity",
    "strategy": "strategy",
    "conventions": "conventions",
    "training": "training",
}


def report_charts(content: Content) -> dict[str, dict[str, Any] | None]:
    """The report's charts by name (``None`` where there is nothing to draw), in the active language."""
    pairs = [(p.country, p.package) for p in content.current + content.previous]
    analysis = regional_analysis(pairs, content.period.label)
    return {name: CHARTS[chart][0](analysis) for name, chart in PLACED.items()}
