"""Threat evidence ingest: throughput and peak memory, end to end, against IntelMQ's parser.

Writes synthetic Shadowserver reports for Paraguay (``cyberplan.pipeline.synth``, one file per
report type: scan_telnet, scan_smb, scan_rdp, event4_honeypot_brute_force) and ingests them
with ``cyberplan.pipeline.ingest.ingest`` exactly as the worker does (parse, normalise, enrich
against a constituency of 32 /16 networks, deduplicate, store as Parquet), at two sizes: N/10 and
N events (N = ``CYBERPLAN_BENCH_EVENTS``, default 10,000,000).

Each ingest runs in a child process of its own (this file with ``--ingest-child``), started
fresh, so that its peak memory is its own: the high-water mark of its resident memory (VmHWM in
/proc/<pid>/status), which the parent polls while it runs and the child reads last. (Not
``ru_maxrss``: Linux carries the parent's high-water mark into a child across fork and exec, so
every child would report at least the parent's peak.) The child times the ``ingest()`` calls
only (not the interpreter's start) and splits each call into stages from ``ingest()``'s own
progress messages. A second run at N times every DuckDB statement the pipeline executes, to
show where the time goes inside the stages.

Baseline: IntelMQ 3.5's Shadowserver parser bot in library mode (``bench/intelmq_parse.py``, run
with the Python of the separate environment that ``make bench-env`` creates) on the first
``CYBERPLAN_BENCH_INTELMQ_ROWS`` rows (default 100,000) of the scan_telnet file; cyberplan
ingests the very same slice for a like-for-like ratio. IntelMQ's parser only parses and
validates (no enrichment, deduplication or storage), so the comparison favours IntelMQ. When
IntelMQ is not there or fails, the bench says why and still prints cyberplan's figures.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MONTH = "2026-01"
COUNTRY = "PY"
CONSTITUENCY_NETWORKS = 32
TARGET_RATE = 1_000_000  # events/s, end to end
TARGET_MEMORY = 2 * 10**9  # bytes (2 GB), whatever the file size
MiB = 1024 * 1024
STAGES = (
    ("setup", "setup (work database, detect format)"),
    ("read", "read, normalise, enrich (and write Parquet, when streamed)"),
    ("store", "dedupe + store (narrow dedupe, Parquet, commit)"),
)


# -- the child: one ingest run, timed ---------------------------------------------------------------


def child(argv: list[str]) -> int:
    """``--ingest-child INPUT_DIR STORE_DIR CONSTITUENCY_JSON RESULT_JSON [--statements]``."""
    input_dir, store_dir, constituency_json, result_json = (Path(a) for a in argv[:4])
    profile = "--statements" in argv[4:]
    import duckdb

    statements: dict[str, list[float]] = {}
    if profile:
        _time_statements(duckdb, statements)

    from cyberplan.pipeline.enrich import ConstituencyEntry, constituency_rows
    from cyberplan.pipeline.importers.base import Source
    from cyberplan.pipeline.ingest import IngestLimits, ingest
    from cyberplan.pipeline.store import EventStore

    # The bench measures the pipeline on files of any size (CYBERPLAN_BENCH_ONE_FILE makes one of
    # several GiB), not the platform's per-import limit.
    limits = IngestLimits(max_bytes=1 << 40)
    entries = json.loads(constituency_json.read_text(encoding="utf-8"))
    constituency = constituency_rows(ConstituencyEntry(**entry) for entry in entries)
    store = EventStore(store_dir)
    stages = dict.fromkeys((key for key, _label in STAGES), 0.0)
    files = []
    total = 0.0
    for index, path in enumerate(sorted(input_dir.glob("*.csv"))):
        marks: list[tuple[float, str]] = []

        def progress(message: str, marks: list[tuple[float, str]] = marks) -> None:
            marks.append((time.perf_counter(), message))

        started = time.perf_counter()
        summary = ingest(
            Source(path), store, f"bench-{index}", constituency=constituency, limits=limits, progress=progress
        )
        ended = time.perf_counter()
        total += ended - started

        # ingest() reads a large file in parts: "normalising" (or "storing: reading part k") starts reading
        # a part, "storing" (or "storing: writing part k") starts writing it.
        phases = [(t, phase_of(message)) for t, message in marks if phase_of(message)]
        stages["setup"] += (phases[0][0] if phases else ended) - started
        for (begin, phase), (end, _next) in zip(phases, [*phases[1:], (ended, "")], strict=True):
            stages[phase] += end - begin
        files.append(
            {
                "file": path.name,
                "bytes": path.stat().st_size,
                "read": summary.read,
                "stored": summary.stored,
                "duplicates": summary.duplicates,
                "quarantined": summary.quarantined,
                "seconds": ended - started,
            }
        )
    # Outside the timed part: check that enrichment ran.
    con = duckdb.connect()
    store.register(con)
    row = con.execute('SELECT count(*), count("victim.organisation"), count("source.geolocation.cc") FROM events')
    stored_rows, with_organisation, with_country = row.fetchone() or (0, 0, 0)
    con.close()
    result = {
        "vmhwm_bytes": vm_hwm("self"),
        "files": files,
        "seconds": total,
        "stages": stages,
        "statements": statements,
        "stored_rows": stored_rows,
        "with_organisation": with_organisation,
        "with_country": with_country,
        "store_bytes": sum(p.stat().st_size for p in store_dir.rglob("*.parquet")),
    }
    result_json.write_text(json.dumps(result), encoding="utf-8")
    return 0


def ceiling_child(argv: list[str]) -> int:
    """``--ceiling-child INPUT_DIR STORE_DIR OUT_DIR RESULT_JSON``: what this machine does with the same
    files and DuckDB settings when nothing is done to the rows, timed per step (the ceiling of any
    DuckDB pipeline over them): read the CSV; read it and write it to Parquet unchanged; read the
    stored events and write them again (the cost of writing the schema's columns alone)."""
    input_dir, store_dir, out_dir, result_json = (Path(a) for a in argv[:4])
    import duckdb

    from cyberplan.pipeline.ingest import IngestLimits
    from cyberplan.pipeline.store import PARQUET_OPTIONS, EventStore

    limits = IngestLimits()
    con = duckdb.connect(str(out_dir / "ceiling.duckdb"))
    con.execute(f"SET memory_limit = '{limits.memory_limit}'")
    con.execute(f"SET threads = {int(limits.threads)}")
    con.execute(f"SET temp_directory = '{out_dir / 'spill'}'")
    files = sorted(input_dir.glob("*.csv"))
    timings = {"read": 0.0, "copy": 0.0, "rewrite": 0.0}
    rows = 0
    for index, path in enumerate(files):
        reader = f"read_csv('{path}', header = true, all_varchar = true, parallel = true)"
        started = time.perf_counter()
        count = con.execute(f"SELECT count(*) FROM {reader}").fetchone()  # noqa: S608 - the bench's own files
        timings["read"] += time.perf_counter() - started
        rows += int(count[0]) if count else 0
        target = out_dir / f"copy-{index}.parquet"
        started = time.perf_counter()
        con.execute(f"COPY (SELECT * FROM {reader}) TO '{target}' ({PARQUET_OPTIONS})")  # noqa: S608
        timings["copy"] += time.perf_counter() - started
        target.unlink()
    stored = EventStore(store_dir).files()
    events = 0
    for index, path in enumerate(stored):
        target = out_dir / f"rewrite-{index}.parquet"
        started = time.perf_counter()
        source = f"read_parquet('{path}', hive_partitioning = false)"
        written = con.execute(f"COPY (SELECT * FROM {source}) TO '{target}' ({PARQUET_OPTIONS})").fetchone()  # noqa: S608
        timings["rewrite"] += time.perf_counter() - started
        events += int(written[0]) if written else 0
        target.unlink()
    browse = browse_timings(con, EventStore(store_dir))
    con.close()
    result = {"rows": rows, "events": events, "seconds": timings, "browse": browse}
    result_json.write_text(json.dumps(result), encoding="utf-8")
    return 0


def browse_timings(con: Any, store: Any) -> list[dict]:
    """The event browser's page query (``query.page``: the count and 50 events, newest first) on the
    stored events, for each filter of the page, first page and page 100; beside it, the same two
    statements written by hand over the same files (the baseline), median of 3."""
    import datetime as dt
    import statistics

    from cyberplan.pipeline.query import EventFilter, page

    files = "[" + ", ".join(f"'{p}'" for p in store.files()) + "]"
    source = f"read_parquet({files}, hive_partitioning = false, union_by_name = true)"
    common = con.execute(
        f'SELECT mode("source.asn"), mode("victim.sector"), any_value("source.ip") FROM {source}'  # noqa: S608
    ).fetchone()
    asn, sector, address = common
    day = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
    labels = ("clear", "green", "amber")
    readable = "tlp IN ('clear', 'green', 'amber')"
    cases = [
        ("no filter (TLP clear, green, amber)", EventFilter(tlp_in=labels), "true"),
        (
            "one day",
            EventFilter(since=day, until=day + dt.timedelta(days=1), tlp_in=labels),
            f"\"time.source\" >= '{day.isoformat()}' AND \"time.source\" < '{(day + dt.timedelta(days=1)).isoformat()}'",
        ),
        (
            "class and type",
            EventFilter(taxonomy="vulnerable", type="vulnerable-system", tlp_in=labels),
            "\"classification.taxonomy\" = 'vulnerable' AND \"classification.type\" = 'vulnerable-system'",
        ),
        (f"sector {sector}", EventFilter(sector=sector, tlp_in=labels), f"\"victim.sector\" = '{sector}'"),
        ("country PY", EventFilter(country="PY", tlp_in=labels), "\"source.geolocation.cc\" = 'PY'"),
        (f"AS {asn}", EventFilter(asn=asn, tlp_in=labels), f'"source.asn" = {int(asn)}'),
        ("feed scan_rdp", EventFilter(feed="scan_rdp", tlp_in=labels), "\"feed.name\" = 'scan_rdp'"),
        ("one address", EventFilter(ip=address, tlp_in=labels), f"\"source.ip\" = '{address}'"),
    ]
    results = []
    for label, flt, where in cases:
        for offset in (0, 4950):
            product, baseline = [], []
            total = 0
            for _ in range(3):
                started = time.perf_counter()
                _rows, total = page(store, flt, limit=50, offset=offset)
                product.append(time.perf_counter() - started)
                started = time.perf_counter()
                con.execute(f"SELECT count(*) FROM {source} WHERE {where} AND {readable}").fetchone()  # noqa: S608
                con.execute(
                    f'SELECT * FROM {source} WHERE {where} AND {readable} ORDER BY "time.source" DESC, event_id '  # noqa: S608
                    f"LIMIT 50 OFFSET {offset}"
                ).fetchall()
                baseline.append(time.perf_counter() - started)
            results.append(
                {
                    "filter": label,
                    "offset": offset,
                    "matching": total,
                    "seconds": statistics.median(product),
                    "baseline": statistics.median(baseline),
                }
            )
    return results


def phase_of(message: str) -> str:
    """The stage a progress message of ``ingest()`` starts ("" for the others)."""
    if message.startswith(("normalising", "storing: reading")):
        return "read"
    if message == "storing" or message.startswith("storing: writing"):
        return "store"
    return ""


STATEMENT_LABELS = (
    (r"^DESCRIBE SELECT", "read: the CSV header"),
    (
        r"^CREATE OR REPLACE TEMP TABLE _part\b",
        "read: CSV, convert, checks, extra, raw, enrich, event_id (_part)",
    ),
    (r"^INSERT INTO rejects\b", "read: rejects"),
    (r"^CREATE OR REPLACE TEMP TABLE _keep\b", "dedupe: narrow table, one row per event_id (_keep)"),
    (r"^DELETE FROM _keep\b", "dedupe: drop events already stored"),
    (r"^COPY \(SELECT \"event_id\".* FROM \(SELECT .*read_csv\(", "read + store: CSV straight into Parquet (a part)"),
    (r"^COPY \(SELECT \"event_id\".* FROM read_parquet\(", "store: rewrite a part without duplicates"),
    (r"^COPY \(SELECT \"event_id\"", "store: write Parquet from the part's table"),
    (r"^COPY \(SELECT \* FROM read_parquet", "store: quarantine file"),
    (r"^DROP TABLE", "drop work tables"),
)


def _time_statements(duckdb: object, statements: dict[str, list[float]]) -> None:
    """Make every connection opened from now on time each ``execute`` into ``statements``."""
    connect = duckdb.connect  # type: ignore[attr-defined]

    class TimedConnection:
        def __init__(self, con: object) -> None:
            self._con = con

        def execute(self, sql: str, *args: object, **kwargs: object) -> object:
            started = time.perf_counter()
            result = self._con.execute(sql, *args, **kwargs)  # type: ignore[attr-defined]
            elapsed = time.perf_counter() - started
            text = " ".join(sql.split())
            label = next(
                (name for pattern, name in STATEMENT_LABELS if re.search(pattern, text)), "other: " + text[:50]
            )
            entry = statements.setdefault(label, [0.0, 0])
            entry[0] += elapsed
            entry[1] += 1
            return result

        def __getattr__(self, name: str) -> object:
            return getattr(self._con, name)

    duckdb.connect = lambda *args, **kwargs: TimedConnection(connect(*args, **kwargs))  # type: ignore[attr-defined]


# -- the parent: make the data, run the children, print ---------------------------------------------


def vm_hwm(pid: int | str) -> int:
    """Peak resident memory of a live process in bytes (VmHWM), or 0 when it cannot be read."""
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as status:
        # The process may have ended between two polls: then there is nothing to read.
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def run_child(command: list[str], log: Path, timeout: float) -> tuple[int, int, str]:
    """Run ``command``; return its exit code, the highest VmHWM seen while it ran (bytes) and
    the end of its output."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + timeout
    peak = 0
    while process.poll() is None:
        peak = max(peak, vm_hwm(process.pid))
        if time.monotonic() > deadline:
            process.kill()
            process.wait()
            return -9, peak, f"timed out after {timeout:.0f} s"
        time.sleep(0.05)
    tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-3:]
    return process.returncode, peak, " | ".join(tail)


def ingest_in_child(
    work: Path, name: str, input_dir: Path, constituency: Path, statements: bool = False, keep: bool = False
) -> dict:
    store = work / f"store-{name}"
    result = work / f"result-{name}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--ingest-child"]
    command += [str(input_dir), str(store), str(constituency), str(result)]
    if statements:
        command.append("--statements")
    log = work / f"log-{name}.txt"
    code, peak, reason = run_child(command, log, timeout=24 * 3600)
    if code != 0 or not result.exists():
        shutil.rmtree(store, ignore_errors=True)
        return {"error": f"exit code {code}: {failure(log) or reason}", "peak": peak}
    data = json.loads(result.read_text(encoding="utf-8"))
    data["peak"] = max(peak, data["vmhwm_bytes"])
    data["events"] = sum(f["read"] for f in data["files"])
    data["csv_bytes"] = sum(f["bytes"] for f in data["files"])
    if keep:
        data["store"] = str(store)
    else:
        shutil.rmtree(store, ignore_errors=True)
    return data


def ceiling_in_child(work: Path, input_dir: Path, store: Path) -> dict:
    out = work / "ceiling"
    out.mkdir(exist_ok=True)
    result = work / "result-ceiling.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--ceiling-child"]
    command += [str(input_dir), str(store), str(out), str(result)]
    log = work / "log-ceiling.txt"
    code, _peak, reason = run_child(command, log, timeout=24 * 3600)
    shutil.rmtree(out, ignore_errors=True)
    if code != 0 or not result.exists():
        return {"error": f"exit code {code}: {failure(log) or reason}"}
    data: dict = json.loads(result.read_text(encoding="utf-8"))
    return data


def failure(log: Path) -> str:
    """The exception and the innermost cyberplan frame of a child's traceback, if it printed one."""
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    exception = next((ln for ln in reversed(lines) if re.match(r"^[\w.]+(Error|Exception)\b", ln)), "")
    frames = [ln.strip() for ln in lines if ln.strip().startswith("File ") and "/cyberplan/" in ln]
    where = re.sub(r'^File ".*/(cyberplan/[^"]+)", line (\d+), in (\w+)$', r"\1:\2 (\3)", frames[-1]) if frames else ""
    return f"{exception} [{where}]" if where else exception


def constituency_entries(blocks: list[int]) -> list[dict]:
    """The /16 networks holding most of the country's /24 blocks, as an illustrative constituency."""
    by_16: dict[int, int] = {}
    for block in blocks:
        by_16[block >> 16] = by_16.get(block >> 16, 0) + 1
    busiest = sorted(by_16.items(), key=lambda item: (-item[1], item[0]))[:CONSTITUENCY_NETWORKS]
    sectors = ("government", "energy", "finance", "health", "telecommunications", "education")
    return [
        {
            "network": f"{prefix >> 8}.{prefix & 255}.0.0/16",
            "asn": 64512 + index,
            "as_name": f"AS-BENCH-{index + 1}",
            "organisation": f"Bench holder {index + 1}",
            "sector": sectors[index % len(sectors)],
            "country": COUNTRY,
        }
        for index, (prefix, _count) in enumerate(busiest)
    ]


def generate(folder: Path, events: int, blocks: list[int], one_file: bool) -> float:
    """Write the synthetic reports; with ``one_file``, all the events in one scan_telnet file (synth's
    list of report types is narrowed for the call)."""
    from cyberplan.pipeline import synth

    started = time.perf_counter()
    saved = synth.REPORTS
    if one_file:
        synth.REPORTS = tuple(dataclasses.replace(r, share=1.0) for r in saved if r.name == "scan_telnet")
    try:
        synth.generate(folder, events=events, country=COUNTRY, month=MONTH, networks=blocks, daily=False)
    finally:
        synth.REPORTS = saved
    # Flush the new files to disk now, so that their writeback does not compete with the ingest's
    # own writes (an uploaded file has long been written when its import starts).
    os.sync()
    return time.perf_counter() - started


def write_slice(source: Path, target: Path, rows: int) -> int:
    """The header and the first ``rows`` data lines of ``source`` (no field holds a line break)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with source.open("rb") as src, target.open("wb") as out:
        out.write(src.readline())
        for line in src:
            if written >= rows:
                break
            out.write(line)
            written += 1
    return written


def intelmq_in_child(work: Path, python: Path, csv: Path, rows: int) -> dict:
    result = work / f"intelmq-{rows}.json"
    command = [str(python), str(HERE / "intelmq_parse.py"), "--csv", str(csv), "--rows", str(rows)]
    command += ["--root", str(work / "intelmq-root"), "--result", str(result)]
    code, peak, reason = run_child(command, work / f"log-intelmq-{rows}.txt", timeout=600 + rows / 200)
    if code != 0 or not result.exists():
        raise RuntimeError(f"exit code {code}: {reason}")
    data = json.loads(result.read_text(encoding="utf-8"))
    data["peak"] = max(peak, data["vmhwm_bytes"])
    if data["events"] != data["rows"] or data["errors"]:
        print(f"  note: IntelMQ gave {data['events']:,} events and {data['errors']:,} errors for {data['rows']:,} rows")
    return data


def code_version() -> str:
    """The commit measured, and whether the work tree differs from it (read-only git)."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    try:
        commit = subprocess.run(
            [git, "log", "-1", "--format=%h %cs %s"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        changed = subprocess.run(
            [git, "status", "--porcelain", "--", "cyberplan"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"commit {commit}" + (" (cyberplan/ has uncommitted changes)" if changed else "")


def rate(events: int, seconds: float) -> float:
    return events / seconds if seconds > 0 else float("nan")


def env_int(name: str, default: int, minimum: int) -> int:
    raw = os.environ.get(name, "").replace("_", "").replace(",", "")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number, not {os.environ[name]!r}") from None
    if value < minimum:
        raise SystemExit(f"{name} must be at least {minimum}")
    return value


def mib(value: int) -> str:
    return f"{value / MiB:,.0f} MiB"


def main() -> None:
    events = env_int("CYBERPLAN_BENCH_EVENTS", 10_000_000, minimum=10)
    slice_rows = env_int("CYBERPLAN_BENCH_INTELMQ_ROWS", 100_000, minimum=10)
    intelmq_python = Path(
        os.environ.get("CYBERPLAN_BENCH_INTELMQ_PYTHON") or ROOT / ".cache/bench/intelmq-venv/bin/python"
    )
    one_file = os.environ.get("CYBERPLAN_BENCH_ONE_FILE", "") not in ("", "0")
    small = events // 10
    data_dir = os.environ.get("CYBERPLAN_DATA_DIR")
    work = Path(tempfile.mkdtemp(prefix="bench-ingest-", dir=data_dir))
    try:
        from cyberplan.pipeline import synth

        started = time.perf_counter()
        blocks = synth.country_networks(COUNTRY)
        networks_seconds = time.perf_counter() - started
        entries = constituency_entries(blocks)
        constituency = work / "constituency.json"
        constituency.write_text(json.dumps(entries), encoding="utf-8")
        mix = (
            "one scan_telnet file (CYBERPLAN_BENCH_ONE_FILE)"
            if one_file
            else "scan_telnet 30 %, scan_smb 25 %, scan_rdp 20 %, event4_honeypot_brute_force 25 %"
        )
        print(f"code: {code_version()}")
        print(
            f"synthetic Shadowserver reports for {COUNTRY}, {MONTH}: {mix}; {len(blocks):,} /24 blocks "
            f"({networks_seconds:.1f} s); constituency: {len(entries)} /16 networks"
        )
        print("cyberplan: ingest() per file (parse, normalise, enrich, deduplicate, store), in a child process")
        print("  with the production limits (DuckDB memory_limit 1500MB, 2 threads); peak = the child's VmHWM")
        print(f"  {'events':>12}  {'CSV':>9}  {'generated':>9}  {'ingest':>8}  {'events/s':>9}  {'peak memory':>11}")
        runs = []
        for size in (small, events):
            folder = work / f"in-{size}"
            generated = generate(folder, size, blocks, one_file)
            load_before = os.getloadavg()[0]
            run = ingest_in_child(work, str(size), folder, constituency)
            load_after = os.getloadavg()[0]
            if "error" in run:
                print(f"  {size:>12,}  ingest FAILED ({run['error']}); peak memory until then {mib(run['peak'])}")
                print(
                    f"targets: >= {TARGET_RATE:,} events/s end to end: not measured; peak memory < 2 GB whatever the "
                    f"size: NOT met (the ingest of {size:,} events failed)"
                )
                return
            run["generated"] = generated
            runs.append(run)
            print(
                f"  {run['events']:>12,}  {run['csv_bytes'] / MiB:>5,.0f} MiB  {generated:>7.1f} s  "
                f"{run['seconds']:>6.1f} s  {rate(run['events'], run['seconds']):>9,.0f}  {mib(run['peak']):>11}"
                f"  (load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} CPUs)"
            )
            if size == small:
                shutil.rmtree(folder)
        # The same files again, every DuckDB statement timed (separately, so that the figures above
        # are of ingest() alone).
        profiled = ingest_in_child(
            work, f"{events}-statements", work / f"in-{events}", constituency, statements=True, keep=True
        )
        ceiling: dict = {"error": "the statement-timed run failed"}
        if "error" in profiled:
            profiled = {"statements": {}, "events": events, "seconds": float("nan")}
        else:
            # The same files with nothing done to the rows: the ceiling of this machine.
            ceiling = ceiling_in_child(work, work / f"in-{events}", Path(profiled["store"]))
            shutil.rmtree(profiled["store"], ignore_errors=True)
        low, high = runs
        totals = {k: sum(f[k] for f in high["files"]) for k in ("stored", "duplicates", "quarantined")}
        print(
            f"  at {high['events']:,}: stored {totals['stored']:,}, duplicates {totals['duplicates']:,}, "
            f"quarantined {totals['quarantined']:,}; organisation from the constituency for "
            f"{high['with_organisation'] / max(high['stored_rows'], 1):.0%} of events; "
            f"Parquet {high['store_bytes'] / MiB:,.0f} MiB"
        )
        largest = max(high["files"], key=lambda f: f["bytes"])
        print(
            f"  peak memory at {high['events']:,} / at {low['events']:,} events: "
            f"{high['peak'] / low['peak']:.2f} for {high['events'] / low['events']:.0f} times the input "
            f"(each file is one ingest(); the largest has {largest['read']:,} events, {largest['bytes'] / MiB:,.0f} MiB)"
        )

        print(
            f"stages at {high['events']:,} events (from ingest()'s progress messages, {len(high['files'])} file{'s' if len(high['files']) != 1 else ''}):"
        )
        for key, label in STAGES:
            seconds = high["stages"][key]
            print(f"  {label:<60} {seconds:>7.1f} s  {seconds / high['seconds']:>4.0%}")
        profile_total = sum(entry[0] for entry in profiled["statements"].values())
        print(
            f"where the time goes at {profiled['events']:,} events (each DuckDB statement timed; "
            f"{profiled['seconds']:.1f} s in ingest(), {profile_total:.1f} s in statements):"
        )
        for label, (seconds, count) in sorted(profiled["statements"].items(), key=lambda item: -item[1][0])[:10]:
            print(f"  {label:<66} {seconds:>6.1f} s  {seconds / profiled['seconds']:>4.0%}  ({count}x)")

        high_rate = rate(high["events"], high["seconds"])
        if "error" in ceiling:
            print(f"ceiling not measured: {ceiling['error']}")
        else:
            print(
                f"ceiling: the same {ceiling['rows']:,} rows with nothing done to them, same DuckDB settings "
                "(2 threads), one statement per file:"
            )
            steps = (
                ("read", "read the CSV (count the rows)", ceiling["rows"]),
                ("copy", "read the CSV and write it to Parquet unchanged (its 13 text columns)", ceiling["rows"]),
                ("rewrite", "read the stored events and write them again (the schema's 36 columns)", ceiling["events"]),
            )
            for key, label, count in steps:
                seconds = ceiling["seconds"][key]
                print(
                    f"  {label:<72} {seconds:>6.1f} s  {rate(count, seconds):>10,.0f} events/s  "
                    f"({rate(count, seconds) / high_rate:.1f} times ingest's rate)"
                )
        if "error" not in ceiling and ceiling.get("browse"):
            print(
                f"event browser on the {high['events']:,} stored events: one page (the count and 50 events, newest "
                "first), median of 3; baseline: the same two statements written by hand over the same files"
            )
            for entry in ceiling["browse"]:
                page_number = entry["offset"] // 50 + 1
                print(
                    f"  {entry['filter']:<40} page {page_number:>3}  {entry['matching']:>11,} events  "
                    f"{entry['seconds']:>5.2f} s  (baseline {entry['baseline']:.2f} s, "
                    f"ratio {entry['seconds'] / max(entry['baseline'], 1e-9):.2f})"
                )
        met_rate = "met" if high_rate >= TARGET_RATE else f"NOT met ({TARGET_RATE / high_rate:.1f}x short)"
        met_memory = "met" if max(low["peak"], high["peak"]) < TARGET_MEMORY else "NOT met"
        print(f"targets: >= {TARGET_RATE:,} events/s end to end: {met_rate}")
        print(
            f"         peak memory < 2 GB ({mib(TARGET_MEMORY)}): {met_memory} at these sizes "
            f"({mib(max(low['peak'], high['peak']))}, largest file {largest['read']:,} events)"
            + ("" if one_file else "; CYBERPLAN_BENCH_ONE_FILE=1 puts all the events in one file")
        )

        # The baseline: IntelMQ's parser bot on a slice of the scan_telnet file.
        telnet = next((work / f"in-{events}").glob("*-scan_telnet-*.csv"))
        slice_dir = work / "slice"
        sliced = write_slice(telnet, slice_dir / telnet.name.replace(".csv", "-slice.csv"), slice_rows)
        shutil.rmtree(work / f"in-{events}")
        print(f"IntelMQ baseline: the first {sliced:,} rows of the scan_telnet file")
        same = ingest_in_child(work, "slice", slice_dir, constituency)
        same_rate = rate(same["events"], same["seconds"])
        print(
            f"  cyberplan ingest(), same rows: {same['seconds']:.2f} s, {same_rate:,.0f} events/s, "
            f"peak {mib(same['peak'])}"
        )
        if not intelmq_python.exists():
            print(
                f"  IntelMQ not run: no IntelMQ environment at {intelmq_python} "
                "(`make bench-env` creates it from PyPI; see bench/README.md)"
            )
            return
        csv = next(slice_dir.glob("*.csv"))
        try:
            imq_small = intelmq_in_child(work, intelmq_python, csv, max(1, sliced // 10))
            imq = intelmq_in_child(work, intelmq_python, csv, sliced)
        except RuntimeError as exc:
            print(f"  IntelMQ not run: its parser bot failed: {exc}")
            return
        imq_rate = rate(imq["events"], imq["seconds"])
        print(
            f"  IntelMQ {imq['intelmq_version']} ShadowserverParserBot, library mode (BotLibSettings, "
            f"process_message), shipped test schema '{imq['report']}' copied to its state directory:"
        )
        for run in (imq_small, imq):
            print(
                f"    {run['rows']:>9,} rows: {run['seconds']:>6.2f} s, {rate(run['events'], run['seconds']):>6,.0f} "
                f"events/s, peak {mib(run['peak'])} (bot start {run['init_seconds']:.2f} s, not counted)"
            )
        print(f"  ratio cyberplan/IntelMQ, same {sliced:,} rows: {same_rate / imq_rate:.1f}")
        print(
            f"  ratio cyberplan at {high['events']:,} events / IntelMQ at {sliced:,} rows: {high_rate / imq_rate:.1f}"
        )
        seconds = high["events"] / imq_rate
        span = f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"
        print(
            f"  IntelMQ for {high['events']:,} events, extrapolated linearly (not run): about {span} of parsing "
            "alone, before any expert or output bot; its library mode keeps every output event in memory, so its "
            "peak grows with the report"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--ingest-child":
        sys.exit(child(sys.argv[2:]))
    if len(sys.argv) > 1 and sys.argv[1] == "--ceiling-child":
        sys.exit(ceiling_child(sys.argv[2:]))
    main()
