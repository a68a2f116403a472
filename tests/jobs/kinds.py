"""Job kinds for the worker tests: one that reports progress step by step, one that never does.

The worker process registers them through :mod:`tests.jobs.worker_main`; the test process imports
this module to start jobs of these kinds.
"""

from __future__ import annotations

import time
from typing import Any

from cyberplan.jobs.models import Job
from cyberplan.jobs.registry import Progress, job_kind

STEPS = "test_steps"
SILENT = "test_silent"


def note_stop(job: Job, reason: str) -> None:
    """What a kind's on_stop sees, kept where the test can read it."""
    Job.objects.filter(pk=job.pk).update(result={"on_stop": reason})


@job_kind(STEPS, "Test: steps", on_stop=note_stop)
def run_steps(job: Job, progress: Progress) -> dict[str, Any]:
    steps = int(job.parameters.get("steps", 1))
    pause = float(job.parameters.get("pause", 0))
    for step in range(steps):
        progress.update(step, steps, f"step {step}")
        time.sleep(pause)
    progress.update(steps, steps)
    return {"steps": steps}


@job_kind(SILENT, "Test: silent", on_stop=note_stop)
def run_silent(job: Job, progress: Progress) -> dict[str, Any]:
    progress.update(0, 1, "started")
    time.sleep(float(job.parameters.get("seconds", 600)))  # and never reports again
    return {}
