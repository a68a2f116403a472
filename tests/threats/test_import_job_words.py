"""An import job's page says where the import stands in the reader's language, not the worker's."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from cyberplan.core.choices import Role
from cyberplan.jobs.models import Job
from cyberplan.jobs.tasks import run_job
from cyberplan.threats.jobs import step_words
from cyberplan.threats.models import Import
from tests.conftest import World

from .conftest import SAMPLES

TELNET = SAMPLES / "2026-11-28-scan_telnet-py-geo.csv"


def test_the_pipelines_progress_lines_become_translatable_words() -> None:
    assert step_words("parsing scan.csv as Shadowserver") == (
        "Reading %(file)s as %(format)s",
        {"file": "scan.csv", "format": "Shadowserver"},
    )
    assert step_words("stored 1,234, duplicates 5, quarantined 0") == (
        "Stored %(stored)s events; %(duplicates)s duplicates; %(quarantined)s records in quarantine",
        {"stored": "1234", "duplicates": "5", "quarantined": "0"},
    )
    assert step_words("storing: writing part 3") == ("Storing the events (part %(part)s)", {"part": "3"})
    assert step_words("something new at 100%") == ("something new at 100%%", {})


def test_an_import_jobs_page_speaks_the_readers_language(world: World) -> None:
    client = Client()
    client.force_login(world.users[Role.ANALYST])
    upload = SimpleUploadedFile(TELNET.name, TELNET.read_bytes(), content_type="text/csv")
    client.post("/threats/", {"organisation": world.org_a.pk, "file": upload, "format": "auto", "tlp": "green"})
    record = Import.objects.get()
    run_job.call(str(record.job.pk))
    job = Job.objects.get(pk=record.job.pk)
    assert job.message_key == "The import is stored."
    english = client.get(f"/jobs/{job.pk}/").content.decode()
    client.cookies["cyberplan_language"] = "es"
    spanish = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "The import is stored." in english
    assert "La importación está almacenada." in spanish and "The import is stored." not in spanish
