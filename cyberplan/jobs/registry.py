"""The kinds of background job and the function that runs each.

A capability registers a job kind with :func:`job_kind`; the worker runs it through
:func:`cyberplan.jobs.tasks.run_job`. A handler receives the job and a :class:`Progress`
and returns a JSON-ready result summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise

from .models import Job


class Progress:
    """Reports how far a job has come; writes at most a few times a second."""

    def __init__(self, job: Job) -> None:
        self.job = job

    def update(self, done: int, total: int | None = None, message: str = "") -> None:
        fields = ["progress_done"]
        self.job.progress_done = done
        if total is not None:
            self.job.progress_total = total
            fields.append("progress_total")
        if message:
            self.job.message = message[:500]
            fields.append("message")
        self.job.save(update_fields=fields)


Handler = Callable[[Job, Progress], dict[str, Any]]


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str | Promise
    handler: Handler


_KINDS: dict[str, JobKind] = {}


def job_kind(name: str, label: str | Promise) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        _KINDS[name] = JobKind(name=name, label=label, handler=handler)
        return handler

    return register


def get_kind(name: str) -> JobKind:
    return _KINDS[name]


def kind_choices() -> list[tuple[str, str]]:
    return [(k.name, str(k.label)) for k in _KINDS.values()]


def kind_label(name: str) -> str:
    kind = _KINDS.get(name)
    return str(kind.label) if kind else name
