"""The background job that runs an import uploaded in the web UI or through the API."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress
from cyberplan.pipeline.importers.progress import reporting

from .actions import do_run_import, do_stop_import
from .choices import THREAT_IMPORT
from .models import Import

__all__ = ["STEPS", "THREAT_IMPORT", "run_import", "run_import_job", "stop_import"]

STEPS = ["parsing", "normalising", "enriching", "storing", "stored"]


def stop_import(job: Job, reason: str) -> None:
    """The job ended without success: its import, if it was still waiting or running, is refused
    with the same reason (nothing it wrote is visible; the next write to the store removes it)."""
    for record in Import.objects.filter(job=job):
        do_stop_import(record, reason)


def run_import(
    job: Job, progress: Progress, record: Import, path: Path, *, force: bool, step: Callable[[int], None] | None = None
) -> Import:
    """Run a registered import and report on ``progress``: the steps, and while the file is read,
    the objects read out of how many (STIX objects, MISP attributes)."""

    def report(message: str) -> None:
        number = next((i for i, name in enumerate(STEPS) if message.startswith(name)), 0)
        progress.update(number + 1, len(STEPS), message)
        if step is not None:
            step(number + 1)

    def objects_read(done: int, total: int) -> None:
        progress.update(
            done,
            total,
            gettext_now("parsing: %(done)s of %(total)s objects read")
            % {
                "done": f"{done:,}",
                "total": f"{total:,}",
            },
        )

    with reporting(objects_read):
        return do_run_import(record, path, force=force, progress=report)


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
    progress.update(0, len(STEPS), str(_("Starting")))
    record = run_import(job, progress, record, Path(job.parameters["path"]), force=bool(job.parameters.get("force")))
    progress.update(len(STEPS), len(STEPS), record.message or str(record.get_status_display()))
    return {
        "import_id": str(record.pk),
        "status": record.status,
        "read": record.read,
        "stored": record.stored,
        "duplicates": record.duplicates,
        "quarantined": record.quarantined,
    }
