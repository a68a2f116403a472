"""The radar chart of an assessment: one spoke per dimension, drawn in Vega-Lite from polar points.

Vega-Lite has no radar mark, so the points are computed here: dimension ``i`` of ``n`` has the
angle ``2πi/n`` (clockwise from the top) and a factor at stage ``s`` sits at radius ``s``. Each
spoke shows every assessed factor of its dimension as a dot and the span from the lowest to the
highest stage as a thick segment; the outline joining the highest stages is drawn only when every
dimension has a scored factor. Each factor with a target stage has a hollow diamond at its target,
so the chart reads as stages against targets. Every ring is labelled with its stage's number and
name, Start-up to Dynamic, so the whole scale shows. Nothing is averaged, and a dimension without an
assessed factor has no dot, no segment, and says so in its label.

The report draws this specification at its own width; the assessment page draws the same one
through :func:`cyberplan.reports.charts.for_page`.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from django.utils.translation import gettext as _

FONT = "DejaVu Sans"
SIZE = 440
COLOUR = "#1f5f8b"
SPAN = "#e07b39"


def _point(index: int, count: int, radius: float) -> tuple[float, float]:
    angle = 2 * math.pi * index / count
    return round(radius * math.sin(angle), 4), round(radius * math.cos(angle), 4)


def _radar_points(
    dimensions: Sequence[Mapping[str, Any]],
    scored_factors: Collection[str],
    stages: Mapping[int, str],
    top: int,
) -> dict[str, list[dict[str, Any]]]:
    """The points of each layer: rings, spokes, labels, factor dots, stage spans and the outline."""
    count = max(len(dimensions), 1)
    grid: list[dict[str, Any]] = []
    for stage in range(1, top + 1):
        for step in range(count + 1):
            gx, gy = _point(step % count, count, stage)
            grid.append({"ring": stage, "order": step, "x": gx, "y": gy})
    # Every ring is named, so the whole scale shows even where no factor sits.
    ring_labels = [{"x": 0.15, "y": float(s), "text": f"{s} {stages.get(s, '')}".strip()} for s in range(1, top + 1)]
    spokes: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    dots: list[dict[str, Any]] = []
    spans: list[dict[str, Any]] = []
    outline: list[dict[str, Any]] = []
    every_dimension_scored = True
    for index, dimension in enumerate(dimensions):
        for order, radius in enumerate((0.0, float(top))):
            px, py = _point(index, count, radius)
            spokes.append({"spoke": dimension["dimension_id"], "order": order, "x": px, "y": py})
        lx, ly = _point(index, count, top + 1.1)
        scored = {f: s for f, s in dimension["factor_stages"].items() if f in scored_factors and s is not None}
        label = str(dimension["dimension_id"])
        if not scored:
            every_dimension_scored = False
            label = _("%(dimension)s: not assessed") % {"dimension": label}
        labels.append({"x": lx, "y": ly, "text": label})
        for factor_id, stage in scored.items():
            fx, fy = _point(index, count, stage)
            dots.append(
                {
                    "x": fx,
                    "y": fy,
                    "factor": factor_id,
                    "stage": stage,
                    "stage_name": stages.get(stage, ""),
                }
            )
        if scored:
            for order, stage in enumerate((min(scored.values()), max(scored.values()))):
                sx, sy = _point(index, count, stage)
                spans.append({"dimension": dimension["dimension_id"], "order": order, "x": sx, "y": sy})
            hx, hy = _point(index, count, max(scored.values()))
            outline.append({"order": index, "x": hx, "y": hy})
    if outline and every_dimension_scored:
        outline.append({**outline[0], "order": len(outline)})
    else:
        outline = []
    return {
        "grid": grid,
        "spokes": spokes,
        "ring_labels": ring_labels,
        "labels": labels,
        "outline": outline,
        "spans": spans,
        "dots": dots,
    }


def _target_points(
    dimensions: Sequence[Mapping[str, Any]], targets: Mapping[str, int], stages: Mapping[int, str]
) -> list[dict[str, Any]]:
    """A point per factor with a target stage, on its dimension's spoke at the target's radius."""
    count = max(len(dimensions), 1)
    points: list[dict[str, Any]] = []
    for index, dimension in enumerate(dimensions):
        for factor_id in dimension["factor_stages"]:
            target = targets.get(factor_id)
            if target:
                tx, ty = _point(index, count, target)
                points.append(
                    {"x": tx, "y": ty, "factor": factor_id, "target": target, "stage_name": stages.get(target, "")}
                )
    return points


def _target_layer(points: list[dict[str, Any]], x: dict[str, Any], y: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {"values": points},
        "mark": {"type": "point", "shape": "diamond", "size": 110, "color": SPAN, "strokeWidth": 2, "filled": False},
        "encoding": {
            "x": x,
            "y": y,
            "tooltip": [
                {"field": "factor", "type": "nominal", "title": _("Factor")},
                {"field": "target", "type": "quantitative", "title": _("Target stage")},
                {"field": "stage_name", "type": "nominal", "title": _("Stage name")},
            ],
        },
    }


def _radar_layers(points: Mapping[str, list[dict[str, Any]]], top: int) -> list[dict[str, Any]]:
    """The chart's layers, drawn in order: the grid first, the factor dots last."""
    limit = top + 2.2
    scale = {"domain": [-limit, limit], "nice": False}
    x: dict[str, Any] = {"field": "x", "type": "quantitative", "scale": scale, "axis": None}
    y: dict[str, Any] = {"field": "y", "type": "quantitative", "scale": scale, "axis": None}
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": points["grid"]},
            "mark": {"type": "line", "color": "#c8ced3", "strokeWidth": 0.8},
            "encoding": {"x": x, "y": y, "detail": {"field": "ring"}, "order": {"field": "order"}},
        },
        {
            "data": {"values": points["spokes"]},
            "mark": {"type": "line", "color": "#9aa3a9", "strokeWidth": 0.8},
            "encoding": {"x": x, "y": y, "detail": {"field": "spoke"}, "order": {"field": "order"}},
        },
        {
            "data": {"values": points["ring_labels"]},
            "mark": {"type": "text", "align": "left", "dy": -4, "fontSize": 9, "color": "#5f6b73"},
            "encoding": {"x": x, "y": y, "text": {"field": "text"}},
        },
        {
            "data": {"values": points["labels"]},
            "mark": {"type": "text", "fontSize": 11, "fontWeight": "bold", "color": "#222222"},
            "encoding": {"x": x, "y": y, "text": {"field": "text"}},
        },
    ]
    if points["outline"]:
        layers.append(
            {
                "data": {"values": points["outline"]},
                "mark": {"type": "line", "color": COLOUR, "strokeWidth": 1.5, "strokeDash": [4, 3]},
                "encoding": {"x": x, "y": y, "order": {"field": "order"}},
            }
        )
    if points["spans"]:
        layers.append(
            {
                "data": {"values": points["spans"]},
                "mark": {"type": "line", "color": SPAN, "strokeWidth": 6, "opacity": 0.6, "strokeCap": "round"},
                "encoding": {"x": x, "y": y, "detail": {"field": "dimension"}, "order": {"field": "order"}},
            }
        )
    if points.get("targets"):
        layers.append(_target_layer(points["targets"], x, y))
    if points["dots"]:
        layers.append(
            {
                "data": {"values": points["dots"]},
                "mark": {"type": "circle", "size": 70, "color": COLOUR, "opacity": 0.9},
                "encoding": {
                    "x": x,
                    "y": y,
                    "tooltip": [
                        {"field": "factor", "type": "nominal", "title": _("Factor")},
                        {"field": "stage", "type": "quantitative", "title": _("Stage")},
                        {"field": "stage_name", "type": "nominal", "title": _("Stage name")},
                    ],
                },
            }
        )
    return layers


def radar_spec(
    dimensions: Sequence[Mapping[str, Any]],
    scored_factors: Collection[str],
    stages: Mapping[int, str],
    top: int,
    title: str,
    targets: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The Vega-Lite specification of the radar chart (plain data: the same in SVG and PNG).

    ``targets`` maps a factor to its target stage, drawn as a hollow diamond on its spoke.
    """
    points = _radar_points(dimensions, scored_factors, stages, top)
    points["targets"] = _target_points(dimensions, targets or {}, stages)
    subtitle = _("Dots: factor stages. Thick segment: lowest to highest stage. Dashed: highest stages.")
    if points["targets"]:
        subtitle = _(
            "Dots: factor stages. Diamonds: target stages. Thick segment: lowest to highest stage. "
            "Dashed: highest stages."
        )
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {
            "text": title,
            "subtitle": subtitle,
            "anchor": "start",
            "fontSize": 13,
        },
        "width": SIZE,
        "height": SIZE,
        "config": {"font": FONT, "view": {"stroke": None}},
        "layer": _radar_layers(points, top),
    }
