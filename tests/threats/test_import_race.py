"""Two imports of the same new file at the same moment: one imports it, the other is recorded as
skipped. The check is a database constraint, so it holds across processes (a command line and
the worker, two command lines) on SQLite and PostgreSQL alike.

The two ``cyberplan ingest`` runs are two threads, each with its own database connection to a
file database (or PostgreSQL), released together by a barrier."""

from __future__ import annotations

import io
import threading

import duckdb
import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from pytest_django import Settings

from cyberplan.threats.actions import content_key, do_register_import, do_run_import
from cyberplan.threats.choices import ImportStatus
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store
from tests import dbutil
from tests.conftest import World

from .conftest import SAMPLES

dbutil.use_file_sqlite_test_database()

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

TELNET = SAMPLES / "2026-11-28-scan_telnet-py-geo.csv"


def stored_count(world: World) -> int:
    store = event_store(world.org_a)
    con = duckdb.connect()
    store.register(con)
    row = con.execute("SELECT count(*) FROM events").fetchone()
    con.close()
    return int(row[0]) if row else 0


def test_two_ingests_of_the_same_new_file_at_once_record_one_import(world: World) -> None:
    barrier = threading.Barrier(2)
    outputs: list[str] = []
    errors: list[BaseException] = []

    def ingest() -> None:
        out = io.StringIO()
        try:
            barrier.wait(timeout=60)
            call_command("ingest", str(TELNET), organisation=world.org_a.slug, stdout=out)
            outputs.append(out.getvalue())
        except BaseException as exc:  # reported by the test below, in the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert len(outputs) == 2
    records = {record.status: record for record in Import.objects.all()}
    assert sorted(Import.objects.values_list("status", flat=True)) == [ImportStatus.SKIPPED, ImportStatus.SUCCEEDED]
    first, second = records[ImportStatus.SUCCEEDED], records[ImportStatus.SKIPPED]
    assert f"import {first.pk}" in second.message and "already" in second.message
    assert (second.read, second.stored) == (0, 0)
    assert (first.read, first.stored, first.duplicates, first.quarantined) == (9, 5, 1, 3)
    assert stored_count(world) == 5


def test_a_failed_import_does_not_hold_the_file_and_force_is_not_held(world: World, settings: Settings) -> None:
    settings.CYBERPLAN_MAX_IMPORT_BYTES = 10
    failed = do_run_import(do_register_import(None, world.org_a, TELNET), TELNET)
    assert failed.status == ImportStatus.FAILED and failed.content_key == ""
    assert failed.message.startswith(f"{TELNET.name}: the file is ") and "/" not in failed.message
    settings.CYBERPLAN_MAX_IMPORT_BYTES = 1024**3
    first = do_run_import(do_register_import(None, world.org_a, TELNET), TELNET)
    assert first.status == ImportStatus.SUCCEEDED and first.content_key
    forced = do_run_import(do_register_import(None, world.org_a, TELNET), TELNET, force=True)
    assert forced.status == ImportStatus.SUCCEEDED and forced.stored == 0 and forced.content_key == ""


def test_the_database_refuses_a_second_holder_of_the_same_content(world: World) -> None:
    first = do_run_import(do_register_import(None, world.org_a, TELNET), TELNET)
    second = do_register_import(None, world.org_a, TELNET)
    with pytest.raises(IntegrityError), transaction.atomic():
        Import.objects.filter(pk=second.pk).update(status=ImportStatus.SUCCEEDED, content_key=first.content_key)


def test_the_migration_keeps_existing_duplicate_imports(world: World) -> None:
    """Imports recorded twice before the check was atomic: the migration holds the content for the
    earliest one and leaves the others as they are, instead of failing on them."""
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("threats", "0001_initial")], [("threats", "0002_import_content_key")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("threats", "Import")
    made = [
        old.objects.create(organisation_id=world.org_a.pk, file_name="r.csv", file_sha256="ab" * 32, status=status)
        for status in ("succeeded", "succeeded", "failed", "running")
    ]
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    keys = [Import.objects.get(pk=record.pk).content_key for record in made]
    assert keys[0] == content_key(Import.objects.get(pk=made[0].pk))
    assert keys[1:] == ["", "", ""]
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
