"""Charts as Vega-Lite specifications, drawn with vl-convert: SVG for web pages, HTML and PDF, PNG for DOCX.

A domain builds each chart's specification (plain data, in the active language) from its
figures; this module draws it, so a chart is the same on the page and in every format. Numbers
and dates follow the active language. Drawings are cached by the specification's digest.

One specification, two renderings. A document draws the specification as it is built: a fixed
width that fits the printed page. A web page draws it through :func:`for_page`, which only
changes its size: the width of a full-width or a half-width column and type at a normal reading
size. The page then scales the drawing to its column (:mod:`cyberplan.reports.svg`).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

import vl_convert
from django.core.cache import cache
from django.utils.translation import get_language

Locale = Literal["es-ES", "en-GB"]

#: How long a drawing stays in the shared cache (a changed chart has another digest, so it is never stale).
CACHE_SECONDS = 30 * 24 * 3600

#: The font of every chart: shipped with the system packages the PDF renderer uses too.
FONT = "DejaVu Sans"

#: How wide a chart is on a web page: the whole row (timelines, changes) or half of it (breakdowns).
Span = Literal["full", "half"]

#: The drawing width of a chart on a web page, in SVG units, per span. The page scales the drawing
#: to its column, which at 1366 pixels wide is about as wide, so type keeps its size on screen.
PAGE_WIDTHS: dict[Span, int] = {"full": 1000, "half": 440}
#: Type sizes on a web page, in SVG units: labels and legends, and titles.
PAGE_LABEL_SIZE = 13
PAGE_TITLE_SIZE = 16
#: Type sizes the domains write their specifications with (sized for the printed page).
DOCUMENT_LABEL_SIZE = 11


def _scaled_type(node: Any, factor: float) -> Any:
    """``node`` with every ``fontSize`` multiplied by ``factor``, never below the page's label size."""
    if isinstance(node, dict):
        return {
            key: (
                max(PAGE_LABEL_SIZE, round(value * factor))
                if key == "fontSize" and isinstance(value, int | float)
                else _scaled_type(value, factor)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_scaled_type(item, factor) for item in node]
    return node


def for_page(spec: Mapping[str, Any], span: Span = "full") -> dict[str, Any]:
    """The same chart drawn for a web page: the width of its column and type at reading size.

    Only sizes change: the data, the marks, the encodings and the words are the specification's.
    A square chart (a radar) stays square; a chart's height otherwise stays as the domain chose it
    (a bar chart's height follows its number of bars).
    """
    page: dict[str, Any] = _scaled_type(copy.deepcopy(dict(spec)), PAGE_LABEL_SIZE / DOCUMENT_LABEL_SIZE)
    width = PAGE_WIDTHS[span]
    if isinstance(page.get("width"), int | float) and page.get("width") == page.get("height"):
        page["height"] = width
    elif isinstance(page.get("height"), int | float):
        page["height"] = round(page["height"] * PAGE_LABEL_SIZE / DOCUMENT_LABEL_SIZE)
    page["width"] = width
    # The whole drawing, axes, legend and title included, takes the column's width.
    page["autosize"] = {"type": "fit", "contains": "padding"}
    title = page.get("title")
    if isinstance(title, str):
        page["title"] = {"text": title, "anchor": "start"}
    if isinstance(page.get("title"), dict):
        page["title"]["fontSize"] = PAGE_TITLE_SIZE
        page["title"].setdefault("subtitleFontSize", PAGE_LABEL_SIZE)
    config = page.setdefault("config", {})
    for part in ("axis", "legend"):
        sizes = config.setdefault(part, {})
        sizes.update(labelFontSize=PAGE_LABEL_SIZE, titleFontSize=PAGE_LABEL_SIZE)
    config.setdefault("font", FONT)
    return page


def title_of(spec: Mapping[str, Any]) -> str:
    """The chart's title and subtitle, as words (the text alternative of its drawing)."""
    title = spec.get("title")
    if isinstance(title, Mapping):
        subtitle = title.get("subtitle")
        # A subtitle of several lines is a list of them.
        lines = subtitle if isinstance(subtitle, list) else [subtitle]
        parts = [str(part) for part in [title.get("text"), *lines] if part]
        return ". ".join([part.rstrip(".") for part in parts[:-1]] + parts[-1:])
    return str(title or "")


def _key(spec: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(spec, sort_keys=True, default=str).encode()).hexdigest()


def _locale() -> Locale:
    """Number and date formats of the active language (month names, decimal and thousands marks)."""
    return "es-ES" if (get_language() or "en").startswith("es") else "en-GB"


@functools.lru_cache(maxsize=256)
def _svg(key: str, text: str, locale: Locale) -> str:
    svg: str = vl_convert.vegalite_to_svg(json.loads(text), format_locale=locale, time_format_locale=locale)
    return svg


@functools.lru_cache(maxsize=64)
def _png(key: str, text: str, scale: float, locale: Locale) -> bytes:
    png: bytes = vl_convert.vegalite_to_png(
        json.loads(text), scale=scale, format_locale=locale, time_format_locale=locale
    )
    return png


def to_svg(spec: Mapping[str, Any]) -> str:
    """The chart as an SVG document (text in the SVG is escaped by the renderer).

    A drawing is kept in this process and in Django's cache, shared by every process of the
    site, under the specification's digest and the language's formats: a chart drawn once is
    not drawn again by another web worker or after a restart. Starting the renderer costs a
    process about two seconds, so a page whose charts are all in the cache never pays it.
    """
    text = json.dumps(spec, sort_keys=True, default=str)
    key, locale = _key(spec), _locale()
    shared = f"charts:svg:{key}:{locale}"
    svg: str | None = cache.get(shared)
    if svg is None:
        svg = _svg(key, text, locale)
        cache.set(shared, svg, CACHE_SECONDS)
    return svg


def to_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    text = json.dumps(spec, sort_keys=True, default=str)
    return _png(_key(spec), text, scale, _locale())
