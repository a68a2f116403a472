"""Any CSV file, through a column mapping saved by a user (see the threats app's ColumnMapping)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import duckdb

from . import register
from .base import Chunk, Importer, ImportOptions, Source, SourceError
from .csvengine import ColumnRule, CsvMapping, csv_chunks, stage_csv


def mapping_from_dict(data: Mapping[str, Any]) -> CsvMapping:
    """Build a mapping from its saved form: ``{"columns": {col: {"field", "convert"}}, "constants": {...}, "delimiter"}``."""
    try:
        columns = {str(c): ColumnRule.from_spec(rule) for c, rule in (data.get("columns") or {}).items() if rule}
        return CsvMapping(
            columns=columns,
            constants=dict(data.get("constants") or {}),
            delimiter=str(data.get("delimiter") or ","),
        )
    except (TypeError, ValueError) as exc:
        raise SourceError(f"the column mapping is not valid: {exc}") from None


@register
class MappedCsvImporter(Importer):
    format = "csv"
    label = "CSV with a column mapping"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        return False  # never guessed: a CSV needs its mapping named

    def stage(self, con: duckdb.DuckDBPyConnection, source: Source, options: ImportOptions) -> int:
        return stage_csv(con, str(source.path), source.name, self._mapping(source, options))

    def chunks(
        self,
        con: duckdb.DuckDBPyConnection,
        source: Source,
        options: ImportOptions,
        *,
        work_dir: Path,
        chunk_bytes: int,
    ) -> Iterator[Chunk]:
        """Large files in pieces, as Shadowserver reports, so memory does not grow with the file."""
        mapping = self._mapping(source, options)
        yield from csv_chunks(con, source.path, source.name, mapping, work_dir=work_dir, chunk_bytes=chunk_bytes)

    @staticmethod
    def _mapping(source: Source, options: ImportOptions) -> CsvMapping:
        if not options.mapping:
            raise SourceError(f"{source.name}: a CSV import needs a column mapping (--mapping NAME)")
        mapping = mapping_from_dict(options.mapping)
        if "feed.name" not in mapping.constants:
            mapping = CsvMapping(
                columns=mapping.columns,
                constants={**mapping.constants, "feed.name": str(options.extra.get("mapping_name", "csv"))},
                delimiter=mapping.delimiter,
            )
        return mapping
