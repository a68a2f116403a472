"""A CSV imported through a saved column mapping is read in chunks like a Shadowserver report:
any chunk size gives the store and the quarantine that one piece gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cyberplan.pipeline.importers.base import ImportOptions, Source
from cyberplan.pipeline.ingest import IngestLimits, ingest
from cyberplan.pipeline.store import CommitSummary, EventStore

from .test_chunked import quarantined, stored

MAPPING: dict[str, Any] = {
    "columns": {
        "seen": {"field": "time.source", "convert": "timestamp"},
        "address": {"field": "source.ip", "convert": "ip"},
        "kind": {"field": "classification.identifier", "convert": "text"},
    },
    "constants": {"classification.taxonomy": "vulnerable", "classification.type": "vulnerable-system"},
    "delimiter": ";",
}


def partner_csv(path: Path, rows: int = 80) -> Path:
    lines = ["seen;address;kind;note\n"]
    for index in range(rows):
        address = "192.0.2.999" if index == 13 else f"203.0.113.{index % 200}"  # one rejected address
        note = '"two\nlines"' if index % 9 == 4 else f"note {index}"  # quoted line breaks
        lines.append(f"2026-10-{1 + index % 28:02d} 08:{index % 60:02d}:00;{address};rdp;{note}\n")
    lines.append(lines[5])  # a duplicate far from its twin
    path.write_text("".join(lines), encoding="utf-8")
    return path


def run(path: Path, root: Path, chunk_bytes: int) -> CommitSummary:
    return ingest(
        Source(path),
        EventStore(root),
        "imp-1",
        format="csv",
        options=ImportOptions(mapping=MAPPING, extra={"mapping_name": "partner"}),
        observed_at="2026-11-29 00:00:00+00",
        limits=IngestLimits(chunk_bytes=chunk_bytes),
    )


@pytest.mark.slow
@pytest.mark.parametrize("chunk_bytes", [256, 700, 2000])
def test_chunked_mapped_csv_gives_the_one_piece_store(tmp_path: Path, chunk_bytes: int) -> None:
    source = partner_csv(tmp_path / "partner.csv")
    whole = run(source, tmp_path / "whole", 1 << 30)
    pieces = run(source, tmp_path / "pieces", chunk_bytes)
    assert (whole.read, whole.stored, whole.duplicates, whole.quarantined) == (81, 79, 1, 1)
    assert (pieces.read, pieces.stored, pieces.duplicates, pieces.quarantined) == (81, 79, 1, 1)
    whole_rows = [{k: v for k, v in r.items() if k != "time.observation"} for r in stored(tmp_path / "whole")]
    piece_rows = [{k: v for k, v in r.items() if k != "time.observation"} for r in stored(tmp_path / "pieces")]
    assert piece_rows == whole_rows
    assert {r["feed.name"] for r in piece_rows} == {"partner"}
    assert [(r["line"], r["field"]) for r in quarantined(tmp_path / "pieces")] == [
        (r["line"], r["field"]) for r in quarantined(tmp_path / "whole")
    ]
    if chunk_bytes < 1000:
        assert len(EventStore(tmp_path / "pieces").files()) > 1  # really written in several parts
