"""Country outlines for the regional programme's maps, from the vendored Natural Earth TopoJSON.

``world-atlas`` (Natural Earth 1:110m, public domain; the package's files are ISC) is copied into
``cyberplan/static/vendor/world-atlas/`` by ``scripts/vendor-static.sh``; the server reads it and puts
the members' outlines into each map's specification, so nothing is fetched when a map is drawn.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django_countries import countries

ATLAS = Path(__file__).resolve().parent.parent / "static" / "vendor" / "world-atlas" / "countries-110m.json"


@functools.lru_cache(maxsize=1)
def _atlas() -> dict[str, Any]:
    atlas: dict[str, Any] = json.loads(ATLAS.read_text(encoding="utf-8"))
    return atlas


def numeric_id(country: str) -> str:
    """The ISO 3166-1 numeric code the atlas names a country by (``PY`` → ``600``); empty when unknown."""
    code = countries.numeric(country.upper(), padded=True)
    return str(code) if code else ""


def _renumber(arcs: Any, kept: dict[int, int]) -> Any:
    """A geometry's arc references renumbered to the kept arcs (``~i`` is arc ``i`` reversed)."""
    if isinstance(arcs, list):
        return [_renumber(item, kept) for item in arcs]
    index = int(arcs)
    return kept[index] if index >= 0 else ~kept[~index]


def _used(arcs: Any, found: set[int]) -> None:
    if isinstance(arcs, list):
        for item in arcs:
            _used(item, found)
    else:
        index = int(arcs)
        found.add(index if index >= 0 else ~index)


def outlines(codes: Iterable[str]) -> dict[str, Any]:
    """A TopoJSON topology (object ``countries``) holding only the given countries' outlines and arcs.

    Each geometry's ``id`` is the numeric code and ``properties.country`` the alpha-2 code. A country the
    atlas lacks (too small at this scale) is left out; the map says which members it shows.
    """
    atlas = _atlas()
    wanted = {numeric_id(code): code.upper() for code in codes}
    geometries = [g for g in atlas["objects"]["countries"]["geometries"] if g.get("id") in wanted]
    used: set[int] = set()
    for geometry in geometries:
        _used(geometry.get("arcs", []), used)
    kept = {old: new for new, old in enumerate(sorted(used))}
    return {
        "type": "Topology",
        "transform": atlas["transform"],
        "arcs": [atlas["arcs"][old] for old in sorted(used)],
        "objects": {
            "countries": {
                "type": "GeometryCollection",
                "geometries": [
                    {
                        "type": g["type"],
                        "id": g["id"],
                        "arcs": _renumber(g["arcs"], kept),
                        "properties": {"country": wanted[g["id"]]},
                    }
                    for g in geometries
                ],
            }
        },
    }
