"""The trends report from the web: the request page, the job the worker runs, and the download."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from pytest_django import Settings

from cyberplan.core.choices import Role
from cyberplan.core.models import Membership
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.trends.report.jobs import do_request_trends_report
from tests.conftest import World
from tests.trends.report_support import pdf_text, sample_events, write_org_store

# Slow tests: make test-fast leaves them out (see docs/development/testing.md).
pytestmark = pytest.mark.slow

PAGE = "/trends/reports/"


@pytest.fixture(autouse=True)
def isolated_stores(tmp_path: Path, settings: Settings) -> Path:
    settings.CYBERPLAN_EVENTS_DIR = tmp_path / "events"
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def signed_in(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def ask(client: Client, world: World, **values: str) -> tuple[int, str, str]:
    data = {"organisation": str(world.org_a.pk), "period": "2026-Q3", "language": "en", "format": "pdf", "tlp": "amber"}
    data.update(values)
    response = client.post(PAGE, data)
    return response.status_code, response.get("Location", ""), response.content.decode()


def test_report_job_end_to_end(world: World) -> None:
    write_org_store(world.org_a, sample_events())
    analyst = signed_in(world, Role.ANALYST)
    page = analyst.get(PAGE)
    assert page.status_code == 200
    assert 'name="period"' in page.content.decode() and "No report yet." in page.content.decode()
    status, location, _body = ask(analyst, world, period="2026-q3")
    job = Job.objects.get(kind="trends_report")
    assert (status, location) == (302, f"/jobs/{job.pk}/")
    assert job.status == "queued" and job.created_by == world.users[Role.ANALYST]
    assert job.parameters == {"period": "2026-Q3", "language": "en", "format": "pdf", "tlp": "amber"}
    run_job.call(str(job.pk))  # what the worker does; tests/jobs/test_worker.py runs the real worker
    job.refresh_from_db()
    assert job.status == "succeeded", job.message
    assert job.result["events"] == 21 and job.result["charts"] >= 6 and job.result["tlp"] == "amber"
    assert job.output.name.endswith("trends-authority-a-2026-Q3-en.pdf")
    detail = analyst.get(location).content.decode()
    assert f"/jobs/{job.pk}/download/" in detail
    download = analyst.get(f"/jobs/{job.pk}/download/")
    pdf = pdf_text(b"".join(download.streaming_content))
    assert "21 events were recorded" in " ".join(pdf.text.split())
    assert all("TLP:AMBER" in text for text in pdf.pages)
    listed = analyst.get(PAGE).content.decode()
    assert "2026-Q3 · EN · PDF · TLP:AMBER" in listed and f"/jobs/{job.pk}/download/" in listed
    # Someone of another organisation sees neither the job nor the file.
    outsider = Client()
    outsider.force_login(world.outsider)
    assert outsider.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert f"/jobs/{job.pk}/" not in outsider.get(PAGE).content.decode()


def test_marking_must_be_a_label_the_requester_may_read(world: World) -> None:
    analyst = signed_in(world, Role.ANALYST)
    page = analyst.get(PAGE).content.decode()
    assert 'value="amber+strict"' in page and 'value="red"' not in page  # only the labels the analyst reads
    status, _location, body = ask(analyst, world, tlp="red")
    assert status == 400 and "Select a valid choice." in body
    partner = signed_in(world, Role.EXTERNAL_PARTNER)
    assert 'value="amber"' not in partner.get(PAGE).content.decode()
    assert ask(partner, world, tlp="amber")[0] == 400
    # The action checks the label against the chosen organisation too, whatever the caller offered.
    with pytest.raises(ValidationError, match="You may not read events marked TLP:RED"):
        do_request_trends_report(
            world.users[Role.ANALYST], world.org_a, period="2026-Q3", language="en", fmt="pdf", tlp="red"
        )
    assert not Job.objects.exists()
    status, _location, _body = ask(partner, world, tlp="green", format="docx")
    assert status == 302 and Job.objects.get().parameters["tlp"] == "green"


def test_bad_requests_are_refused(world: World) -> None:
    analyst = signed_in(world, Role.ANALYST)
    status, _location, body = ask(analyst, world, period="last summer")
    assert status == 400 and "a quarter (2026-Q3)" in body
    assert ask(analyst, world, format="exe")[0] == 400
    assert ask(analyst, world, language="fr")[0] == 400
    outsider = Client()
    outsider.force_login(world.outsider)
    assert ask(outsider, world)[0] == 400  # not an organisation they may choose
    nobody = Client()
    nobody.force_login(world.nobody)
    assert "not a member of an organisation" in nobody.get(PAGE).content.decode()
    assert ask(nobody, world)[0] == 403
    assert Client().get(PAGE).status_code == 302  # sign in first
    assert not Job.objects.exists()


def test_job_without_parameters_or_without_access_fails_with_a_reason(world: World) -> None:
    coordinator = world.users[Role.COORDINATOR]
    bare = do_start_job(coordinator, world.org_a, "trends_report")  # as the jobs API starts any kind
    run_job.call(str(bare.pk))
    bare.refresh_from_db()
    assert bare.status == "failed" and "a quarter (2026-Q3)" in bare.message and not bare.output
    status, location, _body = ask(signed_in(world, Role.ANALYST), world)
    assert status == 302
    job = Job.objects.get(pk=location.split("/")[2])
    Membership.objects.filter(user=world.users[Role.ANALYST]).delete()  # left the organisation meanwhile
    run_job.call(str(job.pk))
    job.refresh_from_db()
    assert job.status == "failed" and "may no longer read these events" in job.message and not job.output
