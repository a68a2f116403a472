"""The regional metric set on pooled member events: cyberplan's Ibis metrics on DuckDB against hand-written SQL.

Builds N pooled events (``CYBERPLAN_BENCH_REGIONAL_EVENTS``, default 100,000,000) of 30 member countries,
N/30 each, straight to pool files with :mod:`cyberplan.regional.pooled_synth` (a fixed seed: the same data on
every run and machine), in a temporary folder (``CYBERPLAN_BENCH_DIR``, default the system's temporary
folder) removed at the end. Then, for the period 2026-Q2 and the pool of the first 5, 10, 20 and 30
countries (``CYBERPLAN_BENCH_REGIONAL_STEPS``):

a. the regional metric set as cyberplan runs it (:func:`cyberplan.regional.pooled_metrics.run`, Ibis on
   DuckDB, 2 threads, 1500 MB memory limit);
b. the same statements written by hand in DuckDB SQL (same threads and memory limit), rows checked equal to
   a's, and the ratio a/b (target: within 1.5 times);

each in a process of its own, which reports its time and its peak resident memory. Finally the metric set
on Spark in local mode over a smaller pool (``CYBERPLAN_BENCH_REGIONAL_SPARK_EVENTS``, default 1,000,000,
five countries), rows checked equal to DuckDB's, when PySpark and Java are there.

Standalone: ``.venv/bin/python bench/bench_regional.py`` (no Django needed).
"""

# The SQL here is assembled from this file's own constants and quoted file paths.
# ruff: noqa: S608

from __future__ import annotations

import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import duckdb  # noqa: E402

from cyberplan.analytics import stats  # noqa: E402
from cyberplan.analytics.engines import DuckDBEngine, Engine  # noqa: E402
from cyberplan.analytics.metrics import TOP  # noqa: E402
from cyberplan.analytics.periods import parse_period  # noqa: E402
from cyberplan.regional import pooled_metrics, pooled_synth  # noqa: E402

TARGET_RATIO = 1.5
MEMORY = "1500MB"
THREADS = 2
#: the numbers of countries measured (``CYBERPLAN_BENCH_REGIONAL_STEPS``, comma-separated)
STEPS = tuple(int(n) for n in os.environ.get("CYBERPLAN_BENCH_REGIONAL_STEPS", "5,10,20,30").split(","))


def addresses() -> dict[str, int]:
    """Synthetic announced IPv4 counts (a /16 per country, as the synthetic addresses use)."""
    return dict.fromkeys(pooled_synth.COUNTRIES, 65536)


def files(folder: Path, countries: int) -> list[Path]:
    return [folder / f"member={code}.parquet" for code in pooled_synth.COUNTRIES[:countries]]


def generate(folder: Path, events: int) -> float:
    started = time.perf_counter()
    per_country = max(1, events // len(pooled_synth.COUNTRIES))
    for index, code in enumerate(pooled_synth.COUNTRIES):
        pooled_synth.write_country(folder / f"member={code}.parquet", code, per_country, index=index)
    return time.perf_counter() - started


def cyberplan_rows(paths: list[Path], engine: Engine | None = None) -> dict[str, list[dict[str, Any]]]:
    own = engine is None
    engine = engine or DuckDBEngine(memory_limit=MEMORY, threads=THREADS)
    try:
        scope = pooled_metrics.regional_scope(parse_period(pooled_synth.PERIOD))
        return pooled_metrics.run(engine, pooled_metrics.pool_table(engine, paths), scope, addresses()).rows
    finally:
        if own:
            engine.close()


def _text(column: str) -> str:
    return f"coalesce(nullif(CAST({column} AS VARCHAR), ''), 'unknown')"


def _window(name: str, start: Any, end: Any) -> str:
    return f"(day >= DATE '{start}' AND day < DATE '{end}') AS in_{name}"


def hand_rows(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """The regional metric set written by hand in DuckDB SQL: one narrow staged table, then plain queries."""
    period = parse_period(pooled_synth.PERIOD)
    previous, year = period.previous(), period.year_earlier()
    spill = tempfile.mkdtemp(prefix="bench-regional-spill-")
    con = duckdb.connect(config={"threads": THREADS, "memory_limit": MEMORY, "temp_directory": spill})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        listing = ", ".join("'" + str(p).replace("'", "''") + "'" for p in paths)
        spans = " OR ".join(f"(day >= DATE '{p.start}' AND day < DATE '{p.end}')" for p in (period, previous, year))
        con.execute(f"""
            CREATE TEMP TABLE staged AS
            SELECT *, {_window("current", period.start, period.end)}, {_window("previous", previous.start, previous.end)},
                   {_window("year", year.start, year.end)}
            FROM (
              SELECT CAST("time.source" AS DATE) AS day, {_text('"classification.taxonomy"')} AS taxonomy,
                     {_text('"classification.type"')} AS type, {_text("member")} AS country,
                     CAST("source.ip" AS VARCHAR) AS source_ip, {_text("tlp")} AS tlp
              FROM read_parquet([{listing}])
            ) WHERE ({spans}) AND tlp IN ('clear', 'green')""")
        return _hand_queries(con, period.days, previous.days, year.days)
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _hand_queries(
    con: duckdb.DuckDBPyConnection, days: int, previous_days: int, year_days: int
) -> dict[str, list[dict[str, Any]]]:
    def q(sql: str) -> list[dict[str, Any]]:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def compare(flag: str) -> str:
        parts = [
            f"""SELECT '{dimension}' AS dimension, {dimension} AS series,
                       count(*) FILTER (WHERE in_current) AS current, count(*) FILTER (WHERE in_{flag}) AS previous
                FROM staged WHERE in_current OR in_{flag} GROUP BY {dimension}"""
            for dimension in ("type", "country")
        ]
        return " UNION ALL ".join(parts) + " ORDER BY dimension, series"

    rows = {
        "events_by_month": q("""SELECT CAST(date_trunc('month', day) AS DATE) AS month, taxonomy, country,
                                count(*) AS events FROM staged WHERE in_current GROUP BY ALL ORDER BY ALL"""),
        "sources_by_month": q("""SELECT CAST(date_trunc('month', day) AS DATE) AS month, taxonomy, country,
                                 count(DISTINCT source_ip) AS sources FROM staged
                                 WHERE in_current AND source_ip IS NOT NULL GROUP BY ALL ORDER BY ALL"""),
        "events_by_country": q("""SELECT country, count(*) AS events FROM staged WHERE in_current
                                  GROUP BY country ORDER BY events DESC, country"""),
        "exposure": q("""SELECT country, count(DISTINCT source_ip) AS sources FROM staged
                         WHERE in_current AND source_ip IS NOT NULL GROUP BY country ORDER BY country"""),
        "top_types": q(f"""SELECT taxonomy, type, count(*) AS events FROM staged WHERE in_current
                           GROUP BY ALL ORDER BY events DESC, taxonomy, type LIMIT {TOP}"""),
        "sources_by_class": q("""SELECT taxonomy, count(DISTINCT source_ip) AS sources FROM staged
                                 WHERE in_current AND source_ip IS NOT NULL GROUP BY taxonomy
                                 ORDER BY sources DESC, taxonomy"""),
        "change_previous": stats.annotate_changes(q(compare("previous")), days, previous_days),
        "change_year": stats.annotate_changes(q(compare("year")), days, year_days),
    }
    pooled_metrics.per_1000(rows["exposure"], addresses())
    return rows


def digest(rows: dict[str, list[dict[str, Any]]]) -> str:
    return hashlib.sha256(json.dumps(rows, sort_keys=True, default=str).encode()).hexdigest()


def measure(way: str, folder: Path, countries: int) -> None:
    """In a process of its own: one run of ``way``, its time, peak memory and rows' digest as JSON."""
    paths = files(folder, countries)
    started = time.perf_counter()
    rows = cyberplan_rows(paths) if way == "cyberplan" else hand_rows(paths)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "digest": digest(rows)}))


def child(way: str, folder: Path, countries: int) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", way, str(folder), str(countries)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def spark_parity(folder: Path, events: int) -> None:
    try:
        from cyberplan.analytics.engines import SparkEngine, spark_session
    except ImportError:
        print("spark: PySpark is not installed; skipped")
        return
    if shutil.which("java") is None:
        print("spark: no Java runtime; skipped")
        return
    small = folder / "spark"
    per_country = max(1, events // 5)
    for index, code in enumerate(pooled_synth.COUNTRIES[:5]):
        pooled_synth.write_country(small / f"member={code}.parquet", code, per_country, index=index)
    paths = sorted(small.glob("*.parquet"))
    started = time.perf_counter()
    expected = cyberplan_rows(paths)
    duck = time.perf_counter() - started
    session = spark_session("local[2]")
    try:
        started = time.perf_counter()
        got = cyberplan_rows(paths, SparkEngine(session=session))
        spark = time.perf_counter() - started
    finally:
        session.stop()
    same = got == expected
    print(
        f"spark local[2], {per_country * 5:,} events of 5 countries: {spark:.1f} s "
        f"(DuckDB {duck:.1f} s, ratio {spark / duck:.1f}); rows identical: {same}"
    )
    if not same:
        raise SystemExit("Spark and DuckDB rows differ")


def main() -> None:
    events = int(os.environ.get("CYBERPLAN_BENCH_REGIONAL_EVENTS", "100000000"))
    spark_events = int(os.environ.get("CYBERPLAN_BENCH_REGIONAL_SPARK_EVENTS", "1000000"))
    folder = Path(tempfile.mkdtemp(prefix="cyberplan-bench-regional-", dir=os.environ.get("CYBERPLAN_BENCH_DIR")))
    try:
        seconds = generate(folder, events)
        size = sum(p.stat().st_size for p in folder.glob("*.parquet")) / 1e9
        print(f"generated {events:,} pooled events of 30 countries in {seconds:.0f} s ({size:.2f} GB of Parquet)")
        print("countries  events        cyberplan s  peak MB   hand SQL s  peak MB   ratio  rows")
        worst = 0.0
        for countries in STEPS:
            ours = child("cyberplan", folder, countries)
            hand = child("hand", folder, countries)
            ratio = ours["seconds"] / hand["seconds"]
            worst = max(worst, ratio)
            same = "equal" if ours["digest"] == hand["digest"] else "DIFFER"
            count = events // len(pooled_synth.COUNTRIES) * countries
            print(
                f"{countries:9d}  {count:12,}  {ours['seconds']:11.1f}  {ours['peak_mb']:7.0f}  "
                f"{hand['seconds']:10.1f}  {hand['peak_mb']:7.0f}  {ratio:5.2f}  {same}",
                flush=True,
            )
            if same != "equal":
                raise SystemExit("cyberplan's rows differ from the hand-written SQL's")
        verdict = "met" if worst <= TARGET_RATIO else "NOT met"
        print(f"worst ratio cyberplan / hand-written SQL: {worst:.2f} (target {TARGET_RATIO}: {verdict})")
        spark_parity(folder, spark_events)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        measure(sys.argv[2], Path(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
