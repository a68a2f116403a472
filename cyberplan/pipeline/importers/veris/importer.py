"""The VERIS importer: reads, validates and maps each incident, rejecting with line and field."""

from __future__ import annotations

import json

import duckdb

from .. import register
from ..base import Importer, ImportOptions, RowStager, Source, json_text
from .events import map_incident
from .reading import _Item, _read_items
from .validation import _RejectedError


def _reject_raw(item: _Item) -> str:
    if item.text is not None:
        return item.text
    try:
        text = json_text(item.value)
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return json.dumps(item.value, ensure_ascii=True, sort_keys=True, separators=(",", ":"), default=str)
    except RecursionError:
        return "(too deeply nested to show)"


# -- the importer ----------------------------------------------------------------------------------


@register
class VerisImporter(Importer):
    format = "veris"
    label = "VERIS incident records (JSON)"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        text = head.decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if not text.startswith(("{", "[")) or '"schema_version"' not in text:
            return False
        return any(key in text for key in ('"action"', '"victim"', '"timeline"'))

    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        items = _read_items(source, options)
        stager = RowStager(con, source)
        for item in items:
            if item.problem is not None:
                stager.reject(line=item.line, field="", reason=item.problem, raw=_reject_raw(item))
                continue
            try:
                event = map_incident(item.value)
            except _RejectedError as rejected:
                stager.reject(line=item.line, field=rejected.field, reason=rejected.reason, raw=_reject_raw(item))
            except RecursionError:
                stager.reject(line=item.line, field="", reason="the record is nested too deeply", raw=_reject_raw(item))
            else:
                stager.add(event)
        return stager.finish()
