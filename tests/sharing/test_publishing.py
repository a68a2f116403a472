"""Publishing the event store into a collection as STIX 2.1: which events become indicators and sightings,
at which labels; publishing twice changes nothing; new events give a new version; and the indicators read
back through cyberplan's own STIX importer land in the same classes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cyberplan.core.choices import Role
from cyberplan.pipeline.query import connect
from cyberplan.sharing.actions import do_create_collection
from cyberplan.sharing.choices import CollectionContent
from cyberplan.sharing.publishing import do_publish
from cyberplan.sharing.stix_out import TLP2_MARKING_IDS, problems_of
from cyberplan.threats.actions import do_register_import, do_run_import
from cyberplan.threats.store import event_store
from tests.conftest import World
from tests.sharing.conftest import Net

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _events_dir(settings: Any, tmp_path: Path) -> None:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"


def sighting_bundle(n: int, rsit: str, value: str, tlp: str) -> dict[str, Any]:
    indicator = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": f"indicator--10000000-0000-4000-8000-{n:012d}",
        "created": "2026-10-01T00:00:00.000Z",
        "modified": "2026-10-01T00:00:00.000Z",
        "pattern": value,
        "pattern_type": "stix",
        "valid_from": "2026-10-01T00:00:00Z",
        "labels": [rsit],
        "object_marking_refs": [TLP2_MARKING_IDS[tlp]],
    }
    return indicator


def import_bundle(tmp_path: Path, world: World, organisation: Any, name: str, objects: list[dict[str, Any]]) -> Any:
    path = tmp_path / f"{name}.json"
    path.write_text(
        json.dumps({"type": "bundle", "id": "bundle--" + "1" * 8 + "-1111-4111-8111-" + "1" * 12, "objects": objects})
    )
    record = do_register_import(
        world.users[Role.ADMINISTRATOR], organisation, path, file_name=path.name, format="stix", tlp="amber"
    )
    return do_run_import(record, path)


SOURCES = [
    (1, 'rsit:intrusion-attempts="brute-force"', "[ipv4-addr:value = '203.0.113.1']", "clear"),
    (2, 'rsit:information-gathering="scanner"', "[ipv4-addr:value = '203.0.113.2']", "green"),
    (3, 'rsit:malicious-code="c2-server"', "[ipv4-addr:value = '203.0.113.3']", "amber"),
    (4, 'rsit:fraud="phishing"', "[url:value = 'http://login.example.net/x']", "red"),
    (5, 'rsit:vulnerable="vulnerable-system"', "[ipv4-addr:value = '203.0.113.5']", "clear"),
]


@pytest.fixture
def indicators_collection(world: World, net: Net, tmp_path: Path) -> Any:
    imported = import_bundle(tmp_path, world, world.org_a, "feed", [sighting_bundle(*row) for row in SOURCES])
    assert imported.stored == 5
    return do_create_collection(None, net.group, title="From the store", content=CollectionContent.INDICATORS)


def test_publish_shares_partner_classes_below_the_ceiling_validated(indicators_collection: Any) -> None:
    summary = do_publish(None, indicators_collection)
    assert summary.failed == []
    rows = list(indicators_collection.shared_objects.all())
    assert all(problems_of(row.body) is None for row in rows)
    indicators = {row.body["pattern"]: row.tlp for row in rows if row.stix_type == "indicator"}
    # The group's ceiling is AMBER: RED never, and the vulnerable system is not a class partners act on.
    assert indicators == {
        "[ipv4-addr:value = '203.0.113.1']": "clear",
        "[ipv4-addr:value = '203.0.113.2']": "green",
        "[ipv4-addr:value = '203.0.113.3']": "amber",
    }
    sightings = [row.body for row in rows if row.stix_type == "sighting"]
    assert sorted(s["count"] for s in sightings) == [1, 1, 1]
    types = {row.stix_type for row in rows}
    assert types == {"identity", "marking-definition", "indicator", "sighting"}
    markings = {row.stix_id for row in rows if row.stix_type == "marking-definition"}
    assert markings == {TLP2_MARKING_IDS[label] for label in ("clear", "green", "amber")}


def test_publishing_twice_changes_nothing_and_new_events_give_a_new_version(
    indicators_collection: Any, world: World, tmp_path: Path
) -> None:
    first = do_publish(None, indicators_collection)
    again = do_publish(None, indicators_collection)
    assert again.added == 0 and again.unchanged == first.added
    more = sighting_bundle(11, 'rsit:intrusion-attempts="brute-force"', "[ipv4-addr:value = '203.0.113.1']", "clear")
    more["created"] = more["modified"] = "2026-10-05T00:00:00.000Z"
    more["valid_from"] = "2026-10-05T00:00:00Z"
    import_bundle(tmp_path, world, world.org_a, "more", [more])
    third = do_publish(None, indicators_collection)
    assert third.added == 2  # the indicator and its sighting, each in a new version
    brute = indicators_collection.shared_objects.filter(stix_type="sighting", is_latest=True, tlp="clear").get()
    assert brute.body["count"] == 2
    assert indicators_collection.shared_objects.filter(stix_id=brute.stix_id).count() == 2


def test_indicators_round_trip_through_the_stix_importer(
    indicators_collection: Any, world: World, tmp_path: Path
) -> None:
    do_publish(None, indicators_collection)
    objects = [row.body for row in indicators_collection.shared_objects.filter(is_latest=True)]
    imported = import_bundle(tmp_path, world, world.org_b, "partner", objects)
    assert imported.quarantined == 0
    con = connect(event_store(world.org_b))
    try:
        rows = con.execute(
            'SELECT "source.ip", "classification.taxonomy", "classification.type", tlp FROM events ORDER BY 1'
        ).fetchall()
    finally:
        con.close()
    by_ip = {ip: (taxonomy, type_, tlp) for ip, taxonomy, type_, tlp in rows if ip}
    assert by_ip["203.0.113.1"] == ("intrusion-attempts", "brute-force", "clear")
    assert by_ip["203.0.113.2"] == ("information-gathering", "scanner", "green")
    assert by_ip["203.0.113.3"] == ("malicious-code", "c2-server", "amber")


# The identity, three TLP markings (up to the AMBER ceiling), three indicators and their three sightings.
def test_the_command_publishes_and_says_what_changed(indicators_collection: Any) -> None:
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    call_command("sharing", "publish", str(indicators_collection.pk), stdout=out)
    assert "10 added, 0 already shared, 0 not valid" in out.getvalue()
    out = StringIO()
    call_command("sharing", "publish", str(indicators_collection.pk), stdout=out)
    assert "0 added, 10 already shared" in out.getvalue()
    listing = StringIO()
    call_command("sharing", "collections", stdout=listing)
    assert str(indicators_collection.pk) in listing.getvalue() and "10 object versions" in listing.getvalue()
    with pytest.raises(CommandError, match="no collection"):
        call_command("sharing", "publish", "not-an-id")


def test_the_page_queues_a_job_that_the_worker_runs_for_the_requester(indicators_collection: Any, world: World) -> None:
    from django.test import Client

    from cyberplan.jobs.models import Job
    from cyberplan.jobs.tasks import run_job
    from cyberplan.sharing.jobs import SHARING_PUBLISH, describe

    client = Client()
    client.force_login(world.users[Role.COORDINATOR])
    response = client.post(f"/sharing/collections/{indicators_collection.pk}/publish/")
    job = Job.objects.get(kind=SHARING_PUBLISH)
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert describe(job.parameters) == [("Collection", "From the store")]
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result["added"] == 10
    viewer = Client()
    viewer.force_login(world.users[Role.VIEWER])
    assert viewer.post(f"/sharing/collections/{indicators_collection.pk}/publish/").status_code == 403


def test_the_worker_refuses_a_requester_who_may_no_longer_publish(indicators_collection: Any, world: World) -> None:
    from cyberplan.jobs.actions import do_start_job
    from cyberplan.jobs.tasks import run_job
    from cyberplan.sharing.jobs import SHARING_PUBLISH

    job = do_start_job(
        world.users[Role.VIEWER], world.org_a, SHARING_PUBLISH, {"collection": str(indicators_collection.pk)}
    )
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "may no longer publish" in job.message
    assert not indicators_collection.shared_objects.exists()
