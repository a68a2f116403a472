"""The kinds of background job and the function that runs each.

A capability declares a job kind in its ``AppConfig.ready()`` with :func:`declare_job_kind`, naming
its handler by dotted path so that the handler's module is imported only when a job runs
(:func:`job_kind`, a decorator, registers a function at once, where that costs nothing, as in the
tests); the worker runs it through
:func:`cyberplan.jobs.tasks.run_job`. A handler receives the job and a :class:`Progress`
and returns a JSON-ready result summary.

Each kind has a time limit (``time_limit_minutes``, overridden by the setting
``CYBERPLAN_JOB_TIME_LIMITS``) and may have an ``on_stop`` function, called with the job and the
reason whenever a job of the kind ends without success (it raised, was cancelled, went over its
time limit, or its process died), to leave what the job was working on in a clear state.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import kinds
from .choices import JobStatus
from .kinds import (
    DEFAULT_TIME_LIMIT_MINUTES,
    JobKind,
    all_kinds,
    declare,
    get_kind,
    kind_choices,
    kind_label,
    public_parameters,
)
from .models import Job

__all__ = [
    "DEFAULT_TIME_LIMIT_MINUTES",
    "Describe",
    "Handler",
    "JobKind",
    "JobStopped",
    "Progress",
    "StopHook",
    "all_kinds",
    "declare_job_kind",
    "get_kind",
    "job_kind",
    "kind_choices",
    "kind_label",
    "public_parameters",
    "time_limit_reached",
]

declare_job_kind = declare

WRITE_INTERVAL = 0.5  # seconds between two progress writes of one job (the last one is always written)


class JobStopped(BaseException):
    """Raised inside a job asked to stop; ``status`` is the status it ends with.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` in a handler or an
    importer takes it for an ordinary error and carries on.
    """

    def __init__(self, reason: str, status: str = JobStatus.FAILED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def time_limit_reached(seconds: int) -> str:
    if seconds % 60 == 0:
        minutes = seconds // 60
        return ngettext(
            "time limit of %(count)d minute reached", "time limit of %(count)d minutes reached", minutes
        ) % {"count": minutes}
    return ngettext("time limit of %(count)d second reached", "time limit of %(count)d seconds reached", seconds) % {
        "count": seconds
    }


class Progress:
    """Reports how far a job has come, and stops it when it is asked to stop or runs out of time.

    It writes at most every ``WRITE_INTERVAL`` seconds (a new total or message, and the last step,
    always), and each write is also the job's heartbeat and the moment it learns that it was
    cancelled: then :class:`JobStopped` is raised from :meth:`update`.
    """

    def __init__(self, job: Job) -> None:
        self.job = job
        self._written_at = 0.0

    def check(self) -> None:
        """Raise :class:`JobStopped` if the job is past its deadline."""
        deadline = self.job.deadline
        if deadline is not None and timezone.now() >= deadline:
            raise JobStopped(time_limit_reached(self.job.time_limit or 0))

    def step(self, number: int, steps: int, message: str, **params: Any) -> None:
        """Record that the job is at step ``number`` of ``steps`` and write it at once.

        ``message`` is the step's English text, marked with ``gettext_noop`` so that it is in the
        catalogues (a literal per cent sign written ``%%``); each reader of the job's page sees it
        in their own language, with ``params`` (JSON values) put in as ``%(name)s``.
        """
        self.check()
        self.job.step, self.job.steps = number, steps
        self.job.message_key, self.job.message_params = message, params
        self.job.message = (message % params)[:500]
        self._write(["step", "steps", "message_key", "message_params", "message"])

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        self.check()
        fields = ["progress_done"]
        self.job.progress_done = done
        forced = done == (total if total is not None else self.job.progress_total)
        if total is not None:
            forced = forced or total != self.job.progress_total
            self.job.progress_total = total
            fields.append("progress_total")
        if message:
            forced = forced or message[:500] != self.job.message
            self.job.message = message[:500]
            # Words of the job's own: shown as written, not as a step's translatable key.
            self.job.message_key, self.job.message_params = "", {}
            fields.extend(["message", "message_key", "message_params"])
        if not forced and time.monotonic() - self._written_at < WRITE_INTERVAL:
            return
        self._write(fields)

    def _write(self, fields: list[str]) -> None:
        """Save ``fields`` with the heartbeat; raise :class:`JobStopped` if the job was asked to stop."""
        self._written_at = time.monotonic()
        self.job.heartbeat_at = timezone.now()
        fields.append("heartbeat_at")
        self.job.save(update_fields=fields)
        stop = Job.objects.filter(pk=self.job.pk, stop_requested=True).values("stop_reason", "stop_status").first()
        if stop is not None:
            raise JobStopped(stop["stop_reason"] or _("cancelled"), stop["stop_status"] or JobStatus.CANCELLED)


Handler = Callable[[Job, Progress], dict[str, Any]]
StopHook = Callable[[Job, str], None]
#: A job's public parameters as (label, words) pairs in the active language.
Describe = Callable[[dict[str, Any]], list[tuple[str, str]]]


def job_kind(
    name: str,
    label: str | Promise,
    *,
    time_limit_minutes: float = DEFAULT_TIME_LIMIT_MINUTES,
    on_stop: StopHook | None = None,
    private_parameters: Iterable[str] = (),
    describe: Describe | None = None,
) -> Callable[[Handler], Handler]:
    """Declare a job kind: the decorated function runs each job of the kind in the worker.

    ``describe`` says in words what a job of the kind was asked to do (its page shows it).
    """

    def declare(handler: Handler) -> Handler:
        kinds.declare(
            name,
            label,
            handler,
            time_limit_minutes=time_limit_minutes,
            on_stop=on_stop,
            private_parameters=private_parameters,
            describe=describe,
        )
        return handler

    return declare
