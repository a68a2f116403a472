"""``cyberplan jobs list|cancel|recover``: the background jobs from the command line."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cyberplan.jobs.actions import do_cancel_job
from cyberplan.jobs.choices import FINISHED, JobStatus
from cyberplan.jobs.models import Job
from cyberplan.jobs.recovery import recover_stale_jobs


class Command(BaseCommand):
    help = "List background jobs, cancel one, or mark failed the jobs whose process is gone."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{list,cancel,recover}")
        listing = actions.add_parser("list", help="Jobs waiting or running (with --all, the latest of every status).")
        listing.add_argument("--all", action="store_true", help="Also jobs that have ended.")
        listing.add_argument("--organisation", default="", help="Only the jobs of this organisation (short name).")
        listing.add_argument("--limit", type=int, default=50, help="At most this many jobs (default: 50).")
        cancel = actions.add_parser("cancel", help="Cancel a job (a running job stops at its next step).")
        cancel.add_argument("job_id", help="The job's identifier, as `cyberplan jobs list` shows it.")
        actions.add_parser("recover", help="Mark failed the running jobs whose process has ended.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(**options)

    def handle_list(self, **options: Any) -> None:
        jobs = Job.objects.select_related("organisation", "created_by").order_by("created_at")
        if not options["all"]:
            jobs = jobs.exclude(status__in=FINISHED)
        if options["organisation"]:
            jobs = jobs.filter(organisation__slug=options["organisation"])
        rows = list(jobs.order_by("-created_at")[: max(1, options["limit"])])
        if not rows:
            self.stdout.write("No jobs." if options["all"] else "No job is waiting or running.")
            return
        self.stdout.write(f"{'id':36}  {'status':9}  {'organisation':16}  {'kind':20}  {'created':16}  progress")
        for job in reversed(rows):
            progress = f"{job.progress_done:,}/{job.progress_total:,}" if job.progress_total else ""
            status = "stopping" if job.stop_requested and not job.is_finished else job.status
            self.stdout.write(
                f"{job.pk!s:36}  {status:9}  {job.organisation.slug[:16]:16}  {job.kind[:20]:20}  "
                f"{job.created_at:%Y-%m-%d %H:%M}  {progress}"
            )

    def handle_cancel(self, **options: Any) -> None:
        try:
            job = Job.objects.get(pk=uuid.UUID(options["job_id"]))
        except (ValueError, Job.DoesNotExist):
            raise CommandError(f"There is no job {options['job_id']!r}; `cyberplan jobs list` shows them.") from None
        if job.is_finished:
            raise CommandError(f"Job {job.pk} has already ended ({job.status}).")
        job = do_cancel_job(None, job)
        if job.status == JobStatus.CANCELLED:
            self.stdout.write(f"Job {job.pk} was cancelled; it will not run.")
        else:
            self.stdout.write(f"Job {job.pk} will stop at its next step.")

    def handle_recover(self, **options: Any) -> None:
        recovered = recover_stale_jobs()
        for job in recovered:
            self.stdout.write(f"Job {job.pk} ({job.kind}, {job.organisation.slug}) marked failed: {job.message}")
        self.stdout.write(f"{len(recovered)} job(s) marked failed.")
