"""Start-up cost of the ``cyberplan`` command and of Django, as a user meets it: whole processes.

Runs each command below as a fresh process ``CYBERPLAN_BENCH_STARTUP_RUNS`` times (5 by default,
after one warm-up run) and prints the median wall time, the median CPU time (user + system, read
from the operating system's accounting of the finished process) and the ratio of each median to
the baseline's: ``python -c "import django"``, the interpreter and Django's package alone.

CPU time is the figure to compare between runs on a shared machine: wall time also counts the
time the process waited for a processor. ``make bench`` runs it on its throw-away data directory;
alone (``.venv/bin/python bench/bench_startup.py``) it makes and migrates its own.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = int(os.environ.get("CYBERPLAN_BENCH_STARTUP_RUNS", "5"))
BIN = Path(sys.executable).parent
CYBERPLAN = str(BIN / "cyberplan")
SETUP = "import django; django.setup()"
URLS = SETUP + "; from django.urls import get_resolver; get_resolver().url_patterns"

BASELINE = ("python -c 'import django'", [sys.executable, "-c", "import django"])
COMMANDS = [
    ("python -c 'django.setup()'", [sys.executable, "-c", SETUP]),
    ("python -c 'django.setup(); load the URL conf'", [sys.executable, "-c", URLS]),
    ("cyberplan help", [CYBERPLAN, "help"]),
    ("cyberplan check", [CYBERPLAN, "check"]),
    ("cyberplan jobs list", [CYBERPLAN, "jobs", "list"]),
]


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv``; a failing command stops the benchmark."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _pid, status, usage = os.wait4(process.pid, 0)  # the finished process's own CPU time
        wall = time.perf_counter() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()[-2000:]
            raise SystemExit(f"{' '.join(argv)} failed ({code}): {message}")
    return wall, usage.ru_utime + usage.ru_stime


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Median wall and CPU seconds over ``RUNS`` runs after one warm-up run."""
    run_once(argv, env)
    samples = [run_once(argv, env) for _ in range(RUNS)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def bench(env: dict[str, str]) -> None:
    print(f"start-up: median of {RUNS} runs after one warm-up, each a fresh process")
    base_wall, base_cpu = measure(BASELINE[1], env)
    print(f"{'command':<48} {'wall s':>8} {'cpu s':>8} {'cpu ratio':>10} {'wall ratio':>10}")
    print(f"{BASELINE[0] + ' (baseline)':<48} {base_wall:8.3f} {base_cpu:8.3f} {1:10.1f} {1:10.1f}")
    for label, argv in COMMANDS:
        wall, cpu = measure(argv, env)
        print(f"{label:<48} {wall:8.3f} {cpu:8.3f} {cpu / base_cpu:10.1f} {wall / base_wall:10.1f}", flush=True)


def main() -> None:
    env = {**os.environ, "CYBERPLAN_ENV": os.environ.get("CYBERPLAN_ENV", "test")}
    env.setdefault("DJANGO_SETTINGS_MODULE", "cyberplan.settings")
    if "CYBERPLAN_DATA_DIR" in os.environ:  # make bench: a migrated throw-away directory
        bench(env)
        return
    with tempfile.TemporaryDirectory(prefix="cyberplan-bench-") as data_dir:
        env["CYBERPLAN_DATA_DIR"] = data_dir
        subprocess.run([CYBERPLAN, "migrate", "--verbosity", "0"], env=env, check=True)
        bench(env)


if __name__ == "__main__":
    main()
