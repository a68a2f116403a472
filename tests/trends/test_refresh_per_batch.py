"""Several files in one ``cyberplan ingest``: each is its own import, the trend tables are refreshed once."""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.jobs.models import Job
from cyberplan.threats import actions
from cyberplan.threats.choices import ImportStatus
from cyberplan.threats.models import Import
from cyberplan.threats.store import event_store
from tests.conftest import World
from tests.trends.batch_support import daily_reports, from_events, from_tables, parts

REFRESH_LOG = "cyberplan.trends.store"


@pytest.fixture
def store_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.CYBERPLAN_TRENDS_WARM = False
    return tmp_path


def ingest(world: World, *paths: Path, **options: Any) -> str:
    out = io.StringIO()
    call_command("ingest", *[str(p) for p in paths], organisation=world.org_a.slug, stdout=out, **options)
    return out.getvalue()


def refreshes(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == REFRESH_LOG and "refreshed" in r.getMessage()]


def test_a_folder_of_daily_reports_is_imported_file_by_file_and_refreshed_once(
    world: World, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = daily_reports(store_dir / "reports")
    caplog.set_level(logging.INFO, logger=REFRESH_LOG)
    ingest(world, store_dir / "reports")
    imports = list(Import.objects.filter(organisation=world.org_a).order_by("file_name"))
    assert [i.file_name for i in imports] == [f.name for f in files]
    assert all(i.status == ImportStatus.SUCCEEDED for i in imports)
    # The sample repeats one row (a duplicate within the file); each later day also repeats a row of
    # the day before (a duplicate across files): each is stored once. Its bad rows are kept with a reason.
    assert [i.duplicates for i in imports] == [1, 2, 2]
    assert all(i.quarantined > 0 for i in imports)
    store = event_store(world.org_a)
    # One refresh, after the last file: one part that covers the three imports.
    assert [m.split(" (")[0] for m in refreshes(caplog)] == [
        f"trend tables of {world.org_a.slug} refreshed: 3 imports aggregated, 1 parts"
    ]
    assert sorted(next(iter(parts(store).values()))) == sorted(str(i.pk) for i in imports)
    assert TrendTables(store).pending_imports() == []
    # What the dashboard reads equals the metrics computed from the raw events.
    assert from_tables(store) == from_events(store)
    assert from_tables(store)["totals"][0]["events"] == sum(i.stored for i in imports)
    # Every file has its address index, written after the refresh: the dashboard did not wait for them.
    indexes = [store.index_file(f) for f in store.files()]
    assert indexes and all(p.exists() for p in indexes)
    refreshed = TrendTables(store).watermark_path.stat().st_mtime_ns
    assert min(p.stat().st_mtime_ns for p in indexes) >= refreshed


def test_a_quoted_pattern_picks_the_files_and_a_single_file_refreshes_at_once(
    world: World, store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    first, second, third = daily_reports(store_dir / "reports")
    caplog.set_level(logging.INFO, logger=REFRESH_LOG)
    ingest(world, store_dir / "reports" / "2026-11-2[67]-*.csv")
    assert sorted(Import.objects.values_list("file_name", flat=True)) == [first.name, second.name]
    assert len(refreshes(caplog)) == 1
    ingest(world, third)
    store = event_store(world.org_a)
    assert len(refreshes(caplog)) == 2 and len(parts(store)) == 2
    assert TrendTables(store).pending_imports() == []
    assert from_tables(store) == from_events(store)


def test_a_pattern_that_matches_nothing_is_refused_by_name(world: World, store_dir: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"No file matches .*nothing-\*\.csv"):
        ingest(world, store_dir / "nothing-*.csv")


def test_a_batch_killed_half_way_is_caught_up_by_the_next_refresh_exactly_once(
    world: World, store_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The process is interrupted while the third file is read (as by Ctrl+C or the end of the
    process): the two committed imports stay, unrefreshed; the dashboard page refreshes them, and
    running the same command again imports only the third file, counting nothing twice."""
    files = daily_reports(store_dir / "reports")
    real_ingest = actions.ingest

    def dies_on_the_third(source: Any, *args: Any, **kwargs: Any) -> Any:
        if source.name == files[2].name:
            raise KeyboardInterrupt
        return real_ingest(source, *args, **kwargs)

    monkeypatch.setattr(actions, "ingest", dies_on_the_third)
    caplog.set_level(logging.INFO, logger=REFRESH_LOG)
    with pytest.raises(KeyboardInterrupt):
        ingest(world, *files)
    monkeypatch.setattr(actions, "ingest", real_ingest)
    store = event_store(world.org_a)
    stored = Import.objects.filter(status=ImportStatus.SUCCEEDED)
    assert stored.count() == 2
    assert refreshes(caplog) == []  # the batch never ended: no refresh ran
    assert sorted(TrendTables(store).pending_imports()) == sorted(str(i.pk) for i in stored)
    assert Import.objects.get(file_name=files[2].name).status == ImportStatus.FAILED
    assert Job.objects.get(import__file_name=files[2].name).message

    # The dashboard catches up when it is read.
    client = Client()
    client.force_login(world.users["analyst"])
    assert client.get("/trends/", {"period": "2026-11"}).status_code == 200
    assert TrendTables(store).pending_imports() == []
    assert from_tables(store) == from_events(store)

    # The same command again: the two imported files are skipped, the third is imported, one refresh.
    caplog.clear()
    ingest(world, *files)
    statuses = {i.file_name: i.status for i in Import.objects.order_by("created_at")}
    assert statuses[files[2].name] == ImportStatus.SUCCEEDED
    assert Import.objects.filter(status=ImportStatus.SKIPPED).count() == 2
    assert len(refreshes(caplog)) == 1
    assert from_tables(store) == from_events(store)
    assert from_tables(store)["totals"][0]["events"] == sum(
        Import.objects.filter(status=ImportStatus.SUCCEEDED).values_list("stored", flat=True)
    )
    # Each event once: the imports skipped stored nothing, the repeated rows are duplicates.
    succeeded = Import.objects.filter(status=ImportStatus.SUCCEEDED).order_by("file_name")
    assert list(succeeded.values_list("duplicates", flat=True)) == [1, 2, 2]
    assert Import.objects.filter(status=ImportStatus.SKIPPED, stored=0).count() == 2
