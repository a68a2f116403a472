"""Helpers shared by the importer tests: run an import, read the store and the quarantine back,
and compare normalised output with a golden file."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from cyberplan.pipeline.importers.base import Source
from cyberplan.pipeline.ingest import ingest
from cyberplan.pipeline.store import CommitSummary, EventStore

GOLDEN = Path(__file__).parent / "golden"
OBSERVED_AT = "2026-03-10 12:00:00+00"


def run(path: Path, root: Path, import_id: str = "imp-1", **kwargs: Any) -> CommitSummary:
    return ingest(Source(path), EventStore(root), import_id, format="auto", observed_at=OBSERVED_AT, **kwargs)


def events(root: Path) -> list[dict[str, Any]]:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    EventStore(root).register(con)
    rows: list[dict[str, Any]] = con.sql("SELECT * FROM events").to_arrow_table().to_pylist()
    con.close()
    return rows


def rejects(root: Path, import_id: str = "imp-1") -> list[dict[str, Any]]:
    path = EventStore(root).quarantine_file(import_id)
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = duckdb.sql(f"SELECT * FROM read_parquet('{path}')").to_arrow_table().to_pylist()
    return rows


def normalised(row: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    result = {}
    for name in fields:
        value = row.get(name)
        if value is None:
            continue
        if isinstance(value, dt.datetime):
            value = value.astimezone(dt.UTC).isoformat()
        elif name == "extra":
            value = json.loads(value)
        result[name] = value
    return result


def golden_document(summary: CommitSummary, root: Path, fields: Iterable[str]) -> dict[str, Any]:
    fields = tuple(fields)
    return {
        "summary": {k: getattr(summary, k) for k in ("read", "stored", "duplicates", "quarantined")},
        "events": sorted(
            (normalised(r, fields) for r in events(root)), key=lambda e: (e["time.source"], e["event_id"])
        ),
        "rejects": sorted(
            ({"line": r["line"], "field": r["field"], "reason": r["reason"]} for r in rejects(root)),
            key=lambda r: (r["line"], r["field"], r["reason"]),
        ),
    }


def check_golden(name: str, document: dict[str, Any]) -> None:
    """Compare with ``golden/<name>``; ``CYBERPLAN_UPDATE_GOLDEN=1`` rewrites it (review the diff)."""
    path = GOLDEN / name
    text = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if os.environ.get("CYBERPLAN_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert json.loads(path.read_text(encoding="utf-8")) == document, f"output differs from {path}"
