"""The trend chart of the report: people who completed a session each year, stacked by audience."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from cyberplan.reports.charts import FONT

from ..choices import Audience

if TYPE_CHECKING:
    from .figures import Figures


def trend_spec(figures: Figures) -> dict[str, Any] | None:
    """A bar per year, stacked by audience; ``None`` when nobody completed a session (nothing to draw)."""
    values: list[dict[str, Any]] = []
    for year, audiences in figures.completed_by_year.items():
        for audience, people in sorted(audiences.items()):
            label = str(Audience(audience).label) if audience in Audience.values else audience
            values.append({"year": str(year), "audience": label, "people": len(people)})
    if not values:
        return None
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _("People who completed a session, by year"),
        "width": 420,
        "height": 220,
        "config": {"font": FONT, "view": {"stroke": None}},
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "x": {"field": "year", "type": "ordinal", "title": _("Year")},
            "y": {"field": "people", "type": "quantitative", "stack": "zero", "title": _("People")},
            "color": {"field": "audience", "type": "nominal", "title": _("Audience"), "legend": {"orient": "bottom"}},
            "tooltip": [
                {"field": "year", "type": "ordinal", "title": _("Year")},
                {"field": "audience", "type": "nominal", "title": _("Audience")},
                {"field": "people", "type": "quantitative", "title": _("People")},
            ],
        },
    }
