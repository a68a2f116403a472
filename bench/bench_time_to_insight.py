"""Time to insight: ``cyberplan ingest`` as a user runs it, trend tables refresh included.

A month of synthetic Shadowserver reports for Paraguay (``cyberplan.pipeline.synth``) is written
in the shape reports arrive, one file per report type per day (4 types x the days of the month),
and the very same events again as one file per report type (the daily files of a type put
together). Each layout is imported by one ``cyberplan ingest`` in a child process of its own,
started fresh, on a fresh data folder (SQLite database, an organisation with a constituency of 32
/16 networks): the wall time of the whole command (start-up, every import, the one refresh of the
trend tables after the batch) and its peak memory (VmHWM, polled as ``bench_ingest.py`` does).

Figures printed:

- 120 daily files against 4 files of the same events (N = ``CYBERPLAN_BENCH_MONTH_EVENTS``,
  default 1,000,000): the ratio (target: within 1.5 times) and the daily command's time (target:
  under 10 s);
- the 4-file month of M events (``CYBERPLAN_BENCH_BIG_EVENTS``, default 2,000,000): the whole
  command against the import alone, ``ingest()`` of the same files in a child process as
  ``bench_ingest.py`` runs it (target: within 1.5 times), and peak memory (target: under 2 GB).

Both commands must store the same number of events and refresh the trend tables exactly once
(read from the command's log line); the bench says so, or says what differed.
"""

from __future__ import annotations

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
sys.path.insert(0, str(HERE))

from bench_ingest import constituency_entries, ingest_in_child, mib, run_child  # noqa: E402

MONTH = "2026-01"
COUNTRY = "PY"
ORGANISATION = "bench-py"
TARGET_RATIO = 1.5
TARGET_DAILY_SECONDS = 10.0
TARGET_MEMORY = 2 * 10**9
REFRESHED = re.compile(r"trend tables of \S+ refreshed: (\d+) imports aggregated, \d+ parts \(([\d.]+) s\)")

SET_UP = """
import json, sys
from cyberplan.core.models import Organisation, Sector
from cyberplan.threats.models import ConstituencyEntry
organisation = Organisation.objects.create(name="Bench", slug=%(slug)r, country=%(country)r)
sectors = {sector.code: sector for sector in Sector.objects.all()}
for entry in json.load(open(%(entries)r, encoding="utf-8")):
    ConstituencyEntry.objects.create(
        organisation=organisation, network=entry["network"], asn=entry["asn"], as_name=entry["as_name"],
        holder=entry["organisation"], sector=sectors.get(entry["sector"]), country=entry["country"],
    )
"""


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").replace("_", "").replace(",", "")
    return int(raw) if raw else default


def cli(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "cyberplan.cli", *arguments]


def fresh_site(work: Path, name: str, entries: Path) -> dict[str, str]:
    """A new data folder with its database migrated and the bench organisation; its environment."""
    data = work / f"site-{name}"
    data.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CYBERPLAN_TEST_DB"}}
    env |= {"CYBERPLAN_DATA_DIR": str(data), "CYBERPLAN_TRENDS_WARM": "false", "CYBERPLAN_LOG_LEVEL": "INFO"}
    subprocess.run(cli("migrate", "-v", "0"), env=env, cwd=ROOT, check=True, capture_output=True)
    script = SET_UP % {"slug": ORGANISATION, "country": COUNTRY, "entries": str(entries)}
    subprocess.run(cli("shell", "-c", script), env=env, cwd=ROOT, check=True, capture_output=True)
    return env


def whole_command(work: Path, name: str, files: Path, entries: Path) -> dict[str, Any]:
    """``cyberplan ingest FOLDER`` in a child process: wall time, peak memory, stored events, refreshes."""
    env = fresh_site(work, name, entries)
    log = work / f"command-{name}.txt"
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)  # run_child starts the command with this process's environment
    try:
        started = time.perf_counter()
        code, peak, tail = run_child(cli("ingest", str(files), "--organisation", ORGANISATION), log, 24 * 3600)
        seconds = time.perf_counter() - started
    finally:
        os.environ.clear()
        os.environ.update(saved)
    text = log.read_text(encoding="utf-8", errors="replace")
    refreshes = REFRESHED.findall(text)
    stored = sum(int(m.replace(",", "")) for m in re.findall(r"│ succeeded │\s*[\d,]+\s*│\s*([\d,]+)\s*│", text))
    shutil.rmtree(env["CYBERPLAN_DATA_DIR"], ignore_errors=True)
    return {
        "code": code,
        "tail": tail,
        "seconds": seconds,
        "peak": peak,
        "stored": stored,
        "refreshes": [(int(n), float(s)) for n, s in refreshes],
        "files": len(list(files.iterdir())),
    }


def month_files(folder: Path, events: int, blocks: list[int]) -> tuple[Path, Path]:
    """The daily files of a month, and the same rows as one file per report type."""
    from cyberplan.pipeline import synth

    daily = folder / "daily"
    synth.generate(daily, events=events, country=COUNTRY, month=MONTH, networks=blocks, daily=True)
    monthly = folder / "monthly"
    monthly.mkdir()
    by_type: dict[str, list[Path]] = {}
    for path in sorted(daily.iterdir()):
        by_type.setdefault(path.name[11:], []).append(path)  # YYYY-MM-DD-<type>-...
    for rest, paths in by_type.items():
        with (monthly / f"{MONTH}-01-{rest}").open("wb") as out:
            for number, path in enumerate(paths):
                with path.open("rb") as handle:
                    header = handle.readline()
                    if number == 0:
                        out.write(header)
                    shutil.copyfileobj(handle, out)
    os.sync()
    return daily, monthly


def describe(run: dict[str, Any]) -> str:
    refresh = ", ".join(f"{n} imports in {s:.1f} s" for n, s in run["refreshes"]) or "none"
    rate = run["stored"] / run["seconds"] if run["seconds"] else 0.0
    return (
        f"{run['files']:>4} files  {run['seconds']:7.1f} s  {rate:>9,.0f} events/s  peak {mib(run['peak']):>10}"
        f"  refresh: {refresh}"
    )


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    month_events = env_int("CYBERPLAN_BENCH_MONTH_EVENTS", 1_000_000)
    big_events = env_int("CYBERPLAN_BENCH_BIG_EVENTS", 2_000_000)
    work = Path(tempfile.mkdtemp(prefix="bench-insight-", dir=os.environ.get("CYBERPLAN_DATA_DIR")))
    try:
        from cyberplan.pipeline import synth

        blocks = synth.country_networks(COUNTRY)
        entries = work / "constituency.json"
        entries.write_text(json.dumps(constituency_entries(blocks)), encoding="utf-8")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
        print(f"cyberplan ingest FOLDER, as a user runs it (child process, fresh site), {COUNTRY} {MONTH}")

        daily, monthly = month_files(work / "month", month_events, blocks)
        by_day = whole_command(work, "daily", daily, entries)
        by_type = whole_command(work, "monthly", monthly, entries)
        for label, run in (("daily reports", by_day), ("one file per type", by_type)):
            if run["code"] != 0:
                print(f"  {label}: the command FAILED (exit {run['code']}): {run['tail']}")
                return
            print(f"  {month_events:>10,} events, {label:<18} {describe(run)}")
        ratio = by_day["seconds"] / by_type["seconds"]
        same = by_day["stored"] == by_type["stored"]
        once = len(by_day["refreshes"]) == 1 and len(by_type["refreshes"]) == 1
        print(
            f"  daily / per type: {ratio:.2f} (target <= {TARGET_RATIO}: {verdict(ratio <= TARGET_RATIO)}); "
            f"daily command {by_day['seconds']:.1f} s (target < {TARGET_DAILY_SECONDS:.0f} s: "
            f"{verdict(by_day['seconds'] < TARGET_DAILY_SECONDS)})"
        )
        print(
            f"  same events stored: {'yes' if same else 'NO'} ({by_day['stored']:,} / {by_type['stored']:,}); "
            f"one refresh per command: {'yes' if once else 'NO'}"
        )
        shutil.rmtree(work / "month", ignore_errors=True)

        _daily, big = month_files(work / "big", big_events, blocks)
        shutil.rmtree(_daily, ignore_errors=True)
        whole = whole_command(work, "big", big, entries)
        alone = ingest_in_child(work, "alone", big, entries)
        if whole["code"] != 0 or "error" in alone:
            print(f"  {big_events:,} events: FAILED: {whole['tail'] if whole['code'] else alone['error']}")
            return
        print(f"  {big_events:>10,} events, {'whole command':<18} {describe(whole)}")
        print(
            f"  {big_events:>10,} events, {'import alone':<18} {alone['seconds']:7.1f} s of ingest() in a child "
            f"process, peak {mib(alone['peak'])}"
        )
        big_ratio = whole["seconds"] / alone["seconds"]
        print(
            f"  whole / import alone: {big_ratio:.2f} (target <= {TARGET_RATIO}: {verdict(big_ratio <= TARGET_RATIO)});"
            f" peak {mib(whole['peak'])} (target < 2 GB: {verdict(whole['peak'] < TARGET_MEMORY)})"
        )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
