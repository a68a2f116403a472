"""The coverage chart of the report: one bar per chapter or section, fully and partly covered provisions stacked."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from cyberplan.reports.charts import FONT

from ..coverage import GroupCoverage

FULL = "#1f6f43"
PARTIAL = "#e0a100"


def coverage_spec(rows: Sequence[GroupCoverage], language: str) -> dict[str, Any] | None:
    """A stacked bar per chapter or section: how many of its applicable provisions are fully and partly covered.

    ``None`` when no part has an applicable provision (nothing to draw).
    """
    parts = [row for row in rows if row.applicable]
    if not parts:
        return None
    full, partial = _("Fully covered"), _("Partly covered")
    values: list[dict[str, Any]] = []
    order = []
    for row in parts:
        label = f"{row.group} · {row.title.get(language)}"
        order.append(label)
        values.append({"part": label, "coverage": full, "count": row.full, "order": 0, "applicable": row.applicable})
        values.append(
            {"part": label, "coverage": partial, "count": row.partial, "order": 1, "applicable": row.applicable}
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": _("Provisions covered, by chapter and section"),
        "width": 420,
        "config": {"font": FONT, "view": {"stroke": None}},
        "data": {"values": values},
        "mark": "bar",
        "encoding": {
            "y": {"field": "part", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 240}},
            "x": {"field": "count", "type": "quantitative", "stack": "zero", "title": _("Provisions")},
            "color": {
                "field": "coverage",
                "type": "nominal",
                "scale": {"domain": [full, partial], "range": [FULL, PARTIAL]},
                "legend": {"title": None, "orient": "bottom"},
            },
            "order": {"field": "order", "type": "quantitative"},
            "tooltip": [
                {"field": "part", "type": "nominal", "title": _("Part")},
                {"field": "coverage", "type": "nominal", "title": _("Coverage")},
                {"field": "count", "type": "quantitative", "title": _("Provisions")},
                {"field": "applicable", "type": "quantitative", "title": _("Applicable provisions")},
            ],
        },
    }
