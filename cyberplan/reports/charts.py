"""Charts as Vega-Lite specifications, drawn with vl-convert: SVG for web pages, HTML and PDF, PNG for DOCX.

A domain builds each chart's specification (plain data, in the active language) from its
figures; this module draws it, so a chart is the same on the page and in every format. Numbers
and dates follow the active language. Drawings are cached by the specification's digest.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Mapping
from typing import Any, Literal

import vl_convert
from django.utils.translation import get_language

Locale = Literal["es-ES", "en-GB"]

#: The font of every chart: shipped with the system packages the PDF renderer uses too.
FONT = "DejaVu Sans"


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
    """The chart as an SVG document (text in the SVG is escaped by the renderer)."""
    text = json.dumps(spec, sort_keys=True, default=str)
    return _svg(_key(spec), text, _locale())


def to_png(spec: Mapping[str, Any], scale: float = 2.0) -> bytes:
    text = json.dumps(spec, sort_keys=True, default=str)
    return _png(_key(spec), text, scale, _locale())
