"""A job's page in the reader's language: what was asked in words, and the step the job is at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from cyberplan.core.choices import Role
from cyberplan.jobs.actions import do_start_job
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.jobs.recovery import end_job
from cyberplan.jobs.registry import Progress
from cyberplan.threats.actions import do_register_import
from cyberplan.threats.choices import THREAT_IMPORT
from cyberplan.trends.report.jobs import TRENDS_REPORT
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _page(world: World, job: Job, language: str, *, htmx: bool = False) -> str:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    headers = {"HTTP_ACCEPT_LANGUAGE": language, **({"HTTP_HX_REQUEST": "true"} if htmx else {})}
    response = client.get(f"/jobs/{job.pk}/", **headers)
    assert response.status_code == 200
    return response.content.decode()


def _trends_report(world: World) -> Job:
    parameters = {"period": "2026-11", "language": "es", "format": "pdf", "tlp": "amber"}
    return do_start_job(world.users[Role.ANALYST], world.org_a, TRENDS_REPORT, parameters)


def test_the_job_page_says_what_was_asked_in_words_in_english(world: World) -> None:
    page = _page(world, _trends_report(world), "en")

    assert "<h1>Threat trends report</h1>" in page
    for label, words in (("Period", "November 2026"), ("Language", "Spanish"), ("Format", "PDF")):
        assert f"<dt>{label}</dt><dd>{words}</dd>" in page
    assert "<dt>Marking</dt><dd>TLP:AMBER</dd>" in page
    assert "2026-11" not in page and "&quot;period&quot;" not in page and "amber</dd>" not in page


def test_the_job_page_says_what_was_asked_in_words_in_spanish(world: World) -> None:
    page = _page(world, _trends_report(world), "es")

    assert "<dt>Período</dt><dd>noviembre de 2026</dd>" in page
    assert "<dt>Idioma</dt><dd>español</dd>" in page.lower().replace("<dt>idioma", "<dt>Idioma")
    assert "<dt>Formato</dt><dd>PDF</dd>" in page
    assert "2026-11" not in page


def test_a_kind_without_words_for_its_parameters_shows_them_by_name(world: World) -> None:
    job = do_start_job(world.users[Role.ANALYST], world.org_a, "trends_refresh", {"warm": True})
    assert "<dt>warm</dt><dd>True</dd>" in _page(world, job, "en")


def test_a_step_is_shown_in_the_language_of_each_reader_and_the_counter_advances(world: World) -> None:
    job = _trends_report(world)
    progress = Progress(job)
    # "Done" is already in the Spanish catalogue: the step's words are kept as a key, translated when read.
    progress.step(1, 3, "Done")
    assert Job.objects.get(pk=job.pk).message_key == "Done"
    assert "Step 1 of 3: Done" in _page(world, job, "en", htmx=True)
    assert "Listo" in _page(world, job, "es", htmx=True)

    progress.step(2, 3, "drawing %(count)s charts", count=7)
    partial = _page(world, job, "en", htmx=True)
    assert "Step 2 of 3: drawing 7 charts" in partial
    assert '<progress max="3" value="1"' in partial
    assert 'hx-trigger="every 2s"' in partial  # the page keeps asking while the job runs
    assert Job.objects.get(pk=job.pk).message == "drawing 7 charts"  # in English for the API


def test_a_translation_whose_placeholders_do_not_match_falls_back_to_the_english_text(world: World) -> None:
    job = _trends_report(world)
    Progress(job).step(1, 2, "drawing %(count)s charts", count=3)
    job.refresh_from_db()
    job.message_params = {}
    with translation.override("es"):
        assert job.message_text == "drawing 3 charts"


def test_a_failed_job_says_the_step_it_stopped_at_and_why(world: World) -> None:
    job = _trends_report(world)
    Progress(job).step(2, 5, "Done")
    end_job(job, JobStatus.FAILED, "The person who asked for this report may no longer read these events.")

    page = _page(world, job, "en")
    assert "Stopped at step 2 of 5: Done" in page
    assert "may no longer read these events." in page and "hx-trigger" not in page


def test_an_import_job_names_its_file_and_never_the_server_path(world: World, tmp_path: Path) -> None:
    upload = tmp_path / "scan_telnet.csv"
    upload.write_text("timestamp,ip\n", encoding="utf-8")
    record = do_register_import(
        world.users[Role.ANALYST], world.org_a, upload, file_name="scan_telnet.csv", tlp="green"
    )
    job = do_start_job(
        world.users[Role.ANALYST], world.org_a, THREAT_IMPORT, {"import_id": str(record.pk), "path": str(upload)}
    )
    page = _page(world, job, "en")
    assert "<dt>File</dt><dd>scan_telnet.csv</dd>" in page and "<dt>Default TLP</dt><dd>TLP:GREEN</dd>" in page
    assert str(upload) not in page and str(record.pk) not in page
