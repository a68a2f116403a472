"""The restore drill: ``cyberplan backup``, then ``cyberplan restore`` into an empty data directory and
a fresh database, compared part by part (rows of every table, events per organisation, SHA-256 of
every file); and a damaged backup, refused with the name of the damaged file.

The backup runs in the test process (``call_command``) on the test database; the restore runs as
the operator runs it, as a ``cyberplan`` process with its own ``DATABASE_URL`` and data directory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.db.migrations.loader import MigrationLoader
from pytest_django import Settings

from cyberplan.assessment.actions import do_create_assessment
from cyberplan.assessment.choices import Method
from cyberplan.assessment.models import Framework
from cyberplan.core.choices import Role
from cyberplan.gaps.actions import do_add_gap_evidence
from cyberplan.gaps.choices import EvidenceKind
from cyberplan.gaps.models import Gap
from cyberplan.pipeline.store import EventStore
from cyberplan.strategy import actions as strategy_actions
from cyberplan.strategy.choices import ElementKind, FocusArea
from tests import dbutil
from tests.conftest import World

# The restore process must open the database the backup describes, so the counts are compared on
# committed data: a file (or PostgreSQL) test database and transactional tests.
dbutil.use_file_sqlite_test_database()

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SAMPLE = Path(__file__).resolve().parents[1] / "threats" / "samples" / "2026-11-28-scan_telnet-py-geo.csv"
EVIDENCE = b"Minutes of the meeting with the national CSIRT, 12 March 2026.\n"


@pytest.fixture
def live(tmp_path: Path, settings: Settings) -> Path:
    """The installation being backed up: its uploaded files and event stores in a temporary folder."""
    root = tmp_path / "live"
    settings.MEDIA_ROOT = root / "media"
    settings.CYBERPLAN_EVENTS_DIR = root / "events"
    settings.CYBERPLAN_TRENDS_WARM = False
    return root


def build_installation(world: World, make_gap: Callable[..., Gap]) -> None:
    """Gaps with an uploaded document, an assessment, a strategy and an import with trend tables."""
    coordinator = world.users[Role.COORDINATOR]
    gap = make_gap(title_en="No national incident register")
    make_gap(title_en="Too few incident handlers")
    do_add_gap_evidence(
        coordinator,
        gap,
        kind=EvidenceKind.DOCUMENT,
        label="Meeting minutes",
        document=SimpleUploadedFile("minutes.txt", EVIDENCE, content_type="text/plain"),
    )
    do_create_assessment(
        coordinator,
        world.org_a,
        Framework.objects.get(framework_id="cyberplan-ncm", version="2026.1"),
        title="National assessment 2026",
        country="PY",
        date=dt.date(2026, 3, 1),
        method=Method.EXPERT_REVIEW,
    )
    strategy = strategy_actions.do_create_strategy(
        coordinator,
        world.org_a,
        title_en="National Cybersecurity Strategy",
        country="PY",
        start_year=2025,
        end_year=2028,
    )
    axis = strategy_actions.do_create_element(
        coordinator,
        strategy,
        kind=ElementKind.AXIS,
        code="1",
        title_en="Incident response",
        focus_area=FocusArea.PREPAREDNESS,
    )
    objective = strategy_actions.do_create_element(
        coordinator, strategy, kind=ElementKind.OBJECTIVE, parent=axis, code="1.1", title_en="Know the incidents"
    )
    strategy_actions.do_create_action(
        coordinator, strategy, parent=objective, title_en="Open the incident register", lead=world.org_a
    )
    # The import stores events and, through its signal, refreshes the trend tables.
    call_command("ingest", str(SAMPLE), organisation=world.org_a.slug, stdout=io.StringIO())


# -- independent measures of an installation ------------------------------------------------------


def table_counts(execute: Callable[[str], list[tuple[Any, ...]]], tables: list[str]) -> dict[str, int]:
    return {name: int(execute(f'SELECT count(*) FROM "{name}"')[0][0]) for name in sorted(tables)}


def live_counts() -> dict[str, int]:
    with connection.cursor() as cursor:

        def execute(sql: str) -> list[tuple[Any, ...]]:
            cursor.execute(sql)
            return list(cursor.fetchall())

        return table_counts(execute, connection.introspection.table_names(cursor))


def file_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` but the lock files (empty, made by whoever writes first)."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file() and path.name != ".lock"
    }


def event_counts(events_root: Path) -> dict[str, int]:
    counts = {}
    for store_root in sorted(events_root.glob("org-*")):
        files = EventStore(store_root).files()
        listing = ", ".join(f"'{path}'" for path in files)
        con = duckdb.connect()
        try:
            row = con.execute(f"SELECT count(*) FROM read_parquet([{listing}], union_by_name = true)").fetchone()
        finally:
            con.close()
        counts[store_root.name] = int(row[0]) if row else 0
    return counts


# -- the restored installation: another database ----------------------------------------------------


class Target:
    """An empty data directory and a fresh database for a ``cyberplan restore`` process."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.vendor = connection.vendor
        self.url = ""
        self.name = ""

    def create(self) -> None:
        if self.vendor == "sqlite":
            self.url = f"sqlite:///{self.root / 'cyberplan.sqlite3'}"
            return
        self.name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{self.name}"')
        own = dbutil.database_url()
        base, _slash, rest = own.rpartition("/")
        query = rest.partition("?")[2]
        self.url = f"{base}/{self.name}" + (f"?{query}" if query else "")

    def drop(self) -> None:
        """Drop the restored database once the restore's connections have gone.

        A plain ``DROP DATABASE`` stops an autovacuum worker busy on the freshly restored tables
        by itself; ``WITH (FORCE)`` would instead try to terminate it, which a role without
        ``pg_signal_backend`` (CI's) may not do. A connection of the restore process that is
        still closing is waited for, 30 seconds at most.
        """
        if not self.name:
            return
        deadline = time.monotonic() + 30
        while True:
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
                return
            except OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key not in {"CYBERPLAN_TEST_DB", "DATABASE_URL"}}
        env.update({"CYBERPLAN_ENV": "test", "CYBERPLAN_DATA_DIR": str(self.root), "DATABASE_URL": self.url})
        return subprocess.run(
            [sys.executable, "-m", "cyberplan.cli", *arguments],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def counts(self) -> dict[str, int]:
        if self.vendor == "sqlite":
            con = sqlite3.connect(self.root / "cyberplan.sqlite3")
            try:
                names = [
                    row[0]
                    for row in con.execute(
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                    )
                ]
                return table_counts(lambda sql: con.execute(sql).fetchall(), names)
            finally:
                con.close()
        import psycopg

        settings_dict = connection.settings_dict
        with psycopg.connect(
            dbname=self.name,
            user=settings_dict.get("USER") or None,
            password=settings_dict.get("PASSWORD") or None,
            host=settings_dict.get("HOST") or None,
            port=settings_dict.get("PORT") or None,
        ) as con:
            names = [
                row[0]
                for row in con.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()").fetchall()
            ]
            return table_counts(lambda sql: con.execute(sql).fetchall(), names)  # type: ignore[arg-type]


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    if connection.vendor == "postgresql":
        import shutil

        if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
            if os.environ.get("CI"):
                pytest.fail("pg_dump and pg_restore are needed for the PostgreSQL drill (Debian's postgresql-client).")
            pytest.skip("pg_dump or pg_restore is not installed (Debian's postgresql-client); CI installs it.")
    chosen = Target(tmp_path / "restored")
    chosen.root.mkdir()
    chosen.create()
    yield chosen
    chosen.drop()


def manifest_of(backup: Path) -> dict[str, Any]:
    with tarfile.open(backup) as tar:
        handle = tar.extractfile("manifest.json")
        assert handle is not None
        return dict(json.load(handle))


# -- the drill -------------------------------------------------------------------------------------------


def test_restore_drill_gives_the_same_rows_events_and_files(
    world: World, make_gap: Callable[..., Gap], live: Path, target: Target, tmp_path: Path
) -> None:
    build_installation(world, make_gap)
    backup = tmp_path / "cyberplan.tar"
    out = io.StringIO()
    call_command("backup", str(backup), stdout=out, stderr=io.StringIO())
    assert "org-" in out.getvalue() and "5 events" in out.getvalue()

    before_rows = live_counts()
    before_events = event_counts(live / "events")
    before_files = {"media": file_hashes(live / "media"), "events": file_hashes(live / "events")}
    # The world has every part: evidence uploaded, events stored, trend tables refreshed.
    assert any(name.endswith("minutes.txt") for name in before_files["media"])
    assert before_events == {f"org-{world.org_a.pk}": 5}
    assert any("/trends/" in name for name in before_files["events"])
    assert before_rows["assessment_assessment"] == 1 and before_rows["strategy_strategy"] == 1
    assert before_rows["gaps_gap"] == 2 and before_rows["threats_import"] == 1

    # The manifest describes what was there, by the same independent measures.
    manifest = manifest_of(backup)
    assert manifest["database"]["tables"] == before_rows
    assert {name: figures["events"] for name, figures in manifest["events"].items()} == before_events
    listed = manifest["files"]
    for part, hashes in before_files.items():
        for name, digest in hashes.items():
            assert listed[f"{part}/{name}"]["sha256"] == digest

    restored = target.run("restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "every count matches the backup" in restored.stdout
    assert f"org-{world.org_a.pk}: 5 events" in restored.stdout

    assert target.counts() == before_rows
    assert event_counts(target.root / "events") == before_events
    assert {"media": file_hashes(target.root / "media"), "events": file_hashes(target.root / "events")} == before_files
    if target.vendor == "sqlite":
        database = hashlib.sha256((target.root / "cyberplan.sqlite3").read_bytes()).hexdigest()
        assert database == listed["database/cyberplan.sqlite3"]["sha256"]

    # Restoring over an installation that holds data is refused, and changes nothing ...
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup), stdout=io.StringIO())
    assert "Nothing was restored" in str(refused.value) and "--force" in str(refused.value)
    assert live_counts() == before_rows
    # ... unless forced: then the backup replaces everything, files that were not in it included.
    stray = target.root / "media" / "stray.txt"
    stray.write_text("not in the backup", encoding="utf-8")
    forced = target.run("restore", "--force", str(backup))
    assert forced.returncode == 0, forced.stderr
    assert not stray.exists()
    assert target.counts() == before_rows
    assert file_hashes(target.root / "media") == before_files["media"]


def test_a_backup_with_one_byte_changed_is_refused_naming_the_file(
    world: World, make_gap: Callable[..., Gap], live: Path, tmp_path: Path
) -> None:
    build_installation(world, make_gap)
    backup = tmp_path / "cyberplan.tar"
    call_command("backup", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    verified = io.StringIO()
    call_command("backup", str(backup), verify=True, stdout=verified)
    assert "every file matches its checksum" in verified.getvalue()

    with tarfile.open(backup) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("events/") and m.name.endswith(".parquet"))
    with backup.open("r+b") as handle:
        handle.seek(member.offset_data + member.size // 2)
        byte = handle.read(1)
        handle.seek(-1, io.SEEK_CUR)
        handle.write(bytes([byte[0] ^ 0x01]))

    with pytest.raises(CommandError) as refused:
        call_command("backup", str(backup), verify=True, stdout=io.StringIO())
    assert member.name in str(refused.value)
    assert "checksum does not match" in str(refused.value)

    # The restore checks the backup before anything else, and names the damaged file (it would
    # refuse this installation, which holds data, too, but with another message).
    rows = live_counts()
    with pytest.raises(CommandError) as restore_refused:
        call_command("restore", str(backup), stdout=io.StringIO())
    assert member.name in str(restore_refused.value)
    assert live_counts() == rows
    assert (live / member.name).is_file()


def test_a_cut_short_backup_is_refused(world: World, live: Path, tmp_path: Path) -> None:
    backup = tmp_path / "cyberplan.tar"
    call_command("backup", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    data = backup.read_bytes()
    backup.write_bytes(data[: len(data) // 2])
    with pytest.raises(CommandError) as refused:
        call_command("backup", str(backup), verify=True, stdout=io.StringIO())
    assert "cyberplan.tar" in str(refused.value) and "not a complete backup" in str(refused.value)
    assert str(tmp_path) not in str(refused.value)


def test_a_backup_never_replaces_a_file(world: World, live: Path, tmp_path: Path) -> None:
    backup = tmp_path / "cyberplan.tar"
    backup.write_bytes(b"yesterday's backup")
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", str(backup), stdout=io.StringIO())
    assert backup.read_bytes() == b"yesterday's backup"


# -- a consistent cut while imports run ----------------------------------------------------------------

# An import as the event store writes one: under the store's lock, the event file first, the commit
# marker last. It stops between the two until told to go on.
IMPORT_IN_PROGRESS = """
import json, shutil, sys
from pathlib import Path
from cyberplan.pipeline.store import EventStore

store = EventStore(Path(sys.argv[1]))
with store.lock():
    committed = store.files()[0]
    shutil.copyfile(committed, committed.parent / "late-import.parquet")
    print("written, not committed", flush=True)
    sys.stdin.readline()
    (store.commits_dir / "late-import.json").write_text(json.dumps({"import_id": "late-import"}))
"""


def waiting_for_a_lock(pid: int) -> bool:
    """Whether process ``pid`` waits for a file lock (the kernel lists blocked waiters with ``->``)."""
    for line in Path("/proc/locks").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) > 5 and fields[1] == "->" and fields[2] == "FLOCK" and fields[5] == str(pid):
            return True
    return False


def test_a_backup_waits_for_an_import_and_holds_all_of_it(
    world: World, make_gap: Callable[..., Gap], live: Path, tmp_path: Path
) -> None:
    build_installation(world, make_gap)
    store_root = live / "events" / f"org-{world.org_a.pk}"
    backup = tmp_path / "cyberplan.tar"
    with subprocess.Popen(
        [sys.executable, "-c", IMPORT_IN_PROGRESS, str(store_root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as importer:
        assert importer.stdout is not None and importer.stdin is not None
        assert importer.stdout.readline().strip() == "written, not committed"
        with subprocess.Popen(
            [sys.executable, "-m", "cyberplan.cli", "backup", str(backup)],
            env=dbutil.worker_environment(live),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as process:
            try:
                # Ready when the backup waits for the store's lock (or has ended: the asserts then say why).
                deadline = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=2)
                while not waiting_for_a_lock(process.pid) and process.poll() is None:
                    assert dt.datetime.now(dt.UTC) < deadline, "the backup never waited for the import's lock"
                    time.sleep(0.05)  # a poll interval, not a wait for a given time: the loop ends on the condition
                assert process.poll() is None, process.communicate()
                importer.stdin.write("go on\n")
                importer.stdin.close()
                assert importer.wait(timeout=60) == 0
                _out, err = process.communicate(timeout=300)
                assert process.returncode == 0, err
            finally:
                process.kill()
                importer.kill()
    manifest = manifest_of(backup)
    prefix = f"events/org-{world.org_a.pk}/events"
    names = set(manifest["files"])
    assert f"{prefix}/_commits/late-import.json" in names
    assert any(name.startswith(prefix) and name.endswith("/late-import.parquet") for name in names)
    assert manifest["events"][f"org-{world.org_a.pk}"]["events"] == 10  # the first import's 5, and the late one's


def test_files_of_an_unfinished_import_are_left_out_and_said_so(
    world: World, make_gap: Callable[..., Gap], live: Path, tmp_path: Path
) -> None:
    build_installation(world, make_gap)
    store = EventStore(live / "events" / f"org-{world.org_a.pk}")
    committed = store.files()[0]
    leftover = committed.parent / "killed-import.parquet"  # what an import killed before its commit leaves
    leftover.write_bytes(committed.read_bytes())
    backup = tmp_path / "cyberplan.tar"
    err = io.StringIO()
    call_command("backup", str(backup), stdout=io.StringIO(), stderr=err)
    manifest = manifest_of(backup)
    assert not any(name.endswith("killed-import.parquet") for name in manifest["files"])
    assert manifest["events"][f"org-{world.org_a.pk}"]["events"] == 5
    assert f"org-{world.org_a.pk}: 1 files of unfinished imports" in err.getvalue()


def test_a_backup_is_written_outside_the_folders_it_backs_up(world: World, live: Path) -> None:
    (live / "media").mkdir(parents=True)
    with pytest.raises(CommandError, match="outside the folder it backs up"):
        call_command("backup", str(live / "media" / "cyberplan.tar"), stdout=io.StringIO())
    assert list((live / "media").iterdir()) == []


def test_a_backup_with_a_file_outside_its_folders_is_refused(world: World, live: Path, tmp_path: Path) -> None:
    backup = tmp_path / "cyberplan.tar"
    call_command("backup", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
    with tarfile.open(backup, "a") as tar:
        info = tarfile.TarInfo("media/../../outside.txt")
        info.size = 4
        tar.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(backup), stdout=io.StringIO())
    assert "media/../../outside.txt: not a file this backup format holds" in str(refused.value)
    assert not (tmp_path.parent / "outside.txt").exists()


def test_a_backup_from_an_older_version_is_migrated_after_its_counts_are_checked(
    world: World, live: Path, target: Target, tmp_path: Path
) -> None:
    # An older version: the last strategy migration not applied yet.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    last = next(name for app, name in graph.leaf_nodes() if app == "strategy")
    before = next(name for app, name in graph.node_map[("strategy", last)].parents if app == "strategy")
    call_command("migrate", "strategy", before, verbosity=0)
    try:
        backup = tmp_path / "cyberplan.tar"
        call_command("backup", str(backup), stdout=io.StringIO(), stderr=io.StringIO())
        assert last not in manifest_of(backup)["database"]["migrations"]["strategy"]
    finally:
        call_command("migrate", "strategy", verbosity=0)
    restored = target.run("restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert "every count matches the backup" in restored.stdout
    assert "applying 1 migrations" in restored.stdout
    # Every migration of this version is now applied to the restored database, as to the live one.
    assert target.counts()["django_migrations"] == live_counts()["django_migrations"]
