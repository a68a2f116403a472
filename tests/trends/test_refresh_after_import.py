"""After an import, the trend tables are refreshed at once and a job warms the dashboard's cache."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from pytest_django import Settings

from cyberplan.analytics.trend_tables import TrendTables
from cyberplan.core.choices import OrganisationType
from cyberplan.core.models import Organisation
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.threats.actions import do_grant_store_access
from cyberplan.threats.store import event_store
from tests.conftest import World

SAMPLE = Path(__file__).resolve().parents[1] / "threats" / "samples" / "2026-11-28-scan_telnet-py-geo.csv"


def ingest(world: World, path: Path, settings: Settings, tmp_path: Path, **options: object) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    call_command("ingest", str(path), organisation=world.org_a.slug, stdout=io.StringIO(), **options)


def test_an_import_is_in_the_trend_tables_as_soon_as_it_is_stored(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CYBERPLAN_TRENDS_WARM = False
    ingest(world, SAMPLE, settings, tmp_path)
    tables = TrendTables(event_store(world.org_a))
    assert tables.store.committed_imports()
    assert tables.pending_imports() == []
    assert tables.aggregated_imports() == tables.store.committed_imports()
    assert not Job.objects.filter(kind="trends_refresh").exists()


@pytest.mark.slow
def test_one_warming_job_is_queued_and_fills_the_dashboard_cache(
    world: World, settings: Settings, tmp_path: Path
) -> None:
    settings.CYBERPLAN_TRENDS_WARM = True
    cache.clear()
    ingest(world, SAMPLE, settings, tmp_path)
    ingest(world, SAMPLE, settings, tmp_path, force=True)  # a second import while the first job waits
    job = Job.objects.get(kind="trends_refresh")
    assert job.organisation == world.org_a and job.status == JobStatus.QUEUED
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.message
    assert job.result["warmed"] >= 1
    # The default page is now answered from the cache: with the trend tables' files gone (the
    # watermark, part of the cache key, stays), it still shows the figures.
    tables = TrendTables(event_store(world.org_a))
    for part in tables.watermark()["parts"]:
        for parquet in (tables.root / part).glob("*.parquet"):
            parquet.unlink()
    client = Client()
    client.force_login(world.users["analyst"])
    response = client.get("/trends/")
    assert response.status_code == 200
    assert b"telnet" in response.content.lower()


@pytest.mark.django_db(transaction=True)
def test_a_new_grant_queues_the_warming_of_the_granted_store(world: World, settings: Settings) -> None:
    """The recipient's readers get new pages (the granted store, and every store together): warmed ahead."""
    settings.CYBERPLAN_TRENDS_WARM = True
    do_grant_store_access(world.users["coordinator"], world.org_a, world.org_b, ceiling="amber", reason="National")
    job = Job.objects.get(kind="trends_refresh")
    assert job.organisation == world.org_a and job.parameters == {"warm": True}
    # A second grant while that job waits adds none.
    third = Organisation.objects.create(name="Third", slug="third", type=OrganisationType.NATIONAL_AUTHORITY)
    do_grant_store_access(world.users["coordinator"], world.org_a, third, ceiling="green", reason="Sector")
    assert Job.objects.filter(kind="trends_refresh").count() == 1


@pytest.mark.django_db(transaction=True)
def test_no_warming_is_queued_when_it_is_off(world: World, settings: Settings) -> None:
    settings.CYBERPLAN_TRENDS_WARM = False
    do_grant_store_access(world.users["coordinator"], world.org_a, world.org_b, ceiling="amber", reason="National")
    assert not Job.objects.filter(kind="trends_refresh").exists()
