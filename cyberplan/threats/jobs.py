"""The background job that runs an import uploaded in the web UI or through the API."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_noop

from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.pipeline.importers.progress import reporting

from .actions import do_run_import, do_stop_import
from .batch import index_when_stored
from .choices import THREAT_IMPORT, ImportStatus
from .models import Import

__all__ = ["STEPS", "THREAT_IMPORT", "run_import", "run_import_job", "stop_import"]

STEPS = ["parsing", "normalising", "enriching", "storing", "stored"]

# What each of the pipeline's progress lines says, as a translatable key and its values: the job's page
# shows it in each reader's language (the pipeline itself, free of Django, speaks English).
_STEP_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^parsing (?P<file>.+) as (?P<format>.+)$"), gettext_noop("Reading %(file)s as %(format)s")),
    (re.compile(r"^normalising"), gettext_noop("Normalising the records")),
    (re.compile(r"^enriching"), gettext_noop("Adding country, network, owner and sector")),
    (
        re.compile(r"^storing: (?:reading|writing) part (?P<part>\d+)$"),
        gettext_noop("Storing the events (part %(part)s)"),
    ),
    (re.compile(r"^storing"), gettext_noop("Storing the events")),
    (
        re.compile(
            r"^stored (?P<stored>[\d,]+), duplicates (?P<duplicates>[\d,]+), quarantined (?P<quarantined>[\d,]+)$"
        ),
        gettext_noop("Stored %(stored)s events; %(duplicates)s duplicates; %(quarantined)s records in quarantine"),
    ),
]


def step_words(message: str) -> tuple[str, dict[str, Any]]:
    """The translatable key and values of one of the pipeline's progress lines (the line itself if unknown)."""
    for pattern, key in _STEP_WORDS:
        found = pattern.match(message)
        if found:
            return key, {name: value.replace(",", "") for name, value in found.groupdict().items()}
    return message.replace("%", "%%"), {}


def stop_import(job: Job, reason: str) -> None:
    """The job ended without success: its import, if it was still waiting or running, is refused
    with the same reason (nothing it wrote is visible; the next write to the store removes it)."""
    for record in Import.objects.filter(job=job):
        do_stop_import(record, reason)


def run_import(
    job: Job,
    progress: Progress,
    record: Import,
    path: Path,
    *,
    force: bool,
    step: Callable[[int], None] | None = None,
    queued: bool = False,
) -> Import:
    """Run a registered import and report on ``progress``: the steps, and while the file is read,
    the objects read out of how many (STIX objects, MISP attributes)."""

    def report(message: str) -> None:
        number = next((i for i, name in enumerate(STEPS) if message.startswith(name)), 0)
        progress.update(number + 1, len(STEPS))
        key, values = step_words(message)
        progress.step(number + 1, len(STEPS), key, **values)
        if step is not None:
            step(number + 1)

    def objects_read(done: int, total: int) -> None:
        # The counts show as the page's progress bar; the step's words stay those of "parsing".
        progress.update(done, total)

    with reporting(objects_read):
        record = do_run_import(record, path, force=force, progress=report, queued=queued)
    if record.status == ImportStatus.SUCCEEDED:
        # The events are visible already; the address index of their files, written now, makes an
        # address or network search read only the matching rows (outside the import's own time).
        index_when_stored(record)
    return record


def describe(parameters: dict[str, Any]) -> list[tuple[str, str]]:
    """The import by its file, format and default TLP label, and whether a file seen before is read again."""
    record = Import.objects.filter(pk=uuid.UUID(str(parameters.get("import_id")))).first()  # ValueError: by name
    if record is None:
        return []
    described = [
        (gettext_now("File"), record.file_name),
        (gettext_now("Format"), str(record.get_format_display())),
        (gettext_now("Default TLP"), str(record.get_tlp_display())),
    ]
    if parameters.get("force"):
        described.append(
            (gettext_now("Imported again"), gettext_now("yes, although the same file was imported before"))
        )
    return described


def run_import_job(job: Job, progress: Progress) -> dict[str, Any]:
    record = Import.objects.select_related("organisation", "mapping", "created_by").get(pk=job.parameters["import_id"])
    progress.update(0, len(STEPS))
    progress.step(0, len(STEPS), gettext_noop("Starting"))
    record = run_import(
        job, progress, record, Path(job.parameters["path"]), force=bool(job.parameters.get("force")), queued=True
    )
    progress.update(len(STEPS), len(STEPS))
    if record.status == ImportStatus.SUCCEEDED:
        progress.step(len(STEPS), len(STEPS), gettext_noop("The import is stored."))
    else:
        progress.step(len(STEPS), len(STEPS), gettext_noop("The import was refused: %(reason)s"), reason=record.message)
    return {
        "import_id": str(record.pk),
        "status": record.status,
        "read": record.read,
        "stored": record.stored,
        "duplicates": record.duplicates,
        "quarantined": record.quarantined,
    }
