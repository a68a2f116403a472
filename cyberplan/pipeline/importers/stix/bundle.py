"""Reading the bundle (its limits) and the importer that stages its events."""

from __future__ import annotations

import re
from typing import Any

import duckdb

from .. import register
from ..base import Importer, ImportOptions, RowStager, Source, SourceError
from ..progress import Counter
from .context import Context
from .mapping import MAPPERS, BundleMapper
from .validation import RecordError, validate_object
from .values import load_json_document, safe_raw

_BUNDLE_HEAD = re.compile(rb'"type"\s*:\s*"bundle"|"id"\s*:\s*"bundle--')
_MISP_HEAD = re.compile(rb'"Event"\s*:\s*\{')


def read_bundle(source: Source, options: ImportOptions) -> list[Any]:
    """The bundle's objects, or :class:`SourceError`."""
    document = load_json_document(source, "STIX bundle")
    if not isinstance(document, dict) or document.get("type") != "bundle":
        found = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise SourceError(f'{source.name}: not a STIX bundle (a JSON object with "type": "bundle"; found {found!r})')
    objects = document.get("objects", [])
    if not isinstance(objects, list):
        raise SourceError(f'{source.name}: the bundle\'s "objects" is not a list')
    if len(objects) > options.max_objects:
        raise SourceError(
            f"{source.name}: the bundle has {len(objects):,} objects; the limit is {options.max_objects:,} "
            "(split the bundle, or raise the limit)"
        )
    return objects


@register
class StixImporter(Importer):
    format = "stix"
    label = "STIX 2.1 bundle"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        return text.startswith(b"{") and bool(_BUNDLE_HEAD.search(head)) and not _MISP_HEAD.search(head)

    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        objects = read_bundle(source, options)
        stager = RowStager(con, source)
        context = Context()
        valid: list[tuple[int, dict[str, Any]]] = []
        # Progress: each object counts once when it is checked and once when it is mapped.
        counter = Counter(2 * len(objects))
        for index, obj in enumerate(objects):
            counter.advance()
            validation = validate_object(obj)
            if validation.problem is not None:
                problem = validation.problem
                stager.reject(line=index, field=problem.field, reason=problem.reason, raw=safe_raw(obj))
                continue
            context.add(obj, validation.notes)
            valid.append((index, obj))
        context.link()
        mapper = BundleMapper(stager, context)
        counter.advance(len(objects) - len(valid))  # the rejected ones are not mapped
        for index, obj in valid:
            counter.advance()
            map_object = MAPPERS.get(obj["type"])
            if map_object is None:
                continue
            try:
                map_object(mapper, index, obj)
            except RecordError as problem:
                mapper.reject(index, obj, problem)
        return stager.finish()
