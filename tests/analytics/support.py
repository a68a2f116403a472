"""A small event store written directly, field by field, for metric tests with hand-checked numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cyberplan.analytics.engines import event_schema
from cyberplan.pipeline.store import EventStore


def event(
    when: str,
    ip: str | None = "192.0.2.1",
    taxonomy: str = "vulnerable",
    type_: str = "vulnerable-system",
    identifier: str = "telnet",
    sector: str | None = None,
    organisation: str | None = None,
    country: str | None = "PY",
    asn: int | None = None,
    as_name: str | None = None,
    network: str | None = None,
    feed: str = "scan_telnet",
    provider: str = "Shadowserver",
    tlp: str = "amber",
    severity: str = "medium",
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One event with the schema's dotted fields; ``when`` is an ISO time (UTC when it has no zone)."""
    time = dt.datetime.fromisoformat(when)
    if time.tzinfo is None:
        time = time.replace(tzinfo=dt.UTC)
    row: dict[str, Any] = {
        "time.source": time,
        "source.ip": ip,
        "classification.taxonomy": taxonomy,
        "classification.type": type_,
        "classification.identifier": identifier,
        "victim.sector": sector,
        "victim.organisation": organisation,
        "victim.country": country,
        "source.asn": asn,
        "source.as_name": as_name,
        "source.network": network,
        "feed.name": feed,
        "feed.provider": provider,
        "tlp": tlp,
        "severity": severity,
        "extra": json.dumps(extra) if extra else None,
    }
    return row


def write_store(root: Path, events: list[dict[str, Any]], import_id: str = "imp-1") -> EventStore:
    """Write ``events`` as one committed import, partitioned by month as the pipeline does."""
    store = EventStore(root)
    schema = event_schema()
    by_month: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for index, row in enumerate(events):
        full = {name: row.get(name) for name in schema.names}
        full["event_id"] = hashlib.sha256(f"{import_id}-{index}".encode()).hexdigest()[:32]
        full["import_id"] = import_id
        full["time.observation"] = row["time.source"]
        by_month[row["time.source"].astimezone(dt.UTC).strftime("%Y-%m")].append(full)
    for month, rows in by_month.items():
        directory = store.events_dir / f"month={month}"
        directory.mkdir(parents=True, exist_ok=True)
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), directory / f"{import_id}.parquet")
    record = {"import_id": import_id, "read": len(events), "stored": len(events), "duplicates": 0, "quarantined": 0}
    record["months"] = sorted(by_month)
    (store.commits_dir / f"{import_id}.json").write_text(json.dumps(record), encoding="utf-8")
    return store
