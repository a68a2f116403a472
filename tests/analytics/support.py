"""A small event store written directly, field by field, for metric tests with hand-checked numbers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from collections import defaultdict
from fractions import Fraction
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from cyberplan.analytics.engines import event_schema
from cyberplan.pipeline.importers.base import json_text
from cyberplan.pipeline.store import EventStore


def event(
    when: str,
    ip: str | None = "192.0.2.1",
    taxonomy: str = "vulnerable",
    type_: str = "vulnerable-system",
    identifier: str = "telnet",
    sector: str | None = None,
    organisation: str | None = None,
    organisation_type: str | None = None,
    country: str | None = "PY",
    asn: int | None = None,
    as_name: str | None = None,
    network: str | None = None,
    feed: str = "scan_telnet",
    provider: str = "Shadowserver",
    tlp: str = "amber",
    severity: str = "medium",
    extra: dict[str, Any] | None = None,
    canonical_extra: bool = False,
    malware: str | None = None,
) -> dict[str, Any]:
    """One event with the schema's dotted fields; ``when`` is an ISO time (UTC when it has no zone).

    ``canonical_extra`` writes ``extra`` as the importers do (sorted keys, no spaces).
    """
    time = dt.datetime.fromisoformat(when)
    if time.tzinfo is None:
        time = time.replace(tzinfo=dt.UTC)
    row: dict[str, Any] = {
        "time.source": time,
        "source.ip": ip,
        "classification.taxonomy": taxonomy,
        "classification.type": type_,
        "classification.identifier": identifier,
        "malware.name": malware,
        "victim.sector": sector,
        "victim.organisation": organisation,
        "victim.organisation_type": organisation_type,
        "victim.country": country,
        "source.asn": asn,
        "source.as_name": as_name,
        "source.network": network,
        "feed.name": feed,
        "feed.provider": provider,
        "tlp": tlp,
        "severity": severity,
        "extra": (json_text(extra) if canonical_extra else json.dumps(extra)) if extra else None,
    }
    return row


def write_store(
    root: Path, events: list[dict[str, Any]], import_id: str = "imp-1", *, chunks: int = 1, commit: bool = True
) -> EventStore:
    """Write ``events`` as one committed import, partitioned by month as the pipeline does.

    ``chunks`` > 1 splits each month into files named ``<import_id>.part<k>.parquet``, as a chunked
    import writes them; ``commit=False`` leaves the files without their commit marker, as an import
    killed before its commit would.
    """
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
        if chunks == 1:
            pq.write_table(pa.Table.from_pylist(rows, schema=schema), directory / f"{import_id}.parquet")
            continue
        for k in range(chunks):
            part = rows[k::chunks]
            pq.write_table(pa.Table.from_pylist(part, schema=schema), directory / f"{import_id}.part{k + 1}.parquet")
    if not commit:
        return store
    record = {"import_id": import_id, "read": len(events), "stored": len(events), "duplicates": 0, "quarantined": 0}
    record["months"] = sorted(by_month)
    store.commits_dir.mkdir(parents=True, exist_ok=True)
    (store.commits_dir / f"{import_id}.json").write_text(json.dumps(record), encoding="utf-8")
    return store


# -- the statistics, worked out without SciPy ---------------------------------------------------------


def exact_two_sided(k: int, n: int, share: Fraction) -> Fraction:
    """Two-sided binomial p-value: the probability of every outcome no more likely than ``k``.

    P(X = j) = C(n, j) share^j (1 - share)^(n - j), summed as exact fractions over the j with
    P(X = j) <= P(X = k).
    """
    pmf = [math.comb(n, j) * share**j * (1 - share) ** (n - j) for j in range(n + 1)]
    return min(Fraction(1), sum((p for p in pmf if p <= pmf[k]), Fraction(0)))


def hand_bh(pvalues: list[float]) -> list[float]:
    """Benjamini-Hochberg written out: q(i) = min over ranks r >= rank(i) of p(r) * m / r, at most 1."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    q = [0.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        index = order[rank - 1]
        running = min(running, pvalues[index] * m / rank)
        q[index] = running
    return q


def hand_changes(
    counts: list[tuple[str, str, int, int]], current_days: int, previous_days: int
) -> list[dict[str, Any]]:
    """The rows of a change metric from (dimension, series, current, previous), the test done by hand."""
    share = Fraction(current_days, current_days + previous_days)
    rows: list[dict[str, Any]] = []
    for dimension, series, current, previous in counts:
        ratio = (current / current_days) / (previous / previous_days) if previous else None
        p = float(exact_two_sided(current, current + previous, share)) if current + previous else None
        rows.append(
            {
                "dimension": dimension,
                "series": series,
                "current": current,
                "previous": previous,
                "ratio": None if ratio is None else round(ratio, 4),
                "change": None if ratio is None else round(ratio - 1, 4),
                "p": p,
            }
        )
    tested = [row for row in rows if row["p"] is not None]
    for row, q in zip(tested, hand_bh([row["p"] for row in tested]), strict=True):
        row["q"] = q
    for row in rows:
        row.setdefault("q", None)
        row["flag"] = ""
        if row["q"] is not None and row["q"] < 0.05:
            exact = Fraction(row["current"] * previous_days, max(row["previous"], 1) * current_days)
            if row["previous"] == 0:
                row["flag"] = "new"
            elif row["current"] == 0:
                row["flag"] = "gone"
            elif exact >= Fraction(5, 4):
                row["flag"] = "rise"
            elif exact <= Fraction(4, 5):
                row["flag"] = "fall"
    return rows
