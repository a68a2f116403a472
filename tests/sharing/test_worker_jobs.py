"""The scheduled pull and push, end to end: ``cyberplan sharing pull --due`` and ``push --due`` queue jobs as cron
would, the real task worker (a second process on the test database) runs them against a real medallion on
loopback, decrypting the stored partner password with the key both processes are given, and the events it stored,
the objects the partner holds and the status on the subscription and the push are what a user then sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from pytest_django import Settings

from cyberplan.jobs.choices import FINISHED, JobStatus
from cyberplan.jobs.models import Job
from cyberplan.sharing.actions import add_objects
from cyberplan.sharing.choices import PullState, PushState
from cyberplan.sharing.models import Push, Subscription
from tests import dbutil
from tests.conftest import World
from tests.sharing.conftest import Net, indicator
from tests.sharing.test_client import labelled, stored_ips, subscribe
from tests.sharing.test_interop import COLLECTION_ID, MEDALLION_PASSWORD, MEDALLION_USER, free_port
from tests.sharing.test_interop import medallion as medallion
from tests.sharing.test_push import make_push, partner_ids

dbutil.use_file_sqlite_test_database()

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# The web process and the worker share the key that encrypts partner passwords, as they share an environment file.
KEY = "worker-test-secrets-key-0123456789-abcdefghij"


@pytest.fixture
def data_dir(tmp_path: Path, settings: Settings) -> Path:
    """The worker's data folder; this process reads the event store the worker writes there."""
    folder = tmp_path / "worker-data"
    folder.mkdir()
    settings.MEDIA_ROOT = folder / "media"
    settings.CYBERPLAN_EVENTS_DIR = folder / "events"
    settings.CYBERPLAN_SECRETS_KEYS = [KEY]
    return folder


def run_queued(data_dir: Path, tmp_path: Path, kind: str, expected: int) -> list[Job]:
    """Start the real worker, wait until the ``expected`` jobs of ``kind`` have finished, stop it."""
    worker = dbutil.start_worker(data_dir, tmp_path / "worker.log", env={"CYBERPLAN_SECRETS_KEY": KEY})
    try:
        jobs = Job.objects.filter(kind=kind)
        assert jobs.count() == expected
        dbutil.wait_until(
            lambda: jobs.filter(status__in=FINISHED).count() == expected,
            f"{expected} {kind} job(s) to finish",
            describe=worker.output,
        )
    finally:
        worker.stop(timeout=15)
    return list(jobs.order_by("pk"))


def test_the_worker_pulls_a_due_subscription(
    world: World, medallion: str, data_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    from taxii2client.v21 import Collection

    api_root = medallion.replace("/taxii2/", "/api1/")
    partner = Collection(f"{api_root}collections/{COLLECTION_ID}/", user=MEDALLION_USER, password=MEDALLION_PASSWORD)
    partner.add_objects({"objects": [labelled(1, "203.0.113.1"), labelled(2, "203.0.113.2")]}, poll_interval=0)
    subscription = subscribe(world, api_root)

    call_command("sharing", "pull", "--due")  # what cron runs
    assert "1 pull job(s) queued" in capsys.readouterr().out
    [job] = run_queued(data_dir, tmp_path, "sharing_pull", 1)

    assert job.status == JobStatus.SUCCEEDED, job.message
    subscription.refresh_from_db()
    assert subscription.last_state == PullState.OK and subscription.last_received == 2
    assert subscription.added_after  # the watermark the next pull starts from
    assert stored_ips(world) == ["203.0.113.1", "203.0.113.2"]
    call_command("sharing", "pull", "--due")
    assert "0 pull job(s) queued" in capsys.readouterr().out  # pulled just now: not due again


def test_the_worker_pushes_due_pushes_and_records_a_partner_that_is_down(
    net: Net, world: World, medallion: str, data_dir: Path, tmp_path: Path, capsys: Any
) -> None:
    objects = [indicator(1, tlp="clear"), indicator(2, tlp="green"), indicator(3, tlp="amber")]
    add_objects(net.collection, objects, owner=world.org_a, default_tlp="green")
    good = make_push(net, world, medallion.replace("/taxii2/", "/api1/"))
    down = make_push(net, world, f"http://127.0.0.1:{free_port()}/api1/", name="down")

    call_command("sharing", "push", "--due")
    assert "2 push job(s) queued" in capsys.readouterr().out
    jobs = {job.parameters["push"]: job for job in run_queued(data_dir, tmp_path, "sharing_push", 2)}

    assert jobs[good.pk].status == JobStatus.SUCCEEDED, jobs[good.pk].message
    good.refresh_from_db()
    assert (good.last_state, good.last_sent, good.last_withheld) == (PushState.OK, 2, 1)
    assert partner_ids(medallion) == sorted([objects[0]["id"], objects[1]["id"]])  # AMBER stayed home

    assert jobs[down.pk].status == JobStatus.FAILED and "could not be reached" in jobs[down.pk].message
    down.refresh_from_db()
    assert down.last_state == PushState.UNREACHABLE and down.pushed_up_to is None
    assert Push.objects.count() == 2 and Subscription.objects.count() == 0
