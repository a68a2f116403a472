"""``cyberplan ingest PATH...``: bring feed files and incident records into an organisation's event store."""

from __future__ import annotations

import glob
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cyberplan.core.choices import TLP
from cyberplan.core.models import Organisation
from cyberplan.jobs.actions import do_record_job_run_here
from cyberplan.jobs.choices import JobStatus
from cyberplan.jobs.models import Job
from cyberplan.jobs.recovery import end_job, heartbeat, recover_stale_jobs
from cyberplan.jobs.registry import Progress as JobProgress
from cyberplan.jobs.tasks import execute
from cyberplan.threats.actions import do_register_import
from cyberplan.threats.batch import import_batch
from cyberplan.threats.choices import ImportFormat, ImportStatus
from cyberplan.threats.jobs import STEPS, THREAT_IMPORT, run_import
from cyberplan.threats.models import ColumnMapping, Import


def collect_files(paths: list[Path]) -> list[Path]:
    """The files named, those in the folders named and those a quoted pattern matches, in order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith(".")))
        elif path.is_file():
            files.append(path)
        elif any(character in str(path) for character in "*?["):
            matched = sorted(Path(p) for p in glob.glob(str(path)) if Path(p).is_file())
            if not matched:
                raise CommandError(f"No file matches {path}.")
            files.extend(matched)
        else:
            raise CommandError(f"{path} does not exist.")
    return files


class Command(BaseCommand):
    help = "Import Shadowserver reports, STIX bundles, MISP events, VERIS incidents or mapped CSV files."
    # A command run for every daily feed: it skips the system checks (they import every URL and view,
    # several seconds of start-up); the server, the worker and `cyberplan check` still run them.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "paths",
            nargs="+",
            type=Path,
            help="Files to import (a folder imports every file in it; a quoted pattern such as 'reports/*.csv' "
            "every file it matches). The trend tables are refreshed once, after the last file.",
        )
        parser.add_argument(
            "--organisation",
            required=True,
            help="Short name (slug) of the organisation whose store receives the events.",
        )
        parser.add_argument("--format", default="auto", choices=ImportFormat.values)
        parser.add_argument("--mapping", default="", help="Name of a saved column mapping (needed with --format csv).")
        parser.add_argument(
            "--report-type", default="", help="Shadowserver report type, when the file name does not say it."
        )
        parser.add_argument("--tlp", default=TLP.AMBER, choices=TLP.values, help="TLP of events that carry none.")
        parser.add_argument("--force", action="store_true", help="Import a file again even if it was imported before.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation = Organisation.objects.get(slug=options["organisation"])
        except Organisation.DoesNotExist:
            raise CommandError(f"There is no organisation with the short name {options['organisation']!r}.") from None
        mapping = None
        if options["mapping"]:
            mapping = ColumnMapping.objects.filter(organisation=organisation, name=options["mapping"]).first()
            if mapping is None:
                raise CommandError(f"There is no column mapping named {options['mapping']!r} in {organisation.slug}.")
        files = collect_files(options["paths"])
        # Imports left running by a killed run of this command (or a dead worker) are marked failed first.
        for job in recover_stale_jobs():
            self.stderr.write(f"Job {job.pk} ({job.kind}, {job.organisation.slug}) marked failed: {job.message}")
        console = Console(file=cast(TextIO, self.stdout), stderr=False)
        if not console.is_terminal:
            console.width = 200  # logs and pipes: keep whole file names and messages
        results = []
        # One batch: the trend tables are refreshed once, when the last file is stored (not after each).
        with (
            import_batch(),
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TextColumn("{task.completed}/{task.total}"),
                TimeElapsedColumn(),
                console=console,
                transient=False,
                disable=not console.is_terminal,
            ) as bar,
        ):
            overall = bar.add_task("files", total=len(files))
            for path in files:
                task = bar.add_task(path.name[:40], total=len(STEPS))

                def step(number: int, task: Any = task) -> None:
                    bar.update(task, completed=number)

                try:
                    record = do_register_import(
                        None,
                        organisation,
                        path,
                        file_name=path.name,
                        format=options["format"],
                        report_type=options["report_type"],
                        mapping=mapping,
                        tlp=options["tlp"],
                    )
                except Exception as exc:  # a file that cannot even be registered is reported, not fatal
                    results.append((path.name, "failed", 0, 0, 0, 0, str(exc)))
                    bar.advance(overall)
                    continue
                record = self.run_import(record, path, force=options["force"], step=step)
                bar.update(task, completed=len(STEPS))
                bar.advance(overall)
                results.append(
                    (
                        path.name,
                        record.status,
                        record.read,
                        record.stored,
                        record.duplicates,
                        record.quarantined,
                        record.message,
                    )
                )
        table = Table(title=f"Import into {organisation.slug}")
        for column in ("file", "status", "read", "stored", "duplicates", "quarantined", "message"):
            table.add_column(
                column, justify="right" if column in {"read", "stored", "duplicates", "quarantined"} else "left"
            )
        for name, status, read, stored, dup, quarantined, message in results:
            table.add_row(name, status, f"{read:,}", f"{stored:,}", f"{dup:,}", f"{quarantined:,}", message[:120])
        console.print(table)
        if any(r[1] == ImportStatus.FAILED for r in results):
            raise CommandError("Some files were refused; see the message column.")

    def run_import(self, record: Import, path: Path, *, force: bool, step: Callable[[int], None]) -> Import:
        """Run the import as a job of this process: it shows in the job list with its progress, may
        be cancelled there, and is recognised as abandoned if this process is killed."""
        job = do_record_job_run_here(
            None, record.organisation, THREAT_IMPORT, {"import_id": str(record.pk), "path": path.name, "force": force}
        )
        Import.objects.filter(pk=record.pk).update(job=job)
        record.job = job

        def body(job: Job, progress: JobProgress) -> dict[str, Any]:
            done = run_import(job, progress, record, path, force=force, step=step)
            return {"import_id": str(done.pk), "status": done.status}

        with heartbeat(job):
            try:
                execute(job, body)
            except BaseException:  # Ctrl+C: the job and its import are refused with the reason
                end_job(job, JobStatus.FAILED, gettext("Interrupted on the command line."))
                raise
        record.refresh_from_db()
        return record
