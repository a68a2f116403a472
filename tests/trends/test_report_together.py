"""The trends report over every store the reader reads, together: asked from the page or the dashboard's
offer, made by the job, each store at its own labels, and a revoked grant no longer counted.

The stores are those of ``test_dashboard_together``: CSIRT B's coordinator reads its own store (five events,
one RED) and Authority A's through a grant up to TLP:AMBER (seven events up to AMBER of 31).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.models import User
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.threats.actions import do_revoke_store_access
from tests.conftest import World
from tests.trends.report_support import pdf_text
from tests.trends.test_dashboard_together import (  # noqa: F401  # fixtures (isolated, stores, reader) and helpers
    GRANTED_UP_TO_AMBER,
    OWN,
    grant,
    isolated,
    reader,
    stores,
)

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("isolated", "stores")]


@pytest.fixture
def coordinator_b(reader: User) -> User:  # noqa: F811
    """CSIRT B's coordinator, who reads its own store and (once granted) Authority A's."""
    return reader


PAGE = "/trends/reports/"


@pytest.fixture(autouse=True)
def media(settings: Settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def ask(user: User, **values: str) -> tuple[int, str, str]:
    client = Client()
    client.force_login(user)
    data = {"organisation": "all", "period": "2026-10", "language": "en", "format": "html", "tlp": "amber"}
    data.update(values)
    response = client.post(PAGE, data)
    return response.status_code, response.get("Location", ""), response.content.decode()


def made(job: Job) -> Job:
    run_job.call(str(job.pk))  # what the worker does
    job.refresh_from_db()
    return job


def text_of(user: User, job: Job) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/jobs/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode()


def test_the_page_offers_every_store_together_and_the_report_counts_both(world: World, coordinator_b: User) -> None:
    grant(world)
    client = Client()
    client.force_login(coordinator_b)
    page = client.get(PAGE).content.decode()
    assert '<option value="all">All the stores I read, together</option>' in page
    assert "Authority A (AA) (granted up to TLP:AMBER)" in page
    status, _location, body = ask(coordinator_b)
    assert status == 302, body
    job = Job.objects.get(kind="trends_report")
    # The job is kept in the reader's organisation, where the grant was received.
    assert job.organisation == world.org_b and job.parameters["stores"] == "all"
    job = made(job)
    assert job.status == "succeeded", job.message
    # Own store at AMBER and below (three AMBER, one GREEN: its RED is above the marking), granted up to AMBER.
    assert job.result["events"] == (OWN - 1) + GRANTED_UP_TO_AMBER
    assert job.result["stores"] == 2
    html = text_of(coordinator_b, job)
    assert "Events of CSIRT B (CB) and Authority A (AA) (granted up to TLP:AMBER), read together" in html
    assert "read together. Each store counts only the labels its reader may read there" in html
    # Each owner's imports stay its own: the table of imports is not in a report of several stores.
    assert "The files that brought events of this period" not in html
    assert job.output.name.endswith("trends-csirt-b-all-stores-2026-10-en.html")
    detail = Client()
    detail.force_login(coordinator_b)
    assert "every store the requester reads, together" in detail.get(f"/jobs/{job.pk}/").content.decode()


def test_a_marking_of_green_counts_green_and_clear_of_each_store(world: World, coordinator_b: User) -> None:
    grant(world)
    ask(coordinator_b, tlp="green", format="pdf")
    job = made(Job.objects.get(kind="trends_report"))
    assert job.status == "succeeded", job.message
    # Own: one GREEN; granted: one CLEAR and two GREEN.
    assert job.result["events"] == 1 + 3
    with job.output.open("rb") as handle:
        pdf = pdf_text(handle.read())
    assert all("TLP:GREEN" in page for page in pdf.pages)


def test_a_grant_revoked_before_the_job_runs_no_longer_counts(world: World, coordinator_b: User) -> None:
    given = grant(world)
    ask(coordinator_b)
    job = Job.objects.get(kind="trends_report")
    do_revoke_store_access(world.users[Role.COORDINATOR], given)
    job = made(job)
    assert job.status == "succeeded", job.message
    assert job.result["events"] == OWN - 1 and job.result["stores"] == 1
    html = text_of(coordinator_b, job)
    assert "Authority A" not in html


def test_a_reader_of_one_store_cannot_ask_for_every_store(world: World, coordinator_b: User) -> None:
    status, _location, body = ask(coordinator_b)
    assert status == 400
    assert "Select a valid choice" in body
    assert not Job.objects.filter(kind="trends_report").exists()


def test_the_dashboard_offers_the_report_of_the_stores_it_shows(world: World, coordinator_b: User) -> None:
    grant(world)
    client = Client()
    client.force_login(coordinator_b)
    html = client.get("/trends/", {"period": "2026-10", "organisation": "all"}).content.decode()
    assert 'id="report-offer"' in html
    assert '<input type="hidden" name="organisation" value="all">' in html
    assert "The report of CSIRT B (CB) and Authority A (AA) (granted up to TLP:AMBER) for 2026-10" in html
