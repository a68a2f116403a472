"""Run the real task worker as a second process against the test database.

The worker is a separate process, so it can only see the test database if that database lives
somewhere both processes can open: PostgreSQL, or an SQLite *file*. Django's default SQLite test
database is in memory and private to the pytest process.

:func:`use_file_sqlite_test_database` switches SQLite test runs to a temporary file. It has to run
before the session's test database is created, and pytest-django creates that database for the
first test that needs one, wherever that test lives. A ``django_db_modify_db_settings`` override in
one directory's conftest only applies when a test of that directory happens to come first, so
the modules that need a file database call this function when they are imported, during
collection, which always ends before the first test runs.

:func:`database_url` then gives the ``DATABASE_URL`` of the test database for the worker, and
:func:`worker_environment` the rest of its environment.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]

SQLITE = "django.db.backends.sqlite3"


def use_file_sqlite_test_database() -> None:
    """Make an SQLite test run use a temporary file, unless a test database name is already chosen.

    PostgreSQL and an explicit ``CYBERPLAN_TEST_DB`` are left as they are. pytest-django still adds
    its per-worker suffix under pytest-xdist, and Django still creates and destroys the file.
    """
    from django.conf import settings

    default = settings.DATABASES["default"]
    if default["ENGINE"] != SQLITE:
        return
    test_settings = default.setdefault("TEST", {})
    if test_settings.get("NAME"):
        return
    directory = Path(tempfile.mkdtemp(prefix="cyberplan-test-db-"))
    # Django removes the database file; this removes the folder and any journal left beside it.
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    test_settings["NAME"] = str(directory / "test.sqlite3")


def database_url() -> str:
    """The ``DATABASE_URL`` of the database the current test uses, for another process."""
    from django.db import connection

    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        if connection.is_in_memory_db():
            raise RuntimeError(
                "The SQLite test database is in memory, so a worker process cannot open it. "
                "Call tests.dbutil.use_file_sqlite_test_database() at import time of the test module, "
                "or set CYBERPLAN_TEST_DB to a file path."
            )
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        user = quote(settings_dict.get("USER") or "", safe="")
        password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
        credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
        # A host that is a socket directory is written percent-encoded, as dj-database-url expects.
        host = quote(settings_dict.get("HOST") or "", safe="")
        port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
        options = {
            key: value
            for key, value in (settings_dict.get("OPTIONS") or {}).items()
            if isinstance(value, str | int) and not isinstance(value, bool)
        }
        query = f"?{urlencode(options)}" if options else ""
        return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}{query}"
    raise RuntimeError(f"No DATABASE_URL for a {connection.vendor} test database.")


def worker_environment(data_dir: Path) -> dict[str, str]:
    """Environment of a worker that uses the current test database and keeps its files in ``data_dir``.

    The worker stores job output under ``data_dir / "media"``; a test that reads that output sets
    ``settings.MEDIA_ROOT`` to the same folder.
    """
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CYBERPLAN_TEST_DB", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        {
            "CYBERPLAN_ENV": "test",
            "CYBERPLAN_DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url(),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def worker_command(*options: str, module: str = "cyberplan.cli") -> list[str]:
    """The worker's command line; ``module`` may be a test module that registers job kinds first."""
    return [sys.executable, "-m", module, "db_worker", *options]


READY_LINE = "Worker ready"


def worker_ready(log: Path) -> bool:
    return log.exists() and READY_LINE in log.read_text(encoding="utf-8", errors="replace")


def wait_until(
    condition: Callable[[], bool], what: str, *, bound: float = 120.0, describe: Callable[[], str] = str
) -> None:
    """Wait for ``condition`` (checked every 0.1 s), failing after ``bound`` seconds with ``what``.

    The bound is generous on purpose: it only ends a test that would otherwise hang; a passing
    test waits for the condition, however long a loaded machine takes, up to that bound.
    """
    give_up = time.monotonic() + bound
    while not condition():
        if time.monotonic() > give_up:
            raise AssertionError(f"gave up after {bound:.0f} s waiting for {what}\n{describe()}")
        time.sleep(0.1)


@dataclass
class WorkerProcess:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, then SIGKILL if it has not ended within ``timeout`` seconds; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode


def start_worker(
    data_dir: Path,
    log: Path,
    *options: str,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> WorkerProcess:
    """Start a worker on the test database and return once it is ready to take jobs.

    Ready means it logged ``Worker ready``: it has loaded the project, recovered what a previous
    worker left, and is polling for jobs (every 0.1 s). Under load starting takes long; a job
    enqueued before or after this returns is picked at once.
    """
    environment = worker_environment(data_dir) | (env or {})
    with log.open("wb") as out:
        process = subprocess.Popen(
            (command or worker_command()) + ["--no-reload", "--interval", "0.1", "--no-startup-delay", *options],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(process=process, log=log)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"the worker ended before it was ready:\n{worker.output()}")
        return worker_ready(log)

    try:
        wait_until(ready, "the worker to be ready", describe=worker.output)
    except BaseException:
        worker.stop()
        raise
    return worker
