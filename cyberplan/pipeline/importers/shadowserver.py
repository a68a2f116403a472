"""Shadowserver CSV reports, driven by the declarative mapping in ``data/shadowserver.yaml``.

The report type comes from Shadowserver's file naming (``2026-11-28-scan_telnet-py-geo.csv``)
or from ``ImportOptions.report_type``. ``feed.name`` is the report type; the classification and
protocol constants come from the mapping; unknown columns go to ``extra``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml

from . import register
from .base import Chunk, Importer, ImportOptions, Source, SourceError
from .csvengine import ColumnRule, CsvMapping, csv_chunks, stage_csv

FILE_NAME = re.compile(r"^(?:\d{4}-\d{2}-\d{2}-)?(?P<report>[a-z0-9_]+?)(?:-[a-z0-9_]+)*\.csv(?:\.gz)?$")


@functools.cache
def load_mapping() -> dict[str, Any]:
    text = resources.files("cyberplan.pipeline.data").joinpath("shadowserver.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def report_types() -> list[str]:
    return sorted(load_mapping()["reports"])


def report_from_file_name(name: str) -> str | None:
    """The report type named in a Shadowserver file name, matched against the known types (longest first)."""
    lowered = name.lower()
    match = re.match(r"^(?:\d{4}-\d{2}-\d{2}-)?(?P<rest>.+?)\.csv(?:\.gz)?$", lowered)
    if not match:
        return None
    rest = match.group("rest")
    for report in sorted(load_mapping()["reports"], key=len, reverse=True):
        if rest == report or rest.startswith(report + "-"):
            return str(report)
    return None


def mapping_for(report: str) -> CsvMapping:
    data = load_mapping()
    try:
        spec = data["reports"][report]
    except KeyError:
        raise SourceError(f"unknown Shadowserver report type {report!r}") from None
    merged: dict[str, Any] = dict(data["defaults"]["columns"])
    merged.update(spec.get("columns") or {})
    columns = {name: ColumnRule.from_spec(rule) for name, rule in merged.items() if rule is not None}
    constants: dict[str, Any] = {
        "feed.name": report,
        "feed.provider": data.get("provider", "Shadowserver"),
        "classification.taxonomy": spec["classification"]["taxonomy"],
        "classification.type": spec["classification"]["type"],
        "classification.identifier": spec["classification"]["identifier"],
    }
    for key in ("protocol.application", "protocol.transport", "malware.name", "feed.accuracy", "severity"):
        if key in spec:
            constants[key] = spec[key]
    # Shadowserver's dialect is known; rows without their last, empty columns read as empty fields
    # and a network in an address column is the event's network, as IntelMQ reads these reports.
    return CsvMapping(columns=columns, constants=constants, short_rows=True, networks=True)


@register
class ShadowserverImporter(Importer):
    format = "shadowserver"
    label = "Shadowserver CSV report"

    @classmethod
    def detect(cls, source: Source, head: bytes) -> bool:
        if report_from_file_name(source.name) is None:
            return False
        first_line = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
        return "timestamp" in first_line

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
        mapping = self._mapping(source, options)
        yield from csv_chunks(con, source.path, source.name, mapping, work_dir=work_dir, chunk_bytes=chunk_bytes)

    @staticmethod
    def _mapping(source: Source, options: ImportOptions) -> CsvMapping:
        report = options.report_type or report_from_file_name(source.name)
        if report is None:
            raise SourceError(
                f"{source.name}: the Shadowserver report type is not in the file name; give it with --report-type"
            )
        return mapping_for(report)
