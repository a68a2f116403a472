"""SVG drawings as markup for a web page, and as ``data:`` URLs for the HTML and PDF documents."""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import charts

_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')


_INNER_ARIA = re.compile(r'\s(?:role|aria-roledescription|aria-label)="[^"]*"')


def safe_svg(svg: str | None) -> SafeString | None:
    """An SVG from the chart renderer, which escapes every text it draws, as markup for the page.

    A chart that is not a plain SVG document, or that holds scripts, is not shown.
    """
    if not svg:
        return None
    text = svg.strip()
    lowered = text.lower()
    if not lowered.startswith("<svg") or any(bad in lowered for bad in ("<script", "<foreignobject", "javascript:")):
        return None
    # Scale to the column: the root keeps its viewBox, loses its fixed size.
    end = text.index(">")
    root = _SIZE.sub("", text[:end]) + ' width="100%"'
    return mark_safe(root + text[end:])  # noqa: S308 - checked above; vl-convert escapes text content and attributes


def page_svg(spec: Mapping[str, Any], span: charts.Span = "full") -> str:
    """The chart drawn for a web page (:func:`charts.for_page`), named for screen readers.

    The drawing is an image whose name is the chart's title and subtitle (escaped here: the title
    may hold text users typed); the table beside each chart gives its figures.
    """
    svg = charts.to_svg(charts.for_page(spec, span)).strip()
    label = escape(charts.title_of(spec))
    end = svg.index(">")
    # Inside the image, the renderer's own roles and names (one per mark group, most without a name)
    # would be read out one by one: the drawing as a whole is the image.
    inner = _INNER_ARIA.sub("", svg[end + 1 :])
    return f'{svg[:end]} role="img" aria-label="{label}"><title>{label}</title>{inner}'


def chart_markup(spec: Mapping[str, Any] | None, span: charts.Span = "full") -> SafeString | None:
    """A chart drawn for a web page, scaled to its column (None when there is no chart)."""
    return safe_svg(page_svg(spec, span)) if spec else None


@dataclass(frozen=True)
class PageChart:
    """A chart on a web page and the share of the row it takes (Bootstrap's grid columns)."""

    markup: SafeString
    span: charts.Span = "full"

    @property
    def column(self) -> str:
        return "col-12" if self.span == "full" else "col-12 col-lg-6"

    def __str__(self) -> str:
        return self.markup


def page_chart(spec: Mapping[str, Any] | None, span: charts.Span = "full") -> PageChart | None:
    """A chart for a page's grid, or None when there is no chart."""
    markup = chart_markup(spec, span)
    return PageChart(markup, span) if markup is not None else None


def chart_uri(spec: Mapping[str, Any]) -> str:
    """A chart drawn as an SVG ``data:`` URL, for a document that must fetch nothing."""
    return "data:image/svg+xml;base64," + base64.b64encode(charts.to_svg(spec).encode("utf-8")).decode("ascii")
