"""One chart specification, two renderings: readable on a web page, at the printed width in documents."""

from __future__ import annotations

import base64
import re
from typing import Any

from cyberplan.assessment.report.chart import radar_spec
from cyberplan.reports import charts
from cyberplan.reports.svg import chart_markup, chart_uri, page_chart, page_svg

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _bars(
    label: str = "Energy, water and other utilities of the national grid", title: str = "Events by sector"
) -> dict[str, Any]:
    """A chart as the trends domain writes it: sized for the printed page."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": title, "anchor": "start", "fontSize": 13},
        "width": 520,
        "height": 66,
        "data": {"values": [{"label": label, "value": 1200}, {"label": "Health", "value": 300}]},
        "config": {"axis": {"labelFontSize": 11, "titleFontSize": 11}},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "title": None, "axis": {"labelLimit": 220}},
            "x": {"field": "value", "type": "quantitative", "title": "Events"},
        },
        "layer": [{"mark": "bar"}, {"mark": {"type": "text", "dx": 3, "fontSize": 10}}],
    }


def _view_width(svg: str) -> float:
    match = re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg)
    assert match, svg[:200]
    return float(match.group(1))


def _font_sizes(svg: str) -> list[float]:
    return [float(size) for size in re.findall(r'font-size="([\d.]+)px"', svg)]


def test_the_page_draws_the_same_specification_wider_with_type_at_reading_size() -> None:
    spec = _bars()
    page = charts.for_page(spec, "half")

    assert page["width"] == charts.PAGE_WIDTHS["half"] and spec["width"] == 520  # the specification is not changed
    assert page["data"] == spec["data"] and page["encoding"] == spec["encoding"]
    assert page["layer"][1]["mark"]["fontSize"] >= charts.PAGE_LABEL_SIZE and page["title"]["fontSize"] == 16
    assert charts.for_page(spec, "full")["width"] == charts.PAGE_WIDTHS["full"]
    square = charts.for_page(radar_spec([], set(), {}, 5, "Stages"), "half")
    assert square["width"] == square["height"] == charts.PAGE_WIDTHS["half"]


def test_on_the_page_a_chart_scales_to_its_column_and_its_words_stay_readable() -> None:
    full = chart_markup(_bars(), "full")
    half = page_chart(_bars(), "half")
    assert full is not None and half is not None
    root = full[: full.index(">")]
    assert 'width="100%"' in root and "viewBox=" in root and "height=" not in root
    # At 1366 pixels a full-width column is at least 1,100 pixels wide and a half one 540: a
    # drawing no wider than that keeps every word at 12 pixels or more on screen.
    assert _view_width(full) <= 1100 and _view_width(half.markup) <= 540
    assert min(_font_sizes(full)) >= 13 and min(_font_sizes(half.markup)) >= 13
    assert half.column == "col-12 col-lg-6" and page_chart(_bars(), "full").column == "col-12"  # type: ignore[union-attr]  # drawn above
    assert 'role="img" aria-label="Events by sector"' in root and "<title>Events by sector</title>" in full


def test_a_document_draws_the_specification_at_its_printed_width() -> None:
    uri = chart_uri(_bars())
    svg = base64.b64decode(uri.split(",", 1)[1]).decode()
    assert re.search(r'<svg[^>]* width="\d+"', svg) and 'role="img"' not in svg
    assert max(_font_sizes(svg)) <= 13 and _view_width(svg) > 520  # the plot alone is 520 wide: fixed, not fitted


def test_user_text_in_a_chart_title_or_label_is_escaped_on_the_page() -> None:
    markup = chart_markup(_bars(label=HOSTILE, title=f"Gap {HOSTILE}"), "half")
    assert markup is not None
    assert "<script" not in markup and "<img" not in markup
    assert 'aria-label="Gap &lt;script&gt;alert(1)&lt;/script&gt;' in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup.split("</title>", 1)[1]  # the label drawn


def test_a_page_chart_is_one_named_image_with_no_unnamed_parts_inside() -> None:
    """Screen readers meet the drawing once, by its title; the renderer's per-mark roles are taken out."""
    spec = {
        "title": "Events by month",
        "data": {"values": [{"m": "2026-10", "n": 3}, {"m": "2026-11", "n": 5}]},
        "layer": [
            {"mark": "bar", "encoding": {"x": {"field": "m", "type": "ordinal"}, "y": {"field": "n", "type": "quantitative"}}},
            {"mark": "text", "encoding": {"x": {"field": "m", "type": "ordinal"}, "y": {"field": "n", "type": "quantitative"}, "text": {"field": "n"}}},
        ],
    }  # fmt: skip
    svg = page_svg(spec, "full")
    assert svg.count('role="') == 1 and 'role="img" aria-label="Events by month"' in svg
    assert "aria-roledescription" not in svg and svg.count("aria-label=") == 1
