"""``cyberplan db_worker``: the task worker, with fair order, time limits, cancellation and recovery.

The options are django-tasks-db's; see :mod:`cyberplan.jobs.worker` for what this worker adds.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from cyberplan.jobs.worker import JobWorker


class Command(db_worker.Command):
    help = (
        "Run the task worker: jobs in a fair order between organisations, each within its time limit, "
        "cancellable, and jobs left running by a stopped worker marked failed when it starts."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--stop-grace",
            type=float,
            default=None,
            help="Seconds a job asked to stop may take before it is ended (default: CYBERPLAN_JOB_STOP_GRACE_SECONDS).",
        )

    def handle(self, *, verbosity: int, **options: Any) -> None:
        self.configure_logging(verbosity)
        reload = options["reload"] and not options["batch"]
        exclude = options["exclude_queues"]
        worker = JobWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=exclude.split(",") if exclude else [],
            stop_grace=options["stop_grace"],
        )
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
