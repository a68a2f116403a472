"""Daily Shadowserver reports for the batch tests, and the trend tables compared with the raw events."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from cyberplan.analytics import metrics, service
from cyberplan.analytics.engines import DuckDBEngine
from cyberplan.analytics.periods import parse_period
from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.pipeline.store import EventStore

SAMPLE = Path(__file__).resolve().parents[1] / "threats" / "samples" / "2026-11-28-scan_telnet-py-geo.csv"
NOVEMBER = metrics.Scope(parse_period("2026-11"))


def daily_reports(folder: Path, days: tuple[int, ...] = (26, 27, 28)) -> list[Path]:
    """One telnet report per day of November 2026, made of the sample's rows: the same addresses
    every day (recurring sources), one new address a day, and the first row of each day repeated
    in the next day's file (an event seen twice, which the store keeps once)."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    header = list(rows[0])
    folder.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    previous_first: dict[str, str] | None = None
    for number, day in enumerate(days):
        dated = [row | {"timestamp": f"2026-11-{day:02d}" + row["timestamp"][10:]} for row in rows]
        dated.append(rows[0] | {"timestamp": f"2026-11-{day:02d} 12:00:00", "ip": f"181.120.9.{number + 10}"})
        if previous_first is not None:
            dated.append(previous_first)
        previous_first = dated[0]
        path = folder / f"2026-11-{day:02d}-scan_telnet-py-geo.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, quoting=csv.QUOTE_ALL)
            writer.writeheader()
            writer.writerows(dated)
        files.append(path)
    return files


def from_tables(store: EventStore, scope: metrics.Scope = NOVEMBER) -> dict[str, list[dict[str, Any]]]:
    """The metric set as the dashboard reads it: from the trend tables as they are, not refreshed."""
    engine = DuckDBEngine(threads=1)
    try:
        result = metrics.run(engine, TrendTables(store).frames(engine), scope)
        return {metric_id: result.rows(metric_id) for metric_id in result.results}
    finally:
        engine.close()


def from_events(store: EventStore, scope: metrics.Scope = NOVEMBER) -> dict[str, list[dict[str, Any]]]:
    """The metric set computed from the raw events, without the trend tables."""
    engine = DuckDBEngine(threads=1)
    try:
        result = service.compute(store, scope, engine, trend_tables=False)
        return {metric_id: result.rows(metric_id) for metric_id in result.results}
    finally:
        engine.close()


def parts(store: EventStore) -> dict[str, list[str]]:
    """The watermark's parts: each refresh that aggregated something added one, naming its imports."""
    return dict(TrendTables(store).watermark()["parts"])
