"""The heartbeat of a job run in-process survives a database that refuses one beat (SQLite busy past its timeout)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from cyberplan.core.choices import Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.jobs.recovery import heartbeat
from tests.conftest import World
from tests.jobs import kinds

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the refusal is an SQLite function")


@pytest.mark.django_db(transaction=True)
def test_a_refused_beat_is_logged_and_the_next_beat_is_recorded(world: World) -> None:
    job = do_start_job(world.users[Role.COORDINATOR], world.org_a, kinds.STEPS)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, heartbeat_at=None)
    refusals = [1]

    def busy() -> int:
        if refusals:
            refusals.pop()
            raise sqlite3.OperationalError("database is locked")
        return 0

    def install(sender: Any, connection: Any, **kwargs: Any) -> None:
        connection.connection.create_function("busy", 0, busy)

    table = Job._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TRIGGER refuse_beat BEFORE UPDATE OF heartbeat_at ON {table} BEGIN SELECT busy(); END")
    connection.connection.create_function("busy", 0, busy)
    connection_created.connect(install)
    try:
        with heartbeat(job, interval=0.05):
            deadline = time.monotonic() + 30
            while Job.objects.get(pk=job.pk).heartbeat_at is None and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        connection_created.disconnect(install)
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER refuse_beat")

    assert not refusals, "the first beat was refused"
    assert Job.objects.get(pk=job.pk).heartbeat_at is not None, "no beat was recorded after the refused one"
    # The warning it logs ("heartbeat not recorded") is not asserted: in the full suite another test's
    # logging set-up can silence it, and what matters is the beat recorded after the refused one.
